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


# Administrations a day of each timing.code abbreviation.
_CODE_PER_DAY = {
    "BID": 2.0, "BD": 2.0, "TID": 3.0, "TDS": 3.0, "QID": 4.0, "QDS": 4.0, "QD": 1.0,
    "OD": 1.0, "DAILY": 1.0, "AM": 1.0, "PM": 1.0, "BED": 1.0, "HS": 1.0, "QHS": 1.0,
    "NIGHTLY": 1.0, "QOD": 0.5, "WK": 1 / 7, "WEEKLY": 1 / 7, "MO": 1 / 30,
    "Q1H": 24.0, "Q2H": 12.0, "Q3H": 8.0, "Q4H": 6.0, "Q6H": 4.0, "Q8H": 3.0, "Q12H": 2.0,
    "Q24H": 1.0,
}  # fmt: skip
_NUMBER = {"once": 1, "twice": 2, "thrice": 3, "one": 1, "two": 2, "three": 3, "four": 4,
           "five": 5}  # fmt: skip
_SCHEDULE = re.compile(
    r"(?<![a-z0-9])(?:"
    r"(?P<n>once|twice|thrice|(?:one|two|three|four|five|[1-6])\s*(?:x|times?))"
    r"\s*(?:a|an|per|each|every|/)?\s*(?P<per>day|daily|night|nightly|week|weekly|wk)"
    r"|(?P<h>(?:every|q)\s?(?P<hours>\d{1,2})\s?h(?:ours?|rs?)?)"
    r"|(?P<alt>every\s+other\s+day|q\.?o\.?d|alternate\s+days)"
    r"|(?P<two>b\.?i\.?d|b\.?d)|(?P<three>t\.?i\.?d|t\.?d\.?s)|(?P<four>q\.?i\.?d|q\.?d\.?s)"
    r"|(?P<week>weekly)"
    r"|(?P<one>daily|nightly|q\.?d|o\.?d|q\.?h\.?s|hs|bedtime|at\s+night|at\s+bed"
    r"|(?:every|each)\s+(?:day|morning|evening|night))"
    r")(?![a-z0-9])"
)


def _match_per_day(m: re.Match[str]) -> float | None:
    """Administrations a day that one schedule phrase says."""
    if m["n"]:
        word = re.split(r"[\sx]|times?", m["n"], maxsplit=1)[0]
        count = _NUMBER[word] if word in _NUMBER else int(word)
        return count / 7 if m["per"] in ("week", "weekly", "wk") else float(count)
    if m["h"]:
        hours = int(m["hours"])
        return 24 / hours if hours else None
    named = {"alt": 0.5, "two": 2.0, "three": 3.0, "four": 4.0, "week": 1 / 7, "one": 1.0}
    return next((v for k, v in named.items() if m[k]), None)


# Days of the week the sig keeps a daily rate to ('twice a day on 2 days a week', 'on
# weekends', 'Mondays and Thursdays'): proactive use, not daily use.
_DAYS_A_WEEK = re.compile(
    r"(?<![a-z0-9])(?P<d>one|two|three|four|five|six|[1-6])\s+(?:consecutive\s+)?days?"
    r"\s*(?:a|an|per|each|every|/|in\s+(?:a|each|every|the))?\s*(?:week|wk)"
    r"|(?P<weekend>weekends?)"
)
_WEEKDAY = re.compile(
    r"(?<![a-z])(mon|tue|wed|thu|fri|sat|sun)(?:days?|s?day|nesday|rsday|urday)s?(?![a-z])"
    r"|(?<![a-z])(mon|tues?|wed|thu|thurs?|fri|sat)(?![a-z])"
)
_WEEKDAY_RANGE = re.compile(
    r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\s*(?:-|–|to|through|thru|until)\s*"
    r"(?:mon|tue|wed|thu|fri|sat|sun)"
)


# A day named for something else than the use: 'review on Monday', 'until Friday'.
_ONE_OFF = re.compile(
    r"(?<![a-z])(?:until|till|til|by|from|start\w*|review\w*|recheck\w*|reassess\w*|see|seen|"
    r"after|before|next|this|last|follow\w*|appointment|appt|clinic)(?:\W+[a-z]+){0,2}\W*$"
)


_STEP = re.compile(r"(?<![a-z])(?:then|followed by|thereafter|after that)(?![a-z])")


def _one_off(text: str, match: re.Match[str]) -> bool:
    return _ONE_OFF.search(text[max(0, match.start() - 40) : match.start()]) is not None


def days_a_week_written(text: str) -> float | None:
    """Days of each week the sig names for its use, when it names them: 'on 2 days a week',
    'weekends', weekday names; 0 when it names them in a way not counted here (a range
    'Monday to Friday', several different counts)."""
    counts = {2 if m["weekend"] else _NUMBER.get(m["d"]) or int(m["d"]) for m in
              _DAYS_A_WEEK.finditer(text) if not _one_off(text, m)}  # fmt: skip
    days = {(m[1] or m[2])[:3] for m in _WEEKDAY.finditer(text) if not _one_off(text, m)}
    if days:
        counts.add(0 if _WEEKDAY_RANGE.search(text) else len(days))
    if not counts:
        return None
    return float(counts.pop()) if len(counts) == 1 else 0.0


def per_day_written(res: Mapping[str, Any], instruction: str | None) -> float | None:
    """Administrations a day from a timing.code ('BID') or the sig ('apply thinly twice a
    day'), when timing.repeat gives none; None when they say nothing, or say several
    different things (a step-down 'twice daily for 1 week, then once daily'). A daily rate
    kept to some days of the week ('twice a day on 2 days a week') is averaged over the
    week; None when those days cannot be counted."""
    found = {_CODE_PER_DAY.get(w.strip().upper()) for w in timing_code_words(res)}
    text = instruction[:500].lower() if instruction else ""
    found |= {_match_per_day(m) for m in _SCHEDULE.finditer(text)}
    found.discard(None)
    rate = found.pop() if len(found) == 1 else None
    days = days_a_week_written(text)
    if rate is None or rate < 1 or days is None:
        return rate
    if _STEP.search(text):  # 'twice daily for 2 weeks, then on 2 days a week': two schedules
        return None
    return rate * days / 7 if 0 < days < 7 else (rate if days == 7 else None)
