"""antihistamine-non-sedating, antihistamine-sedating-bedtime, antihistamine-topical."""

from __future__ import annotations

from typing import Any

from cds_service.rules import Finding, Silent
from tests.conftest import cards_for, load_fixture, post_hook
from tests.rules.redflags_support import actions, card, decide

NS = "antihistamine-non-sedating"
BED = "antihistamine-sedating-bedtime"
TOP = "antihistamine-topical"


def test_cetirizine_for_eczema_only_suggests_deleting_the_draft(hooks: Any) -> None:
    c = card(hooks, NS, f"{NS}/cetirizine-eczema-only-in.json")
    assert c["indicator"] == "info"
    assert c["selectionBehavior"] == "at-most-one"
    assert c["suggestions"][0]["isRecommended"] is True
    assert actions(c) == [
        {
            "type": "delete",
            "description": "Remove the draft order",
            "resourceId": "MedicationRequest/ahns-cetirizine-draft",
        }
    ]


def test_coded_fexofenadine_and_reason_code_gate_fire() -> None:
    assert isinstance(decide(NS, f"{NS}/fexofenadine-coded-order-sign-in.json"), Finding)
    assert isinstance(decide(NS, f"{NS}/cetirizine-reason-eczema-no-condition-in.json"), Finding)


def test_another_indication_keeps_the_non_sedating_rule_silent() -> None:
    for name in (
        "cetirizine-allergic-rhinitis-out",
        "loratadine-urticaria-icd-out",
        "desloratadine-allergic-conjunctivitis-out",
        "levocetirizine-rhinitis-resolved-3-months-ago-out",
        "cetirizine-reason-urticaria-out",
    ):
        decision = decide(NS, f"{NS}/{name}.json")
        assert isinstance(decision, Silent), name
    # an urticaria that ended two years ago is no longer an indication
    old = decide(NS, f"{NS}/cetirizine-urticaria-resolved-2-years-ago-in.json")
    assert isinstance(old, Finding)


def test_sedating_antihistamine_update_moves_the_dose_to_bedtime(hooks: Any) -> None:
    c = card(hooks, BED, f"{BED}/hydroxyzine-three-times-daily-age-30-in.json")
    assert c["indicator"] == "info"
    assert [s.get("isRecommended", False) for s in c["suggestions"]] == [True]
    (action,) = actions(c)
    assert action["type"] == "update"
    resource = action["resource"]
    assert resource["id"] == "ahsb-hydroxyzine-tid-draft"
    assert resource["medicationCodeableConcept"]["coding"][0]["code"] == "995258"
    (dosage,) = resource["dosageInstruction"]
    repeat = dosage["timing"]["repeat"]
    assert repeat["when"] == ["HS"]
    assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == (1, 1, "d")
    assert repeat["boundsDuration"]["value"] == 14  # the draft's own course is kept
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 1  # the dose is kept
    assert dosage["route"]["coding"][0]["code"] == "26643006"


def test_update_leaves_the_request_draft_unchanged(hooks: Any) -> None:
    body = load_fixture(f"{BED}/hydroxyzine-three-times-daily-age-30-in.json")
    decision = decide(BED, body)
    assert isinstance(decision, Finding)
    card(hooks, BED, body)
    assert decision.orders[0].raw["dosageInstruction"][0]["timing"]["repeat"]["frequency"] == 3


def test_as_needed_without_time_of_day_gets_a_bedtime_update_with_14_days(hooks: Any) -> None:
    c = card(hooks, BED, f"{BED}/chlorpheniramine-as-needed-no-time-in.json")
    repeat = actions(c)[0]["resource"]["dosageInstruction"][0]["timing"]["repeat"]
    assert repeat["when"] == ["HS"]
    assert repeat["boundsDuration"]["value"] == 14


def test_beers_warning_from_65_years(hooks: Any) -> None:
    age_64 = decide(BED, f"{BED}/hydroxyzine-three-times-daily-age-64-in.json")
    age_65 = decide(BED, f"{BED}/hydroxyzine-three-times-daily-age-65-in.json")
    assert isinstance(age_64, Finding) and age_64.variant is None
    assert isinstance(age_65, Finding) and age_65.variant == "older-adult"
    c = card(hooks, BED, f"{BED}/hydroxyzine-three-times-daily-age-65-in.json")
    assert c["indicator"] == "warning"
    assert [a["type"] for s in c["suggestions"] for a in s["actions"]] == ["update", "delete"]
    assert (
        card(hooks, BED, f"{BED}/hydroxyzine-three-times-daily-age-64-in.json")["indicator"]
        == "info"
    )


def test_under_6_months_warns_and_suggests_removing_the_draft(hooks: Any) -> None:
    """NICE CG57: a sedating antihistamine trial only over 6 months, at any time of day."""
    for name in (
        "chlorpheniramine-three-times-daily-4-months-in",
        "chlorpheniramine-at-bedtime-5-months-in",
    ):
        c = card(hooks, BED, f"{BED}/{name}.json")
        assert c["indicator"] == "warning"
        assert [a["type"] for s in c["suggestions"] for a in s["actions"]] == ["delete"]
        assert c["suggestions"][0]["isRecommended"] is True
        assert "bedtime" not in c["summary"] and "6 months" in c["summary"]
        assert len(c["summary"]) < 140
    assert isinstance(decide(BED, f"{BED}/chlorpheniramine-at-bedtime-6-months-out.json"), Silent)


def test_bedtime_timing_in_code_or_text_is_silent() -> None:
    for name in (
        "hydroxyzine-when-hs-out",
        "hydroxyzine-bedtime-in-text-out",
        "diphenhydramine-qhs-in-text-out",
        "hydroxyzine-nightly-age-70-out",
    ):
        assert isinstance(decide(BED, f"{BED}/{name}.json"), Silent), name


def test_topical_antihistamine_warns_and_deletes(hooks: Any) -> None:
    c = card(hooks, TOP, f"{TOP}/doxepin-cream-coded-in.json")
    assert c["indicator"] == "warning"
    assert actions(c)[0]["resourceId"] == "MedicationRequest/ahtop-doxepin-draft"
    c = card(hooks, TOP, f"{TOP}/diphenhydramine-cream-text-order-select-in.json")
    assert actions(c)[0]["resourceId"] == "MedicationRequest/ahtop-diphenhydramine-draft"


def test_oral_diphenhydramine_or_doxepin_is_not_a_topical_antihistamine(hooks: Any) -> None:
    for name in ("diphenhydramine-oral-out", "doxepin-oral-capsule-out"):
        body = load_fixture(f"{TOP}/{name}.json")
        assert cards_for(post_hook(hooks, body), TOP) == []
