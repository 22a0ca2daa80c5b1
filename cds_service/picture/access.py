"""Small defensive accessors over raw FHIR JSON: wrong types cost the fact, never the call."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from cds_service.text import normalise

Coding = tuple[str | None, str | None, str | None]  # (system, code, display)

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# What a relative reference's id may hold (cds-response.schema.json): a resource with any
# other id cannot be named by a suggestion, so it gets none rather than an invalid one.
_ID = re.compile(r"[^/\s\x00-\x1f\x7f-\x9f\ufeff\ufffd]{1,256}")


def as_list(value: Any) -> list[Any]:
    """A FHIR 0..* element as a list; a lone object (as the Sandbox sends) becomes one item."""
    if isinstance(value, list):
        return value
    if value is None:
        return []
    return [value]


def obj(value: Any) -> dict[str, Any]:
    """A FHIR complex element as a dict; anything else becomes an empty dict."""
    return value if isinstance(value, dict) else {}


def dicts(value: Any) -> Iterator[dict[str, Any]]:
    """The dict items of a 0..* element, skipping anything else."""
    for item in as_list(value):
        if isinstance(item, dict):
            yield item


def text(value: Any, limit: int = 2000) -> str | None:
    """A non-empty string, trimmed to `limit`, else None."""
    if value.__class__ is str:  # the usual case, tested first: this runs ~16 times per order
        if value and not value.isspace():
            return value if len(value) <= limit else value[:limit]
        return None
    if isinstance(value, str) and value and not value.isspace():
        return value[:limit]
    return None


def code(value: Any) -> str | None:
    """A FHIR code (`status`, `intent`) as rules compare it: codes are lower case, but some
    exports capitalise them ("ACTIVE", "Completed"), which must not make an order look void."""
    found = text(value, 64)
    if found is None or (found.islower() and not found[0].isspace() and not found[-1].isspace()):
        return found
    return found.strip().lower()


def resource_id(value: Any) -> str | None:
    """A resource ``id`` usable in ``Type/id`` references (no slash, space or control
    character; at most 256 characters), else None."""
    if value.__class__ is not str:
        return None
    if value.isascii():  # `_ID` for ASCII, without the regex (twice as fast; once a resource)
        ok = 0 < len(value) <= 256 and value.isprintable() and " " not in value
        return value if ok and "/" not in value else None
    return value if _ID.fullmatch(value) else None


def label(value: Any, limit: int = 2000) -> str | None:
    """Free text (a name, display or instruction) as `text` gives it, in the normalised form
    every matcher expects (`cds_service/text.py`); pure ASCII is returned as it is."""
    found = text(value, limit)
    if found is None or found.isascii():
        return found
    return text(normalise(found), limit)  # what is left may be nothing but spaces


def number(value: Any) -> float | None:
    """A finite JSON number (booleans excluded) as a float, else None (also for an integer too
    large for a float: json.loads reads 400 digits as an int)."""
    cls = value.__class__
    if cls is not float:
        if cls is bool or not isinstance(value, int | float):
            return None
        try:
            value = float(value)
        except OverflowError:
            return None
    return value if value - value == 0.0 else None  # inf - inf and nan - nan are nan


def codings(concept: Any) -> tuple[Coding, ...]:
    """(system, code, display) for each coding of a CodeableConcept; code and display
    normalised (a fullwidth digit or a zero-width space must not hide a code)."""
    if not isinstance(concept, dict):
        return ()
    items = concept.get("coding")
    if items is None:
        return ()
    found = []
    as_text = text
    for c in items if isinstance(items, list) else [items]:
        if isinstance(c, dict):
            code, display = as_text(c.get("code")), as_text(c.get("display"))
            if code is not None and not code.isascii():
                code = normalise(code) or None
            if display is not None and not display.isascii():
                display = normalise(display) or None
            found.append((as_text(c.get("system")), code, display))
    return tuple(found)


def concept_text(concept: Any) -> str | None:
    """CodeableConcept.text, or the first coding display."""
    if not isinstance(concept, dict):
        return None
    found = label(concept.get("text"))
    if found:
        return found
    for _system, _code, display in codings(concept):
        if display:
            return display
    return None


def first_code(concept: Any) -> str | None:
    """The first non-empty code of a CodeableConcept."""
    if not isinstance(concept, dict):
        return None
    items = concept.get("coding")
    if items is None:
        return None
    for c in items if isinstance(items, list) else [items]:
        if isinstance(c, dict):
            code = text(c.get("code"))
            if code:
                return code if code.isascii() else normalise(code) or None
    return None


def parse_date(value: Any) -> date | None:
    """A FHIR date/dateTime/instant as a date (partial dates take the first day), else None."""
    if not isinstance(value, str):
        return None
    # The pattern reads at most 10 characters: charts repeat dates, so answer per prefix.
    return _date_prefix(value.lstrip()[:10])


@lru_cache(maxsize=8192)
def _date_prefix(value: str) -> date | None:
    match = _DATE.match(value)
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


_UNIT_DAYS = {
    "s": 1 / 86400,
    "min": 1 / 1440,
    "h": 1 / 24,
    "d": 1.0,
    "wk": 7.0,
    "mo": 30.0,
    "a": 365.0,
}
_UNIT_ALIASES = {
    "day": "d",
    "days": "d",
    "week": "wk",
    "weeks": "wk",
    "wks": "wk",
    "month": "mo",
    "months": "mo",
    "year": "a",
    "years": "a",
    "hour": "h",
    "hours": "h",
}


MAX_DAYS = 36_500.0  # a century: longer "durations" are data errors (and overflow date maths)


def duration_days(quantity: Any) -> float | None:
    """A Duration/Quantity of time (UCUM or plain unit words) in days."""
    if not isinstance(quantity, dict):
        return None
    return in_days(quantity.get("value"), quantity.get("code"), quantity.get("unit"))


def in_days(value: Any, code: Any, unit: Any) -> float | None:
    """`value` of a time unit (UCUM `code`, else plain-word `unit`) in days."""
    amount = number(value)
    if amount is None or amount < 0:
        return None
    name = text(code) or text(unit) or ""
    factor = _UNIT_DAYS.get(_UNIT_ALIASES.get(name.lower(), name))
    if factor is None or amount * factor > MAX_DAYS:
        return None  # not a time unit, or no real course or period: unknown, not huge
    return amount * factor


def reference(value: Any) -> str | None:
    """Reference.reference as a string."""
    return text(value.get("reference")) if isinstance(value, dict) else None
