"""Shared helpers for the systemic-therapy and label-check rules (observations, current orders)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from cds_service.picture import MedicationOrder, ObservationFact, PatientPicture

# Observation statuses that do not count as a result.
NOT_A_RESULT = frozenset({"entered-in-error", "cancelled", "registered"})
_MG = re.compile(r"^(\d+(?:\.\d+)?) MG$")
# Mass units of a body-weight valueQuantity (code, else unit text) to kg: UCUM codes, common
# unit words, and SNOMED CT / dm+d units 258683005 kilogram and 258682000 gram.
_LB, _OZ = 0.45359237, 0.028349523125
_TO_KG = {
    "kg": 1.0, "kgs": 1.0, "kilogram": 1.0, "kilograms": 1.0, "258683005": 1.0,
    "g": 0.001, "gm": 0.001, "gram": 0.001, "grams": 0.001, "258682000": 0.001,
    "[lb_av]": _LB, "lb": _LB, "lbs": _LB, "pound": _LB, "pounds": _LB,
    "[oz_av]": _OZ, "oz": _OZ, "ounce": _OZ, "ounces": _OZ,
}  # fmt: skip


def in_set(picture: PatientPicture, value_set: str, obs: ObservationFact) -> bool:
    """True when the observation's code (or its code text) is in the value set."""
    codes = [(s, c) for s, c, _d in obs.codings]
    texts = [obs.code_text] + [d for _s, _c, d in obs.codings if d]
    vs = picture.terminology
    return vs.in_value_set(value_set, codes) or any(
        vs.in_value_set(value_set, (), t) for t in texts
    )


def results(picture: PatientPicture, value_set: str) -> list[ObservationFact]:
    """Observations in the value set that are results (not cancelled or in error, and not a
    dataAbsentReason without a value: a test not performed checked nothing)."""
    return [
        o
        for o in picture.observations
        if o.status not in NOT_A_RESULT and not o.absent and in_set(picture, value_set, o)
    ]


def has_result_within(picture: PatientPicture, value_set: str, days: int) -> bool:
    """A result in the set within `days` of today; an undated result counts (its age is unknown)."""
    since = picture.today - timedelta(days=days)
    return any(o.effective is None or o.effective >= since for o in results(picture, value_set))


def last_result_date(picture: PatientPicture, value_set: str) -> date | None:
    """The date of the newest dated result in the value set."""
    dates = [o.effective for o in results(picture, value_set) if o.effective is not None]
    return max(dates) if dates else None


def latest_weight_kg(picture: PatientPicture) -> float | None:
    """The newest dated body-weight observation in kg, when its unit is a known mass unit."""
    dated = [o for o in results(picture, "body-weight") if o.effective and o.value is not None]
    if not dated:
        return None
    latest = max(dated, key=lambda o: o.effective or date.min)
    factor = _TO_KG.get((latest.unit or "").strip().lower())
    if factor is None or latest.value is None:
        return None
    return round(latest.value * factor, 1)


def ingredient(order: MedicationOrder) -> str:
    """The base ingredient name (no salt), or '' when unknown."""
    return (order.drug.ingredient or "").split(" ")[0] if order.drug.ingredient else ""


def named(orders: Iterable[MedicationOrder], *names: str) -> list[MedicationOrder]:
    """Orders whose ingredient starts with one of the names."""
    return [o for o in orders if (o.drug.ingredient or "").startswith(names)]


def strength_mg(order: MedicationOrder) -> float | None:
    """A plain 'N MG' unit strength (tablets), else None."""
    match = _MG.match(order.drug.strength_text or "")
    return float(match.group(1)) if match else None
