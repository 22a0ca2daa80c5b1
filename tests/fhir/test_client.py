"""FhirClient against a real HTTP server on loopback."""

from __future__ import annotations

import gzip
import json
import socket
import time
from typing import Any

import pytest
import requests

from cds_service.fhir import (
    Deadline,
    FhirClient,
    FhirError,
    FhirHttpError,
    FhirResponseError,
    FhirTimeout,
)
from tests.fhir.fake_fhir import (
    FakeFhirServer,
    bundle,
    drip,
    hang,
    headers_then_hang,
    send_bytes,
    send_chunked,
    send_json,
)

PATIENT = {"resourceType": "Patient", "id": "p1"}


def client(fhir: FakeFhirServer, session: requests.Session, **kwargs: Any) -> FhirClient:
    return FhirClient(fhir.base, kwargs.pop("token", None), session=session, **kwargs)


def obs(n: int) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": f"o{n}"}


# --- Deadline -------------------------------------------------------------------------------


def test_deadline_counts_down_on_its_clock_and_never_goes_negative() -> None:
    now = [100.0]
    deadline = Deadline(2.0, clock=lambda: now[0])
    assert deadline.remaining() == 2.0 and not deadline.expired
    now[0] = 101.5
    assert deadline.remaining() == pytest.approx(0.5)
    now[0] = 105.0
    assert deadline.remaining() == 0.0 and deadline.expired


# --- reads and headers ----------------------------------------------------------------------


def test_read_returns_the_resource_and_asks_for_fhir_json(fhir, session) -> None:
    fhir.json("/fhir/Patient/p1", PATIENT)
    assert client(fhir, session).get("Patient/p1", Deadline(5)) == PATIENT
    assert fhir.paths() == ["/fhir/Patient/p1"]
    assert fhir.seen[0].headers["accept"] == "application/fhir+json"


def test_bearer_token_is_sent_when_given(fhir, session) -> None:
    fhir.json("/fhir/Patient/p1", PATIENT)
    client(fhir, session, token="tok-123").get("Patient/p1", Deadline(5))
    assert fhir.seen[0].headers["authorization"] == "Bearer tok-123"


@pytest.mark.parametrize("token", [None, ""])
def test_no_authorization_header_without_a_token(fhir, session, token) -> None:
    fhir.json("/fhir/Patient/p1", PATIENT)
    client(fhir, session, token=token).get("Patient/p1", Deadline(5))
    assert "authorization" not in fhir.seen[0].headers


def test_operation_outcome_with_2xx_is_returned_as_is(fhir, session) -> None:
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "error"}]}
    fhir.json("/fhir/Patient/p1", outcome)
    assert client(fhir, session).get("Patient/p1", Deadline(5)) == outcome


def test_base_url_must_be_http(session) -> None:
    with pytest.raises(ValueError):
        FhirClient("file:///etc", None, session=session)


def test_repr_does_not_show_the_token(fhir, session) -> None:
    assert "tok-123" not in repr(client(fhir, session, token="tok-123"))


# --- pagination -----------------------------------------------------------------------------


def test_search_pages_are_followed_and_merged_into_one_bundle(fhir, session) -> None:
    fhir.json("/fhir/Observation", bundle(obs(1), next_url=f"{fhir.base}/Observation?page=2"))
    fhir.json(
        "/fhir/Observation?page=2", bundle(obs(2), next_url=f"{fhir.base}/Observation?page=3")
    )
    fhir.json("/fhir/Observation?page=3", bundle(obs(3)))
    result = client(fhir, session, token="t").get("Observation?patient=p1", Deadline(5))
    assert [e["resource"]["id"] for e in result["entry"]] == ["o1", "o2", "o3"]
    assert all(link["relation"] != "next" for link in result["link"])
    assert fhir.paths() == [
        "/fhir/Observation?patient=p1",
        "/fhir/Observation?page=2",
        "/fhir/Observation?page=3",
    ]
    assert all(s.headers["authorization"] == "Bearer t" for s in fhir.seen)


def test_relative_next_link_is_resolved_against_the_base(fhir, session) -> None:
    fhir.json("/fhir/Observation", bundle(obs(1), next_url="Observation?page=2"))
    fhir.json("/fhir/Observation?page=2", bundle(obs(2)))
    result = client(fhir, session).get("Observation", Deadline(5))
    assert len(result["entry"]) == 2


def test_next_link_loop_terminates_without_reading_a_page_twice(fhir, session) -> None:
    fhir.json("/fhir/Observation", bundle(obs(1), next_url=f"{fhir.base}/Observation?page=2"))
    fhir.json("/fhir/Observation?page=2", bundle(obs(2), next_url=f"{fhir.base}/Observation"))
    result = client(fhir, session).get("Observation", Deadline(5))
    assert [e["resource"]["id"] for e in result["entry"]] == ["o1", "o2"]
    assert len(fhir.seen) == 2


def test_endless_distinct_next_links_stop_at_the_page_limit(fhir, session) -> None:
    def endless(handler, server) -> None:
        page = int(handler.path.rsplit("=", 1)[1]) if "=" in handler.path else 0
        body = bundle(obs(page), next_url=f"{fhir.base}/Observation?page={page + 1}")
        send_json(body)(handler, server)

    fhir.on("/fhir/Observation", endless)
    with pytest.raises(FhirResponseError) as caught:
        client(fhir, session, max_pages=4).get("Observation", Deadline(5))
    assert caught.value.reason == "page limit reached"
    assert len(fhir.seen) == 4


def test_next_link_to_another_host_is_refused_and_never_called(fhir, other_host, session) -> None:
    fhir.json("/fhir/Observation", bundle(obs(1), next_url=f"{other_host.base}/Observation?p=2"))
    with pytest.raises(FhirResponseError) as caught:
        client(fhir, session, token="t").get("Observation", Deadline(5))
    assert caught.value.reason == "next link to another host refused"
    assert other_host.seen == []


def test_next_page_that_is_not_a_bundle_is_refused(fhir, session) -> None:
    fhir.json("/fhir/Observation", bundle(obs(1), next_url=f"{fhir.base}/Observation?page=2"))
    fhir.json("/fhir/Observation?page=2", PATIENT)
    with pytest.raises(FhirResponseError):
        client(fhir, session).get("Observation", Deadline(5))


def test_follow_next_completes_a_prefetched_bundle(fhir, session) -> None:
    fhir.json("/fhir/Observation", bundle(obs(2)))
    prefetched = bundle(obs(1), next_url=f"{fhir.base}/Observation?page=2")
    result = client(fhir, session).follow_next(prefetched, Deadline(5))
    assert [e["resource"]["id"] for e in result["entry"]] == ["o1", "o2"]
    assert prefetched["entry"] == [{"resource": obs(1)}]  # input left alone


def test_non_searchset_bundle_links_are_not_followed(fhir, session) -> None:
    collection = {**bundle(obs(1), next_url=f"{fhir.base}/x"), "type": "collection"}
    fhir.json("/fhir/Bundle/b1", collection)
    assert client(fhir, session).get("Bundle/b1", Deadline(5)) == collection
    assert len(fhir.seen) == 1


# --- refusals -------------------------------------------------------------------------------


def test_redirect_is_refused_and_not_followed(fhir, other_host, session) -> None:
    fhir.on(
        "/fhir/Patient/p1",
        send_bytes(b"", status=302, headers={"Location": f"{other_host.base}/Patient/p1"}),
    )
    with pytest.raises(FhirResponseError) as caught:
        client(fhir, session, token="t").get("Patient/p1", Deadline(5))
    assert caught.value.reason == "redirect refused"
    assert other_host.seen == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 500, 503])
def test_error_status_raises_http_error_with_the_status(fhir, session, status) -> None:
    fhir.json("/fhir/Patient/p1", {"resourceType": "OperationOutcome"}, status=status)
    with pytest.raises(FhirHttpError) as caught:
        client(fhir, session).get("Patient/p1", Deadline(5))
    assert caught.value.status == status
    assert caught.value.reason == f"HTTP {status}"


def test_html_body_is_refused_as_not_json(fhir, session) -> None:
    fhir.on("/fhir/Patient/p1", send_bytes(b"<html>Login</html>", content_type="text/html"))
    with pytest.raises(FhirResponseError) as caught:
        client(fhir, session).get("Patient/p1", Deadline(5))
    assert caught.value.reason == "not JSON"


def test_truncated_json_is_refused_as_not_json(fhir, session) -> None:
    fhir.on("/fhir/Patient/p1", send_bytes(json.dumps(PATIENT).encode()[:-5]))
    with pytest.raises(FhirResponseError) as caught:
        client(fhir, session).get("Patient/p1", Deadline(5))
    assert caught.value.reason == "not JSON"


def test_body_shorter_than_its_content_length_is_an_error(fhir, session) -> None:
    body = json.dumps(PATIENT).encode()
    fhir.on("/fhir/Patient/p1", send_bytes(body[:10], content_length=len(body)))
    with pytest.raises(FhirError) as caught:
        client(fhir, session).get("Patient/p1", Deadline(5))
    assert caught.value.reason == "connection broken"


def test_deeply_nested_json_is_refused_not_crashing(fhir, session) -> None:
    fhir.on("/fhir/Patient/p1", send_bytes(b"[" * 100_000 + b"]" * 100_000))
    with pytest.raises(FhirResponseError):
        client(fhir, session).get("Patient/p1", Deadline(5))


@pytest.mark.parametrize("body", [[PATIENT], {"id": "p1"}, {"resourceType": ""}, "Patient", 3])
def test_json_that_is_not_a_resource_is_refused(fhir, session, body) -> None:
    fhir.json("/fhir/Patient/p1", body)
    with pytest.raises(FhirResponseError) as caught:
        client(fhir, session).get("Patient/p1", Deadline(5))
    assert caught.value.reason == "not a FHIR resource"


def test_declared_size_over_max_bytes_is_refused(fhir, session) -> None:
    fhir.json("/fhir/Patient/p1", {**PATIENT, "text": "x" * 5000})
    with pytest.raises(FhirResponseError) as caught:
        client(fhir, session, max_bytes=1000).get("Patient/p1", Deadline(5))
    assert caught.value.reason == "response over 1000 bytes"


def test_declared_size_over_max_bytes_is_refused_before_reading_the_body(fhir, session) -> None:
    fhir.on("/fhir/Patient/p1", headers_then_hang(content_length=10**9))
    started = time.monotonic()
    with pytest.raises(FhirResponseError) as caught:
        client(fhir, session, max_bytes=1000).get("Patient/p1", Deadline(2))
    assert caught.value.reason == "response over 1000 bytes"
    assert time.monotonic() - started < 0.5


def test_streamed_size_over_max_bytes_is_refused(fhir, session) -> None:
    fhir.on("/fhir/Patient/p1", send_chunked(json.dumps({**PATIENT, "text": "x" * 5000}).encode()))
    with pytest.raises(FhirResponseError) as caught:
        client(fhir, session, max_bytes=1000).get("Patient/p1", Deadline(5))
    assert caught.value.reason == "response over 1000 bytes"


def test_chunked_body_within_max_bytes_is_read(fhir, session) -> None:
    fhir.on("/fhir/Patient/p1", send_chunked(json.dumps(PATIENT).encode(), chunk=3))
    assert client(fhir, session, max_bytes=1000).get("Patient/p1", Deadline(5)) == PATIENT


def test_gzip_body_is_decoded(fhir, session) -> None:
    body = gzip.compress(json.dumps(PATIENT).encode())
    fhir.on("/fhir/Patient/p1", send_bytes(body, headers={"Content-Encoding": "gzip"}))
    assert client(fhir, session).get("Patient/p1", Deadline(5)) == PATIENT


def test_max_bytes_counts_decoded_bytes_so_a_gzip_bomb_is_refused(fhir, session) -> None:
    bomb = gzip.compress(b'{"resourceType":"Patient","x":"' + b"0" * 5_000_000 + b'"}')
    assert len(bomb) < 10_000
    fhir.on("/fhir/Patient/p1", send_bytes(bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FhirResponseError) as caught:
        client(fhir, session, max_bytes=100_000).get("Patient/p1", Deadline(5))
    assert caught.value.reason == "response over 100000 bytes"


def test_max_bytes_counts_all_pages_together(fhir, session) -> None:
    big = {"resourceType": "Observation", "id": "o", "note": "x" * 600}
    fhir.json("/fhir/Observation", bundle(big, next_url=f"{fhir.base}/Observation?page=2"))
    fhir.json("/fhir/Observation?page=2", bundle(big))
    with pytest.raises(FhirResponseError):
        client(fhir, session, max_bytes=1000).get("Observation", Deadline(5))


# --- time bounds ----------------------------------------------------------------------------


def test_slow_server_is_cut_off_at_the_deadline(fhir, session) -> None:
    fhir.json("/fhir/Patient/p1", PATIENT, delay=3.0)
    started = time.monotonic()
    with pytest.raises(FhirTimeout):
        client(fhir, session, request_timeout=5).get("Patient/p1", Deadline(0.4))
    assert time.monotonic() - started < 0.4 + 0.25


def test_hanging_server_is_cut_off_at_the_request_timeout(fhir, session) -> None:
    fhir.on("/fhir/Patient/p1", hang())
    started = time.monotonic()
    with pytest.raises(FhirTimeout):
        client(fhir, session, request_timeout=0.3).get("Patient/p1", Deadline(10))
    assert time.monotonic() - started < 0.3 + 0.25


def test_dripping_body_cannot_outlive_the_deadline(fhir, session) -> None:
    # A byte every 0.7 s: each socket read alone is within a 1 s timeout, so only cutting the
    # read timeout to the time left stops this at 1 s instead of 1.4 s.
    fhir.on("/fhir/Patient/p1", drip(total=50, interval=0.7))
    started = time.monotonic()
    with pytest.raises(FhirTimeout):
        client(fhir, session, request_timeout=5).get("Patient/p1", Deadline(1.0))
    assert time.monotonic() - started < 1.0 + 0.25


def test_expired_deadline_sends_no_request(fhir, session) -> None:
    fhir.json("/fhir/Patient/p1", PATIENT)
    with pytest.raises(FhirTimeout):
        client(fhir, session).get("Patient/p1", Deadline(0))
    assert fhir.seen == []


def test_connection_refused_is_a_fhir_error(session) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = FhirClient(f"http://127.0.0.1:{port}/fhir", None, session=session)
    with pytest.raises(FhirError) as caught:
        dead.get("Patient/p1", Deadline(2))
    assert caught.value.reason == "connection failed"


def test_errors_do_not_chain_the_requests_exception(fhir, session) -> None:
    # A chained requests error would print the full URL (with patient ids) in tracebacks.
    fhir.on("/fhir/Patient/p1", hang())
    with pytest.raises(FhirTimeout) as caught:
        client(fhir, session, request_timeout=0.2).get("Patient/p1", Deadline(5))
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize("responder", [send_json(PATIENT), send_chunked(b'{"resourceType":"X"}')])
def test_connections_are_reused_after_complete_reads(fhir, session, responder) -> None:
    fhir.on("/fhir/Patient/p1", responder)
    c = client(fhir, session)
    c.get("Patient/p1", Deadline(5))
    c.get("Patient/p1", Deadline(5))
    assert len(fhir.seen) == 2
    assert fhir.seen[0].client_port == fhir.seen[1].client_port
