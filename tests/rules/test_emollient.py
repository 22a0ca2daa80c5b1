"""emollient-not-prescribed (§5.5): order-sign only, a TCS/TCI with no emollient order in 12
months and no moisturiser care plan; at most once per patient in 90 days."""

from __future__ import annotations

import copy
import json
from typing import Any

from cds_service.rules import load_rules
from tests.conftest import cards_for, load_fixture, post_hook

RULE = "emollient-not-prescribed"


def _cards(hooks: Any, name: str) -> list[dict[str, Any]]:
    return cards_for(post_hook(hooks, load_fixture(f"{RULE}/{name}.json")), RULE)


def test_steroid_without_emollient_creates_a_text_only_emollient(hooks: Any) -> None:
    (card,) = _cards(hooks, "triamcinolone-no-emollient-sign-in")
    assert card["indicator"] == "info"
    (suggestion,) = card["suggestions"]
    assert suggestion["isRecommended"] is True
    (action,) = suggestion["actions"]
    resource = action["resource"]
    assert action["type"] == "create"
    assert resource["status"] == "draft"
    assert resource["subject"] == {"reference": "Patient/emol-none-sign"}
    assert "coding" not in resource["medicationCodeableConcept"]  # no verified RxNorm code
    repeat = resource["dosageInstruction"][0]["timing"]["repeat"]
    assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == (2, 1, "d")
    assert "site" not in resource["dosageInstruction"][0]  # all dry skin, not the steroid site


def test_12_month_window_both_sides(hooks: Any) -> None:
    assert _cards(hooks, "emollient-ended-365-days-ago-sign-out") == []
    assert len(_cards(hooks, "emollient-ended-366-days-ago-sign-in")) == 1


def test_which_emollient_orders_count(hooks: Any) -> None:
    for name in (
        "triamcinolone-with-emollient-draft-out",  # ordered with it
        "emollient-stopped-200-days-ago-sign-out",  # stopped counts
        "sign-emollient-being-stopped-out",
    ):
        assert _cards(hooks, name) == [], name
    for name in (
        "emollient-cancelled-only-sign-in",
        "emollient-old-draft-only-sign-in",
        "emollient-entered-in-error-only-sign-in",
    ):
        assert len(_cards(hooks, name)) == 1, name


def test_a_moisturiser_in_a_care_plan_counts(hooks: Any) -> None:
    assert _cards(hooks, "moisturiser-careplan-activity-sign-out") == []
    assert _cards(hooks, "moisturiser-careplan-activity-text-sign-out") == []
    assert len(_cards(hooks, "skin-care-plan-without-moisturiser-sign-in")) == 1
    assert _cards(hooks, "careplans-unavailable-sign-out") == []  # cannot tell: silent


def test_order_sign_only_and_tcs_or_tci_only(hooks: Any) -> None:
    for name in (
        "triamcinolone-no-emollient-select-out",
        "view-active-steroid-no-emollient-out",
        "view-emollient-stopped-30-days-ago-out",
        "crisaborole-no-emollient-sign-out",
        "cetirizine-no-emollient-out",
        "view-no-treatment-out",
        "triamcinolone-no-emollient-no-eczema-out",
    ):
        assert _cards(hooks, name) == [], name
    assert load_rules()[RULE].hooks == {"order-sign"}


def test_shown_once_per_patient_in_90_days(hooks: Any) -> None:
    body = load_fixture(f"{RULE}/triamcinolone-no-emollient-sign-in.json")
    assert len(cards_for(post_hook(hooks, body), RULE)) == 1
    again = copy.deepcopy(body)
    again["hookInstance"] = "5b0c3c2e-0d7e-4c55-9d3e-2b8f0a9f4a11"
    draft = again["context"]["draftOrders"]["entry"][0]["resource"]
    draft["id"] = "another-draft"  # a new order, same patient: still not shown again
    assert cards_for(post_hook(hooks, again), RULE) == []
    other = json.loads(json.dumps(body).replace("emol-none-sign", "someone-else"))
    assert len(cards_for(post_hook(hooks, other), RULE)) == 1


def test_weekly_amount_is_250_g_under_12_years_and_500_g_from_12(hooks: Any) -> None:
    """§5.5 (NICE CG57 / CKS): 250-500 g a week for a child, 500 g for an adult; the day a
    child turns 12 is the first day of the adult amount, the day before is a child's."""
    for name, grams in (
        ("triamcinolone-no-emollient-sign-age-11-in", 250),
        ("triamcinolone-no-emollient-sign-age-12-in", 500),
        ("triamcinolone-no-emollient-sign-in", 500),
    ):
        (card,) = _cards(hooks, name)
        (action,) = card["suggestions"][0]["actions"]
        quantity = action["resource"]["dispenseRequest"]["quantity"]
        assert (quantity["value"], quantity["code"]) == (grams, "g"), name
        assert quantity["system"] == "http://unitsofmeasure.org"
