"""Escalation when topical therapy is not enough (seed 000 referral criteria; AAD 2024
phototherapy/systemic guideline; NICE CG57; clinical-rules R-45, R-46, R-47 as amended by
§5.4): 4+ weeks of moderate-to-potent TCS followed by a new course or step-up, recurrent
moderate-to-potent courses, or repeated systemic steroid courses for eczema -> dermatology
referral (and, from 12 years, phototherapy or systemic options).
https://www.nice.org.uk/guidance/cg57
"""

from __future__ import annotations

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.vocabulary import SIX_MONTHS, TWELVE_MONTHS, for_eczema_or_unstated

from . import MEDICATIONS, SELECT, SERVICEREQUESTS, VIEW, Decision, Finding, Silent, rule
from ._topical import STOPPING_STATUSES, days_so_far, is_intermittent, real, recent

MODERATE_OR_STRONGER = 4  # US class I-IV
UK_MODERATE_OR_STRONGER = {"moderate": 4, "potent": 2, "very-potent": 1}  # as US-class ranks
CUMULATIVE_DAYS = 28.0  # no improvement after 4 weeks
RECURRENT_COURSES = 3  # 3+ courses in 6 months
SYSTEMIC_COURSES = 2  # §5.4: 2+ systemic steroid courses for eczema in 12 months
ADULT_OPTIONS_AGE = 12  # §5.4: phototherapy / systemic options are named from 12 years


def _rank(order: MedicationOrder) -> int | None:
    """Potency as a US class (1 strongest) when moderate or stronger on either scale."""
    ranks = [c for c in (order.drug.us_class,) if c is not None and c <= MODERATE_OR_STRONGER]
    uk = UK_MODERATE_OR_STRONGER.get(order.drug.uk_potency or "")
    ranks += [uk] if uk is not None else []
    return min(ranks) if ranks and order.is_a("tcs") else None


def _referred_recently(picture: PatientPicture) -> bool:
    """A dermatology referral (not revoked or in error) on record in the last 12 months."""
    for record in picture.records:
        if (
            record.status not in ("revoked", "entered-in-error")
            and (record.authored is None or picture.today - record.authored <= TWELVE_MONTHS)
            and record.in_set(picture.terminology, "dermatology-referral")
        ):
            return True
    return False


def _systemic_courses(picture: PatientPicture) -> list[MedicationOrder]:
    """Oral corticosteroid courses on record in 12 months, for eczema or no stated reason."""
    return [
        o
        for o in picture.history
        if o.is_a("oral-corticosteroid")
        and real(o)
        and recent(picture, o, TWELVE_MONTHS)
        and for_eczema_or_unstated(picture, o)
    ]


def _prior_courses(picture: PatientPicture) -> list[MedicationOrder]:
    """Moderate-to-potent steroid courses on record in 6 months. Courses on record only: the
    draft being ordered is the "now", never part of the history. A course whose reason is
    another dermatosis (psoriasis, lichen sclerosus...) is not eczema treatment (§5.1), so it
    is no sign that eczema failed to respond (R-45: "for AD")."""
    return [
        o
        for o in picture.history
        if _rank(o) is not None
        and real(o)
        and recent(picture, o, SIX_MONTHS)
        and not picture.indication_other(o)
    ]


@rule(
    "escalate-refractory",
    hooks=frozenset({VIEW, SELECT}),
    needs=frozenset({MEDICATIONS, SERVICEREQUESTS}),
    values="cumulative_days flare_courses systemic_courses",
    codes={"why": "step-up new-course repeated-courses systemic-courses"},
)
def escalate_refractory(picture: PatientPicture) -> Decision:
    """Warn and offer referral when eczema is not controlled on topical steroids."""
    drafts = [o for o in picture.drafts if o.is_a("tcs") and o.status not in STOPPING_STATUSES]
    if picture.hook == SELECT and not drafts:
        return Silent("no topical corticosteroid among the selected orders")
    if not picture.has_eczema(drafts[0] if drafts else None):
        return Silent("no active atopic dermatitis / eczema")
    # A draft for another dermatosis is not eczema treatment (§5.1): neither the course nor a
    # step-up; with only such drafts the rule is silent.
    treating = [o for o in drafts if not picture.indication_other(o)]
    if drafts and not treating:
        return Silent("the order's reason is another dermatosis, not eczema")
    drafts = treating
    if _referred_recently(picture):
        return Silent("a dermatology referral is already on record in the last 12 months")

    clues: list[str] = []  # codes, worded by the card file
    prior = _prior_courses(picture)
    cumulative = sum(days_so_far(picture, o) for o in prior)
    new = [o for o in drafts if _rank(o) is not None]
    if new and cumulative >= CUMULATIVE_DAYS:
        strongest = min(_rank(o) or 7 for o in prior)
        step = [o for o in new if (_rank(o) or 7) < strongest]
        clues.append("step-up" if step else "new-course")
    flares = [o for o in prior if not is_intermittent(o)]
    if len(flares) >= RECURRENT_COURSES:
        clues.append("repeated-courses")
    bursts = _systemic_courses(picture)
    if len(bursts) >= SYSTEMIC_COURSES:
        clues.append("systemic-courses")
    counts = (
        f"{cumulative:.0f} days of moderate-to-potent steroid and {len(flares)} course(s) "
        f"on record in 6 months, {len(bursts)} systemic steroid course(s) for eczema in 12"
    )
    if not clues:
        return Silent(counts)
    age = picture.age_years
    adult = age is not None and age >= ADULT_OPTIONS_AGE
    return Finding(
        rule_id="escalate-refractory",
        reason=f"{', '.join(clues)}: {counts}"
        + ("" if adult else "; under 12 or age unknown: referral only"),
        values={
            "why": tuple(clues),
            "cumulative_days": f"{cumulative:.0f}",
            "flare_courses": len(flares),
            "systemic_courses": len(bursts),
        },
        orders=tuple(drafts[:1]),
        suggestions=("refer-dermatology", "refer-phototherapy")
        if adult
        else ("refer-dermatology",),
        variant=None if adult else "child",
    )
