"""Class I topical corticosteroid label limits (clinical-rules R-19, §5.6): grams a week and
consecutive days, per product (_label_limits.py: clobetasol 0.05% 50 g / 14 days, Diprolene
ointment 45 g / 14 days). AAD 2023 topical guideline (Sidbury et al.) and the product labels.
https://www.jaad.org/article/S0190-9622(23)00004-X/fulltext
"""

from __future__ import annotations

import math

from cds_service.picture import MedicationOrder, PatientPicture, grams
from cds_service.picture.access import dicts
from cds_service.vocabulary import VERY_POTENT_TCS_MIN_AGE, drafts_of, drug_label, very_potent

from . import SIGN, Decision, Finding, Silent, rule
from ._common import POTENCY_CODES, potency_codes
from ._label_limits import LabelLimit, label_limit
from ._topical import days, wet_wrap

# Liquid vehicles (solution, lotion, foam, shampoo) are dispensed in mL; the clobetasol labels
# give the same number for them (solution / foam: 50 mL a week, like 50 g), and grams() counts
# a millilitre as a gram. These units make the card say "mL".
_VOLUME_UNITS = frozenset(
    {"ml", "milliliter", "milliliters", "millilitre", "millilitres", "258773002", "l"}
)


@rule(
    "tcs-very-potent-limits",
    hooks=frozenset({SIGN}),
    needs=frozenset(),
    values="count days drug fills grams grams_per_week limit_source max_days max_grams_per_week "
    "new_days new_grams repeats unit",
    codes={"refilled": "no yes", "course": "stated implied", "potency": POTENCY_CODES},
)
def tcs_very_potent_limits(picture: PatientPicture) -> Decision:
    """Warn when a class I TCS is ordered over its label's grams a week or consecutive days
    (clobetasol 50 g / 14 days, Diprolene ointment 45 g / 14 days: _label_limits.py)."""
    strong = [o for o in drafts_of(picture, "tcs") if very_potent(o)]
    if not strong:
        return Silent("no US class I (very potent) steroid among the draft orders")
    strong = [o for o in strong if not wet_wrap(o)]
    if not strong:
        return Silent("under wet wraps / occlusion: wet-wrap-duration offers the swap")
    age = picture.age_years
    if age is not None and age < VERY_POTENT_TCS_MIN_AGE:
        return Silent(f"age {age}: tcs-potency-in-young-child advises a swap instead")
    over = [found for found in map(_over_limit, strong) if found is not None]
    # §5.1 is per order: a draft for another dermatosis does not hide an eczema draft beside it.
    over = [f for f in over if not picture.indication_other(f[0])] or over
    if not over:
        return Silent("class I steroid within its label's grams a week and days (or unknown)")
    order, duration, amount, weekly, limit, unit, fills = over[0]
    if not picture.has_eczema(order):
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    if picture.indication_other(order):
        return Silent("the order's reason is another dermatosis, not eczema")
    new_days = int(min(duration or limit.max_days, limit.max_days))
    new_grams = (
        math.floor(min(amount, limit.grams_per_week * new_days / 7)) if amount is not None else 0
    )
    return Finding(
        rule_id="tcs-very-potent-limits",
        reason=(
            f"{drug_label(order)}: {_num(weekly)} {unit}/week over {days(duration)} days "
            f"(label limits {limit.grams_per_week} {unit}/week, {limit.max_days} days)"
        ),
        values={
            "drug": drug_label(order),
            "potency": potency_codes(order),
            "unit": unit,
            "fills": fills,
            "repeats": fills - 1,
            "refilled": "yes" if fills > 1 else "no",
            "grams": _num(amount),
            "grams_per_week": _num(weekly),
            # no stated duration: the days the refills last at the weekly limit, a lower bound
            "days": days(duration) if order.duration_days is not None else f"{duration:.0f}",
            "course": "stated" if order.duration_days is not None else "implied",
            "new_days": new_days,
            "new_grams": new_grams,
            "max_grams_per_week": limit.grams_per_week,
            "max_days": limit.max_days,
            "limit_source": limit.label,
            "count": len(over),
        },
        orders=(order,),
        suggestions=("limit-very-potent",) if order.raw and order.reference else (),
    )


Over = tuple[MedicationOrder, float | None, float | None, float | None, LabelLimit, str, int]


def _over_limit(order: MedicationOrder) -> Over | None:
    """(order, days, amount, a week, limit, unit, fills) when the order exceeds its label's grams
    a week or days; None within them or when unknown."""
    limit = label_limit(order)
    (per_fill, unit), fills = _amount(order), 1 + (order.refills or 0)
    amount = per_fill * fills if per_fill is not None else None
    duration = _course_days(order, fills)
    if duration is None and amount is not None and fills > 1:
        # refills with no duration: used at the weekly limit, the supply lasts this long
        implied = amount * 7 / limit.grams_per_week
        duration = implied if implied > limit.max_days else None
    weekly = amount * 7 / duration if amount is not None and duration else None
    if (weekly is not None and weekly > limit.grams_per_week) or (
        duration is not None and duration > limit.max_days
    ):
        return order, duration, amount, weekly, limit, unit, fills
    return None


def _amount(order: MedicationOrder) -> tuple[float | None, str]:
    """The quantity per fill (picture.grams: mL counted as g) and the unit to show it in."""
    amount = grams(order)
    unit = (order.quantity_unit or "").strip().lower()
    return amount, "mL" if amount is not None and unit in _VOLUME_UNITS else "g"


def _course_days(order: MedicationOrder, fills: int) -> float | None:
    """Days the whole supply covers: the dosage bounds, else the expected supply duration (per
    fill in R4, so times the number of fills)."""
    repeat: dict[str, object] = {}
    for dosage in dicts(order.raw.get("dosageInstruction") if order.raw else None):
        timing = dosage.get("timing")
        if isinstance(timing, dict) and isinstance(timing.get("repeat"), dict):
            repeat = timing["repeat"]
            break
    bounded = any(k in repeat for k in ("boundsDuration", "boundsPeriod", "boundsRange"))
    if order.duration_days is None or bounded or fills == 1:
        return order.duration_days
    return order.duration_days * fills


def _num(value: float | None) -> str | None:
    return None if value is None else f"{value:.0f}"
