"""In-process timings: json.loads floor, Flask floor, full hook call (Flask test client)."""

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
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, request
from flask.testing import FlaskClient

from bench import charts
from cds_service import create_app
from cds_service.gcpause import gc_paused
from cds_service.settings import Settings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SERVICES = {
    "order-select": "eczema-order-select",
    "order-sign": "eczema-order-sign",
    "patient-view": "eczema-patient-view",
}


@dataclass
class Row:
    """One chart size and hook: medians in seconds."""

    hook: str
    resources: int
    nbytes: int
    loads: float
    loads_gc: float  # json.loads with the collector running, for comparison
    flask_floor: float
    full: float
    cards: int


def medians(fns: list[Callable[[], Any]], rounds: int, budget: float) -> list[float]:
    """Median wall time of each function, run interleaved (so load from other processes hits
    them alike), over `rounds` rounds or fewer once `budget` seconds are spent (at least 3).
    A function that returns a float reports its own time (the parse floor leaves out freeing)."""
    for fn in fns:
        fn()  # warm-up
    times: list[list[float]] = [[] for _ in fns]
    started = time.perf_counter()
    for i in range(rounds):
        for fn, sink in zip(fns, times, strict=True):
            gc.collect()
            t = time.perf_counter()
            own = fn()
            elapsed = time.perf_counter() - t
            sink.append(own if isinstance(own, float) else elapsed)
        if i >= 2 and time.perf_counter() - started > budget:
            break
    return [statistics.median(t) for t in times]


def parse_floor(raw: bytes) -> Callable[[], Any]:
    """json.loads as the service runs it (collector paused): the pure cost of parsing."""

    def call() -> float:
        with gc_paused():
            t = time.perf_counter()
            parsed = json.loads(raw)
            elapsed = time.perf_counter() - t
            del parsed  # freeing the tree is left out: the floor is the parse alone
        return elapsed

    return call


def floor_app() -> Flask:
    """The framework floor: parse the body, answer no cards."""
    app = Flask("floor")

    @app.post("/cds-services/<service_id>")
    def call(service_id: str) -> Any:
        with gc_paused():  # as the service does, so the floor is not the collector's cost
            json.loads(request.get_data(cache=False))
            return jsonify({"cards": []})

    return app


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


def _post(client: FlaskClient, path: str, raw: bytes) -> Callable[[], Any]:
    def call() -> Any:
        response = client.post(path, data=raw, content_type="application/json")
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code} {response.get_data()[:300]!r}")
        response.close()  # as a server does once the answer is sent
        return response

    return call


def measure(
    sizes: list[int], hooks: list[str], rounds: int, budget: float
) -> tuple[list[Row], list[str]]:
    """Time every (size, hook); also return the rule ids that fired, as a sanity check."""
    rows: list[Row] = []
    fired: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        app = service_app(Path(tmp))
        client, floor = app.test_client(), floor_app().test_client()
        for size in sizes:
            for hook in hooks:
                body = charts.chart(size, hook)
                raw = charts.encode(body)
                path = f"/cds-services/{SERVICES[hook]}"
                full = _post(client, path, raw)
                answer = full().get_json()
                fired.update(c["source"]["topic"]["code"] for c in answer["cards"])
                plain: Callable[[], Any] = partial(json.loads, raw)  # the collector running
                loads, loads_gc, flask_floor, full_time = medians(
                    [parse_floor(raw), plain, _post(floor, path, raw), full], rounds, budget
                )
                rows.append(
                    Row(hook, charts.count(body), len(raw), loads, loads_gc, flask_floor,
                        full_time, len(answer["cards"]))
                )  # fmt: skip
        app.extensions["cds_runtime"].store.dispose()
    return rows, sorted(fired)


def profile(size: int, hook: str, calls: int, top: int) -> str:
    """cProfile of `calls` full hook calls on one chart: the top entries by own time."""
    with tempfile.TemporaryDirectory() as tmp:
        app = service_app(Path(tmp))
        client = app.test_client()
        raw = charts.encode(charts.chart(size, hook))
        call = _post(client, f"/cds-services/{SERVICES[hook]}", raw)
        call()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(calls):
            call()
        profiler.disable()
        app.extensions["cds_runtime"].store.dispose()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()
