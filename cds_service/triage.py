"""Order the cards of one response and drop advice that contradicts or crowds out another card.

Clinicians read few cards, and two cards that disagree teach them to ignore both
(clinical-rules §5.3, §5.5):

- most urgent first (critical, warning, info);
- one answer per draft order: when one card replaces a draft (deletes it, creating something
  else or nothing) and another keeps it (updates it, or deletes it to re-create the same
  medication, e.g. as a taper), or two cards replace it with different drugs (a tinea card's
  antifungal, a site card's calcineurin inhibitor), the more urgent card's answer stands; on a
  tie a replacement beats keeping, and a mimic card (tinea, rosacea, scabies: it names the
  diagnosis the steroid worsens) beats the others. The other card loses those suggestions,
  and the whole card when none is left;
- no info card next to a critical card: the critical problem comes first;
- some reminders (`QUIET_BESIDE_WARNINGS`) are not shown next to a warning either;
- one dermatology referral per response: a less urgent card that would create the same
  referral loses that suggestion (and the card, when it had no other);
- at most `MAX_CARDS` cards: the most urgent stay, info cards go first, and the
  once-per-patient reminders before other info cards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cds_service.fhir.medications import contained_medication

SEVERITY = {"critical": 0, "warning": 1, "info": 2}
MAX_CARDS = 3  # clinical-rules §5.5: never more than 3 cards in a response
QUIET_BESIDE_WARNINGS = frozenset({"eczema-action-plan"})  # §5.5: never beside a warning
REMINDERS = frozenset({"emollient-not-prescribed", "eczema-action-plan"})  # first to go at the cap
# On a tie in urgency these cards' answer for the draft stands: they name the diagnosis that a
# steroid (and a calcineurin inhibitor or a milder steroid swapped in for it) makes worse.
PREVAILS_ON_TIE = frozenset({"tcs-with-tinea", "tcs-with-rosacea-perioral", "tcs-with-scabies"})
DERMATOLOGY_REFERRAL = frozenset({"308472003", "183897008"})  # SNOMED referral to dermatology
REPLACE, KEEP = "replace", "keep"


def neighbour_veto(rule_id: str, indicator: str, others: Iterable[str]) -> str | None:
    """Why a card with this indicator is not shown beside cards with the `others` indicators.

    A once-per-patient reminder is also vetoed when `MAX_CARDS` other cards would crowd it
    out, so that the repeat guard does not spend its once-per-patient slot on a card that is
    never shown."""
    seen = list(others)
    veto = _neighbour_veto(rule_id, indicator, seen)
    if veto is None and rule_id in REMINDERS and len(seen) >= MAX_CARDS:
        return f"at most {MAX_CARDS} cards: crowded out by more urgent cards"
    return veto


def _neighbour_veto(rule_id: str, indicator: str, others: Iterable[str]) -> str | None:
    seen = set(others)
    if indicator == "info" and "critical" in seen:
        return "an info card is not shown next to a critical card"
    if rule_id in QUIET_BESIDE_WARNINGS and seen & {"critical", "warning"}:
        return "not shown in a response that carries a warning or critical card"
    return None


def _medication_keys(resource: Mapping[str, Any]) -> set[str]:
    """What a MedicationRequest orders: its codes and lower-cased text. The draft is chart data
    of any shape (a `coding` that is a number, say), so every step checks its type."""
    keys: set[str] = set()
    _concept_keys(resource.get("medicationCodeableConcept"), keys)
    reference = resource.get("medicationReference")
    if isinstance(reference, dict) and reference.get("reference"):
        ref = str(reference["reference"])
        # A local "#id" is this resource's own contained Medication: another resource's "#id"
        # may be another drug, so it is known by that Medication's code and text.
        contained = contained_medication(resource, ref) if ref.startswith("#") else None
        if contained is not None and isinstance(contained.get("code"), dict):
            _concept_keys(contained["code"], keys)
        else:
            keys.add(ref)
    return keys


def _concept_keys(concept: Any, keys: set[str]) -> None:
    if isinstance(concept, dict):
        codings = concept.get("coding")
        for coding in codings if isinstance(codings, list) else []:
            if isinstance(coding, dict) and coding.get("code"):
                keys.add(f"{coding.get('system')}|{coding['code']}")
        if isinstance(concept.get("text"), str):
            keys.add(concept["text"].strip().lower())


def _actions(suggestion: Mapping[str, Any]) -> list[dict[str, Any]]:
    actions = suggestion.get("actions")
    return [a for a in actions if isinstance(a, dict)] if isinstance(actions, list) else []


def effects(
    suggestion: Mapping[str, Any], drafts: Mapping[str, Mapping[str, Any]]
) -> dict[str, tuple[str, frozenset[str]]]:
    """Draft reference -> ("replace", what replaces it) or ("keep", nothing), for the drafts
    this suggestion acts on. What replaces it: the keys of the medications it creates (empty
    for a plain delete, or a delete with a referral)."""
    actions = _actions(suggestion)
    created = [
        _medication_keys(a["resource"])
        for a in actions
        if a.get("type") == "create" and isinstance(a.get("resource"), dict)
    ]
    made = frozenset().union(*created) if created else frozenset()
    found: dict[str, tuple[str, frozenset[str]]] = {}
    for action in actions:
        resource = action.get("resource")
        if action.get("type") == "update" and isinstance(resource, dict) and resource.get("id"):
            found[f"{resource.get('resourceType')}/{resource['id']}"] = (KEEP, frozenset())
        elif action.get("type") == "delete":
            ids = action.get("resourceId")
            for ref in ids if isinstance(ids, list) else [ids]:
                if not isinstance(ref, str):
                    continue
                same = _medication_keys(drafts.get(ref, {}))
                if same and any(same & c for c in created):
                    found[ref] = (KEEP, frozenset())
                else:
                    found[ref] = (REPLACE, made)
    return found


def stances(
    suggestion: Mapping[str, Any], drafts: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """Draft reference -> "replace" or "keep", for the drafts this suggestion acts on."""
    return {ref: stance for ref, (stance, _made) in effects(suggestion, drafts).items()}


def _rule(card: Mapping[str, Any]) -> str:
    return str(card["source"]["topic"]["code"])


def _refers_to_dermatology(suggestion: Mapping[str, Any]) -> bool:
    """The suggestion creates a dermatology referral ServiceRequest (SNOMED code)."""
    for action in _actions(suggestion):
        resource = action.get("resource")
        if action.get("type") != "create" or not isinstance(resource, dict):
            continue
        if resource.get("resourceType") != "ServiceRequest":
            continue
        concept = resource.get("code")
        codings = concept.get("coding") if isinstance(concept, dict) else None
        for coding in codings if isinstance(codings, list) else []:
            if isinstance(coding, dict) and coding.get("code") in DERMATOLOGY_REFERRAL:
                return True
    return False


def _disagrees(
    stance: str, made: frozenset[str], winner_stance: str, winner_made: list[frozenset[str]]
) -> bool:
    """A suggestion disagrees with the answer that stands: the opposite stance, or a
    replacement by a drug that none of the standing card's replacements orders."""
    if stance != winner_stance:
        return True
    if stance == REPLACE and made:
        return not any(made & m for m in winner_made if m)
    return False


def triage(
    cards: list[dict[str, Any]], drafts: Mapping[str, Mapping[str, Any]] | None = None
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Cards sorted by urgency, minus contradicted or crowded-out ones; and rule id -> why.

    `drafts` maps each draft's reference to the resource as received, so that a delete that
    re-creates the same medication is seen as keeping it.
    """
    drafts = drafts or {}
    rank = [SEVERITY.get(c["indicator"], 3) for c in cards]
    per_card = [[effects(s, drafts) for s in c.get("suggestions", [])] for c in cards]
    # The answer that stands for each draft: the most urgent card's, a replacement on a tie,
    # then a mimic card's.
    answer: dict[str, tuple[int, int, int, int]] = {}  # ref -> (rank, keep?, not mimic?, card)
    for i, suggestions in enumerate(per_card):
        tie = 0 if _rule(cards[i]) in PREVAILS_ON_TIE else 1
        for found in suggestions:
            for ref, (stance, _made) in found.items():
                key = (rank[i], 0 if stance == REPLACE else 1, tie, i)
                answer[ref] = min(answer.get(ref, key), key)
    standing: dict[str, list[frozenset[str]]] = {}  # ref -> the standing card's replacements
    for ref, (_r, _k, _t, w) in answer.items():
        standing[ref] = [
            made for found in per_card[w] for r, (s, made) in found.items() if r == ref
        ]
    kept: list[tuple[int, dict[str, Any]]] = []
    dropped: dict[str, str] = {}
    for i, card in enumerate(cards):
        rule_id = _rule(card)
        others = [c["indicator"] for j, c in enumerate(cards) if j != i]
        veto = _neighbour_veto(rule_id, card["indicator"], others)
        if veto:
            dropped[rule_id] = veto
            continue
        keep, lost_to = [], None
        for suggestion, found in zip(card.get("suggestions", []), per_card[i], strict=True):
            against = [
                answer[ref][3]
                for ref, (stance, made) in found.items()
                if answer[ref][3] != i
                and _disagrees(
                    stance, made, REPLACE if answer[ref][1] == 0 else KEEP, standing[ref]
                )
            ]
            if against:
                lost_to = _rule(cards[against[0]])
            else:
                keep.append(suggestion)
        if lost_to is None:
            kept.append((i, card))
        elif keep:
            kept.append((i, {**card, "suggestions": keep}))
        else:
            dropped[rule_id] = f"superseded: {lost_to} gives other advice for the same order"
    kept.sort(key=lambda ic: (rank[ic[0]], ic[0]))
    kept = _one_referral(kept, dropped)
    kept.sort(key=lambda ic: (rank[ic[0]], _rule(ic[1]) in REMINDERS, ic[0]))
    for _i, card in kept[MAX_CARDS:]:
        dropped[_rule(card)] = f"at most {MAX_CARDS} cards: crowded out by more urgent cards"
    return [card for _i, card in kept[:MAX_CARDS]], dropped


def _one_referral(
    kept: list[tuple[int, dict[str, Any]]], dropped: dict[str, str]
) -> list[tuple[int, dict[str, Any]]]:
    """Cards most urgent first; a dermatology referral only in the first card that offers it."""
    out: list[tuple[int, dict[str, Any]]] = []
    referred_by: str | None = None
    for i, card in kept:
        suggestions = card.get("suggestions", [])
        referring = [s for s in suggestions if _refers_to_dermatology(s)]
        if referring and referred_by is not None:
            rest = [s for s in suggestions if not _refers_to_dermatology(s)]
            if not rest:
                dropped[_rule(card)] = f"the dermatology referral is in the {referred_by} card"
                continue
            card = {**card, "suggestions": rest}
        elif referring:
            referred_by = _rule(card)
        out.append((i, card))
    return out
