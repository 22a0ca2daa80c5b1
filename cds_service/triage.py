"""Order the cards of one response and drop advice that contradicts or crowds out another card.

Clinicians read few cards, and two cards that disagree teach them to ignore both
(clinical-rules §5.3, §5.5):

- most urgent first (critical, warning, info);
- one answer per draft order: when one card replaces a draft (deletes it, creating something
  else or nothing) and another keeps it (updates it, or deletes it to re-create the same
  medication, e.g. as a taper), the more urgent card's answer stands, a replacement winning a
  tie; the other card loses those suggestions, and the whole card when none is left;
- no info card next to a critical card: the critical problem comes first;
- some reminders (`QUIET_BESIDE_WARNINGS`) are not shown next to a warning either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

SEVERITY = {"critical": 0, "warning": 1, "info": 2}
QUIET_BESIDE_WARNINGS = frozenset({"eczema-action-plan"})  # §5.5: never beside a warning
REPLACE, KEEP = "replace", "keep"


def neighbour_veto(rule_id: str, indicator: str, others: Iterable[str]) -> str | None:
    """Why a card with this indicator is not shown beside cards with the `others` indicators."""
    seen = set(others)
    if indicator == "info" and "critical" in seen:
        return "an info card is not shown next to a critical card"
    if rule_id in QUIET_BESIDE_WARNINGS and seen & {"critical", "warning"}:
        return "not shown in a response that carries a warning or critical card"
    return None


def _medication_keys(resource: Mapping[str, Any]) -> set[str]:
    """What a MedicationRequest orders: its codes and lower-cased text. The draft is chart data
    of any shape (a `coding` that is a number, say), so every step checks its type."""
    concept = resource.get("medicationCodeableConcept")
    keys: set[str] = set()
    if isinstance(concept, dict):
        codings = concept.get("coding")
        for coding in codings if isinstance(codings, list) else []:
            if isinstance(coding, dict) and coding.get("code"):
                keys.add(f"{coding.get('system')}|{coding['code']}")
        if isinstance(concept.get("text"), str):
            keys.add(concept["text"].strip().lower())
    reference = resource.get("medicationReference")
    if isinstance(reference, dict) and reference.get("reference"):
        keys.add(str(reference["reference"]))
    return keys


def stances(
    suggestion: Mapping[str, Any], drafts: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """Draft reference -> "replace" or "keep", for the drafts this suggestion acts on."""
    actions = [a for a in suggestion.get("actions", []) if isinstance(a, dict)]
    created = [
        _medication_keys(a["resource"])
        for a in actions
        if a.get("type") == "create" and isinstance(a.get("resource"), dict)
    ]
    found: dict[str, str] = {}
    for action in actions:
        resource = action.get("resource")
        if action.get("type") == "update" and isinstance(resource, dict) and resource.get("id"):
            found[f"{resource.get('resourceType')}/{resource['id']}"] = KEEP
        elif action.get("type") == "delete":
            ids = action.get("resourceId")
            for ref in ids if isinstance(ids, list) else [ids]:
                if not isinstance(ref, str):
                    continue
                same = _medication_keys(drafts.get(ref, {}))
                found[ref] = KEEP if same and any(same & c for c in created) else REPLACE
    return found


def triage(
    cards: list[dict[str, Any]], drafts: Mapping[str, Mapping[str, Any]] | None = None
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Cards sorted by urgency, minus contradicted or crowded-out ones; and rule id -> why.

    `drafts` maps each draft's reference to the resource as received, so that a delete that
    re-creates the same medication is seen as keeping it.
    """
    drafts = drafts or {}
    rank = [SEVERITY.get(c["indicator"], 3) for c in cards]
    per_card = [[stances(s, drafts) for s in c.get("suggestions", [])] for c in cards]
    # The answer that stands for each draft: the most urgent card's, a replacement on a tie.
    answer: dict[str, tuple[int, int, int]] = {}  # ref -> (rank, replace first, card index)
    for i, suggestions in enumerate(per_card):
        for found in suggestions:
            for ref, stance in found.items():
                key = (rank[i], 0 if stance == REPLACE else 1, i)
                answer[ref] = min(answer.get(ref, key), key)
    kept, dropped = [], {}
    for i, card in enumerate(cards):
        rule_id = card["source"]["topic"]["code"]
        others = [c["indicator"] for j, c in enumerate(cards) if j != i]
        veto = neighbour_veto(rule_id, card["indicator"], others)
        if veto:
            dropped[rule_id] = veto
            continue
        keep, lost_to = [], None
        for suggestion, found in zip(card.get("suggestions", []), per_card[i], strict=True):
            against = [
                answer[ref][2]
                for ref, stance in found.items()
                if answer[ref][2] != i and (REPLACE if answer[ref][1] == 0 else KEEP) != stance
            ]
            if against:
                lost_to = cards[against[0]]["source"]["topic"]["code"]
            else:
                keep.append(suggestion)
        if lost_to is None:
            kept.append(card)
        elif keep:
            kept.append({**card, "suggestions": keep})
        else:
            dropped[rule_id] = f"superseded: {lost_to} gives the opposite advice for the same order"
    kept.sort(key=lambda c: SEVERITY.get(c["indicator"], 3))
    return kept, dropped
