"""A written eczema action plan: a flare plan and a maintenance plan, with education on bathing,
emollients, triggers and sleep (clinical-rules R-02, R-06, R-07, R-09, R-11, R-59; seed
articles 000 and 003). NICE CG57 recommends education and written information for every patient.
https://www.nice.org.uk/guidance/cg57
"""

from __future__ import annotations

from cds_service.picture import PatientPicture, RecordFact

from . import CAREPLANS, VIEW, Decision, Finding, Silent, rule
from ._redflags import days_ago

CURRENT = frozenset({"active", "draft", "on-hold", "unknown"})
IGNORED = frozenset({"revoked", "entered-in-error"})
RECENT_DAYS = 365  # a completed plan from the last year still counts


def _plan_on_record(picture: PatientPicture, record: RecordFact) -> bool:
    if record.resource_type != "CarePlan" or record.status in IGNORED:
        return False
    codes = [(s, c) for s, c, _d in record.codings]
    text = " ; ".join(d for _s, _c, d in record.codings if d) or None
    if not picture.terminology.in_value_set("skin-care-plan", codes, text):
        return False
    if record.status is None or record.status in CURRENT:
        return True
    ago = days_ago(picture, record.authored)
    return ago is None or ago <= RECENT_DAYS  # an undated finished plan: cannot tell, assume recent


@rule("eczema-action-plan", hooks=frozenset({VIEW}), needs=frozenset({CAREPLANS}))
def eczema_action_plan(picture: PatientPicture) -> Decision:
    """Offer a written flare + maintenance plan: active eczema and no skin-care plan."""
    if not picture.has_eczema():
        return Silent("no active atopic dermatitis / eczema")
    plans = [r for r in picture.records if _plan_on_record(picture, r)]
    if plans:
        return Silent(f"a skin-care plan is on record ({plans[0].status or 'status not given'})")
    return Finding(
        rule_id="eczema-action-plan",
        reason="active eczema and no current skin-care CarePlan on record",
        values={},
    )
