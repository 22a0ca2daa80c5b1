"""Helpers for the tracing tests: the span tree, and the fixture served by the fake FHIR server."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan

from tests.conftest import load_fixture
from tests.fhir.fake_fhir import FakeFhirServer, bundle

FIXTURE = "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
SERVICE = "eczema-order-sign"
STAGES = [
    "cds.parse",
    "cds.validate",
    "cds.fetch",
    "cds.picture",
    "cds.rules",
    "cds.render",
    "cds.card_log",
]
ACCESS_TOKEN = "opaque-fhir-token-4f1c9e"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"
SEARCHES = {
    "Condition": "conditions",
    "MedicationRequest": "medications",
    "Observation": "observations",
    "CarePlan": "careplans",
    "ServiceRequest": "servicerequests",
}


def only(spans: Sequence[ReadableSpan], name: str) -> ReadableSpan:
    found = [s for s in spans if s.name == name]
    assert len(found) == 1, f"{len(found)} spans named {name}"
    return found[0]


def children(spans: Sequence[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    """The direct children of ``parent``, in start order."""
    assert parent.context is not None
    found = [s for s in spans if s.parent and s.parent.span_id == parent.context.span_id]
    return sorted(found, key=lambda s: s.start_time or 0)


def serve_fixture(fhir: FakeFhirServer, body: dict[str, Any]) -> dict[str, int]:
    """Serve the fixture's prefetch by resource type; the body size of each type's answer."""
    prefetch = body["prefetch"]
    sizes: dict[str, int] = {}
    answers = {"Patient": (f"/fhir/Patient/{prefetch['patient']['id']}", prefetch["patient"])}
    for rtype, key in SEARCHES.items():
        answers[rtype] = (
            f"/fhir/{rtype}",
            bundle(*(e["resource"] for e in prefetch[key]["entry"])),
        )
    for rtype, (path, answer) in answers.items():
        fhir.json(path, answer)
        sizes[rtype] = len(json.dumps(answer).encode())
    return sizes


def without_prefetch(fhir: FakeFhirServer) -> tuple[dict[str, Any], dict[str, int]]:
    """The fixture with no prefetch, its data on the fake FHIR server, a fhirAuthorization."""
    body = load_fixture(FIXTURE)
    sizes = serve_fixture(fhir, body)
    del body["prefetch"]
    body["fhirServer"] = fhir.base
    body["fhirAuthorization"] = {
        "access_token": ACCESS_TOKEN,
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "user/Patient.read user/Condition.read",
        "subject": "eczema-cds",
    }
    return body, sizes
