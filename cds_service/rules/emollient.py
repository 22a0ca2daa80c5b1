"""Emollients as the base of every eczema regimen (AAD 2023 topical guideline, strong
recommendation for moisturisers; seed 000; clinical-rules R-01, R-05, R-10 as amended by §5.5):
at order-sign, a topical steroid or calcineurin inhibitor with no emollient on record in 12
months and no moisturiser in a care plan. OTC emollients are rarely on the medication list, so
the card is kept for a real gap and shown at most once in 90 days (cds_service/repeats.py).
https://www.jaad.org/article/S0190-9622(23)00004-X/fulltext
"""

from __future__ import annotations

from datetime import timedelta

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.vocabulary import drug_label

from . import CAREPLANS, MEDICATIONS, SIGN, Decision, Finding, Silent, rule
from ._topical import STOPPING_STATUSES, course_end, started
from .care_plan import moisturiser_plan

WINDOW = timedelta(days=365)  # §5.5: no emollient order on record in 12 months
# §5.5: these orders show the patient has an emollient; cancelled, draft (not this call's)
# and entered-in-error ones do not.
ON_RECORD = frozenset({"active", "on-hold", "completed", "stopped", "unknown"})


def _emollient(picture: PatientPicture, order: MedicationOrder) -> bool:
    if order.is_a("emollient"):
        return True
    return not order.drug.drug_classes and picture.terminology.in_value_set(
        "emollient", [], order.name
    )


def _on_record(picture: PatientPicture, order: MedicationOrder) -> bool:
    """An emollient being ordered now, current, or that ran within the last 12 months."""
    if order.in_scope:
        return order.status not in STOPPING_STATUSES | {"entered-in-error"}
    if order.status is not None and order.status not in ON_RECORD:
        return False
    if order.status in (None, "active", "on-hold", "unknown"):
        return True
    when = course_end(order) or started(order)
    return when is None or when >= picture.today - WINDOW  # undated: cannot tell, assume recent


@rule(
    "emollient-not-prescribed",
    hooks=frozenset({SIGN}),
    needs=frozenset({MEDICATIONS, CAREPLANS}),
    values="drug",
)
def emollient_not_prescribed(picture: PatientPicture) -> Decision:
    """Suggest an emollient when a TCS or TCI is signed with no emollient on record."""
    treating = [
        o
        for o in picture.drafts
        if (o.is_a("tcs") or o.is_a("tci"))
        and o.status not in STOPPING_STATUSES | {"entered-in-error"}
    ]
    if not treating:
        return Silent("no topical steroid or calcineurin inhibitor being ordered")
    order = treating[0]
    if not picture.has_eczema(order):
        return Silent("no active atopic dermatitis / eczema")
    candidates = picture.orders_in("emollient", unclassified=True)
    # The first one names the silence: the rest of a long history is not read.
    current = next(
        (o for o in candidates if _emollient(picture, o) and _on_record(picture, o)), None
    )
    if current is not None:
        return Silent(f"emollient on record in the last 12 months: {drug_label(current)}")
    plan = moisturiser_plan(picture)
    if plan is not None:
        return Silent(f"a care plan with a moisturiser activity is on record ({plan.status})")
    return Finding(
        rule_id="emollient-not-prescribed",
        reason=f"{drug_label(order)} ordered and no emollient order or plan in the last 12 months",
        values={"drug": drug_label(order)},
        orders=(order,),
        suggestions=("order-emollient",),
    )
