"""eczema-herpeticum, skin-infection, cellulitis-urgent, topical-antimicrobial-uninfected."""

from __future__ import annotations

from typing import Any

from cds_service.rules import Finding, Silent
from tests.rules.redflags_support import actions, card, decide

EH, INF, CEL, AMR = (
    "eczema-herpeticum",
    "skin-infection",
    "cellulitis-urgent",
    "topical-antimicrobial-uninfected",
)


def _finding(rule_id: str, name: str) -> Finding:
    decision = decide(rule_id, f"{rule_id}/{name}.json")
    assert isinstance(decision, Finding), decision
    return decision


def test_herpeticum_on_patient_view_is_critical_with_urgent_referral(hooks: Any) -> None:
    c = card(hooks, EH, f"{EH}/active-patient-view-in.json")
    assert c["indicator"] == "critical"
    assert c["selectionBehavior"] == "any"
    (aciclovir,) = actions(c, 0)  # oral aciclovir first (tests/rules/test_herpeticum_actions.py)
    assert aciclovir["resource"]["resourceType"] == "MedicationRequest"
    (create,) = actions(c, 1)
    resource = create["resource"]
    assert resource["resourceType"] == "ServiceRequest"
    assert resource["code"]["coding"][0]["code"] == "308472003"
    assert resource["priority"] == "stat"  # same day: `urgent` is only "sooner than routine"
    assert resource["reasonReference"] == [{"reference": "Condition/eh-view-active-eh"}]


def test_herpeticum_fires_for_any_patient() -> None:
    assert _finding(EH, "active-without-eczema-code-any-patient-in").variant is None


def test_herpeticum_with_tacrolimus_draft_holds_it(hooks: Any) -> None:
    c = card(hooks, EH, f"{EH}/active-icd-with-tacrolimus-draft-hold-in.json")
    assert c["indicator"] == "critical"
    hold, aciclovir, refer = c["suggestions"]
    assert hold["isRecommended"] is True and "isRecommended" not in refer
    assert aciclovir["actions"][0]["resource"]["resourceType"] == "MedicationRequest"
    assert hold["actions"] == [
        {
            "type": "delete",
            "description": "Remove the draft order",
            "resourceId": "MedicationRequest/eh-icd-tacrolimus-draft",
        }
    ]
    assert refer["actions"][0]["resource"]["resourceType"] == "ServiceRequest"
    assert _finding(EH, "active-icd-with-tacrolimus-draft-hold-in").variant == "hold"
    assert _finding(EH, "active-with-upadacitinib-draft-order-sign-in").variant == "hold"


def test_herpeticum_with_a_non_immunomodulator_draft_has_no_hold() -> None:
    finding = _finding(EH, "active-with-emollient-draft-no-hold-in")
    assert finding.variant is None and finding.orders == ()


def test_herpeticum_14_day_window() -> None:
    assert isinstance(decide(EH, f"{EH}/resolved-onset-14-days-ago-in.json"), Finding)
    assert isinstance(decide(EH, f"{EH}/resolved-recorded-14-days-ago-in.json"), Finding)
    assert isinstance(decide(EH, f"{EH}/resolved-onset-15-days-ago-out.json"), Silent)
    assert isinstance(decide(EH, f"{EH}/refuted-out.json"), Silent)


def test_active_impetigo_warns_and_offers_referral(hooks: Any) -> None:
    c = card(hooks, INF, f"{INF}/impetigo-active-patient-view-in.json")
    assert c["indicator"] == "warning"
    (create,) = actions(c)
    assert create["resource"]["code"]["coding"][0]["code"] == "308472003"
    assert "isRecommended" not in c["suggestions"][0]
    assert "(1 skin-infection episode in the last 12 months)" in c["detail"]  # not "episode(s)"


def test_recurrence_threshold_is_two_episodes_in_365_days(hooks: Any) -> None:
    assert _finding(INF, "impetigo-active-second-episode-365-days-in").variant == "recurrent"
    assert _finding(INF, "impetigo-active-prior-episode-366-days-in").variant is None
    assert _finding(INF, "impetigo-active-second-episode-365-days-in").values["episodes"] == 2


def test_two_past_episodes_without_active_infection_is_bleach_bath_info(hooks: Any) -> None:
    assert _finding(INF, "two-resolved-episodes-bleach-bath-in").variant == "bleach-bath"
    c = card(hooks, INF, f"{INF}/two-resolved-episodes-bleach-bath-in.json")
    assert c["indicator"] == "info"
    assert "suggestions" not in c


def test_skin_infection_on_order_select_needs_a_topical_draft() -> None:
    assert isinstance(
        decide(INF, f"{INF}/infected-eczema-icd-order-select-topical-in.json"), Finding
    )
    assert isinstance(decide(INF, f"{INF}/impetigo-order-select-oral-only-out.json"), Silent)


def test_skin_infection_is_silent_while_the_infection_is_being_treated() -> None:
    """clinical-rules §5.5: ordering a skin anti-infective at order-select is the treatment."""
    steroid = f"{INF}/infected-eczema-icd-order-select-topical-in.json"
    assert isinstance(decide(INF, steroid), Finding)  # same chart, a steroid selected: warns
    for drug in ("mupirocin", "fusidic-acid", "flucloxacillin", "cephalexin"):
        path = f"{INF}/infected-eczema-order-select-{drug}-out.json"
        assert isinstance(decide(INF, path), Silent), drug


def test_cellulitis_is_critical_without_suggestions(hooks: Any) -> None:
    for name in ("active-cellulitis-snomed-in", "active-cellulitis-face-icd-in"):
        c = card(hooks, CEL, f"{CEL}/{name}.json")
        assert c["indicator"] == "critical"
        assert "suggestions" not in c
    assert isinstance(decide(CEL, f"{CEL}/resolved-cellulitis-out.json"), Silent)
    assert isinstance(decide(CEL, f"{CEL}/active-cellulitis-without-eczema-out.json"), Silent)


def test_topical_antibiotic_without_infection_offers_delete(hooks: Any) -> None:
    c = card(hooks, AMR, f"{AMR}/mupirocin-uninfected-eczema-in.json")
    assert c["indicator"] == "info"
    assert actions(c) == [
        {
            "type": "delete",
            "description": "Remove the draft order",
            "resourceId": "MedicationRequest/amr-mupirocin-draft",
        }
    ]
    assert isinstance(decide(AMR, f"{AMR}/fusidic-acid-uninfected-eczema-in.json"), Finding)
    assert isinstance(decide(AMR, f"{AMR}/mupirocin-impetigo-resolved-in.json"), Finding)


def test_topical_antibiotic_silent_with_infection_or_infection_reason() -> None:
    for name in ("mupirocin-with-active-impetigo-out", "mupirocin-reason-impetigo-out"):
        assert isinstance(decide(AMR, f"{AMR}/{name}.json"), Silent), name


def test_the_infection_summary_names_the_condition_once(hooks: Any) -> None:
    """ "Infected eczema (Infected eczema)" when the chart's condition is infected eczema."""
    c = card(hooks, INF, "eczema-herpeticum/text-only-infected-eczema-out.json")
    assert c["summary"].startswith("Infected eczema on record: treat the infection")
    c = card(hooks, INF, f"{INF}/impetigo-active-patient-view-in.json")
    assert c["summary"].startswith("Impetigo on record: treat the infection")
