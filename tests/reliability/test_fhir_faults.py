"""Hook calls whose fhirServer misbehaves: every answer comes within the deadline, as 412 or cards.

The FHIR server is the real loopback server of tests/fhir (not a mock of requests). Each fault is
tried twice: with no prefetch (the essential keys are lost: 412) and with patient and conditions
prefetched (the steroid-site rule still runs; the response says which keys were unavailable).
"""

from __future__ import annotations

import copy
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cds_service import create_app
from cds_service.fhir.concurrency import GRACE_SECONDS
from cds_service.pipeline import UNAVAILABLE_EXTENSION
from cds_service.services import ESSENTIAL, TEMPLATES
from tests.conftest import FIXTURES, load_fixture, make_settings, pinned_clock
from tests.fhir.fake_fhir import FakeFhirServer, bundle, hang, send_bytes, send_json
from tests.reliability.conftest import assert_well_formed

DEADLINE = 1.5
MARGIN = 1.0  # the test client, app and a loaded CI machine; generous by design
SIGN = "/cds-services/eczema-order-sign"
FIXTURE = FIXTURES / "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
PATIENT_ID = "tcs-eyelid-age-30"
SERVICE = "eczema-order-sign"
# The path each of the service's prefetch queries asks for on the FHIR server.
PATHS = {
    key: "/fhir/" + template.split("?")[0].replace("{{context.patientId}}", PATIENT_ID)
    for key, template in TEMPLATES.items()
}


@pytest.fixture
def app(tmp_path) -> Iterator[Flask]:
    settings = make_settings(
        tmp_path, hook_deadline_seconds=DEADLINE, fhir_timeout_seconds=1.0, fhir_max_workers=8
    )
    application: Flask = create_app(settings, clock=pinned_clock)
    yield application
    application.extensions["cds_runtime"].store.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def optional_keys(app: Flask) -> list[str]:
    """The service's prefetch keys that are not essential: losing them is not a 412."""
    service = app.extensions["cds_runtime"].services[SERVICE]
    return sorted(set(service.prefetch) - ESSENTIAL)


def request_for(fhir: FakeFhirServer, keep: tuple[str, ...]) -> dict[str, Any]:
    """The fixture's request against ``fhir``, keeping only the prefetch keys in ``keep``."""
    body = copy.deepcopy(load_fixture(FIXTURE))
    body["prefetch"] = {k: v for k, v in body["prefetch"].items() if k in keep}
    body["fhirServer"] = fhir.base
    return body


def call(client: FlaskClient, body: dict[str, Any]) -> tuple[Any, float]:
    started = time.monotonic()
    response = client.post(SIGN, json=body)
    elapsed = time.monotonic() - started
    assert elapsed < DEADLINE + GRACE_SECONDS + MARGIN, elapsed
    assert_well_formed(response)
    return response, elapsed


def fifty_megabytes(handler: Any, fake: FakeFhirServer) -> None:
    """A 50 MB searchset, generated while it streams (chunked: no size announced up front)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/fhir+json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    entry = json.dumps({"resource": {"resourceType": "MedicationRequest", "id": "x" * 60}})
    piece = (entry + ",") * 1000
    parts = ['{"resourceType": "Bundle", "type": "searchset", "entry": [']
    parts += [piece] * (50_000_000 // len(piece))
    parts.append(entry + "]}")
    for part in parts:
        if fake.stop.is_set():
            return
        data = part.encode()
        handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    handler.wfile.write(b"0\r\n\r\n")


def endless_pages(handler: Any, fake: FakeFhirServer) -> None:
    """Every page links to a new next page."""
    n = int(handler.path.rsplit("page=", 1)[-1]) if "page=" in handler.path else 0
    page = bundle(next_url=f"{fake.base}/MedicationRequest?page={n + 1}")
    send_json(page)(handler, fake)


def fault(name: str, fhir: FakeFhirServer, other: FakeFhirServer) -> Any:
    """The responder for one named fault."""
    html = b"<html><body>Service Unavailable</body></html>"
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "error"}]}
    return {
        "slow": send_json(bundle(), delay=DEADLINE + 1.0),
        "hang": hang(),
        "500": send_json(outcome, status=500),
        "503": send_bytes(html, status=503, content_type="text/html"),
        "401": send_json(outcome, status=401),
        "404": send_json(outcome, status=404),
        "html": send_bytes(html, content_type="text/html"),
        "truncated": send_bytes(b'{"resourceType": "Bundle", "entry": [', content_length=5000),
        "outcome": send_json(outcome),
        "endless-next": endless_pages,
        "50MB": fifty_megabytes,
        "50MB-declared": send_bytes(b"{}", content_length=50_000_000),
        "redirect": send_bytes(b"", status=302, headers={"Location": f"{other.base}/x"}),
    }[name]


# Fault -> the reason the 412 gives for each lost key.
REASONS = {
    "slow": "timeout",
    "hang": "timeout",
    "500": "HTTP 500",
    "503": "HTTP 503",
    "401": "HTTP 401",
    "404": "HTTP 404",
    "html": "not JSON",
    "truncated": "connection broken",
    "outcome": "server returned an OperationOutcome",
    "endless-next": "page limit reached",
    "50MB": "response over 20000000 bytes",
    "50MB-declared": "response over 20000000 bytes",
    "redirect": "redirect refused",
}
FAULTS = list(REASONS)


@pytest.mark.parametrize("name", FAULTS)
def test_without_prefetch_a_failing_server_gets_412_in_time(
    client, fhir, other_host, name, caplog
) -> None:
    for path in PATHS.values():
        fhir.on(path, fault(name, fhir, other_host))
    with caplog.at_level(logging.WARNING, logger="cds_service.pipeline"):
        response, _ = call(client, request_for(fhir, keep=()))
    assert response.status_code == 412
    issues = [i["diagnostics"] for i in response.get_json()["issue"]]
    # The body says which data is missing, never why (no port scanner); the log says why.
    assert "patient: unavailable" in issues and "conditions: unavailable" in issues
    assert not any(REASONS[name] in issue for issue in issues)
    (record,) = [r for r in caplog.records if r.getMessage() == "required FHIR data unavailable"]
    assert record.reasons["patient"] == REASONS[name]  # type: ignore[attr-defined]
    assert other_host.paths() == []  # a redirect is never followed to another host


@pytest.mark.parametrize("name", FAULTS)
def test_with_partial_prefetch_the_rules_with_data_still_run(
    app, client, fhir, other_host, name
) -> None:
    lost = optional_keys(app)
    for key in lost:
        fhir.on(PATHS[key], fault(name, fhir, other_host))
    response, _ = call(client, request_for(fhir, keep=tuple(ESSENTIAL)))
    assert response.status_code == 200
    body = response.get_json()
    assert body["extension"][UNAVAILABLE_EXTENSION] == lost
    fired = [c["source"]["topic"]["code"] for c in body["cards"]]
    assert "tcs-potent-on-sensitive-site" in fired  # needs only patient, conditions, the draft
    rules = app.extensions["cds_runtime"].rules
    assert all(not rules[r].needs & set(lost) for r in fired)  # nothing fired on missing data
    assert other_host.paths() == []


def test_next_links_looping_back_end_paging_without_losing_the_key(app, client, fhir) -> None:
    others = [k for k in optional_keys(app) if k != "medications"]
    first = f"{fhir.base}/MedicationRequest?patient={PATIENT_ID}"
    fhir.json("/fhir/MedicationRequest", bundle(next_url=f"{fhir.base}/MedicationRequest?p=2"))
    fhir.json("/fhir/MedicationRequest?p=2", bundle(next_url=first))
    for key in others:
        fhir.json(PATHS[key], bundle())
    response, _ = call(client, request_for(fhir, keep=tuple(ESSENTIAL)))
    assert response.status_code == 200
    assert "extension" not in response.get_json()
    assert len(fhir.paths()) == 2 + len(others)  # two MedicationRequest pages, one per other


def test_independent_queries_run_concurrently(app, client, fhir) -> None:
    """Four or more queries of 0.6 s each fit a 1.5 s deadline only when they overlap."""
    fixture = load_fixture(FIXTURE)["prefetch"]
    delay = 0.6
    fhir.json(PATHS["patient"], fixture["patient"], delay=delay)
    fhir.json(PATHS["conditions"], fixture["conditions"], delay=delay)
    keys = optional_keys(app)
    for key in keys:
        fhir.json(PATHS[key], bundle(), delay=delay)
    assert len(keys) + 2 >= 4
    response, elapsed = call(client, request_for(fhir, keep=()))
    assert response.status_code == 200, response.get_json()
    assert "extension" not in response.get_json()
    fired = [c["source"]["topic"]["code"] for c in response.get_json()["cards"]]
    assert "tcs-potent-on-sensitive-site" in fired
    assert elapsed < (len(keys) + 2) * delay
