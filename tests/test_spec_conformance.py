"""The spec's own example requests, posted to our services, are accepted and answered validly.

The examples name FHIR servers on the internet; each is pointed at a loopback FHIR server that
knows the patient and has no other data, so the call exercises prefetch + fallback end to end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cds_service import schemas
from tests.conftest import SERVICE_FOR_HOOK
from tests.fhir.fake_fhir import FakeFhirServer, bundle
from tests.schemas.helpers import EXAMPLES_DIR, sandbox_order_select_request

REQUESTS = {
    "v2.0.1/request-patient-view.json": None,
    "3.0.0-ballot/request-order-sign-paginated-prefetch.json": None,
    "hooks-v1.0.1/patient-view-context.json": "patient-view",
    "hooks-v1.0.1/order-select-context-r4.json": "order-select",
    "hooks-v1.0.1/order-sign-context-r4.json": "order-sign",
    "3.0.0-ballot/context-order-sign-two-medicationrequests.json": "order-sign",
}


def _request(name: str, hook: str | None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES_DIR / name).read_text())
    if hook is None:
        return data
    return {"hook": hook, "hookInstance": f"example-{Path(name).stem}", **data}


def _point_at(fhir: FakeFhirServer, body: dict[str, Any]) -> None:
    patient_id = body["context"]["patientId"]
    fhir.json(f"/fhir/Patient/{patient_id}", {"resourceType": "Patient", "id": patient_id})
    for rtype in ("Condition", "MedicationRequest", "Observation", "CarePlan", "ServiceRequest"):
        fhir.json(f"/fhir/{rtype}", bundle())
    body["fhirServer"] = fhir.base
    for value in (body.get("prefetch") or {}).values():
        for link in (value or {}).get("link", []) if isinstance(value, dict) else []:
            if link.get("relation") == "next":
                link["url"] = f"{fhir.base}/MedicationRequest?page=2"


@pytest.mark.parametrize(("name", "hook"), REQUESTS.items(), ids=list(REQUESTS))
def test_spec_example_request_is_answered_with_valid_cards(
    client: Any, fhir: FakeFhirServer, name: str, hook: str | None
) -> None:
    body = _request(name, hook)
    _point_at(fhir, body)
    response = client.post(f"/cds-services/{SERVICE_FOR_HOOK[body['hook']]}", json=body)
    assert response.status_code == 200, response.get_json()
    assert schemas.validation_errors("cds-response", response.get_json()) == []


def test_sandbox_order_select_without_medication_answers_no_cards(
    client: Any, fhir: FakeFhirServer
) -> None:
    body = sandbox_order_select_request()
    _point_at(fhir, body)
    response = client.post("/cds-services/eczema-order-select", json=body)
    assert response.status_code == 200
    assert response.get_json()["cards"] == []
