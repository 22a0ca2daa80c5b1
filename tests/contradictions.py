"""A checker for clinical-rules §5.3: no response gives opposite advice on one draft order.

Written apart from `cds_service/triage.py` on purpose, so the test does not grade the
service with its own logic. A card *replaces* a draft when a suggestion deletes it without
re-creating the same medication; it *keeps* the draft when a suggestion updates it, or deletes
it and re-creates the same medication (a taper, a corrected quantity). Two different cards,
one replacing and one keeping the same draft, contradict each other; so do two cards that
replace it with different drugs (an antifungal against a calcineurin inhibitor), unless every
drug one card offers in its place is also offered by the other (a card may offer fewer of the
same alternatives). A plain delete agrees with any replacement.
"""

from __future__ import annotations

from typing import Any


def _ordered(resource: Any) -> set[str]:
    if not isinstance(resource, dict):
        return set()
    concept = resource.get("medicationCodeableConcept") or {}
    found = {
        f"{c.get('system')}|{c.get('code')}" for c in concept.get("coding", []) if c.get("code")
    }
    if concept.get("text"):
        found.add(str(concept["text"]).strip().lower())
    ref = (resource.get("medicationReference") or {}).get("reference")
    return found | ({ref} if ref else set())


def _drafts(request: dict[str, Any] | None) -> dict[str, set[str]]:
    bundle = ((request or {}).get("context") or {}).get("draftOrders") or {}
    out = {}
    for entry in bundle.get("entry", []) if isinstance(bundle, dict) else []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("id"):
            out[f"{resource.get('resourceType')}/{resource['id']}"] = _ordered(resource)
    return out


def contradictions(response: dict[str, Any], request: dict[str, Any] | None = None) -> list[str]:
    """Each pair of cards that replace and keep the same draft order, described."""
    drafts = _drafts(request)
    advice: dict[str, dict[str, set[str]]] = {}  # draft -> rule id -> {"replace", "keep"}
    swaps: dict[str, dict[str, list[set[str]]]] = {}  # draft -> rule id -> drugs created
    for card in response.get("cards", []):
        rule = card["source"].get("topic", {}).get("code", card["summary"])
        for suggestion in card.get("suggestions", []):
            actions = suggestion.get("actions", [])
            created = [_ordered(a.get("resource")) for a in actions if a["type"] == "create"]
            for action in actions:
                if action["type"] == "update" and action.get("resource", {}).get("id"):
                    ref = f"{action['resource']['resourceType']}/{action['resource']['id']}"
                    advice.setdefault(ref, {}).setdefault(rule, set()).add("keep")
                if action["type"] == "delete":
                    ids = action["resourceId"]
                    for ref in ids if isinstance(ids, list) else [ids]:
                        same = drafts.get(ref, set())
                        stance = "keep" if same and any(same & c for c in created) else "replace"
                        advice.setdefault(ref, {}).setdefault(rule, set()).add(stance)
                        made = set().union(*created) if created else set()
                        if stance == "replace" and made:
                            swaps.setdefault(ref, {}).setdefault(rule, []).append(made)
    found = []
    for ref, by_rule in sorted(advice.items()):
        replacing = sorted(r for r, s in by_rule.items() if "replace" in s)
        keeping = sorted(r for r, s in by_rule.items() if "keep" in s)
        for a in replacing:
            for b in keeping:
                if a != b:
                    found.append(f"{ref}: {a} replaces it, {b} keeps it")
    for ref, by_rule in sorted(swaps.items()):
        rules = sorted(by_rule)
        for n, a in enumerate(rules):
            for b in rules[n + 1 :]:
                if not (_within(by_rule[a], by_rule[b]) or _within(by_rule[b], by_rule[a])):
                    found.append(f"{ref}: {a} and {b} replace it with different drugs")
    return found


def _within(these: list[set[str]], those: list[set[str]]) -> bool:
    """Every replacement in `these` orders a drug that one in `those` orders too."""
    return all(any(t & o for o in those) for t in these)
