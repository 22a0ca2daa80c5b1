"""Condition membership: by code OR text, with negation; the AD gate and indication scope.

One reading for every rule (clinical-rules §5.1): a Condition (or an order's reason) is in a
value set when a code is in it or its text asserts it, and never when the clinician's own text
denies it ("eczema ruled out" typed over a picked code). See terminology/mentions.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from itertools import chain
from typing import TYPE_CHECKING, Any

from cds_service.terminology.mentions import Mention
from cds_service.vocabulary import ATOPIC_DERMATITIS, NON_ECZEMA_DERMATOSIS

from .access import Coding, codings, dicts, text

if TYPE_CHECKING:
    from cds_service.terminology import Terminology
    from cds_service.terminology.valuesets import ValueSet

    from .model import ConditionFact, MedicationOrder

EXCLUDED_VERIFICATION = frozenset({"refuted", "entered-in-error"})
AD, OTHER_DERMATOSIS = ATOPIC_DERMATITIS, NON_ECZEMA_DERMATOSIS


def concept_in(vs: ValueSet, found: tuple[Coding, ...], label: str | None) -> bool:
    """Codes or text in the set: denied by its own text -> no; a code -> yes; else any text."""
    reading = vs.mention(label)
    if reading is Mention.NEGATED:
        return False
    contains = vs.contains  # plain loops: asked ~16 times a call, a generator costs more
    for system, code, _d in found:
        if contains(system, code):
            return True
    if reading is Mention.AFFIRMED or (vs.uncertain_counts and reading is Mention.UNCERTAIN):
        return True
    for _s, _c, display in found:
        if display and vs.asserted_by(display):
            return True
    return False


class ConditionQueries:
    """The condition questions rules ask of a PatientPicture, each answered once per call."""

    if TYPE_CHECKING:
        terminology: Terminology
        conditions: tuple[ConditionFact, ...]
        _memo: dict[str, Any]

    def concept_in(self, value_set: str, found: tuple[Coding, ...], label: str | None) -> bool:
        """`concept_in` for this call, memoised per distinct (codings, text): charts repeat."""
        answers: dict[Any, bool] = self._memo.setdefault(f"concept:{value_set}", {})
        key = (found, label)
        try:
            hit = answers.get(key)
        except TypeError:  # codings built by hand as lists: not hashable, ask directly
            return concept_in(self.terminology.value_set(value_set), found, label)
        if hit is None:
            hit = answers[key] = concept_in(self.terminology.value_set(value_set), found, label)
        return hit

    def recorded_conditions(self, value_set: str) -> tuple[ConditionFact, ...]:
        """Conditions in the value set, any clinical status, not refuted or entered in error."""
        key = f"recorded:{value_set}"
        found: tuple[ConditionFact, ...] | None = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._select(RECORDED, value_set)
        return found

    def active_conditions(self, value_set: str) -> tuple[ConditionFact, ...]:
        """Active conditions in the value set (by code or text), in chart order."""
        key = f"active:{value_set}"
        found: tuple[ConditionFact, ...] | None = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._select(ACTIVE, value_set)
        return found

    def _select(self, kind: int, value_set: str) -> tuple[ConditionFact, ...]:
        """The active (or recorded) conditions in the value set, in chart order: `concept_in`
        asked once per distinct (codings, text) that has such conditions, in order of first
        appearance, as a plain loop would; only the conditions of those concepts are read."""
        conditions, groups = self.conditions, self._groups
        keep = _KEEP[kind]
        if groups is None:  # codings built by hand (lists): no index, ask per condition
            return tuple(
                c for c in conditions if keep(c) and self.concept_in(value_set, c.codings, c.text)
            )
        hits = [
            group.kept(kind, conditions)
            for concept, group in groups.items()
            if group.any_kept(kind, conditions) and self.concept_in(value_set, *concept)
        ]
        if not hits:
            return ()
        if len(hits) == 1:
            return tuple([conditions[i] for i in hits[0]])
        return tuple([conditions[i] for i in sorted(chain.from_iterable(hits))])

    @cached_property
    def _groups(self) -> dict[tuple[tuple[Coding, ...], str | None], _Concept] | None:
        """Each distinct (codings, text) of the chart's conditions with their positions; None
        when codings are not hashable. Charts repeat a problem hundreds of times: a value set
        is then asked once per distinct concept, and a selection reads only the conditions of
        the concepts it finds rather than the whole list."""
        groups: dict[tuple[tuple[Coding, ...], str | None], _Concept] = {}
        try:
            for i, c in enumerate(self.conditions):
                group = groups.get((c.codings, c.text))
                if group is None:
                    groups[(c.codings, c.text)] = _Concept(i)
                else:
                    group.positions.append(i)
        except TypeError:
            return None
        return groups

    def has_active(self, value_set: str) -> bool:
        """True when an active condition is in the value set. On a long problem list the first
        such concept answers (its conditions are not all read for a yes or no); on a short one
        the selection is as cheap, and other questions reuse it."""
        selected: tuple[ConditionFact, ...] | None = self._memo.get(f"active:{value_set}")
        if selected is not None or len(self.conditions) < ANSWER_FIRST_FROM:
            return bool(selected if selected is not None else self.active_conditions(value_set))
        key = f"has-active:{value_set}"
        found: bool | None = self._memo.get(key)
        if found is None:
            conditions, groups = self.conditions, self._groups
            found = self._memo[key] = (
                bool(self.active_conditions(value_set))
                if groups is None
                else any(
                    group.any_kept(ACTIVE, conditions) and self.concept_in(value_set, *concept)
                    for concept, group in groups.items()
                )
            )
        return found

    def reason_in(self, order: MedicationOrder, value_set: str) -> bool:
        """The reasonCode (codes or text) or reasonReference (a chart Condition) is in the set."""
        if any(self.concept_in(value_set, c, t) for c, t in order.reasons):
            return True
        if not order.reason_references:
            return False
        ids = {c.id for c in self.recorded_conditions(value_set) if c.id}
        return any(ref.rsplit("/", 1)[-1] in ids for ref in order.reason_references)

    def has_eczema(self, order: MedicationOrder | None = None) -> bool:
        """The AD gate: active eczema condition, or the order's reason points into set A."""
        if self.has_active(AD):
            return True
        return order is not None and self.reason_in(order, AD)

    def indication_other(self, order: MedicationOrder) -> bool:
        """The order treats another dermatosis (lichen sclerosus, psoriasis...), not eczema."""
        return self.reason_in(order, OTHER_DERMATOSIS) and not self.reason_in(order, AD)


ANSWER_FIRST_FROM = 64  # conditions: from this many, `has_active` stops at the first concept
ACTIVE, RECORDED = 0, 1  # the two selections: active conditions, recorded (not refuted) ones
_KEEP: tuple[Callable[[ConditionFact], bool], ...] = (
    lambda c: c.active,
    lambda c: c.verification_status not in EXCLUDED_VERIFICATION,
)


class _Concept:
    """The chart positions of one distinct (codings, text), and (read on demand, per kind)
    whether any of those conditions is active / recorded, and which."""

    __slots__ = ("positions", "_any", "_kept")

    def __init__(self, first: int) -> None:
        self.positions = [first]
        self._any: list[bool | None] = [None, None]
        self._kept: list[list[int] | None] = [None, None]

    def any_kept(self, kind: int, conditions: Sequence[ConditionFact]) -> bool:
        found = self._any[kind]
        if found is None:
            keep = _KEEP[kind]
            found = self._any[kind] = any(keep(conditions[i]) for i in self.positions)
        return found

    def kept(self, kind: int, conditions: Sequence[ConditionFact]) -> list[int]:
        found = self._kept[kind]
        if found is None:
            keep = _KEEP[kind]
            found = self._kept[kind] = [i for i in self.positions if keep(conditions[i])]
        return found


def reason_concepts(
    raw: Mapping[str, Any], flat: tuple[Coding, ...]
) -> tuple[tuple[tuple[Coding, ...], str | None], ...]:
    """Each reasonCode of a raw MedicationRequest as (codings, text), else the flat codings;
    then each reasonReference's display as text (the Condition it names may not be on the
    chart: "Lichen sclerosus" still says what the order treats)."""
    found = raw.get("reasonCode") if raw else None
    concepts: tuple[tuple[tuple[Coding, ...], str | None], ...]
    if found is None:
        concepts = ((flat, None),) if flat else ()
    else:
        concepts = tuple((codings(r), text(r.get("text"))) for r in dicts(found))
    refs = raw.get("reasonReference") if raw else None
    if refs is None:
        return concepts
    shown = tuple(((), label) for r in dicts(refs) if (label := text(r.get("display"))))
    return concepts + shown
