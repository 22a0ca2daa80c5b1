"""Failure reasons end up in logs and 412 bodies: plant a patient id and a token, then scan."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from cds_service.fhir import (
    Deadline,
    FhirClient,
    FhirError,
    PrefetchUnavailable,
    client_for_request,
    resolve_prefetch,
)
from tests.fhir.fake_fhir import FakeFhirServer, bundle, drip, hang, send_bytes, send_json

PATIENT_ID = "pat-SECRET-4711"
TOKEN = "tok-SECRET-9876"
SECRETS = (PATIENT_ID, TOKEN, "SECRET")


def endless(fhir: FakeFhirServer):
    def respond(handler, server) -> None:
        page = handler.path.count("x") + 1
        body = bundle(next_url=f"{fhir.base}/S9?patient={PATIENT_ID}&{'x' * page}")
        send_json(body)(handler, server)

    return respond


def scenarios(fhir: FakeFhirServer, other: FakeFhirServer) -> dict[str, Any]:
    leak = f"{PATIENT_ID} {TOKEN}"
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "diagnostics": leak}],
    }
    return {
        "S1": send_json(outcome, status=401),
        "S2": send_json(outcome, status=404),
        "S3": send_json(outcome, status=500),
        "S4": send_bytes(f"<html>{leak}</html>".encode(), content_type="text/html"),
        "S5": send_bytes(json.dumps(outcome).encode()[:-3]),
        "S6": send_json({**outcome, "text": "x" * 5000}),
        "S7": send_bytes(
            b"", status=302, headers={"Location": f"{other.base}/Patient/{PATIENT_ID}?t={TOKEN}"}
        ),
        "S8": send_json(bundle(next_url=f"{other.base}/S8?patient={PATIENT_ID}&t={TOKEN}")),
        "S9": endless(fhir),
        "S10": hang(),
        "S11": send_bytes(json.dumps(outcome).encode(), content_length=1500),
        "S12": send_json(outcome),
        "S13": send_json(bundle({"resourceType": "Condition"}, outcome)),
        "S14": drip(total=100, interval=0.1),
        "S15": send_json([leak]),
    }


def test_failure_reasons_hold_no_patient_id_token_or_url(fhir, other_host, session) -> None:
    for key, responder in scenarios(fhir, other_host).items():
        fhir.on(f"/fhir/{key}", responder)
    templates = {key: f"{key}?patient={{{{context.patientId}}}}" for key in scenarios(fhir, fhir)}
    templates["S0"] = "Patient/{{context.patientId}}/{{userPatientId}}"  # unrenderable
    request = {
        "fhirServer": fhir.base,
        "fhirAuthorization": {"access_token": TOKEN},
        "context": {"patientId": PATIENT_ID, "userId": f"Practitioner/{PATIENT_ID}"},
    }
    client = client_for_request(
        request, session=session, request_timeout=0.3, max_bytes=2000, max_pages=3
    )
    with pytest.raises(PrefetchUnavailable) as caught:
        resolve_prefetch(
            templates, request, required=frozenset(templates), client=client, deadline=Deadline(1)
        )
    problems = caught.value.problems
    assert set(problems) == set(templates)  # every scenario failed, so every reason is scanned
    texts = [str(caught.value), *caught.value.keys, *problems.values()]
    for text in texts:
        assert not any(secret in text for secret in SECRETS), text
        assert "http" not in text and "?" not in text and "127.0.0.1" not in text, text
    assert other_host.seen == []
    assert all(s.headers["authorization"] == f"Bearer {TOKEN}" for s in fhir.seen)


def test_connection_failure_reason_holds_no_url(session) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = FhirClient(f"http://127.0.0.1:{port}/fhir", TOKEN, session=session)
    with pytest.raises(FhirError) as caught:
        client.get(f"Patient/{PATIENT_ID}", Deadline(2))
    assert not any(s in str(caught.value) for s in SECRETS)
    assert str(port) not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
