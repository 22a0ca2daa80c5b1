"""Patch testing for suspected allergic contact dermatitis (clinical-rules R-40): eczema that is
worst where products touch (face, eyelids, neck, hands), keeps needing anti-inflammatory
courses, or has allergic contact dermatitis coded. AAD 2023 / JTF 2023 atopic dermatitis
guidance; seed article 003 ("Clues you may need patch testing").
https://doi.org/10.1016/j.anai.2023.11.009
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.vocabulary import ANTI_INFLAMMATORY, active_in, has_active

from . import SELECT, SERVICEREQUESTS, SIGN, VIEW, Decision, Finding, Silent, rule
from ._common import site_label
from ._topical import days_so_far, real

CONTACT_PRONE = frozenset({"face", "eyelid", "neck", "hand"})
WINDOW = timedelta(days=182)  # "≥2 anti-inflammatory orders in 6 months"
MIN_COURSES = 2
LONG_TREATMENT_DAYS = 28  # "a new course after ≥4 weeks of treatment"
RECENT_WORKUP = timedelta(days=365)


def _anti_inflammatory(order: MedicationOrder) -> bool:
    return any(order.is_a(c) for c in ANTI_INFLAMMATORY)


@rule(
    "patch-test-suggested",
    hooks=frozenset({VIEW, SELECT, SIGN}),
    needs=frozenset({"medications", SERVICEREQUESTS}),
    values="site prior_days courses",
    codes={"clue": "contact-dermatitis long-treatment repeated-courses"},
)
def patch_test_suggested(picture: PatientPicture) -> Decision:
    """Suggest patch testing when the eczema pattern points to a contact allergen."""
    if not picture.has_eczema(next(iter(picture.drafts), None)):
        return Silent("no active atopic dermatitis / eczema")
    vs = picture.terminology
    for record in picture.records:
        recent = record.authored is None or picture.today - record.authored <= RECENT_WORKUP
        if (
            recent
            and record.status not in ("revoked", "entered-in-error")
            and (record.in_set(vs, "patch-test") or record.in_set(vs, "dermatology-referral"))
        ):
            return Silent("a patch test or dermatology referral is already on record")

    if has_active(picture, "allergic-contact-dermatitis"):
        return _finding("contact-dermatitis", {"site": ""})

    since = picture.today - WINDOW
    # An order entered in error or cancelled was never a course of treatment.
    courses = [
        o
        for o in picture.orders_in(*ANTI_INFLAMMATORY)
        if real(o) and (o.in_scope or (not o.is_draft and o.authored_on and o.authored_on >= since))
    ]
    sites = frozenset().union(*(o.sites for o in courses)) if courses else frozenset()
    for condition in active_in(picture, "atopic-dermatitis"):
        sites |= condition.body_sites
    prone = sites & CONTACT_PRONE
    drafts = [o for o in picture.drafts if _anti_inflammatory(o)]
    prior_days = sum(days_so_far(picture, o) for o in courses if not o.is_draft and o.authored_on)
    if drafts and prior_days >= LONG_TREATMENT_DAYS and prone:  # contact-prone sites
        return _finding(
            "long-treatment", {"site": site_label(prone), "prior_days": f"{prior_days:.0f}"}
        )
    if len(courses) >= MIN_COURSES and prone:
        return _finding("repeated-courses", {"site": site_label(prone), "courses": len(courses)})

    if not courses:
        return Silent("no anti-inflammatory course in the last 6 months")
    return Silent(
        f"{len(courses)} course(s) in 6 months; contact-prone site "
        f"{'found' if prone else 'not found'}; {prior_days:.0f} days of prior treatment"
    )


def _finding(clue: str, values: dict[str, Any]) -> Finding:
    detail = ", ".join(f"{k} {v}" for k, v in values.items() if v != "")
    return Finding(
        rule_id="patch-test-suggested",
        reason=f"{clue}{': ' + detail if detail else ''}",
        values={"clue": clue, **values},
        suggestions=("order-patch-test", "refer-dermatology"),
    )
