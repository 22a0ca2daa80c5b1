"""Steroid prescribing checks: incomplete orders, class I limits, young children, wet wraps."""

from __future__ import annotations

from typing import Any

from tests.conftest import cards_for, load_fixture, post_hook


def _card(hooks: Any, rule_id: str, name: str) -> dict[str, Any]:
    found = cards_for(post_hook(hooks, load_fixture(f"{rule_id}/{name}.json")), rule_id)
    assert len(found) == 1
    return found[0]


def _updated(card: dict[str, Any]) -> dict[str, Any]:
    (suggestion,) = card["suggestions"]
    assert suggestion["isRecommended"] is True
    (action,) = suggestion["actions"]
    assert action["type"] == "update"
    resource: dict[str, Any] = action["resource"]
    return resource


def _repeat(resource: dict[str, Any]) -> dict[str, Any]:
    repeat: dict[str, Any] = resource["dosageInstruction"][0]["timing"]["repeat"]
    return repeat


def test_incomplete_order_gets_every_missing_piece(hooks: Any) -> None:
    card = _card(hooks, "tcs-incomplete-prescription", "nothing-given-in")
    assert card["indicator"] == "info"
    resource = _updated(card)
    assert resource["id"] == "tcs-incomplete-nothing-draft"
    assert resource["status"] == "draft"
    assert _repeat(resource)["frequency"] == 2
    assert _repeat(resource)["boundsDuration"]["value"] == 14
    assert resource["dispenseRequest"]["quantity"] == {
        "value": 30,
        "unit": "g",
        "system": "http://unitsofmeasure.org",
        "code": "g",
    }
    assert resource["dosageInstruction"][0]["site"]["coding"][0]["code"] == "22943007"


def test_incomplete_order_only_adds_what_is_missing(hooks: Any) -> None:
    resource = _updated(_card(hooks, "tcs-incomplete-prescription", "no-duration-in"))
    assert _repeat(resource)["boundsDuration"]["value"] == 14
    assert resource["dispenseRequest"]["quantity"]["value"] == 30  # as ordered
    resource = _updated(_card(hooks, "tcs-incomplete-prescription", "as-needed-no-schedule-in"))
    assert _repeat(resource)["frequency"] == 2


def test_very_potent_over_50_g_a_week_is_capped(hooks: Any) -> None:
    card = _card(hooks, "tcs-very-potent-limits", "clobetasol-60g-per-week-in")
    assert card["indicator"] == "warning"
    resource = _updated(card)
    assert resource["dispenseRequest"]["quantity"]["value"] == 100  # 50 g/week for 14 days
    assert _repeat(resource)["boundsDuration"]["value"] == 14


def test_very_potent_over_14_days_is_shortened_and_supply_follows(hooks: Any) -> None:
    resource = _updated(_card(hooks, "tcs-very-potent-limits", "clobetasol-15-days-in"))
    assert _repeat(resource)["boundsDuration"]["value"] == 14
    assert resource["dispenseRequest"]["quantity"]["value"] == 30
    card = _card(hooks, "tcs-very-potent-limits", "clobetasol-supply-duration-60g-per-week-in")
    resource = _updated(card)
    assert resource["dispenseRequest"]["expectedSupplyDuration"]["value"] == 14
    assert resource["dispenseRequest"]["quantity"]["value"] == 100


def test_augmented_betamethasone_ointment_has_its_own_45_g_label_limit(hooks: Any) -> None:
    card = _card(
        hooks, "tcs-very-potent-limits", "augmented-betamethasone-ointment-46g-per-week-in"
    )
    assert "45 g a week" in card["summary"] and "Diprolene" in card["detail"]
    (suggestion,) = card["suggestions"]
    assert suggestion["label"] == "Limit to 14 days and 45 g a week"
    assert suggestion["actions"][0]["description"] == suggestion["label"]
    assert _updated(card)["dispenseRequest"]["quantity"]["value"] == 90  # 45 g/week, 14 days
    name = "augmented-betamethasone-ointment-45g-per-week-out.json"
    response = post_hook(hooks, load_fixture(f"tcs-very-potent-limits/{name}"))
    assert cards_for(response, "tcs-very-potent-limits") == []


def test_label_and_action_say_the_same_numbers(hooks: Any) -> None:
    """A 7-day clobetasol course at 60 g a week: both say 7 days and 50 g a week."""
    card = _card(hooks, "tcs-very-potent-limits", "clobetasol-7-days-60g-per-week-in")
    (suggestion,) = card["suggestions"]
    assert suggestion["label"] == "Limit to 7 days and 50 g a week"
    assert suggestion["actions"][0]["description"] == suggestion["label"]
    resource = _updated(card)
    assert _repeat(resource)["boundsDuration"]["value"] == 7
    assert resource["dispenseRequest"]["quantity"]["value"] == 50


def test_young_child_swaps_to_hydrocortisone(hooks: Any) -> None:
    infant = _card(hooks, "tcs-potency-in-young-child", "betamethasone-dipropionate-11-months-in")
    child = _card(hooks, "tcs-potency-in-young-child", "clobetasol-11-years-in")
    assert "infant" in infant["summary"] and "11 months" in infant["summary"]
    assert "11 years" in child["summary"]
    for card in (infant, child):
        assert card["indicator"] == "warning"
        suggestion = card["suggestions"][0]
        assert suggestion["isRecommended"] is True
        create, delete = suggestion["actions"]  # create first, then delete
        assert delete["resourceId"].startswith("MedicationRequest/tcs-child-")
        assert create["resource"]["medicationCodeableConcept"]["coding"][0]["code"] == "106258"
    assert len(infant["suggestions"]) == 1  # an infant: the mild steroid only


def test_child_over_1_year_is_also_offered_a_moderate_steroid(hooks: Any) -> None:
    for name in ("clobetasol-11-years-in", "clobetasol-13-months-in"):
        card = _card(hooks, "tcs-potency-in-young-child", name)
        _mild, moderate = card["suggestions"]
        assert "isRecommended" not in moderate
        create, delete = moderate["actions"]
        resource = create["resource"]
        assert resource["medicationCodeableConcept"]["coding"][0]["code"] == "895987"
        assert resource["dosageInstruction"][0]["timing"]["repeat"]["frequency"] == 1
        assert delete["type"] == "delete"


def test_wet_wrap_course_is_shortened_to_7_days(hooks: Any) -> None:
    card = _card(hooks, "wet-wrap-duration", "wet-wrap-15-days-in")
    assert card["indicator"] == "warning"
    assert _repeat(_updated(card))["boundsDuration"]["value"] == 7
    card = _card(hooks, "wet-wrap-duration", "wet-wrap-no-duration-in")
    assert "add a duration" in card["summary"]
    assert _repeat(_updated(card))["boundsDuration"]["value"] == 7


def test_very_potent_steroid_under_wet_wraps_is_swapped_not_just_shortened(hooks: Any) -> None:
    """Clobetasol label: no occlusive dressings. One card per order: the wet-wrap card speaks
    (swap to a mild or moderate steroid), tcs-very-potent-limits stays silent."""
    body = load_fixture("wet-wrap-duration/clobetasol-wet-wrap-21-days-order-sign-in.json")
    response = post_hook(hooks, body)
    assert cards_for(response, "tcs-very-potent-limits") == []
    (card,) = cards_for(response, "wet-wrap-duration")
    assert "wet wraps" in card["summary"] and len(card["summary"]) < 140
    mild, moderate, shorten = card["suggestions"]
    assert mild["isRecommended"] is True
    assert "isRecommended" not in moderate and "isRecommended" not in shorten
    create, delete = mild["actions"]  # create first (Sandbox applies the first action)
    assert delete["resourceId"] == "MedicationRequest/tcs-ww-clob-sign-draft"
    resource = create["resource"]
    assert resource["medicationCodeableConcept"]["coding"][0]["code"] == "106258"
    dosage = resource["dosageInstruction"][0]
    assert "wet wraps" in dosage["text"]
    assert dosage["timing"]["repeat"]["boundsDuration"]["value"] == 7
    code = moderate["actions"][0]["resource"]["medicationCodeableConcept"]["coding"][0]["code"]
    assert code == "895987"
    assert _repeat(shorten["actions"][0]["resource"])["boundsDuration"]["value"] == 7


def test_very_potent_steroid_under_wet_wraps_for_7_days_still_warns(hooks: Any) -> None:
    card = _card(hooks, "wet-wrap-duration", "clobetasol-wet-wrap-7-days-in")
    assert [len(s["actions"]) for s in card["suggestions"]] == [2, 2]  # swaps only: 7 days is ok


def test_very_potent_limits_count_millilitres_like_grams(hooks: Any) -> None:
    """Clobetasol solution / foam labels: 50 mL a week, the same number as 50 g."""
    body = load_fixture("tcs-very-potent-limits/clobetasol-solution-120ml-14-days-in.json")
    (card,) = cards_for(post_hook(hooks, body), "tcs-very-potent-limits")
    assert "50 mL a week" in card["summary"] and "120 mL" in card["summary"]
    (action,) = card["suggestions"][0]["actions"]
    quantity = action["resource"]["dispenseRequest"]["quantity"]
    assert quantity == {
        "value": 100,
        "unit": "mL",
        "system": "http://unitsofmeasure.org",
        "code": "mL",
    }
    body = load_fixture("tcs-very-potent-limits/clobetasol-solution-100ml-14-days-out.json")
    assert cards_for(post_hook(hooks, body), "tcs-very-potent-limits") == []


def test_very_potent_limits_count_every_repeat_fill(hooks: Any) -> None:
    """30 g and 5 repeats over 14 days is 180 g (90 g a week); 30 g and 1 repeat is 30 g a week."""
    body = load_fixture("tcs-very-potent-limits/clobetasol-30g-5-repeats-14-days-in.json")
    (card,) = cards_for(post_hook(hooks, body), "tcs-very-potent-limits")
    assert "180 g" in card["summary"] and "6 fills" in card["detail"]
    (action,) = card["suggestions"][0]["actions"]
    dispense = action["resource"]["dispenseRequest"]
    assert dispense["quantity"]["value"] == 100 and dispense["numberOfRepeatsAllowed"] == 0
    body = load_fixture("tcs-very-potent-limits/clobetasol-30g-1-repeat-14-days-out.json")
    assert cards_for(post_hook(hooks, body), "tcs-very-potent-limits") == []


def test_very_potent_limits_supply_duration_is_per_fill(hooks: Any) -> None:
    """R4 expectedSupplyDuration is one fill's: 7 days x 3 fills is a 21-day course."""
    body = load_fixture("tcs-very-potent-limits/clobetasol-30g-supply-7-days-2-repeats-in.json")
    (card,) = cards_for(post_hook(hooks, body), "tcs-very-potent-limits")
    assert "for 21 days" in card["summary"]


def test_very_potent_repeats_without_a_duration_imply_a_course_over_14_days(hooks: Any) -> None:
    """180 g (30 g and 5 repeats) at 50 g a week lasts at least 25 days; 90 g fits 14 days."""
    body = load_fixture("tcs-very-potent-limits/clobetasol-30g-5-repeats-no-duration-in.json")
    (card,) = cards_for(post_hook(hooks, body), "tcs-very-potent-limits")
    assert "for at least 25 days" in card["summary"]
    body = load_fixture("tcs-very-potent-limits/clobetasol-30g-2-repeats-no-duration-out.json")
    assert cards_for(post_hook(hooks, body), "tcs-very-potent-limits") == []


def test_the_detail_names_only_what_the_update_adds(hooks: Any) -> None:
    """ "The suggested update adds what is missing: twice daily, 14 days and 30 g" on an order
    lacking only its duration reads as if the update set the frequency and amount too."""
    rule = "tcs-incomplete-prescription"
    detail = _card(hooks, rule, "no-duration-in")["detail"]
    assert "The suggested update adds a course of 14 days." in detail
    assert "adds twice daily" not in detail and "30 g" not in detail
    detail = _card(hooks, rule, "nothing-given-in")["detail"]
    assert "The suggested update adds twice daily, a course of 14 days and 30 g." in detail
