"""Load test: gunicorn on 127.0.0.1, concurrent clients mixing hook calls and feedback, one worker
SIGKILLed mid-run; then every feedback entry answered 200 must be in the database.

Run with ``make loadtest`` or ``python -m tests.load.loadtest --help``. Exit status 0 only when
there were no HTTP errors, no lost feedback and the service still answers after the kill.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests
from sqlalchemy import create_engine, text

from tests.load.server import ROOT, free_port, start_gunicorn, wait_ready, worker_pids

SERVICE_FOR_HOOK = {
    "order-select": "eczema-order-select",
    "order-sign": "eczema-order-sign",
    "patient-view": "eczema-patient-view",
}
KILL_WINDOW = 2.0  # seconds after the kill in which a dropped connection is the kill's doing


@dataclass
class Results:
    """What every client saw, merged under a lock."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"hook": [], "feedback": []})
    http_errors: dict[str, int] = field(default_factory=dict)
    dropped_by_kill: int = 0
    dropped_otherwise: int = 0
    acked: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def fixture_calls() -> list[tuple[str, bytes]]:
    """(path, body) for every fixture request in fixtures/."""
    calls = []
    for path in sorted((ROOT / "fixtures").rglob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        service = SERVICE_FOR_HOOK.get(body.get("hook", ""))
        if service:
            calls.append((f"/cds-services/{service}", json.dumps(body).encode()))
    return calls


def feedback_body(n: int) -> tuple[list[str], bytes]:
    """``n`` feedback entries with fresh card uuids."""
    cards = [str(uuid.uuid4()) for _ in range(n)]
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    entries = [
        {
            "card": c,
            "outcome": "accepted",
            "outcomeTimestamp": now,
            "acceptedSuggestions": [{"id": str(uuid.uuid4())}],
        }
        for c in cards
    ]
    return cards, json.dumps({"feedback": entries}).encode()


def client_loop(base: str, stop: float, seed: int, kill_at: list[float], out: Results) -> None:
    """One client: alternate hook calls and feedback posts until ``stop``."""
    calls = fixture_calls()
    i = seed
    with requests.Session() as session:
        session.trust_env = False
        while time.monotonic() < stop:
            i += 1
            kind = "feedback" if i % 3 == 0 else "hook"
            if kind == "hook":
                path, data, cards = *calls[i % len(calls)], []
            else:
                cards, data = feedback_body(1 + (i // 3) % 3)
                path = "/cds-services/eczema-order-sign/feedback"
            started = time.monotonic()
            try:
                response = session.post(
                    base + path,
                    data=data,
                    headers={"Content-Type": "application/json"},
                    timeout=30,
                )
            except requests.RequestException:
                in_window = bool(kill_at) and 0 <= started - kill_at[0] <= KILL_WINDOW
                with out.lock:
                    if in_window or (kill_at and abs(time.monotonic() - kill_at[0]) < KILL_WINDOW):
                        out.dropped_by_kill += 1
                    else:
                        out.dropped_otherwise += 1
                continue
            elapsed = time.monotonic() - started
            with out.lock:
                if response.status_code == 200:
                    out.latencies[kind].append(elapsed)
                    out.acked.extend(cards)
                else:
                    key = f"{kind} {response.status_code}"
                    out.http_errors[key] = out.http_errors.get(key, 0) + 1


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def run(
    *, duration: float, clients: int, workers: int, kill_after: float | None, database_url: str
) -> dict[str, Any]:
    """Start gunicorn, drive it, kill a worker, stop it, check the database; return the report."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(port, workers, database_url)
    results, kill_at = Results(), []
    try:
        if not wait_ready(base, 60):
            raise RuntimeError("gunicorn did not become ready")
        started = time.monotonic()
        stop = started + duration
        threads = [
            threading.Thread(target=client_loop, args=(base, stop, n * 7, kill_at, results))
            for n in range(clients)
        ]
        for t in threads:
            t.start()
        killed = None
        if kill_after is not None:
            time.sleep(kill_after)
            killed = worker_pids(server.pid)[0]
            kill_at.append(time.monotonic())
            os.kill(killed, signal.SIGKILL)
        for t in threads:
            t.join()
        wall = time.monotonic() - started
        serving_after = wait_ready(base, 10)
        workers_after = len(worker_pids(server.pid))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        stored = {row[0] for row in conn.execute(text("SELECT card_uuid FROM feedback"))}
    engine.dispose()
    return summary(results, stored, wall, clients, workers, killed, serving_after, workers_after)


def summary(
    results: Results,
    stored: set[str],
    wall: float,
    clients: int,
    workers: int,
    killed: int | None,
    serving_after: bool,
    workers_after: int,
) -> dict[str, Any]:
    """The report: throughput, latency percentiles, errors, drops and lost feedback."""
    lost = [c for c in results.acked if c not in stored]
    done = {k: len(v) for k, v in results.latencies.items()}
    return {
        "duration_s": round(wall, 1),
        "clients": clients,
        "workers": workers,
        "requests_ok": done,
        "throughput_rps": round(sum(done.values()) / wall, 1),
        "latency_ms": {
            k: {"p50": round(percentile(v, 0.5), 1), "p99": round(percentile(v, 0.99), 1)}
            for k, v in results.latencies.items()
        },
        "http_errors": results.http_errors,
        "killed_worker": killed,
        "connections_dropped_by_kill": results.dropped_by_kill,
        "connections_dropped_otherwise": results.dropped_otherwise,
        "feedback_acknowledged": len(results.acked),
        "feedback_lost": len(lost),
        "serving_after_kill": serving_after,
        "workers_after": workers_after,
    }


def passed(report: dict[str, Any]) -> bool:
    """No HTTP error, no lost feedback, no drop outside the kill, still serving with all workers."""
    return (
        not report["http_errors"]
        and report["feedback_lost"] == 0
        and report["connections_dropped_otherwise"] == 0
        and report["serving_after_kill"]
        and report["workers_after"] == report["workers"]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--kill-after", type=float, default=10.0, help="SIGKILL a worker then")
    parser.add_argument("--no-kill", action="store_true", help="do not kill a worker")
    parser.add_argument("--database-url", help="default: a fresh SQLite file (WAL)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cds-load-") as tmp:
        report = run(
            duration=args.duration,
            clients=args.clients,
            workers=args.workers,
            kill_after=None if args.no_kill else args.kill_after,
            database_url=args.database_url or f"sqlite:///{tmp}/load.sqlite3",
        )
    print(json.dumps(report, indent=2))
    ok = passed(report)
    print("PASS" if ok else "FAIL", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
