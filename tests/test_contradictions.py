"""clinical-rules §5.3: no fixture (nor realistic chart) gets two cards with opposite advice
on the same draft order; and the checker itself catches one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, ROOT, load_fixture, post_hook
from tests.contradictions import contradictions
from tests.hookcall import HookCaller

# Every hook request under fixtures/ (rule fixtures and any realistic set kept there), and a
# realistic set at the top level if one is added.
REQUESTS = sorted(
    p
    for base in (FIXTURES, ROOT / "realistic")
    if base.is_dir()
    for p in base.rglob("*.json")
    if '"hook"' in p.read_text(encoding="utf-8")[:2000]
)


@pytest.mark.parametrize("path", REQUESTS, ids=[str(p.relative_to(ROOT)) for p in REQUESTS])
def test_no_response_gives_opposite_advice_on_one_order(hooks: HookCaller, path: Path) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))
    response = post_hook(hooks, body)
    if response.status_code != 200:
        pytest.skip(f"not a hook call the service answers ({response.status_code})")
    assert contradictions(response.get_json(), body) == []


def _card(rule: str, *actions: dict[str, Any]) -> dict[str, Any]:
    return {
        "summary": rule,
        "source": {"topic": {"code": rule}},
        "suggestions": [{"actions": list(actions)}],
    }


def test_the_checker_finds_replace_against_keep() -> None:
    request = load_fixture("tcs-taper-after-long-use/sign-renew-after-28-days-in.json")
    draft = request["context"]["draftOrders"]["entry"][0]["resource"]
    ref = f"MedicationRequest/{draft['id']}"
    delete = {"type": "delete", "resourceId": ref}
    same = {"type": "create", "resource": {**draft, "id": "new"}}
    other = {
        "type": "create",
        "resource": {
            "resourceType": "MedicationRequest",
            "medicationCodeableConcept": {"text": "x"},
        },
    }
    taper, swap = _card("taper", delete, same), _card("swap", delete, other)
    assert contradictions({"cards": [taper, swap]}, request) == [
        f"{ref}: swap replaces it, taper keeps it"
    ]
    edit = _card("edit", {"type": "update", "resource": draft})
    assert contradictions({"cards": [edit, swap]}, request) != []
    assert contradictions({"cards": [swap, _card("swap2", delete, other)]}, request) == []


def test_no_realistic_chart_gets_opposite_advice_on_one_order(hooks: HookCaller) -> None:
    """The realistic set (tests/realistic), with each chart's request, so that deleting a draft
    to re-create the same drug (a taper) counts as keeping it."""
    from tests.realistic.case import load_cases

    found = []
    for case in load_cases():
        body = case.request()
        response = post_hook(hooks, body)
        assert response.status_code == 200, case.id
        found += [f"{case.id}: {c}" for c in contradictions(response.get_json(), body)]
    assert found == []


def test_the_checker_finds_two_different_replacements() -> None:
    request = load_fixture("tcs-taper-after-long-use/sign-renew-after-28-days-in.json")
    draft = request["context"]["draftOrders"]["entry"][0]["resource"]
    ref = f"MedicationRequest/{draft['id']}"
    delete = {"type": "delete", "resourceId": ref}

    def make(text: str) -> dict[str, Any]:
        resource = {
            "resourceType": "MedicationRequest",
            "medicationCodeableConcept": {"text": text},
        }
        return {"type": "create", "resource": resource}

    tinea = _card("tinea", make("clotrimazole 1% cream"), delete)
    site = _card("site", make("tacrolimus 0.1% ointment"), delete)
    site["suggestions"].append({"actions": [make("hydrocortisone 1% cream"), delete]})
    assert contradictions({"cards": [site, tinea]}, request) == [
        f"{ref}: site and tinea replace it with different drugs"
    ]
    # one card offering a subset of the other's alternatives, or a plain delete, agrees
    fewer = _card("fewer", make("hydrocortisone 1% cream"), delete)
    stop = _card("stop", delete)
    assert contradictions({"cards": [site, fewer, stop]}, request) == []
