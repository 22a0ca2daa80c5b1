"""AAD 2024 guideline of care for atopic dermatitis: phototherapy and systemic therapies (Davis et
al., JAAD 2024): advises against systemic corticosteroids except as a short bridge; repeated or
prolonged courses call for steroid-sparing therapy (clinical-rules R-49). Only courses for
eczema count: the order's reason is eczema, or no reason is given, eczema is active and no
condition that explains a steroid burst (asthma, COPD, croup, an allergic reaction, urticaria,
the `systemic-steroid-indication` value set) is; earlier courses count when their reason is
eczema or not recorded (§5.4). Under 12 years the card offers dermatology referral only.
https://doi.org/10.1016/j.jaad.2023.08.102
"""

from __future__ import annotations

from datetime import timedelta

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.vocabulary import ATOPIC_DERMATITIS, drug_label, for_eczema_or_unstated, has_active

from . import MEDICATIONS, SELECT, SIGN, Decision, Finding, Silent, rule

RULE = "oral-corticosteroid-for-eczema"
MAX_BURST_DAYS = 14  # a course longer than 14 days is prolonged
WINDOW = timedelta(days=182)  # "≥2 courses in 6 months" (this draft included)
REPEATED_COURSES = 2
CHILD_YEARS = 12  # §5.4: under 12 the card names no systemic drug, referral only
OTHER_INDICATION = "systemic-steroid-indication"


def _has_reason(order: MedicationOrder) -> bool:
    return bool(order.reasons or order.reason_references)


def _for_eczema(picture: PatientPicture, order: MedicationOrder) -> bool:
    """The order's reason is eczema; or it gives no reason, eczema is active and nothing on the
    problem list explains a steroid burst (asthma, croup, anaphylaxis...): then the indication
    cannot be decided and the rule stays silent."""
    if _has_reason(order):
        return picture.reason_in(order, ATOPIC_DERMATITIS)
    return has_active(picture, ATOPIC_DERMATITIS) and not has_active(picture, OTHER_INDICATION)


@rule(
    RULE,
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset({MEDICATIONS}),
    values="drug days courses max_days",
    codes={"why": "long-and-repeated long repeated burst burst-unrecorded"},
)
def oral_corticosteroid_for_eczema(picture: PatientPicture) -> Decision:
    """Advise against oral steroids for eczema; warn when repeated or longer than 14 days."""
    drafts = [o for o in picture.drafts if o.is_a("oral-corticosteroid")]
    if not drafts:
        return Silent("no oral corticosteroid among the draft orders in scope")
    eczema = [o for o in drafts if _for_eczema(picture, o)]
    if not eczema:
        return Silent(
            "the oral corticosteroid is not for eczema: another reason, no active eczema, or no "
            "reason and an active condition that explains a steroid course (asthma, croup...)"
        )
    order = eczema[0]
    since = picture.today - WINDOW
    prior = [
        o
        for o in picture.history
        if o.is_a("oral-corticosteroid")
        and o.status not in ("entered-in-error", "cancelled")
        and (started := o.start or o.authored_on) is not None
        and started >= since
        and for_eczema_or_unstated(picture, o)
    ]
    courses = 1 + len(prior)
    days = order.duration_days
    long_course = days is not None and days > MAX_BURST_DAYS
    repeated = courses >= REPEATED_COURSES
    if long_course and repeated:
        why = "long-and-repeated"
    elif long_course:
        why = "long"
    elif repeated:
        why = "repeated"
    else:
        why = "burst" if days is not None else "burst-unrecorded"
    return Finding(
        rule_id=RULE,
        reason=f"fired: {drug_label(order)}: {why} ({days} days, course {courses} in 6 months)",
        values={
            "drug": drug_label(order),
            "why": why,
            "days": f"{days:g}" if days is not None else None,
            "courses": courses,
            "max_days": MAX_BURST_DAYS,
        },
        orders=(order,),
        suggestions=("refer-dermatology",),
        variant=_variant(long_course or repeated, picture.age_years),
    )


def _variant(serious: bool, age: int | None) -> str | None:
    """Warning or burst wording; the child wording (unknown age included) names no drug."""
    child = age is None or age < CHILD_YEARS
    if serious:
        return "child" if child else None
    return "burst-child" if child else "burst"
