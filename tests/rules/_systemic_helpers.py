"""Posting helpers for the systemic-therapy rule tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import cards_for, load_fixture, post_hook


def card(hooks: Any, rule: str, name: str) -> dict[str, Any]:
    """The one card of `rule` for fixtures/<rule>/<name>.json."""
    found = cards_for(post_hook(hooks, load_fixture(f"{rule}/{name}.json")), rule)
    assert len(found) == 1, f"{rule}/{name}: expected one card, got {len(found)}"
    return found[0]


def silent(hooks: Any, rule: str, body: dict[str, Any]) -> bool:
    """True when `rule` returns no card for the request body."""
    return cards_for(post_hook(hooks, body), rule) == []


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action of every suggestion of the card."""
    return [a for s in card.get("suggestions", []) for a in s["actions"]]


def created(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The resources the card's suggestions create."""
    return [a["resource"] for a in actions(card) if a["type"] == "create"]
