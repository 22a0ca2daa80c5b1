"""oral-jak-screening: label age, screening labs, abrocitinib + antiplatelet, serious infection."""

from __future__ import annotations

from typing import Any

from tests.rules._systemic_helpers import actions, card, created

RULE = "oral-jak-screening"


def _codes(resource: dict[str, Any]) -> list[str]:
    return [c["code"] for c in resource["code"].get("coding", [])]


def test_no_screening_offers_one_suggestion_per_lab_set(hooks: Any) -> None:
    found = card(hooks, RULE, "upadacitinib-no-screening-in")
    assert found["indicator"] == "warning"
    assert found["selectionBehavior"] == "any"
    assert len(found["suggestions"]) == 5
    resources = created(found)
    assert all(r["resourceType"] == "ServiceRequest" for r in resources)
    assert all(r["status"] == "draft" for r in resources)
    assert all(r["subject"] == {"reference": "Patient/jak-no-labs"} for r in resources)
    codes = [_codes(r) for r in resources]
    assert codes == [[], ["5196-1"], ["16933-4"], ["16128-1"], ["58410-2"], ["57698-3"]]
    assert "Tuberculosis" in resources[0]["code"]["text"]  # TB: text only (no verified LOINC)
    assert not any(a["type"] == "delete" for a in actions(found))


def test_tb_result_366_days_old_is_missing(hooks: Any) -> None:
    found = card(hooks, RULE, "upadacitinib-tb-366-days-in")
    assert [s["label"] for s in found["suggestions"]] == ["Order TB screening (IGRA)"]
    assert "TB" in found["summary"]


def test_order_select_missing_lipids_only(hooks: Any) -> None:
    found = card(hooks, RULE, "upadacitinib-order-select-no-lipids-in")
    assert [_codes(r) for r in created(found)] == [["57698-3"]]


def test_age_11_warns_and_offers_to_remove_the_draft(hooks: Any) -> None:
    found = card(hooks, RULE, "upadacitinib-age-11-in")
    assert found["indicator"] == "warning"
    assert "12 years" in found["summary"]
    assert actions(found) == [
        {
            "type": "delete",
            "description": "Remove the draft order",
            "resourceId": "MedicationRequest/jak-age-11-draft",
        }
    ]


def test_abrocitinib_with_clopidogrel(hooks: Any) -> None:
    for name in ("abrocitinib-clopidogrel-in", "abrocitinib-clopidogrel-day-89-in"):
        found = card(hooks, RULE, name)
        assert "clopidogrel" in found["summary"]
        assert [a["type"] for a in actions(found)] == ["delete"]


def test_abrocitinib_with_high_dose_aspirin(hooks: Any) -> None:
    found = card(hooks, RULE, "abrocitinib-aspirin-325-in")
    assert "aspirin 325" in found["summary"]


def test_active_tuberculosis_is_critical_and_mentions_baricitinib_label(hooks: Any) -> None:
    found = card(hooks, RULE, "baricitinib-active-tuberculosis-critical-in")
    assert found["indicator"] == "critical"
    assert "not FDA-approved" in found["detail"]
    assert [a["type"] for a in actions(found)] == ["delete"]  # no screening labs during infection
