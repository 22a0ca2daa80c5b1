"""AAD 2024 guideline of care for atopic dermatitis: phototherapy and systemic therapies (Davis et
al., JAAD 2024): advises against systemic corticosteroids except as a short bridge; repeated or
prolonged courses call for steroid-sparing therapy (clinical-rules R-49).
https://doi.org/10.1016/j.jaad.2023.08.102
"""

from __future__ import annotations

from datetime import timedelta

from cds_service.picture import MedicationOrder, PatientPicture

from . import MEDICATIONS, SELECT, SIGN, Decision, Finding, Silent, rule
from ._systemic import drug_name

RULE = "oral-corticosteroid-for-eczema"
MAX_BURST_DAYS = 14  # a course longer than 14 days is prolonged
WINDOW = timedelta(days=182)  # "≥2 courses in 6 months" (this draft included)
REPEATED_COURSES = 2


def _for_eczema(picture: PatientPicture, order: MedicationOrder) -> bool:
    """The order's reason is eczema, or it gives no reason and eczema is active."""
    if order.reasons or order.reason_references:
        return picture.reason_in(order, "atopic-dermatitis")
    return picture.has_active("atopic-dermatitis")


@rule(RULE, hooks=frozenset({SELECT, SIGN}), needs=frozenset({MEDICATIONS}))
def oral_corticosteroid_for_eczema(picture: PatientPicture) -> Decision:
    """Advise against oral steroids for eczema; warn when repeated or longer than 14 days."""
    drafts = [o for o in picture.drafts if o.is_a("oral-corticosteroid")]
    if not drafts:
        return Silent("no oral corticosteroid among the draft orders in scope")
    eczema = [o for o in drafts if _for_eczema(picture, o)]
    if not eczema:
        return Silent("the oral corticosteroid is not for eczema (reason or no active eczema)")
    order = eczema[0]
    since = picture.today - WINDOW
    prior = [
        o
        for o in picture.history
        if o.is_a("oral-corticosteroid")
        and o.status not in ("entered-in-error", "cancelled")
        and (started := o.start or o.authored_on) is not None
        and started >= since
    ]
    courses = 1 + len(prior)
    days = order.duration_days
    long_course = days is not None and days > MAX_BURST_DAYS
    repeated = courses >= REPEATED_COURSES
    if long_course and repeated:
        why = f"a {days:g}-day course, and course {courses} in 6 months"
    elif long_course:
        why = f"a {days:g}-day course (more than {MAX_BURST_DAYS} days)"
    elif repeated:
        why = f"course {courses} of oral steroids in 6 months"
    else:
        why = (
            f"a {days:g}-day burst" if days is not None else "a course of unrecorded duration"
        ) + " for eczema"
    return Finding(
        rule_id=RULE,
        reason=f"fired: {drug_name(order)}: {why}",
        values={
            "drug": drug_name(order),
            "why": why,
            "days": f"{days:g}" if days is not None else "not recorded",
            "courses": courses,
        },
        orders=(order,),
        suggestions=("refer-dermatology",),
        variant=None if (long_course or repeated) else "burst",
    )
