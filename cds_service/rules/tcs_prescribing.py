"""Topical corticosteroid prescribing checks: AAD 2023 topical guideline (Sidbury et al., JAAD
2023;89:e1-e20), NICE CG57 (children) and the clobetasol label: complete orders (R-12, R-17),
class I limits (R-19), potency in young children (R-20), wet-wrap duration (R-21).
https://www.jaad.org/article/S0190-9622(23)00004-X/fulltext
"""

from __future__ import annotations

import math

from cds_service.picture import MedicationOrder, PatientPicture, grams
from cds_service.vocabulary import SENSITIVE_SITES, drug_label, is_potent_tcs, very_potent

from . import SELECT, SIGN, Decision, Finding, Silent, rule
from ._common import potency_label
from ._label_limits import label_limit
from ._topical import days, wet_wrap

DEFAULT_PER_DAY = 2  # twice daily until clearly better
DEFAULT_DAYS = 14  # usually 2-4 weeks; 14 days is inside every class I label too
DEFAULT_GRAMS = 30
INFANT_MONTHS = 12  # NICE CG57: no potent TCS under 12 months
CHILD_YEARS = 12  # NICE CG57: no very potent TCS in children
# Liquid vehicles (solution, lotion, foam, shampoo) are dispensed in mL; the clobetasol labels
# give the same number for them (solution / foam: 50 mL a week, like 50 g), and grams() counts
# a millilitre as a gram. These units make the card say "mL".
_VOLUME_UNITS = frozenset(
    {"ml", "milliliter", "milliliters", "millilitre", "millilitres", "258773002", "l"}
)
MAX_WET_WRAP_DAYS = 14.0  # 3-7 days, at most 14
WET_WRAP_DAYS = 7


def _tcs_drafts(picture: PatientPicture) -> list[MedicationOrder]:
    return [o for o in picture.drafts if o.is_a("tcs")]


@rule("tcs-incomplete-prescription", hooks=frozenset({SELECT, SIGN}), needs=frozenset())
def tcs_incomplete_prescription(picture: PatientPicture) -> Decision:
    """Info when a TCS draft has no frequency, duration or quantity."""
    tcs = _tcs_drafts(picture)
    if not tcs:
        return Silent("no topical corticosteroid among the draft orders in scope")
    gaps = [(o, _missing(o)) for o in tcs]
    gaps = [(o, m) for o, m in gaps if m]
    if not gaps:
        return Silent("every steroid draft has a frequency, a duration and a quantity")
    order, missing = gaps[0]
    if not picture.has_eczema(order):
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    missing_text = " and ".join(
        [", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing
    )
    return Finding(
        rule_id="tcs-incomplete-prescription",
        reason=f"{drug_label(order)} has no {missing_text}",
        values={
            "drug": drug_label(order),
            "missing": missing_text,
            "count": len(gaps),
            "add_per_day": DEFAULT_PER_DAY if "frequency" in missing else 0,
            "add_days": DEFAULT_DAYS if "duration" in missing else 0,
            "add_grams": DEFAULT_GRAMS if "quantity" in missing else 0,
        },
        orders=(order,),
        suggestions=("complete-tcs-order",) if order.raw else (),
    )


def _missing(order: MedicationOrder) -> list[str]:
    missing = []
    if order.frequency is None and not order.days_of_week:
        missing.append("frequency")
    if order.duration_days is None and not wet_wrap(order):  # wet-wrap-duration speaks there
        missing.append("duration")
    if order.quantity_value is None:
        missing.append("quantity")
    return missing


@rule("tcs-very-potent-limits", hooks=frozenset({SIGN}), needs=frozenset())
def tcs_very_potent_limits(picture: PatientPicture) -> Decision:
    """Warn when a class I TCS is ordered over its label's grams a week or consecutive days
    (clobetasol 50 g / 14 days, Diprolene ointment 45 g / 14 days: _label_limits.py)."""
    strong = [o for o in _tcs_drafts(picture) if very_potent(o)]
    if not strong:
        return Silent("no US class I (very potent) steroid among the draft orders")
    strong = [o for o in strong if not wet_wrap(o)]
    if not strong:
        return Silent("under wet wraps / occlusion: wet-wrap-duration offers the swap")
    age = picture.age_years
    if age is not None and age < CHILD_YEARS:
        return Silent(f"age {age}: tcs-potency-in-young-child advises a swap instead")
    over = []
    for order in strong:
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
            over.append((order, duration, amount, weekly, limit, unit, fills))
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
            "potency": potency_label(order),
            "unit": unit,
            "fills": (
                f" in {fills} fills (the first and {fills - 1} repeats)" if fills > 1 else ""
            ),
            "grams": _num(amount),
            "grams_per_week": _num(weekly),
            "days": (
                days(duration) if order.duration_days is not None else f"at least {duration:.0f}"
            ),
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


def _amount(order: MedicationOrder) -> tuple[float | None, str]:
    """The quantity per fill (picture.grams: mL counted as g) and the unit to show it in."""
    amount = grams(order)
    unit = (order.quantity_unit or "").strip().lower()
    return amount, "mL" if amount is not None and unit in _VOLUME_UNITS else "g"


def _course_days(order: MedicationOrder, fills: int) -> float | None:
    """Days the whole supply covers: the dosage bounds, else the expected supply duration (per
    fill in R4, so times the number of fills)."""
    repeat: dict[str, object] = {}
    dosages = order.raw.get("dosageInstruction") if order.raw else None
    for dosage in [dosages] if isinstance(dosages, dict) else dosages or []:
        timing = dosage.get("timing") if isinstance(dosage, dict) else None
        if isinstance(timing, dict) and isinstance(timing.get("repeat"), dict):
            repeat = timing["repeat"]
            break
    bounded = any(k in repeat for k in ("boundsDuration", "boundsPeriod", "boundsRange"))
    if order.duration_days is None or bounded or fills == 1:
        return order.duration_days
    return order.duration_days * fills


def _num(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0f}"


@rule("tcs-potency-in-young-child", hooks=frozenset({SELECT, SIGN}), needs=frozenset())
def tcs_potency_in_young_child(picture: PatientPicture) -> Decision:
    """Warn on potent TCS under 12 months and very potent TCS under 12 years."""
    tcs = _tcs_drafts(picture)
    if not tcs:
        return Silent("no topical corticosteroid among the draft orders in scope")
    months, years = picture.age_months, picture.age_years
    if months is None or years is None:
        return Silent("age unknown (no birth date)")
    if years >= CHILD_YEARS:
        return Silent(f"patient is {years} years old")
    infant = months < INFANT_MONTHS
    hits = [o for o in tcs if (is_potent_tcs(o) if infant else very_potent(o))]
    if not hits:
        known = [o for o in tcs if o.drug.us_class is not None or o.drug.uk_potency]
        if not known:
            return Silent("potency of the ordered steroid could not be determined")
        return Silent(f"{drug_label(known[0])} is {potency_label(known[0])}: allowed at this age")
    elsewhere = [o for o in hits if not (o.sites & SENSITIVE_SITES)]
    if not elsewhere:
        # That card's infant / toddler / child wording gives this rule's NICE reason too.
        return Silent("ordered for a sensitive site: tcs-potent-on-sensitive-site gives the age")
    order = elsewhere[0]
    if not picture.has_eczema(order):
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    age = f"{months} months" if infant else f"{years} years"
    return Finding(
        rule_id="tcs-potency-in-young-child",
        reason=f"{drug_label(order)} ({potency_label(order)}) ordered for a child aged {age}",
        values={"drug": drug_label(order), "potency": potency_label(order), "age": age},
        orders=(order,),
        # a child over 1 year (trunk / limbs: sensitive sites go to the site rule) may have a
        # moderate steroid too; an infant only the mild one
        suggestions=(
            (
                ("swap-to-hydrocortisone",)
                if infant
                else ("swap-to-hydrocortisone", "swap-to-fluticasone")
            )
            if order.reference
            else ()
        ),
        variant="infant" if infant else None,
    )


def _strong(order: MedicationOrder) -> bool:
    """US class I-II, or BNF very potent: not for occlusion (the clobetasol and Diprolene
    labels: not with occlusive dressings; AAD 2023: wet wraps with a lower-potency steroid)."""
    us_class = order.drug.us_class
    return (us_class is not None and us_class <= 2) or order.drug.uk_potency == "very-potent"


@rule("wet-wrap-duration", hooks=frozenset({SELECT, SIGN}), needs=frozenset())
def wet_wrap_duration(picture: PatientPicture) -> Decision:
    """Warn when a wet-wrap / occlusive TCS course has no duration or runs over 14 days, or
    when the steroid under the wraps is US class I-II / BNF very potent (any duration)."""
    wrapped = [(o, p) for o in _tcs_drafts(picture) if (p := wet_wrap(o))]
    if not wrapped:
        return Silent("no steroid draft mentions wet wraps or occlusion")
    strong = [(o, p) for o, p in wrapped if _strong(o)]
    long = [
        (o, p) for o, p in wrapped if o.duration_days is None or o.duration_days > MAX_WET_WRAP_DAYS
    ]
    if not (strong or long):
        return Silent(f"wet-wrap course of {days(wrapped[0][0].duration_days)} days (at most 14)")
    order, phrase = (strong or long)[0]
    if not picture.has_eczema(order):
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    too_long = order.duration_days is None or order.duration_days > MAX_WET_WRAP_DAYS
    if strong:
        # tcs-very-potent-limits stays silent on a wrapped order: this card's swap is the answer
        suggestions: tuple[str, ...] = ()
        if order.reference:
            suggestions = ("swap-wet-wrap-to-hydrocortisone", "swap-wet-wrap-to-fluticasone")
        if too_long and order.raw:
            suggestions += ("shorten-course",)
        variant: str | None = "strong-no-duration" if order.duration_days is None else "strong"
    else:
        suggestions = ("shorten-course",) if order.raw else ()
        variant = "no-duration" if order.duration_days is None else None
    return Finding(
        rule_id="wet-wrap-duration",
        reason=f"{drug_label(order)} with '{phrase}' for {days(order.duration_days)} days",
        values={
            "drug": drug_label(order),
            "potency": potency_label(order),
            "phrase": phrase,
            "days": days(order.duration_days),
            "new_days": WET_WRAP_DAYS,
        },
        orders=(order,),
        suggestions=suggestions,
        variant=variant,
    )
