"""A draft order of the wrong shape costs at most a suggestion, never the call or the card."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import FIXTURES, cards_for, load_fixture, post_hook

# Each of these gets a card whose suggestion updates the draft (it echoes the draft back).
UPDATING = sorted(
    p
    for p in FIXTURES.glob("*/*-in.json")
    if p.parent.name
    in {"tcs-incomplete-prescription", "tcs-very-potent-limits", "wet-wrap-duration"}
)


@pytest.mark.parametrize("path", UPDATING[:6], ids=lambda p: f"{p.parent.name}/{p.stem}")
@pytest.mark.parametrize("value", [True, 3, "twice daily", {"text": "bid"}])
def test_a_non_list_dosage_instruction_never_gives_a_500(
    client: Any, path: Any, value: Any
) -> None:
    body = load_fixture(path)
    for entry in body["context"]["draftOrders"]["entry"]:
        entry["resource"]["dosageInstruction"] = value
    response = post_hook(client, body)
    assert response.status_code == 200, response.get_json()
    for card in response.get_json()["cards"]:
        for suggestion in card.get("suggestions", []):
            for action in suggestion["actions"]:
                resource = action.get("resource", {})
                if "dosageInstruction" in resource:
                    assert isinstance(resource["dosageInstruction"], list)


def test_the_card_survives_when_its_update_cannot_be_built(client: Any) -> None:
    path = next(p for p in UPDATING if p.parent.name == "tcs-incomplete-prescription")
    rule = path.parent.name
    body = load_fixture(path)
    assert cards_for(post_hook(client, body), rule)
    for entry in body["context"]["draftOrders"]["entry"]:
        entry["resource"]["dosageInstruction"] = True
    response = post_hook(client, body)
    assert response.status_code == 200
    (card,) = cards_for(response, rule)
    assert "suggestions" not in card  # the update could not be built; the advice stands
