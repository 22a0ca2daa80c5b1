"""Cards come most urgent first, and an edit to a draft another card replaces is dropped."""

from __future__ import annotations

from typing import Any

from cds_service.triage import triage
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
    cards = [_card("a", "info"), _card("b", "critical"), _card("c", "warning")]
    kept, dropped = triage(cards)
    assert [c["indicator"] for c in kept] == ["critical", "warning", "info"]
    assert dropped == {}


def test_info_edit_of_a_draft_a_warning_replaces_is_dropped() -> None:
    kept, dropped = triage([_card("edit", "info", UPDATE_X), _card("swap", "warning", DELETE_X)])
    assert [c["source"]["topic"]["code"] for c in kept] == ["swap"]
    assert "swap" in dropped["edit"]


def test_info_edit_of_another_draft_is_kept() -> None:
    other = {"type": "update", "resource": {"resourceType": "MedicationRequest", "id": "y"}}
    kept, _ = triage([_card("edit", "info", other), _card("swap", "warning", DELETE_X)])
    assert len(kept) == 2


def test_info_card_that_also_creates_something_is_kept() -> None:
    create = {"type": "create", "resource": {"resourceType": "MedicationRequest"}}
    kept, _ = triage([_card("add", "info", UPDATE_X, create), _card("swap", "warning", DELETE_X)])
    assert len(kept) == 2


def test_headline_fixture_shows_the_warning_first_and_no_conflicting_edit(client: Any) -> None:
    cards = post_hook(client, load_fixture(FIXTURE)).get_json()["cards"]
    codes = [c["source"]["topic"]["code"] for c in cards]
    assert codes[0] == "tcs-potent-on-sensitive-site"
    assert "tcs-incomplete-prescription" not in codes
    assert "emollient-not-prescribed" in codes
