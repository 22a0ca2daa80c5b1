"""Escalation when topical therapy is not enough (seed 000 referral criteria; AAD 2024
phototherapy/systemic guideline; NICE CG57; clinical-rules R-45, R-46, R-47): 4+ weeks of
moderate-to-potent TCS followed by a new course or step-up, recurrent courses, or a systemic
steroid burst -> dermatology referral, phototherapy or systemic options.
https://www.nice.org.uk/guidance/cg57
"""

from __future__ import annotations

from cds_service.picture import MedicationOrder, PatientPicture

from . import MEDICATIONS, SELECT, SERVICEREQUESTS, VIEW, Decision, Finding, Silent, rule
from ._common import drug_label
from ._topical import SIX_MONTHS, TWELVE_MONTHS, courses, real, recent

MODERATE_OR_STRONGER = 4  # US class I-IV
CUMULATIVE_DAYS = 28.0  # no improvement after 4 weeks
RECURRENT_COURSES = 3  # 3+ courses in 6 months


def _moderate_plus(order: MedicationOrder) -> bool:
    c = order.drug.us_class
    return order.is_a("tcs") and c is not None and c <= MODERATE_OR_STRONGER


@rule(
    "escalate-refractory",
    hooks=frozenset({VIEW, SELECT}),
    needs=frozenset({MEDICATIONS, SERVICEREQUESTS}),
)
def escalate_refractory(picture: PatientPicture) -> Decision:
    """Warn and offer referral when eczema is not controlled on topical steroids."""
    drafts = [o for o in picture.drafts if o.is_a("tcs")]
    if picture.hook == SELECT and not drafts:
        return Silent("no topical corticosteroid among the selected orders")
    if not picture.has_eczema(drafts[0] if drafts else None):
        return Silent("no active atopic dermatitis / eczema")
    if drafts and picture.indication_other(drafts[0]):
        return Silent("the order's reason is another dermatosis, not eczema")
    vs = picture.terminology
    for record in picture.records:
        codes = [(s, c) for s, c, _d in record.codings]
        if (
            record.status not in ("revoked", "entered-in-error")
            and (record.authored is None or picture.today - record.authored <= TWELVE_MONTHS)
            and vs.in_value_set("dermatology-referral", codes)
        ):
            return Silent("a dermatology referral is already on record in the last 12 months")

    clues = []
    prior = [
        o
        for o in picture.history
        if _moderate_plus(o) and real(o) and recent(picture, o, SIX_MONTHS)
    ]
    cumulative = sum(o.duration_days or 0 for o in prior)
    new = [o for o in drafts if _moderate_plus(o)]
    if new and cumulative >= CUMULATIVE_DAYS:
        strongest = min(o.drug.us_class or 7 for o in prior)
        step = [o for o in new if (o.drug.us_class or 7) < strongest]
        kind = "a step-up in potency" if step else "a new course"
        clues.append(
            f"{cumulative:.0f} days of moderate-to-potent steroid in 6 months, then {kind}"
        )
    found = courses(picture, "tcs")
    if len(found) >= RECURRENT_COURSES:
        clues.append(f"{len(found)} steroid courses in 6 months")
    bursts = [
        o
        for o in picture.history
        if o.is_a("oral-corticosteroid") and real(o) and recent(picture, o, TWELVE_MONTHS)
    ]
    if bursts:
        clues.append(f"a systemic steroid course ({drug_label(bursts[-1])}) in the last 12 months")
    if not clues:
        return Silent(
            f"{cumulative:.0f} days of moderate-to-potent steroid, {len(found)} course(s) in 6 "
            "months, no systemic steroid in 12 months"
        )
    why = "; ".join(clues)
    return Finding(
        rule_id="escalate-refractory",
        reason=why,
        values={"why": why, "count": len(clues)},
        orders=tuple(drafts[:1]),
        suggestions=("refer-dermatology", "refer-phototherapy"),
    )
