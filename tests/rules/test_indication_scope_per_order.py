"""§5.1 indication scope is per order: a steroid draft for another dermatosis (lichen sclerosus,
psoriasis...) is skipped, and an eczema draft beside it is still checked, whichever comes first."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import cards_for, load_fixture, post_hook

SITE = "tcs-potent-on-sensitive-site"
LIMITS = "tcs-very-potent-limits"


def _plus_eczema_draft(
    body: dict[str, Any], first: bool, site: tuple[str, str] | None, days: int = 14
) -> dict[str, Any]:
    """Copy the fixture's draft (its reason is another dermatosis) as an eczema draft with no
    reason: at `site` (SNOMED code, display) and for `days`, placed first or second."""
    entries = body["context"]["draftOrders"]["entry"]
    eczema = copy.deepcopy(entries[0])
    resource = eczema["resource"]
    resource["id"] = "eczema-draft"
    resource.pop("reasonCode", None)
    resource.pop("reasonReference", None)
    dosage = resource["dosageInstruction"][0]
    if site is not None:
        dosage["site"] = {
            "coding": [{"system": "http://snomed.info/sct", "code": site[0], "display": site[1]}]
        }
    dosage["timing"]["repeat"]["boundsDuration"]["value"] = days
    entries.insert(0 if first else 1, eczema)
    return body


@pytest.mark.parametrize("first", [True, False])
def test_site_card_for_the_eczema_draft_beside_a_lichen_sclerosus_draft(
    hooks: Any, first: bool
) -> None:
    body = load_fixture(f"{SITE}/clobetasol-vulva-reason-text-lichen-sclerosus-out.json")
    assert cards_for(post_hook(hooks, body), SITE) == []
    body = _plus_eczema_draft(body, first, ("80243003", "Eyelid structure"))
    (card,) = cards_for(post_hook(hooks, body), SITE)
    assert "eyelid" in card["summary"].lower()
    deleted = [
        a["resourceId"]
        for s in card.get("suggestions", [])
        for a in s["actions"]
        if a["type"] == "delete"
    ]
    assert deleted and set(deleted) == {"MedicationRequest/eczema-draft"}


@pytest.mark.parametrize("first", [True, False])
def test_limits_card_for_the_eczema_draft_beside_a_psoriasis_draft(hooks: Any, first: bool) -> None:
    body = load_fixture(f"{LIMITS}/clobetasol-15-days-reason-psoriasis-out.json")
    assert cards_for(post_hook(hooks, body), LIMITS) == []
    body = _plus_eczema_draft(body, first, None, days=21)
    (card,) = cards_for(post_hook(hooks, body), LIMITS)
    (suggestion,) = card["suggestions"]
    (update,) = suggestion["actions"]
    assert update["resource"]["id"] == "eczema-draft"


@pytest.mark.parametrize(
    ("rule_id", "fixture", "days"),
    [
        # twice-weekly maintenance over 16 weeks: the eczema draft also runs 17 weeks
        ("tcs-proactive-maintenance", "twice-weekly-17-weeks-reason-psoriasis-out", 119),
        # renewing 28 days of daily potent steroid: the eczema renewal is a 14-day course too
        ("tcs-taper-after-long-use", "sign-renew-after-28-days-reason-lichen-sclerosus-out", 14),
    ],
)
@pytest.mark.parametrize("first", [True, False])
def test_other_rules_check_the_eczema_draft_beside_another_dermatosis(
    hooks: Any, rule_id: str, fixture: str, days: int, first: bool
) -> None:
    body = load_fixture(f"{rule_id}/{fixture}.json")
    assert cards_for(post_hook(hooks, body), rule_id) == []
    body = _plus_eczema_draft(body, first, None, days=days)
    if "selections" in body["context"]:
        body["context"]["selections"].append("MedicationRequest/eczema-draft")
    (card,) = cards_for(post_hook(hooks, body), rule_id)
    ids = [
        a.get("resourceId") or a.get("resource", {}).get("id")
        for s in card.get("suggestions", [])
        for a in s["actions"]
        if a["type"] in ("update", "delete")
    ]
    assert all("eczema-draft" in i for i in ids if i), ids
