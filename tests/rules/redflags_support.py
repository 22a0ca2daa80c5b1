"""Helpers for the red-flag group's rule tests: decide a rule on a fixture, post and pick a card."""

from __future__ import annotations

from typing import Any

from cds_service.picture import PatientPicture, build_picture
from cds_service.rules import Decision, Silent, load_rules
from cds_service.terminology import Terminology
from tests.conftest import NOW, cards_for, load_fixture, post_hook

_TERMINOLOGY = Terminology.load()


def picture_of(body: dict[str, Any]) -> PatientPicture:
    """The picture the pipeline builds for a fixture request (prefetch only, time pinned)."""
    resources: list[dict[str, Any]] = []
    for value in body.get("prefetch", {}).values():
        if value.get("resourceType") == "Bundle":
            resources += [e["resource"] for e in value.get("entry", [])]
        else:
            resources.append(value)
    return build_picture(
        hook=body["hook"],
        context=body["context"],
        resources=resources,
        medications={},
        terminology=_TERMINOLOGY,
        now=NOW,
    )


def decide(rule_id: str, fixture: str | dict[str, Any]) -> Decision:
    """Run one rule on a fixture (path under fixtures/ or a request body), as its service would."""
    body = load_fixture(fixture) if isinstance(fixture, str) else fixture
    rule = load_rules()[rule_id]
    if body["hook"] not in rule.hooks:  # the service never runs it (as in the pipeline)
        return Silent(f"{rule_id} does not run on {body['hook']}")
    return rule.run(picture_of(body))


def card(hooks: Any, rule_id: str, fixture: str | dict[str, Any]) -> dict[str, Any]:
    """The single card of the rule for a fixture posted in process (tests/hookcall.py)."""
    body = load_fixture(fixture) if isinstance(fixture, str) else fixture
    found = cards_for(post_hook(hooks, body), rule_id)
    assert len(found) == 1, found
    return found[0]


def actions(card: dict[str, Any], index: int = 0) -> list[dict[str, Any]]:
    """The actions of the card's suggestion at `index`."""
    result: list[dict[str, Any]] = card["suggestions"][index]["actions"]
    return result
