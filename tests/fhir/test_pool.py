"""FHIR connections are kept between hook calls to the same fhirServer, and nothing else is."""

from __future__ import annotations

import json
import threading
from typing import Any

from flask import Flask

from cds_service.fhir.allow import ServerPolicy
from cds_service.fhir.client import Deadline, FhirClient, FhirError
from cds_service.fhir.pool import SessionPool
from cds_service.fhir.session import CountingSession
from tests.conftest import load_fixture, post_hook
from tests.fhir.fake_fhir import FakeFhirServer, bundle, drip_headers, send_bytes, send_chunked
from tests.test_fhir_fallback import FIXTURE, _serve_fixture

LOOPBACK = ServerPolicy(["127.0.0.1"])


def _fallback_body(fhir: FakeFhirServer) -> dict[str, Any]:
    body = load_fixture(FIXTURE)
    _serve_fixture(fhir, body)
    del body["prefetch"]
    body["fhirServer"] = fhir.base
    return body


def test_a_second_call_reuses_the_first_calls_connections(app: Flask, fhir: FakeFhirServer):
    client = app.test_client()
    body = _fallback_body(fhir)
    assert post_hook(client, body).status_code == 200
    first = {s.client_port for s in fhir.seen}
    assert len(fhir.seen) >= 5
    fhir.seen.clear()
    assert post_hook(client, body).status_code == 200
    second = {s.client_port for s in fhir.seen}
    # The queries run at once, so a call may need one connection more than the last left idle.
    assert second & first, "no connection of the first call was reused"
    pool = app.extensions["cds_runtime"].fhir_sessions
    assert pool.opened == 1 and len(pool) == 1
    pool.close()


def test_a_kept_session_carries_no_cookies_to_the_next_call(fhir: FakeFhirServer) -> None:
    fhir.on("/fhir/a", send_bytes(b"{}", headers={"Set-Cookie": "sid=caller-one; Path=/"}))
    fhir.on("/fhir/b", send_bytes(b"{}"))
    pool = SessionPool(LOOPBACK, connections=2)
    with CountingSession(pool=pool) as one:
        assert one.get(f"{fhir.base}/a", timeout=5).status_code == 200
        assert one.get(f"{fhir.base}/b", timeout=5).status_code == 200
    with CountingSession(pool=pool) as two:
        assert two.get(f"{fhir.base}/b", timeout=5).status_code == 200
    cookies = [s.headers.get("cookie") for s in fhir.seen]
    assert cookies == [None, "sid=caller-one", None]  # within a call as before, never after
    assert pool.opened == 1
    pool.close()


def test_a_call_with_an_unanswered_request_keeps_nothing(fhir: FakeFhirServer) -> None:
    fhir.on("/fhir/slow", drip_headers(0.05))
    pool = SessionPool(LOOPBACK, connections=2)
    session = CountingSession(pool=pool)
    worker = threading.Thread(target=_swallow, args=(session, f"{fhir.base}/slow"), daemon=True)
    worker.start()
    while not fhir.seen:
        worker.join(0.01)
    session.close()  # the call's deadline: the request is still waiting for its headers
    worker.join(5)
    assert not worker.is_alive()  # its socket was shut down
    assert len(pool) == 0


def _swallow(session: CountingSession, url: str) -> None:
    try:
        session.get(url, timeout=30)
    except Exception:  # noqa: BLE001 (the connection is cut on purpose)
        pass


def test_at_most_max_servers_sessions_are_kept(fhir: FakeFhirServer) -> None:
    fhir.json("/fhir/Patient/1", {"resourceType": "Patient", "id": "1"})
    fhir.json("/fhir/Condition", bundle())
    pool = SessionPool(LOOPBACK, connections=1, max_servers=1)
    with CountingSession(pool=pool) as one:
        assert one.get(f"{fhir.base}/Patient/1", timeout=5).status_code == 200
    other = f"http://localhost:{fhir.port}/fhir"  # another origin, the same server
    with CountingSession(pool=pool) as two:
        assert two.get(f"{other}/Condition", timeout=5).status_code == 200
    assert len(pool) == 1 and pool.opened == 2
    with CountingSession(pool=pool) as three:  # the first origin's session was dropped
        assert three.get(f"{fhir.base}/Patient/1", timeout=5).status_code == 200
    assert pool.opened == 3
    pool.close()


def test_a_body_cut_at_the_size_cap_does_not_leave_its_connection_for_the_next_call(
    fhir: FakeFhirServer,
) -> None:
    big = json.dumps({"resourceType": "Patient", "id": "1", "text": "a" * 100_000}).encode()
    fhir.on("/fhir/Patient/1", send_chunked(big))  # no Content-Length: read until the cap
    fhir.json("/fhir/Patient/2", {"resourceType": "Patient", "id": "2"})
    pool = SessionPool(LOOPBACK, connections=2)
    answers = []
    for path, cap in (("Patient/2", 10**6), ("Patient/1", 1000), ("Patient/2", 10**6)):
        with CountingSession(pool=pool) as session:
            client = FhirClient(fhir.base, None, session=session, max_bytes=cap)
            try:
                answers.append(client.get(path, Deadline(2)).get("id"))
            except FhirError as exc:
                answers.append(exc.reason)
    assert answers == ["2", "response over 1000 bytes", "2"]
    ports = [s.client_port for s in fhir.seen]
    assert ports[1] == ports[0] and ports[2] != ports[1]  # kept, then cut and not kept
    pool.close()
