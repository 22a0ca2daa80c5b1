"""Order the cards of one response and drop advice another card makes moot.

Clinicians read few cards: the most urgent first (critical, warning, info), and no info card
that only edits a draft order which a warning or critical card recommends deleting (e.g.
"add the quantity" to a clobetasol order for the eyelids that should be replaced).
"""

from __future__ import annotations

from typing import Any

SEVERITY = {"critical": 0, "warning": 1, "info": 2}


def _actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for s in card.get("suggestions", []) for a in s["actions"]]


def _target(action: dict[str, Any]) -> str | None:
    resource = action.get("resource")
    if isinstance(resource, dict) and resource.get("id"):
        return f"{resource.get('resourceType')}/{resource['id']}"
    return None


def triage(cards: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Cards sorted by urgency, minus superseded ones; and rule id -> why it was dropped."""
    deleted: dict[str, str] = {}
    for card in cards:
        if card["indicator"] != "info":
            for action in _actions(card):
                if action["type"] == "delete":
                    deleted.setdefault(action["resourceId"], card["source"]["topic"]["code"])
    kept, dropped = [], {}
    for card in cards:
        actions = _actions(card)
        targets = {_target(a) for a in actions}
        if (
            card["indicator"] == "info"
            and actions
            and all(a["type"] == "update" for a in actions)
            and targets <= deleted.keys()
        ):
            by = deleted[next(iter(targets))]  # type: ignore[index]
            dropped[card["source"]["topic"]["code"]] = (
                f"superseded: {by} recommends replacing the same draft order"
            )
        else:
            kept.append(card)
    kept.sort(key=lambda c: SEVERITY.get(c["indicator"], 3))
    return kept, dropped
