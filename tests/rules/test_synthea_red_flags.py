"""The Synthea eczema patients all have a skin-care CarePlan and no infection red flags."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.test_synthea import BUNDLES, patient_view_request

QUIET = ("eczema-action-plan", "eczema-herpeticum", "skin-infection", "cellulitis-urgent")
RECENT_STEROID = {
    "resourceType": "MedicationRequest",
    "id": "recent-triamcinolone",
    "status": "active",
    "intent": "order",
    "medicationCodeableConcept": {"text": "triamcinolone acetonide 0.1% cream"},
    "authoredOn": "2026-10-01",
}


@pytest.mark.parametrize("path", BUNDLES, ids=[p.name.split("_")[0] for p in BUNDLES])
def test_synthea_patients_get_no_care_plan_or_infection_cards(hooks: Any, path: Path) -> None:
    body = patient_view_request(json.loads(path.read_text(encoding="utf-8")))
    response = hooks.post("/cds-services/eczema-patient-view", json=body)
    assert response.status_code == 200
    fired = {c["source"]["topic"]["code"] for c in response.get_json()["cards"]}
    assert fired.isdisjoint(QUIET), fired


def test_synthea_patient_without_its_care_plan_gets_the_action_plan(hooks: Any) -> None:
    (active,) = [p for p in BUNDLES if p.name.startswith("Asa_Hermiston")]
    body = patient_view_request(json.loads(active.read_text(encoding="utf-8")))
    body["prefetch"]["careplans"]["entry"] = []
    response = hooks.post("/cds-services/eczema-patient-view", json=body)
    fired = [c["source"]["topic"]["code"] for c in response.get_json()["cards"]]
    assert "eczema-action-plan" not in fired  # §5.5: no eczema treatment in the last 90 days
    body["hookInstance"] += "-treated"
    patient = body["context"]["patientId"]
    body["prefetch"]["medications"].setdefault("entry", []).append(
        {"resource": {**RECENT_STEROID, "subject": {"reference": f"Patient/{patient}"}}}
    )
    response = hooks.post("/cds-services/eczema-patient-view", json=body)
    fired = [c["source"]["topic"]["code"] for c in response.get_json()["cards"]]
    assert fired.count("eczema-action-plan") == 1
