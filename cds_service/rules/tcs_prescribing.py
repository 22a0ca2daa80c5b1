"""Topical corticosteroid prescribing checks: AAD 2023 topical guideline (Sidbury et al., JAAD
2023;89:e1-e20), NICE CG57 (children) and the clobetasol label: complete orders (R-12, R-17),
potency in young children (R-20), wet-wrap duration (R-21); class I limits (R-19) are in
very_potent_limits.py.
https://www.jaad.org/article/S0190-9622(23)00004-X/fulltext
"""

from __future__ import annotations

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.picture.frequency import frequency_in_text, timing_code_frequency
from cds_service.vocabulary import (
    POTENT_TCS_MIN_MONTHS,
    SENSITIVE_SITES,
    VERY_POTENT_TCS_MIN_AGE,
    drafts_of,
    drug_label,
    is_potent_tcs,
    very_potent,
)

from . import SELECT, SIGN, Decision, Finding, Silent, rule
from ._common import POTENCY_CODES, potency_codes, potency_label
from ._topical import days, wet_wrap

DEFAULT_PER_DAY = 2  # twice daily until clearly better
DEFAULT_DAYS = 14  # usually 2-4 weeks; 14 days is inside every class I label too
DEFAULT_GRAMS = 30
MAX_WET_WRAP_DAYS = 14.0  # 3-7 days, at most 14
WET_WRAP_DAYS = 7


@rule(
    "tcs-incomplete-prescription",
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset(),
    values="add_days add_grams add_per_day count drug",
    codes={"missing": "frequency duration quantity", "adds": "frequency duration quantity"},
)
def tcs_incomplete_prescription(picture: PatientPicture) -> Decision:
    """Info when a TCS draft has no frequency, duration or quantity."""
    tcs = drafts_of(picture, "tcs")
    if not tcs:
        return Silent("no topical corticosteroid among the draft orders in scope")
    gaps = [(o, _missing(o)) for o in tcs]
    gaps = [(o, m) for o, m in gaps if m]
    if not gaps:
        return Silent("every steroid draft has a frequency, a duration and a quantity")
    order, missing = gaps[0]
    if not picture.has_eczema(order):
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    return Finding(
        rule_id="tcs-incomplete-prescription",
        reason=f"{drug_label(order)} has no {', '.join(missing)}",
        values={
            "drug": drug_label(order),
            "missing": tuple(missing),
            "adds": tuple(missing),  # the card words what the update adds for each
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
    if not _has_frequency(order):
        missing.append("frequency")
    if order.duration_days is None and not wet_wrap(order):  # wet-wrap-duration speaks there
        missing.append("duration")
    if order.quantity_value is None:
        missing.append("quantity")
    return missing


def _has_frequency(order: MedicationOrder) -> bool:
    """timing.repeat's frequency, days or times of day, a timing.code schedule ('BID'), or a
    schedule written in the instructions ('apply thinly twice a day')."""
    if order.frequency is not None or order.days_of_week or order.when:
        return True
    return frequency_in_text(order.instruction_text) or timing_code_frequency(order.raw)


@rule(
    "tcs-potency-in-young-child",
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset(),
    values="age drug",
    codes={"potency": POTENCY_CODES},
)
def tcs_potency_in_young_child(picture: PatientPicture) -> Decision:
    """Warn on potent TCS under 12 months and very potent TCS under 12 years."""
    tcs = drafts_of(picture, "tcs")
    if not tcs:
        return Silent("no topical corticosteroid among the draft orders in scope")
    months, years = picture.age_months, picture.age_years
    if months is None or years is None:
        return Silent("age unknown (no birth date)")
    if years >= VERY_POTENT_TCS_MIN_AGE:
        return Silent(f"patient is {years} years old")
    infant = months < POTENT_TCS_MIN_MONTHS
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
        values={"drug": drug_label(order), "potency": potency_codes(order), "age": age},
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


@rule(
    "wet-wrap-duration",
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset(),
    values="days drug new_days phrase",
    codes={"potency": POTENCY_CODES},
)
def wet_wrap_duration(picture: PatientPicture) -> Decision:
    """Warn when a wet-wrap / occlusive TCS course has no duration or runs over 14 days, or
    when the steroid under the wraps is US class I-II / BNF very potent (any duration)."""
    wrapped = [(o, p) for o in drafts_of(picture, "tcs") if (p := wet_wrap(o))]
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
        reason=f"{drug_label(order)} with '{phrase}' for {order.duration_days} days",
        values={
            "drug": drug_label(order),
            "potency": potency_codes(order),
            "phrase": phrase,
            "days": days(order.duration_days),
            "new_days": WET_WRAP_DAYS,
        },
        orders=(order,),
        suggestions=suggestions,
        variant=variant,
    )
