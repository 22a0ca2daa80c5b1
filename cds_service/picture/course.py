"""How long an order's course is: its timing's bounds, else a length written in its
instructions, else its expected supply (`MedicationOrder.duration_days`).

The rules date every potent course of a long history by it (the taper rule chains their ends):
read the first time a rule asks, and with the usual shape (a boundsDuration in days or weeks,
UCUM-coded) read without the general path's checks, which that shape passes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from . import access as fx

log = logging.getLogger(__name__)


def first_repeat(res: Mapping[str, Any]) -> Mapping[str, Any]:
    """`first_timing(res)[1]` without building the list of dosages: it runs for every order."""
    items = res.get("dosageInstruction")
    for d in items if items.__class__ is list else fx.as_list(items):
        if isinstance(d, dict) and d.get("timing") is not None:
            timing = d["timing"]
            return fx.obj(timing.get("repeat")) if isinstance(timing, dict) else {}
    return {}


def course(res: Mapping[str, Any], instruction: Callable[[], str | None]) -> float | None:
    """`course_days`; None when the resource cannot be read (and that is logged)."""
    try:
        return course_days(res, instruction)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
        log.info("order course unreadable: %s", type(exc).__name__)
        return None


def course_days(res: Mapping[str, Any], instruction: Callable[[], str | None]) -> float | None:
    """The course length in days: timing boundsDuration, else boundsPeriod, else one written in
    the instructions (`instruction()`, read only then), else expectedSupplyDuration."""
    repeat = first_repeat(res) if "dosageInstruction" in res else _NO_REPEAT
    duration = None
    if repeat:
        bounded = repeat.get("boundsDuration")
        if bounded is not None:  # runs for every course a rule dates: the usual shape first
            duration = _bounds_days(bounded)
        if duration is None:
            bounds = repeat.get("boundsPeriod")
            if isinstance(bounds, dict):
                start, end = fx.parse_date(bounds.get("start")), fx.parse_date(bounds.get("end"))
                if start and end and end >= start:
                    duration = float((end - start).days)
        if duration is not None:
            return duration
    if not repeat.get("boundsDuration"):
        text = instruction()
        duration = duration_in_text(text) if text else None
        if duration is None and text:
            duration = _agreed_course(res)
    dispense = res.get("dispenseRequest")
    if duration is None and isinstance(dispense, dict) and "expectedSupplyDuration" in dispense:
        duration = fx.duration_days(dispense["expectedSupplyDuration"])
    return duration


_NO_REPEAT: Mapping[str, Any] = {}
# `fx.in_days`'s factor for each UCUM code of time, which it reads as it is (1 unit in days).
_CODE_DAYS = {code: fx.in_days(1, code, None) for code in ("s", "min", "h", "d", "wk", "mo", "a")}


def _bounds_days(quantity: Any) -> float | None:
    """`fx.duration_days(quantity)`; an int or float value of 0 to MAX_DAYS with a UCUM code
    (what nearly every order sends) without the general path's checks, which it passes."""
    if quantity.__class__ is dict:
        value: Any = quantity.get("value")
        code: Any = quantity.get("code")
        cls = value.__class__
        if (cls is int or cls is float) and code.__class__ is str and 0 <= value <= fx.MAX_DAYS:
            factor = _CODE_DAYS.get(code)
            if factor is not None:
                days = float(value) * factor
                return days if days <= fx.MAX_DAYS else None
    return fx.duration_days(quantity)


# A count in digits, or in words before a space ("for two weeks", "for a month"). After "x" a
# count is never "a": "2x a day", "1 x a week" say how often, not for how long.
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fourteen": 14}  # fmt: skip
_UNITS = r"days?|d|weeks?|wks?|wk|w|months?|mo"
_COURSE = re.compile(
    r"(?<![a-z])(?:for|(?:x|×)(?!\s*an?\s+(?:" + _UNITS + r")(?![a-z])))\s*"
    r"(?:up\s+to\s+|the\s+next\s+|a\s+further\s+|another\s+)?"
    r"(\d{1,3}\s*|(?:" + "|".join(_WORDS) + r")\s+)(" + _UNITS + r")(?![a-z])"
    # "for 2 days a week" (proactive use) says how often in each week, not for how long.
    r"(?!\s*(?:a|per|each|every|/|of each|in each|of the)\s*(?:week|wk|month)s?\b)"
)
_UNIT_DAYS = {"d": 1, "day": 1, "days": 1, "w": 7, "wk": 7, "wks": 7, "week": 7, "weeks": 7,
              "mo": 30, "month": 30, "months": 30}  # fmt: skip


def duration_in_text(instruction: str) -> float | None:
    """A course length written only in the sig ("twice daily for 4 weeks", "x 14 days"); None
    when there is none, or more than one (a step-down "then ..." cannot be read as one)."""
    found = _COURSE.findall(instruction[:500].lower())
    if len(found) != 1:
        return None
    count, unit = found[0]
    count = count.strip()
    return float((int(count) if count.isdigit() else _WORDS[count]) * _UNIT_DAYS[unit])


def _agreed_course(res: Mapping[str, Any]) -> float | None:
    """The course of an order's one dosage whose sig and patient instruction each write one and
    the same ('for 4 weeks' and 'for four weeks'); None when either writes several (a
    step-down) or they disagree. The joined instruction text reads as two courses."""
    dosages = res.get("dosageInstruction")
    if not (isinstance(dosages, list) and len(dosages) == 1 and isinstance(dosages[0], dict)):
        return None
    lengths = set()
    for field in ("text", "patientInstruction"):
        words = dosages[0].get(field)
        if not isinstance(words, str):
            continue
        if len(_COURSE.findall(words[:500].lower())) > 1:
            return None
        lengths.add(duration_in_text(words))
    lengths.discard(None)
    return lengths.pop() if len(lengths) == 1 else None


_COURSE_ANY_CASE = re.compile(_COURSE.pattern, re.IGNORECASE)


def restate_course(instruction: str, length: str) -> str:
    """`instruction` with its one written course length ("for 4 weeks", "x 14 days") replaced
    by `length` ("14 days"), so the words and a changed bound say one course; unchanged when it
    writes none, or several (a step-down is not one course to rewrite). Only the start is
    read, as `duration_in_text` reads it: a longer text costs no more than a sig."""
    found = list(_COURSE_ANY_CASE.finditer(instruction, 0, 500))
    if len(found) != 1:
        return instruction
    match = found[0]
    return instruction[: match.start(1)] + length + instruction[match.end(2) :]
