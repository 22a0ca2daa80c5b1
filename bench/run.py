"""`make bench`: how close a hook call comes to the cost of parsing its request body.

    python -m bench.run            # full run: in-process table, HTTP load, FHIR fallback, profile
    python -m bench.run --quick    # smoke run (CI): tiny charts, one round, no verdicts

Every figure is a median of interleaved rounds measured in this one run. The floor is
``json.loads`` of the same bytes with the cyclic collector paused (as the service runs it);
the framework floor is a Flask endpoint that only parses the body and answers no cards.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from datetime import UTC, datetime

from bench import fallback, http_load, inprocess

HOOKS = ["order-select", "order-sign", "patient-view"]


def machine() -> str:
    """CPU model, core count and Python version, for the README."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def table(rows: list[inprocess.Row]) -> list[str]:
    """The in-process table: medians in ms and ratios to both floors."""
    out = [
        f"{'hook':13} {'res':>6} {'KB':>6} {'loads ms':>9} {'(gc on)':>8} {'flask ms':>9} "
        f"{'full ms':>8} {'x loads':>7} {'x flask':>7} {'us/res':>7} cards",
    ]
    for r in rows:
        out.append(
            f"{r.hook:13} {r.resources:6d} {r.nbytes / 1e3:6.0f} {r.loads * 1e3:9.2f} "
            f"{r.loads_gc * 1e3:8.2f} {r.flask_floor * 1e3:9.2f} {r.full * 1e3:8.2f} "
            f"{r.full / r.loads:7.2f} {r.full / r.flask_floor:7.2f} "
            f"{r.full / r.resources * 1e6:7.1f} {r.cards:5d}"
        )
    return out


def verdicts(rows: list[inprocess.Row]) -> list[tuple[str, bool]]:
    """The issue's in-process targets, each with whether this run met it."""
    checks = []
    for r in rows:
        if r.hook == "order-sign" and r.resources >= 1000:
            checks.append(
                (f"order-sign {r.resources}: full <= 2x json.loads ({r.full / r.loads:.2f}x)",
                 r.full <= 2 * r.loads)
            )  # fmt: skip
        if r.hook == "order-sign" and r.resources == 50:
            checks.append(
                (f"order-sign 50: full <= 3x Flask floor ({r.full / r.flask_floor:.2f}x)",
                 r.full <= 3 * r.flask_floor)
            )  # fmt: skip
    per_res = {r.resources: r.full / r.resources for r in rows if r.hook == "order-sign"}
    if 1000 in per_res and 10000 in per_res:
        growth = per_res[10000] / per_res[1000]
        checks.append((f"linear or better: us/resource 10k / 1k = {growth:.2f}", growth <= 1.25))
    return checks


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: small, no verdicts")
    parser.add_argument("--sizes", default="10,50,100,1000,10000")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn load test")
    parser.add_argument("--profile-top", type=int, default=25)
    args = parser.parse_args(argv)
    sizes = [10, 50] if args.quick else [int(s) for s in args.sizes.split(",")]
    rounds, budget = (2, 1.0) if args.quick else (args.rounds, 20.0)

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; load average {load}")
    rows, fired = inprocess.measure(sizes, HOOKS, rounds, budget)
    print("\n## In process (Flask test client), medians")
    print("\n".join(table(rows)))
    print(f"rules that fired on the charts: {', '.join(fired) or 'none'}")

    delay = 0.05
    fb_median, queries = fallback.run(50, "order-sign", delay, 3 if args.quick else 15)
    print("\n## FHIR fallback (no prefetch; loopback server, 50 ms per query)")
    print(f"order-sign 50: {fb_median * 1e3:.1f} ms for {queries} queries (target < 80 ms)")
    checks = [(f"fallback {fb_median * 1e3:.1f} ms < 50 + 30 ms", fb_median < delay + 0.03)]

    if not args.no_http:
        result = http_load.run(
            50, "order-select", "eczema-order-select", clients=4, seconds=1.0 if args.quick else 10
        )
        print("\n## HTTP: gunicorn, 2 sync workers, 127.0.0.1, 4 concurrent clients")
        print(
            f"order-select 50: {result.requests} requests in {result.seconds:.1f} s, "
            f"median {result.median * 1e3:.2f} ms, p99 {result.p99 * 1e3:.2f} ms, "
            f"{result.rps:.0f} req/s, {result.errors} errors"
        )
        print(
            f"cold start to first answer: {result.cold_start:.2f} s; worker RSS: "
            + ", ".join(f"{kib / 1024:.0f} MiB" for kib in result.rss_kib)
        )
        checks += [
            (f"HTTP median {result.median * 1e3:.2f} ms < 5 ms", result.median < 0.005),
            (f"HTTP p99 {result.p99 * 1e3:.2f} ms < 25 ms", result.p99 < 0.025),
            (f"HTTP {result.rps:.0f} req/s > 300", result.rps > 300),
            (f"HTTP errors {result.errors} == 0", result.errors == 0),
            (f"cold start {result.cold_start:.2f} s < 2 s", result.cold_start < 2.0),
        ]

    if args.quick:
        print("\nquick run: figures are not meaningful; no verdicts")
        return 0
    largest = max(sizes)
    print(f"\n## Profile: order-sign, {largest} resources, top {args.profile_top} by own time")
    print(inprocess.profile(largest, "order-sign", 3, args.profile_top))
    print("## Targets")
    for text, ok in verdicts(rows) + checks:
        print(f"{'MET   ' if ok else 'MISSED'} {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
