"""Cards come most urgent first; advice that contradicts a more urgent card on the same draft,
info cards beside a critical card and the action-plan reminder beside a warning are dropped."""

from __future__ import annotations

from typing import Any

from cds_service.triage import neighbour_veto, triage
from tests.conftest import load_fixture, post_hook

FIXTURE = "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"


def _card(rule: str, indicator: str, *actions: dict[str, Any]) -> dict[str, Any]:
    card: dict[str, Any] = {"indicator": indicator, "source": {"topic": {"code": rule}}}
    if actions:
        card["suggestions"] = [{"actions": list(actions)}]
    return card


UPDATE_X = {"type": "update", "resource": {"resourceType": "MedicationRequest", "id": "x"}}
DELETE_X = {"type": "delete", "resourceId": "MedicationRequest/x"}


def test_cards_are_sorted_most_urgent_first() -> None:
    cards = [_card("a", "info"), _card("c", "warning"), _card("b", "critical")]
    kept, dropped = triage(cards)
    assert [c["indicator"] for c in kept] == ["critical", "warning"]
    assert "critical" in dropped["a"]
    kept, dropped = triage([_card("a", "info"), _card("c", "warning")])
    assert [c["indicator"] for c in kept] == ["warning", "info"]
    assert dropped == {}


def test_action_plan_is_not_shown_beside_a_warning() -> None:
    kept, dropped = triage([_card("eczema-action-plan", "info"), _card("w", "warning")])
    assert [c["source"]["topic"]["code"] for c in kept] == ["w"]
    assert "warning" in dropped["eczema-action-plan"]
    kept, _ = triage([_card("eczema-action-plan", "info"), _card("i", "info")])
    assert len(kept) == 2


def test_info_edit_of_a_draft_a_warning_replaces_is_dropped() -> None:
    kept, dropped = triage([_card("edit", "info", UPDATE_X), _card("swap", "warning", DELETE_X)])
    assert [c["source"]["topic"]["code"] for c in kept] == ["swap"]
    assert "swap" in dropped["edit"]


def test_info_edit_of_another_draft_is_kept() -> None:
    other = {"type": "update", "resource": {"resourceType": "MedicationRequest", "id": "y"}}
    kept, _ = triage([_card("edit", "info", other), _card("swap", "warning", DELETE_X)])
    assert len(kept) == 2


def test_only_the_contradicting_suggestion_is_dropped() -> None:
    create = {"type": "create", "resource": {"resourceType": "MedicationRequest"}}
    info = _card("add", "info", UPDATE_X, create)
    info["suggestions"].append({"actions": [create]})
    kept, dropped = triage([info, _card("swap", "warning", DELETE_X)])
    assert len(kept) == 2 and dropped == {}
    add = next(c for c in kept if c["source"]["topic"]["code"] == "add")
    assert add["suggestions"] == [{"actions": [create]}]


CLOBETASOL = {"text": "clobetasol propionate 0.05% ointment"}
DRAFTS = {"MedicationRequest/x": {"resourceType": "MedicationRequest", "id": "x",
                                  "medicationCodeableConcept": CLOBETASOL}}  # fmt: skip


def _recreate(medication: dict[str, Any]) -> dict[str, Any]:
    resource = {"resourceType": "MedicationRequest", "medicationCodeableConcept": medication}
    return {"type": "create", "resource": resource}


def test_re_creating_the_same_drug_keeps_it_and_loses_to_a_replacement() -> None:
    taper = _card("taper", "warning", DELETE_X, _recreate(CLOBETASOL))
    swap = _card("swap", "warning", DELETE_X, _recreate({"text": "tacrolimus 0.1% ointment"}))
    kept, dropped = triage([taper, swap], DRAFTS)
    assert [c["source"]["topic"]["code"] for c in kept] == ["swap"]
    assert "swap" in dropped["taper"]


def test_a_more_urgent_card_keeps_its_answer() -> None:
    hold = _card("hold", "critical", DELETE_X)
    limit = _card("limit", "warning", UPDATE_X)
    kept, dropped = triage([limit, hold], DRAFTS)
    assert [c["source"]["topic"]["code"] for c in kept] == ["hold"]
    kept, dropped = triage(
        [_card("edit", "critical", UPDATE_X), _card("swap", "warning", DELETE_X)]
    )
    assert [c["source"]["topic"]["code"] for c in kept] == ["edit"]
    assert "edit" in dropped["swap"]


def test_two_replacements_of_one_draft_by_different_drugs_conflict() -> None:
    one = _card("a", "warning", DELETE_X, _recreate({"text": "tacrolimus 0.1% ointment"}))
    two = _card("b", "warning", DELETE_X, _recreate({"text": "hydrocortisone 1% cream"}))
    kept, dropped = triage([one, two], DRAFTS)
    assert [c["source"]["topic"]["code"] for c in kept] == ["a"]
    assert "a" in dropped["b"]


def test_a_mimic_card_wins_a_tie_and_the_shared_alternative_survives() -> None:
    antifungal = _recreate({"text": "clotrimazole 1% cream"})
    tinea = _card("tcs-with-tinea", "warning", DELETE_X, antifungal)
    site = _card("site", "warning", DELETE_X, _recreate({"text": "tacrolimus 0.1% ointment"}))
    site["suggestions"].append({"actions": [DELETE_X, _recreate({"text": "hydrocortisone"})]})
    kept, dropped = triage([site, tinea], DRAFTS)
    assert [c["source"]["topic"]["code"] for c in kept] == ["tcs-with-tinea"]
    assert "tcs-with-tinea" in dropped["site"]
    rosacea = _card("tcs-with-rosacea-perioral", "warning", DELETE_X)
    rosacea["suggestions"].append({"actions": [_recreate({"text": "pimecrolimus"}), DELETE_X]})
    site = _card("site", "warning", DELETE_X, _recreate({"text": "tacrolimus"}))
    site["suggestions"].append({"actions": [_recreate({"text": "pimecrolimus"}), DELETE_X]})
    kept, dropped = triage([site, rosacea], DRAFTS)
    assert dropped == {}
    kept_site = next(c for c in kept if c["source"]["topic"]["code"] == "site")
    assert kept_site["suggestions"] == [site["suggestions"][1]]


def test_a_plain_delete_does_not_conflict_with_a_replacement() -> None:
    swap = _card("swap", "warning", DELETE_X, _recreate({"text": "tacrolimus 0.1% ointment"}))
    kept, dropped = triage([_card("stop", "info", DELETE_X), swap], DRAFTS)
    assert len(kept) == 2 and dropped == {}


REFERRAL = {
    "type": "create",
    "resource": {
        "resourceType": "ServiceRequest",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "308472003"}]},
    },
}
PATCH = {
    "type": "create",
    "resource": {
        "resourceType": "ServiceRequest",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "41778007"}]},
    },
}


def test_the_dermatology_referral_stays_in_the_more_urgent_card_only() -> None:
    patch = _card("patch", "info", REFERRAL)
    patch["suggestions"].insert(0, {"actions": [PATCH]})
    kept, dropped = triage([patch, _card("escalate", "warning", REFERRAL)])
    assert [c["source"]["topic"]["code"] for c in kept] == ["escalate", "patch"]
    assert kept[0]["suggestions"] == [{"actions": [REFERRAL]}]
    assert kept[1]["suggestions"] == [{"actions": [PATCH]}]
    kept, dropped = triage(
        [_card("other", "info", REFERRAL), _card("escalate", "warning", REFERRAL)]
    )
    assert [c["source"]["topic"]["code"] for c in kept] == ["escalate"]
    assert "escalate" in dropped["other"]


def test_at_most_three_cards_info_and_reminders_go_first() -> None:
    cards = [
        _card("emollient-not-prescribed", "info"),
        _card("i", "info"),
        _card("w1", "warning"),
        _card("w2", "warning"),
    ]
    kept, dropped = triage(cards)
    assert [c["source"]["topic"]["code"] for c in kept] == ["w1", "w2", "i"]
    assert "at most 3" in dropped["emollient-not-prescribed"]
    cards = [_card(f"w{n}", "warning") for n in range(4)] + [_card("i", "info")]
    kept, dropped = triage(cards)
    assert [c["source"]["topic"]["code"] for c in kept] == ["w0", "w1", "w2"]
    assert set(dropped) == {"w3", "i"}


def test_the_repeat_guard_does_not_spend_a_reminder_that_the_cap_hides() -> None:
    assert neighbour_veto("emollient-not-prescribed", "info", ["warning"] * 3)
    assert neighbour_veto("emollient-not-prescribed", "info", ["warning"] * 2) is None


def test_headline_fixture_shows_the_warning_first_and_no_conflicting_edit(client: Any) -> None:
    cards = post_hook(client, load_fixture(FIXTURE)).get_json()["cards"]
    codes = [c["source"]["topic"]["code"] for c in cards]
    assert codes[0] == "tcs-potent-on-sensitive-site"
    assert "tcs-incomplete-prescription" not in codes
    assert "emollient-not-prescribed" in codes


def test_a_draft_of_any_shape_is_compared_without_failing() -> None:
    odd = {"MedicationRequest/x": {"medicationCodeableConcept": {"coding": 5, "text": ["a"]}}}
    taper = _card("taper", "warning", DELETE_X, _recreate({"coding": 7}))
    kept, dropped = triage([taper, _card("edit", "info", UPDATE_X)], odd)
    assert [c["source"]["topic"]["code"] for c in kept] == ["taper"]


def test_a_local_medication_reference_is_known_by_its_contained_drug() -> None:
    from cds_service.triage import _medication_keys

    def order(text: str) -> dict[str, Any]:
        med = {"resourceType": "Medication", "id": "m1", "code": {"text": text}}
        return {"contained": [med], "medicationReference": {"reference": "#m1"}}

    # Two resources' "#m1" are two drugs: not one medication for triage.
    assert _medication_keys(order("Clobetasol 0.05% ointment")) == {"clobetasol 0.05% ointment"}
    assert _medication_keys(order("tacrolimus 0.1% ointment")) == {"tacrolimus 0.1% ointment"}
    # A local reference naming nothing, or a server reference: the reference itself.
    assert _medication_keys({"medicationReference": {"reference": "#gone"}}) == {"#gone"}
    assert _medication_keys({"medicationReference": {"reference": "Medication/7"}}) == {
        "Medication/7"
    }
