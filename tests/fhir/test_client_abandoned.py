"""Fetches abandoned at the hook deadline release their threads and sockets.

A FHIR server that drips its response headers never trips a per-read timeout; before the fix
each such hook call left its pool threads and sockets behind (2 threads grew to 52 after 20
calls, 775 in a longer run). Now closing the call's session shuts its sockets down, so the
threads blocked on them end at once.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask

from cds_service import create_app
from tests.conftest import FIXTURES, make_settings, pinned_clock
from tests.fhir.fake_fhir import FakeFhirServer, drip_headers

CALLS = 20
FIXTURE = FIXTURES / "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"


@pytest.fixture
def app(tmp_path) -> Iterator[Flask]:
    settings = make_settings(tmp_path, hook_deadline_seconds=0.5, fhir_timeout_seconds=10.0)
    application: Flask = create_app(settings, clock=pinned_clock)
    yield application
    application.extensions["cds_runtime"].store.dispose()


def client_threads() -> int:
    """Threads of this process other than the fake server's own handlers."""
    return sum("process_request" not in t.name for t in threading.enumerate())


def client_sockets(server_port: int) -> int:
    """Open TCP connections from this machine to the fake server (the client ends)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            remote, state = line.split()[2], line.split()[3]
            if int(remote.rsplit(":", 1)[1], 16) == server_port and state == "01":  # ESTABLISHED
                count += 1
    return count


def settled(measure, limit: int, seconds: float = 10.0) -> int:  # noqa: ANN001
    """The measure once it is at most ``limit``, or its last value after ``seconds``."""
    end = time.monotonic() + seconds
    value = measure()
    while value > limit and time.monotonic() < end:
        time.sleep(0.1)
        value = measure()
    return value


def test_dripping_fhir_server_leaves_no_threads_or_sockets(app: Flask, fhir: FakeFhirServer):
    for resource in (
        "Patient",
        "Condition",
        "MedicationRequest",
        "Observation",
        "AllergyIntolerance",
        "ServiceRequest",
        "Procedure",
        "Encounter",
    ):
        fhir.on(f"/fhir/{resource}", drip_headers(interval=0.1))
        fhir.on(f"/fhir/{resource}/tcs-eyelid-age-30", drip_headers(interval=0.1))
    body = json.loads(FIXTURE.read_text())
    body.pop("prefetch", None)
    body["fhirServer"] = fhir.base
    client = app.test_client()
    client.post("/cds-services/eczema-order-sign", json=body)  # warm: lazy pools and threads
    before = settled(client_threads, 0, seconds=2)
    for _ in range(CALLS):
        started = time.monotonic()
        response = client.post("/cds-services/eczema-order-sign", json=body)
        assert response.status_code == 412
        assert time.monotonic() - started < 5  # generous: the deadline is 0.5 s
    assert fhir.seen, "the fallback asked the server"
    # Shut-down sockets end their threads at once; allow a loaded machine some seconds.
    assert settled(client_threads, before) <= before
    assert settled(lambda: client_sockets(fhir.port), 0) == 0
