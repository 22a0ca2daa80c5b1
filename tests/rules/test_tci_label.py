"""tci-age-strength and tci-first-use-counselling through the API."""

from __future__ import annotations

from typing import Any

from tests.conftest import cards_for, load_fixture, post_hook

AGE = "tci-age-strength"
FIRST = "tci-first-use-counselling"


def _cards(hooks: Any, rule_id: str, name: str) -> list[dict[str, Any]]:
    return cards_for(post_hook(hooks, load_fixture(f"{rule_id}/{name}.json")), rule_id)


def _created_codes(suggestion: dict[str, Any]) -> list[str]:
    return [
        c["code"]
        for a in suggestion["actions"]
        if a["type"] == "create"
        for c in a["resource"]["medicationCodeableConcept"]["coding"]
    ]


def test_tacrolimus_01_at_15_swaps_to_003(hooks: Any) -> None:
    (card,) = _cards(hooks, AGE, "tacrolimus-0.1-age-15-in")
    assert card["indicator"] == "warning"
    (suggestion,) = card["suggestions"]
    assert suggestion["isRecommended"] is True
    assert _created_codes(suggestion) == ["313189"]
    create, delete = suggestion["actions"]  # create first: the Sandbox applies only the first
    assert create["type"] == "create"
    assert delete == {
        "type": "delete",
        "description": "Remove the draft order",
        "resourceId": "MedicationRequest/tci-age-tac01-15-draft",
    }
    assert "15" in card["summary"]


def test_rxnorm_coded_protopic_01_fires_at_order_select(hooks: Any) -> None:
    (card,) = _cards(hooks, AGE, "tacrolimus-0.1-rxnorm-age-15-select-in")
    assert _created_codes(card["suggestions"][0]) == ["313189"]


def test_age_16_and_003_strength_are_silent(hooks: Any) -> None:
    assert _cards(hooks, AGE, "tacrolimus-0.1-age-16-out") == []
    assert _cards(hooks, AGE, "tacrolimus-0.03-age-15-out") == []
    assert _cards(hooks, AGE, "tacrolimus-unknown-strength-age-15-out") == []


def test_any_tci_under_2_uses_variant_and_mild_steroid_swap(hooks: Any) -> None:
    for name in ("pimecrolimus-age-1-in", "tacrolimus-0.03-age-1-in"):
        (card,) = _cards(hooks, AGE, name)
        assert card["indicator"] == "warning"
        assert "not labelled under 2 years" in card["summary"]
        (suggestion,) = card["suggestions"]
        assert _created_codes(suggestion) == ["106258"]
    assert _cards(hooks, AGE, "pimecrolimus-age-2-out") == []
    assert _cards(hooks, AGE, "tacrolimus-0.03-age-2-out") == []


def test_first_tci_counselling_is_info_without_suggestions(hooks: Any) -> None:
    (card,) = _cards(hooks, FIRST, "first-tacrolimus-in")
    assert card["indicator"] == "info"
    assert "suggestions" not in card
    assert card["source"]["url"].startswith("https://dailymed.nlm.nih.gov/")


def test_prior_tci_silences_counselling_unless_entered_in_error(hooks: Any) -> None:
    assert _cards(hooks, FIRST, "prior-pimecrolimus-out") == []
    assert len(_cards(hooks, FIRST, "prior-tci-entered-in-error-in")) == 1


def test_counselling_only_at_order_select_and_from_2_years(hooks: Any) -> None:
    assert _cards(hooks, FIRST, "first-tacrolimus-order-sign-out") == []
    assert _cards(hooks, FIRST, "first-pimecrolimus-age-1-out") == []
    assert len(_cards(hooks, FIRST, "first-pimecrolimus-age-2-in")) == 1


def test_under_2_the_card_gives_the_age_in_months(hooks: Any) -> None:
    """An infant is '10 months', not '0 years' (the age as the other infant cards give it)."""
    (card,) = _cards(hooks, AGE, "pimecrolimus-age-10-months-in")
    assert "aged **10 months**" in card["detail"]
    (card,) = _cards(hooks, AGE, "pimecrolimus-age-1-in")
    assert "years**" not in card["detail"] and "months**" in card["detail"]
