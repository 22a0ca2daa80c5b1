"""tcs-with-tinea, tcs-with-rosacea-perioral, tcs-with-scabies."""

from __future__ import annotations

from typing import Any

from cds_service.rules import Finding, Silent
from tests.conftest import load_fixture, post_hook
from tests.rules.redflags_support import actions, card, decide

TINEA, ROSACEA, SCABIES = "tcs-with-tinea", "tcs-with-rosacea-perioral", "tcs-with-scabies"


def test_tinea_swaps_the_steroid_for_clotrimazole_at_the_same_site(hooks: Any) -> None:
    c = card(hooks, TINEA, f"{TINEA}/triamcinolone-groin-tinea-cruris-in.json")
    assert c["indicator"] == "warning"
    assert c["suggestions"][0]["isRecommended"] is True
    create, delete = actions(c)  # create first: the Sandbox applies only the first action
    assert delete == {
        "type": "delete",
        "description": "Remove the draft order",
        "resourceId": "MedicationRequest/tinea-cruris-draft",
    }
    resource = create["resource"]
    assert resource["medicationCodeableConcept"] == {"text": "clotrimazole 1% cream"}
    assert resource["dosageInstruction"][0]["site"]["coding"][0]["code"] == "26893007"
    assert resource["reasonReference"] == [{"reference": "Condition/tinea-cruris-tinea"}]
    assert "reasonCode" not in resource
    assert resource["status"] == "draft"


def test_tinea_by_icd_code_and_combination_products_fire() -> None:
    for name in (
        "hydrocortisone-tinea-corporis-icd-order-select-in",
        "clotrimazole-betamethasone-combination-in",
    ):
        assert isinstance(decide(TINEA, f"{TINEA}/{name}.json"), Finding), name


def test_tinea_silent_cases() -> None:
    for name in (
        "triamcinolone-tinea-resolved-out",
        "triamcinolone-tinea-no-eczema-out",
        "clotrimazole-only-with-tinea-out",
    ):
        assert isinstance(decide(TINEA, f"{TINEA}/{name}.json"), Silent), name


def test_rosacea_face_steroid_offers_delete_then_pimecrolimus(hooks: Any) -> None:
    c = card(hooks, ROSACEA, f"{ROSACEA}/hydrocortisone-face-coded-rosacea-in.json")
    assert c["indicator"] == "warning"
    first, second = c["suggestions"]
    assert first["isRecommended"] is True and "isRecommended" not in second
    assert actions(c, 0) == [
        {
            "type": "delete",
            "description": "Remove the draft order",
            "resourceId": "MedicationRequest/ros-face-coded-draft",
        }
    ]
    created = actions(c, 1)[0]["resource"]
    assert created["medicationCodeableConcept"]["coding"][0]["code"] == "562806"  # SCD
    assert created["dosageInstruction"][0]["site"]["coding"][0]["code"] == "89545001"


def test_rosacea_face_sites_coded_or_in_text_fire() -> None:
    for name in (
        "triamcinolone-perioral-coded-perioral-dermatitis-in",
        "hydrocortisone-face-in-text-perioral-dermatitis-order-select-in",
    ):
        assert isinstance(decide(ROSACEA, f"{ROSACEA}/{name}.json"), Finding), name


def test_rosacea_infant_gets_no_calcineurin_inhibitor(hooks: Any) -> None:
    c = card(hooks, ROSACEA, f"{ROSACEA}/hydrocortisone-eyelid-rosacea-age-1-in.json")
    assert [a["type"] for s in c["suggestions"] for a in s["actions"]] == ["delete"]


def test_rosacea_silent_for_other_sites_no_site_or_no_rosacea() -> None:
    for name in (
        "triamcinolone-trunk-rosacea-out",
        "triamcinolone-no-site-rosacea-out",
        "triamcinolone-arms-avoid-face-rosacea-out",
        "hydrocortisone-face-no-rosacea-out",
        "hydrocortisone-face-rosacea-resolved-out",
    ):
        assert isinstance(decide(ROSACEA, f"{ROSACEA}/{name}.json"), Silent), name


def test_scabies_creates_permethrin_sized_by_age(hooks: Any) -> None:
    c = card(hooks, SCABIES, f"{SCABIES}/triamcinolone-scabies-adult-in.json")
    assert c["indicator"] == "warning"
    (create,) = actions(c)
    resource = create["resource"]
    assert create["type"] == "create"
    assert resource["medicationCodeableConcept"] == {"text": "permethrin 5% cream"}
    assert resource["dispenseRequest"]["quantity"]["value"] == 60
    assert resource["dosageInstruction"][0]["timing"]["repeat"]["count"] == 2
    assert resource["reasonReference"] == [{"reference": "Condition/scab-adult-scabies"}]
    child = card(hooks, SCABIES, f"{SCABIES}/hydrocortisone-scabies-age-6-order-select-in.json")
    assert actions(child)[0]["resource"]["dispenseRequest"]["quantity"]["value"] == 30


def test_permethrin_offered_from_2_months() -> None:
    two = decide(SCABIES, f"{SCABIES}/hydrocortisone-scabies-age-2-months-in.json")
    one = decide(SCABIES, f"{SCABIES}/hydrocortisone-scabies-age-1-month-no-permethrin-in.json")
    assert isinstance(two, Finding) and two.suggestions == ("order-permethrin",)
    assert isinstance(one, Finding) and one.suggestions == () and one.variant == "no-permethrin"


def test_scabicide_ordered_in_the_last_28_days_keeps_it_silent() -> None:
    recent = decide(SCABIES, f"{SCABIES}/permethrin-ordered-27-days-ago-out.json")
    older = decide(SCABIES, f"{SCABIES}/permethrin-ordered-29-days-ago-in.json")
    assert isinstance(recent, Silent) and isinstance(older, Finding)
    for name in (
        "permethrin-draft-alongside-out",
        "triamcinolone-scabies-resolved-out",
        "triamcinolone-scabies-no-eczema-out",
    ):
        assert isinstance(decide(SCABIES, f"{SCABIES}/{name}.json"), Silent), name


def test_no_steroid_or_calcineurin_swap_beside_the_tinea_card(hooks: Any) -> None:
    """§5.3: a potent steroid for the groin with tinea gets the antifungal swap only; the site
    card (tacrolimus, pimecrolimus or hydrocortisone instead) stays silent for that order."""
    body = load_fixture("tcs-with-tinea/clotrimazole-betamethasone-combination-in.json")
    cards = post_hook(hooks, body).get_json()["cards"]
    rules = [c["source"]["topic"]["code"] for c in cards]
    assert "tcs-with-tinea" in rules and "tcs-potent-on-sensitive-site" not in rules
    replacing = [
        s
        for c in cards
        for s in c.get("suggestions", [])
        if any(a["type"] == "delete" for a in s["actions"])
    ]
    created = [
        a["resource"]["medicationCodeableConcept"]["text"]
        for s in replacing
        for a in s["actions"]
        if a["type"] == "create"
    ]
    assert created == ["clotrimazole 1% cream"]


def test_the_condition_opens_the_scabies_and_rosacea_summaries(hooks: Any) -> None:
    """The chart's name for the condition ("Scabies", "Perioral dermatitis") is a capitalised
    display: it opens the summary, never sits mid-sentence ("Treat the Scabies first")."""
    c = card(hooks, SCABIES, f"{SCABIES}/triamcinolone-scabies-adult-in.json")
    assert c["summary"].startswith("Scabies on record: treat it first with permethrin 5% cream")
    young = f"{SCABIES}/hydrocortisone-scabies-age-1-month-no-permethrin-in.json"
    assert card(hooks, SCABIES, young)["summary"].startswith("Scabies on record: treat it first")
    c = card(hooks, ROSACEA, f"{ROSACEA}/triamcinolone-perioral-coded-perioral-dermatitis-in.json")
    assert c["summary"].startswith("Perioral dermatitis on record: facial steroids worsen it;")
