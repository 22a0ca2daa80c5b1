"""One call's memo of what many resources of its chart share, read once per distinct content.

A long chart repeats itself: a thousand past orders name a few dozen drugs and a handful of
timings, three hundred Conditions a few dozen problems. What the picture builder derives from
a medication concept (codings, display, drug class), a timing.repeat (the schedule) or a
condition code (codings, label) depends on a few strings and numbers only, so it is derived
once per distinct content and shared (the results are immutable). The key is those raw values
themselves, taken only when each has the JSON type the derivation reads (a string, a number
or absent); anything else gets no key and is derived as before. The memo lives for one call
(the builder's `_Chart`): no patient's data is kept beyond it.

Keys hold the exact values the derivation reads, so two resources share a result only when
the derivation would give both the same: e.g. ``1`` and ``1.0`` as a frequency (both read as
1.0), never ``true`` and ``1`` (a boolean is refused a key), nor ``-0.0`` and ``0`` (a zero
is refused a key: the schedule keeps a zero's sign).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_STR = str
_NONE = type(None)
_NUMBERS = (int, float, _NONE)


def concept_key(concept: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """A CodeableConcept's text and each coding's (system, code, display), flattened, when the
    text and every coding member read are strings or absent; else None."""
    text = concept.get("text")
    if text is not None and text.__class__ is not _STR:
        return None
    items = concept.get("coding")
    if items is None:
        return (text,)
    if items.__class__ is not list:
        return None
    key = [text]
    for c in items:
        if c.__class__ is not dict:
            return None
        s, k, d = c.get("system"), c.get("code"), c.get("display")
        if (
            (s is not None and s.__class__ is not _STR)
            or (k is not None and k.__class__ is not _STR)
            or (d is not None and d.__class__ is not _STR)
        ):
            return None
        key += (s, k, d)
    return tuple(key)


def reference_key(ref: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """A medicationReference's reference and display, when both are strings or absent and the
    reference is not local: "#id" names the order's own contained Medication, which another
    order's "#id" need not be."""
    r, d = ref.get("reference"), ref.get("display")
    if (r is not None and r.__class__ is not _STR) or (d is not None and d.__class__ is not _STR):
        return None
    if r is not None and r.lstrip().startswith("#"):
        return None
    return ("#ref", r, d)


def repeat_key(repeat: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """What `dosage.schedule` reads of a timing.repeat, when it has no dayOfWeek or when and
    its frequency and period are numbers (not booleans) or absent; else None."""
    if "dayOfWeek" in repeat or "when" in repeat:
        return None
    f, p, u = repeat.get("frequency"), repeat.get("period"), repeat.get("periodUnit")
    if f.__class__ not in _NUMBERS or p.__class__ not in _NUMBERS:
        return None
    if f == 0 or p == 0:
        return None  # -0.0 equals (and hashes as) 0 and 0.0, but the schedule keeps its sign
    if u is not None and u.__class__ is not _STR:
        return None
    bounds = repeat.get("boundsPeriod")
    start = end = None
    if bounds.__class__ is dict:  # a start or end that is no string reads as absent
        start, end = bounds.get("start"), bounds.get("end")
        start = start if start.__class__ is _STR else None
        end = end if end.__class__ is _STR else None
    elif isinstance(bounds, dict):
        return None  # a dict subclass: derived as before (anything else reads as absent)
    return (f, p, u, start, end)


def sites_key(sites: Any) -> tuple[Any, ...] | None:
    """A bodySite list's concepts' keys, when it is a list of objects each with a key."""
    if sites.__class__ is not list:
        return None
    key = []
    for site in sites:
        found = concept_key(site) if site.__class__ is dict else None
        if found is None:
            return None
        key.append(found)
    return tuple(key)


class Memo:
    """The call's memos, each keyed as above: drugs (medication concept or reference ->
    has medication, name, codings, drug), schedules (repeat -> Schedule) and conditions
    (code concept -> codings, label) and sites (a Condition's bodySite -> site categories)."""

    __slots__ = ("drugs", "schedules", "conditions", "sites")

    def __init__(self) -> None:
        self.drugs: dict[tuple[Any, ...], Any] = {}
        self.schedules: dict[tuple[Any, ...], Any] = {}
        self.conditions: dict[tuple[Any, ...], Any] = {}
        self.sites: dict[tuple[Any, ...], frozenset[str]] = {}
