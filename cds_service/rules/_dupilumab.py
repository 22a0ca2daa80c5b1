"""Dupilumab weight tiers for atopic dermatitis (Dupixent US prescribing information, section 2,
Tables 1 and 2; clinical-rules §5.6):

- 6 months to 5 years: 5 to < 15 kg 200 mg every 4 weeks; 15 to < 30 kg 300 mg every 4 weeks
  (no loading dose);
- 6 to 17 years: 15 to < 30 kg 600 mg loading then 300 mg every 4 weeks; 30 to < 60 kg 400 mg
  loading then 200 mg every 2 weeks; 60 kg or more 600 mg loading then 300 mg every 2 weeks;
- adults: 600 mg loading then 300 mg every 2 weeks (any weight).

The maintenance dose and interval of the order are compared with the tier of the latest body
weight recorded in the last 90 days; without such a weight (at any age, as §5.6 says), outside
every tier, or without a readable dose and interval the check stays silent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeGuard

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.picture.access import dicts
from cds_service.terminology.drugtext import MAX_TEXT

from ._systemic import _TO_KG, results

WEIGHT_MAX_AGE_DAYS = 90
_WEEK = {"wk": 7.0, "d": 1.0, "mo": 30.0, "h": 1 / 24}
BANDS = "adults 6-17y-60kg-plus 6-17y-30-60kg 6-17y-15-30kg 6m-5y-15-30kg 6m-5y-5-15kg"
# A number starts after no digit: the first match is the same, and a long run of digits is
# read once, not once from each of its digits (quadratic).
_MG = re.compile(r"(?<!\d)(\d+(?:\.\d+)?)\s*mg\b", re.IGNORECASE)
# "300 mg/2 mL", "200 MG in 1.14 ML": the product's concentration, for a dose written in mL.
_MG_PER_ML = re.compile(
    r"(?<!\d)(\d+(?:\.\d+)?)\s*mg\s*(?:/|per|in)\s*(\d+(?:\.\d+)?)?\s*ml\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Tier:
    """A label tier: `mg` every `weeks` weeks, after `loading_mg` (0: none); `band` is the
    tier's code (BANDS), worded by the card file."""

    band: str
    mg: int
    weeks: int
    loading_mg: int

    @property
    def text(self) -> str:
        """The dose for the explain trace (the card file words the card's)."""
        loading = f"{self.loading_mg} mg loading, then " if self.loading_mg else ""
        return f"{loading}{self.mg} mg every {self.weeks} weeks"


def tier(age_months: int, kg: float | None) -> Tier | None:
    """The labelled tier for age and weight; None without a weight or outside every tier."""
    if kg is None:
        return None
    if age_months >= 18 * 12:
        return Tier("adults", 300, 2, 600)
    if age_months >= 6 * 12:
        if kg >= 60:
            return Tier("6-17y-60kg-plus", 300, 2, 600)
        if kg >= 30:
            return Tier("6-17y-30-60kg", 200, 2, 400)
        if kg >= 15:
            return Tier("6-17y-15-30kg", 300, 4, 600)
        return None
    if age_months >= 6:
        if 15 <= kg < 30:
            return Tier("6m-5y-15-30kg", 300, 4, 0)
        if 5 <= kg < 15:
            return Tier("6m-5y-5-15kg", 200, 4, 0)
    return None


def recent_weight_kg(picture: PatientPicture) -> float | None:
    """The newest body weight in kg recorded in the last 90 days (None without one)."""
    since = picture.today - timedelta(days=WEIGHT_MAX_AGE_DAYS)
    dated = [
        o
        for o in results(picture, "body-weight")
        if o.effective and o.effective >= since and o.value is not None
    ]
    if not dated:
        return None
    latest = max(dated, key=lambda o: o.effective or since)
    factor = _TO_KG.get((latest.unit or "").strip().lower())
    return round(latest.value * factor, 1) if factor and latest.value is not None else None


def ordered_dose(order: MedicationOrder) -> tuple[float, float] | None:
    """(mg per maintenance dose, days between doses), None when either cannot be read.

    The maintenance dosage is the last one that is not a single (loading) dose. Its dose is
    `doseQuantity` in mg, or a count of syringes/pens times the mg in the product name."""
    dosages = list(dicts(order.raw.get("dosageInstruction")))
    maintenance = [d for d in dosages if _repeat(d).get("count") != 1] or dosages
    if not maintenance:
        return None
    dosage = maintenance[-1]
    repeat = _repeat(dosage)
    unit_days = _WEEK.get(str(repeat.get("periodUnit")))
    period, frequency = repeat.get("period"), repeat.get("frequency", 1)
    if unit_days is None or not _number(period) or not _number(frequency) or not frequency:
        return None
    interval = period * unit_days / float(frequency)
    mg = _dose_mg(dosage, order.name or "")
    return (mg, interval) if mg else None


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def ordered_loading_mg(order: MedicationOrder) -> float | None:
    """mg of the single (loading) dose given before the maintenance dosage; None when the
    order has no such dose (a continuing order) or its mg cannot be read."""
    dosages = list(dicts(order.raw.get("dosageInstruction")))
    single = [d for d in dosages if _repeat(d).get("count") == 1]
    if not single or len(single) == len(dosages):  # one dose only: that is the dose ordered
        return None
    return _dose_mg(single[0], order.name or "")


def loading_matches(loading_mg: float | None, expected: Tier, maintenance_mg: float) -> bool:
    """No loading dose ordered, or the tier's (none at 6 months to 5 years, §5.6). A first
    dose written on its own of the maintenance amount ("200 mg once", then "200 mg every 4
    weeks") is the first maintenance dose, no loading dose."""
    return (
        loading_mg is None
        or abs(loading_mg - expected.loading_mg) < 1
        or abs(loading_mg - maintenance_mg) < 1
    )


def _repeat(dosage: dict[str, Any]) -> dict[str, Any]:
    timing = dosage.get("timing")
    repeat = timing.get("repeat") if isinstance(timing, dict) else None
    return repeat if isinstance(repeat, dict) else {}


def _dose_mg(dosage: dict[str, Any], name: str) -> float | None:
    name = name[:MAX_TEXT]  # a product name's start, as drug names are read
    per_unit = _MG.search(name)
    dose = None
    for rate in dicts(dosage.get("doseAndRate")):
        if isinstance(rate.get("doseQuantity"), dict):
            dose = rate["doseQuantity"]
            break
    if dose is None or not isinstance(dose.get("value"), int | float):
        return float(per_unit.group(1)) if per_unit else None
    unit = str(dose.get("code") or dose.get("unit") or "").lower()
    if unit == "mg":
        return float(dose["value"])
    if unit == "ml":  # mL needs the concentration, read from the product name (else unknown)
        per_ml = _MG_PER_ML.search(name)
        if per_ml is None:
            return None
        return float(dose["value"]) * float(per_ml.group(1)) / float(per_ml.group(2) or 1)
    return float(dose["value"]) * float(per_unit.group(1)) if per_unit else None


def matches(ordered: tuple[float, float], expected: Tier) -> bool:
    """Same mg and the same interval (within a day)."""
    mg, days = ordered
    return abs(mg - expected.mg) < 1 and abs(days - expected.weeks * 7) <= 1
