"""A written eczema action plan: a flare plan and a maintenance plan, with education on bathing,
emollients, triggers and sleep (clinical-rules R-02, R-06, R-07, R-09, R-11, R-59, §5.5). NICE
CG57 recommends education and written information for every patient.
https://www.nice.org.uk/guidance/cg57
"""

from __future__ import annotations

import re
from datetime import timedelta

from cds_service.picture import PatientPicture, RecordFact
from cds_service.vocabulary import ANTI_INFLAMMATORY

from . import CAREPLANS, MEDICATIONS, VIEW, Decision, Finding, Silent, rule
from ._redflags import days_ago
from ._topical import real, started

CURRENT = frozenset({"active", "draft", "on-hold", "unknown"})
IGNORED = frozenset({"revoked", "entered-in-error"})
RECENT_DAYS = 365  # a completed plan from the last year still counts
TREATED_WINDOW = timedelta(days=90)  # §5.5: an anti-inflammatory order in the last 90 days
CHILD_YEARS = 12  # §5.5: NICE CG57 is the source for under 12s, NICE CKS for others
MOISTURISER_CODE = "225130001"  # SNOMED application of moisturizer to skin (Synthea)
_MOISTURISER_TEXT = re.compile(r"\b(?:moisturi[sz]\w*|emollient\w*)", re.IGNORECASE)


def _on_record(picture: PatientPicture, record: RecordFact) -> bool:
    """A CarePlan that is current, or finished within the last year."""
    if record.resource_type != "CarePlan" or record.status in IGNORED:
        return False
    if record.status is None or record.status in CURRENT:
        return True
    ago = days_ago(picture, record.authored)
    return ago is None or ago <= RECENT_DAYS  # an undated finished plan: cannot tell, assume recent


def _plan_on_record(picture: PatientPicture, record: RecordFact) -> bool:
    if not _on_record(picture, record):
        return False
    return record.in_set(picture.terminology, "skin-care-plan")


def moisturiser_plan(picture: PatientPicture) -> RecordFact | None:
    """A CarePlan on record with a moisturiser activity (225130001, or its text): emollient
    use is planned even when no emollient order is on the medication list (§5.5)."""
    for record in picture.records:
        if not _on_record(picture, record):
            continue
        if any(
            code == MOISTURISER_CODE or (display and _MOISTURISER_TEXT.search(display))
            for _s, code, display in record.codings
        ):
            return record
    return None


@rule(
    "eczema-action-plan",
    hooks=frozenset({VIEW}),
    needs=frozenset({CAREPLANS, MEDICATIONS}),
)
def eczema_action_plan(picture: PatientPicture) -> Decision:
    """Offer a written flare + maintenance plan: active eczema being treated, and no plan."""
    if not picture.has_eczema():
        return Silent("no active atopic dermatitis / eczema")
    plans = [r for r in picture.records if _plan_on_record(picture, r)]
    if plans:
        return Silent(f"a skin-care plan is on record ({plans[0].status or 'status not given'})")
    since = picture.today - TREATED_WINDOW
    treated = [
        o
        for o in picture.orders_in(*ANTI_INFLAMMATORY)
        if real(o) and (when := started(o)) is not None and since <= when <= picture.today
    ]
    if not treated:
        return Silent("no anti-inflammatory eczema treatment ordered in the last 90 days")
    age = picture.age_years
    return Finding(
        rule_id="eczema-action-plan",
        reason="active eczema treated in the last 90 days and no skin-care CarePlan on record",
        values={},
        variant=None if age is not None and age < CHILD_YEARS else "adult",
    )
