"""Whether an order says how often to use it when timing.repeat does not: a schedule written
in its instructions ("Apply thinly twice a day", "1 app Topical BID x 14 day(s)") or a
timing.code (Oracle Health sends 'BID' / 'QHS' there, with no repeat). 'PRN' / 'when needed'
is not a schedule."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from . import access as fx

_COUNT = r"(?:one|two|three|four|five|[1-6])"
_PER = r"(?:day|daily|night|nightly|week|weekly|wk)"
_FREQUENCY = re.compile(
    r"(?<![a-z0-9])(?:"
    rf"(?:once|twice|thrice|{_COUNT}\s*(?:x|times?))\s*(?:a|an|per|each|every|/)?\s*{_PER}"
    r"|daily|nightly|weekly|bedtime|mornings|evenings"
    r"|(?:every|each)\s+(?:day|morning|evening|night|other\s+day|\d{1,2}\s*h(?:ours?|rs?)?)"
    r"|at\s+(?:night|bed)|in\s+the\s+(?:morning|evening)"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)days?"
    r"|b\.?i\.?d|t\.?i\.?d|q\.?i\.?d|q\.?d|q\.?o\.?d|q\.?h\.?s|q\.?\s?(?:am|pm)"
    r"|b\.?d|t\.?d\.?s|q\.?d\.?s|o\.?d|hs|q\s?\d{1,2}\s?h(?:ours?|rs?)?"
    r")(?![a-z0-9])"
)
# HL7 timing abbreviations (FHIR R4 timing-abbreviation and v3 GTSAbbreviation) and the
# common EHR spellings of the same codes.
_TIMING_CODES = frozenset(
    "BID TID QID QD QOD AM PM BED HS QHS WK MO Q1H Q2H Q3H Q4H Q6H Q8H Q12H Q24H "
    "DAILY NIGHTLY WEEKLY BD TDS QDS OD".split()
)


def frequency_in_text(text: str | None) -> bool:
    """True when the text names how often ('twice daily', 'BID', 'at bedtime', 'qds')."""
    return text is not None and _FREQUENCY.search(text[:500].lower()) is not None


def timing_code_words(res: Mapping[str, Any]) -> list[str]:
    """Each dosage's timing.code as written: its codes, code displays and text."""
    words: list[str] = []
    for dosage in fx.dicts(res.get("dosageInstruction")):
        timing = dosage.get("timing")
        concept = timing.get("code") if isinstance(timing, dict) else None
        for _system, code, display in fx.codings(concept):
            words += [w for w in (code, display) if w]
        if isinstance(concept, dict):
            words += [w for w in (fx.label(concept.get("text")),) if w]
    return words


def timing_code_frequency(res: Mapping[str, Any]) -> bool:
    """True when a dosage's timing.code is a schedule: a known abbreviation as its code, or a
    code display / text that names how often."""
    return any(
        w.strip().upper() in _TIMING_CODES or frequency_in_text(w) for w in timing_code_words(res)
    )
