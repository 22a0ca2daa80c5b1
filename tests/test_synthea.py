"""The ten Synthea patients with atopic dermatitis run through patient-view without error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cds_service import schemas
from tests.conftest import REFERENCE

# Vendored (tests/data/reference/synthea/README.md); a missing bundle fails, never skips.
BUNDLES = sorted((REFERENCE / "synthea").glob("*.json"))
KEYS = {
    "Condition": "conditions",
    "MedicationRequest": "medications",
    "Observation": "observations",
    "CarePlan": "careplans",
    "ServiceRequest": "servicerequests",
}


def patient_view_request(bundle: dict[str, Any]) -> dict[str, Any]:
    """Split a Synthea transaction Bundle into the service's prefetch keys."""
    resources = [e["resource"] for e in bundle["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    prefetch: dict[str, Any] = {"patient": patient}
    for key in KEYS.values():
        prefetch[key] = {"resourceType": "Bundle", "type": "searchset", "entry": []}
    for r in resources:
        if r["resourceType"] in KEYS:
            prefetch[KEYS[r["resourceType"]]]["entry"].append({"resource": r})
    return {
        "hook": "patient-view",
        "hookInstance": f"synthea-{patient['id']}",
        "context": {"userId": "Practitioner/synthea-reviewer", "patientId": patient["id"]},
        "prefetch": prefetch,
    }


@pytest.mark.parametrize("path", BUNDLES, ids=[p.name.split("_")[0] for p in BUNDLES])
def test_synthea_patient_view_answers_valid_cards(client: Any, path: Path) -> None:
    body = patient_view_request(json.loads(path.read_text(encoding="utf-8")))
    response = client.post("/cds-services/eczema-patient-view", json=body)
    assert response.status_code == 200
    cards = response.get_json()["cards"]
    assert schemas.validation_errors("cds-response", response.get_json()) == []
    # 2019 bundles: skin-care plan on record, no current treatment, no red flag (README).
    assert [c["source"]["topic"]["code"] for c in cards] == []


def test_all_ten_synthea_bundles_are_vendored() -> None:
    # An empty parameter list would make pytest skip the tests above silently.
    assert len(BUNDLES) == 10, [p.name for p in BUNDLES]
