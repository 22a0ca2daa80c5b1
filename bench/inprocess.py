"""In-process timings: json.loads, the msgspec framework floor and the full hook call.

Every round posts a chart the service has not seen before (charts of the same size and mix
from another seed), so per-request caches start cold; the floors are measured on the same
bytes in the same round, and each ratio is taken within its round before the spread over
rounds (median, lowest, highest) is reported.
"""

from __future__ import annotations

import cProfile
import gc
import io
import json
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from bench import charts
from bench.floor import create_floor_app
from cds_service import create_app
from cds_service.gcpause import gc_paused
from cds_service.ops.cardlog import flush_issued
from cds_service.settings import Settings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SERVICES = {
    "order-select": "eczema-order-select",
    "order-sign": "eczema-order-sign",
    "patient-view": "eczema-patient-view",
}
# CPU time of this thread: what the call costs, whatever else the shared machine runs. The
# issued-card writer thread's work is not in it (it is off the response path); "wall" counts
# time spent waiting for a core as well.
CLOCKS = {"cpu": time.thread_time, "wall": time.perf_counter}


@dataclass(frozen=True)
class Spread:
    """Median, lowest and highest over the rounds."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        return cls(statistics.median(values), min(values), max(values))


@dataclass(frozen=True)
class Case:
    """One chart shape: mix, resources, hook."""

    mix: str
    size: int
    hook: str


@dataclass
class Row:
    """One case's timings in seconds (and ratios), over `rounds` distinct charts."""

    case: Case
    resources: int
    nbytes: int  # of the first chart; the others differ by a few bytes
    rounds: int
    loads: Spread  # stdlib json.loads, collector paused
    floor: Spread  # bench/floor.py through the Flask test client: msgspec decode, one card
    full: Spread
    x_loads: Spread  # full / loads, per round
    x_floor: Spread  # full / floor, per round
    cards: int


def parse_floor(raw: bytes, clock: Callable[[], float]) -> float:
    """json.loads as the service runs it (collector paused), freeing the tree left out."""
    with gc_paused():
        t = clock()
        parsed = json.loads(raw)
        elapsed = clock() - t
        del parsed
    return elapsed


def service_app(tmp: Path) -> Flask:
    """The real app, auth off (loopback), pinned clock, no body limit for the big charts."""
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'bench.sqlite3'}",
        auth_mode="off",
        max_body_bytes=200_000_000,
        log_level="WARNING",
        fhir_server_allow=("127.0.0.1",),  # bench/fallback.py's loopback FHIR server
        fhir_open_servers=("127.0.0.1",),  # ... which needs no token
    )
    return create_app(settings, clock=lambda: NOW)


def post(client: FlaskClient, path: str, raw: bytes) -> Any:
    """One hook call; RuntimeError unless it answers 200."""
    response = client.post(path, data=raw, content_type="application/json")
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code} {response.get_data()[:300]!r}")
    response.close()  # as a server does once the answer is sent
    return response


def _timed(clock: Callable[[], float], fn: Callable[[], Any]) -> float:
    gc.collect()  # each measurement starts from the same heap
    t = clock()
    fn()
    return clock() - t


def measure_case(
    clients: tuple[FlaskClient, FlaskClient], case: Case, rounds: int, budget: float, clock: str
) -> tuple[Row, set[str]]:
    """Time `case` on up to `rounds` distinct charts (at least 3; fewer once `budget` seconds
    are spent); also return the rules that fired on the first chart."""
    service, floor = clients
    tick = CLOCKS[clock]
    path = f"/cds-services/{SERVICES[case.hook]}"
    first = charts.chart(case.size, case.hook, seed=1, mix=case.mix)
    post(service, path, charts.encode(charts.chart(case.size, case.hook, seed=0, mix=case.mix)))
    answer = post(service, path, charts.encode(first)).get_json()  # warm-up and sanity check
    times: dict[str, list[float]] = {"loads": [], "floor": [], "full": []}
    started = time.perf_counter()
    for i in range(rounds):
        raw = charts.encode(charts.chart(case.size, case.hook, seed=2 + i, mix=case.mix))
        times["loads"].append(parse_floor(raw, tick))
        times["floor"].append(_timed(tick, lambda: post(floor, path, raw)))  # noqa: B023
        times["full"].append(_timed(tick, lambda: post(service, path, raw)))  # noqa: B023
        if i >= 2 and time.perf_counter() - started > budget:
            break
    loads, floor_t, full = times["loads"], times["floor"], times["full"]
    row = Row(
        case=case,
        resources=charts.count(first),
        nbytes=len(charts.encode(first)),
        rounds=len(full),
        loads=Spread.of(loads),
        floor=Spread.of(floor_t),
        full=Spread.of(full),
        x_loads=Spread.of([f / x for f, x in zip(full, loads, strict=True)]),
        x_floor=Spread.of([f / x for f, x in zip(full, floor_t, strict=True)]),
        cards=len(answer["cards"]),
    )
    return row, {c["source"]["topic"]["code"] for c in answer["cards"]}


def measure(
    cases: list[Case], rounds: int, budget: float, clock: str = "cpu"
) -> tuple[list[Row], list[str]]:
    """Time every case; also return the rule ids that fired, as a sanity check."""
    rows: list[Row] = []
    fired: set[str] = set()
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        app = service_app(Path(tmp))
        clients = (app.test_client(), create_floor_app().test_client())
        for case in cases:
            row, found = measure_case(clients, case, rounds, budget, clock)
            rows.append(row)
            fired |= found
        flush_issued(app.extensions["cds_runtime"].store)  # before its directory goes
        app.extensions["cds_runtime"].store.dispose()
    return rows, sorted(fired)


def profile(case: Case, calls: int, top: int) -> str:
    """cProfile of `calls` full hook calls on distinct charts: the top entries by own time."""
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        app = service_app(Path(tmp))
        client = app.test_client()
        path = f"/cds-services/{SERVICES[case.hook]}"
        bodies = [
            charts.encode(charts.chart(case.size, case.hook, seed=s, mix=case.mix))
            for s in range(calls + 1)
        ]
        post(client, path, bodies[0])
        profiler = cProfile.Profile()
        profiler.enable()
        for raw in bodies[1:]:
            post(client, path, raw)
        profiler.disable()
        flush_issued(app.extensions["cds_runtime"].store)
        app.extensions["cds_runtime"].store.dispose()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()
