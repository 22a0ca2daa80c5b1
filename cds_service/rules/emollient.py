"""Emollients as the base of every eczema regimen (AAD 2023 topical guideline, strong
recommendation for moisturisers; seed 000; clinical-rules R-01, R-05, R-10): anti-inflammatory
therapy with no emollient on record, or an emollient stopped while eczema is active.
https://www.jaad.org/article/S0190-9622(23)00004-X/fulltext
"""

from __future__ import annotations

from datetime import timedelta

from cds_service.picture import MedicationOrder, PatientPicture

from . import MEDICATIONS, SELECT, SIGN, VIEW, Decision, Finding, Silent, rule
from ._common import ANTI_INFLAMMATORY, drug_label
from ._topical import STOPPING_STATUSES, course_end, latest, real, started

WINDOW = timedelta(days=90)  # no emollient order in the last 90 days


def _emollient(picture: PatientPicture, order: MedicationOrder) -> bool:
    if order.is_a("emollient"):
        return True
    return not order.drug.drug_classes and picture.terminology.in_value_set(
        "emollient", [], order.name
    )


def _on_record(picture: PatientPicture, order: MedicationOrder) -> bool:
    """A current emollient order, or one that ran within the last 90 days."""
    if not real(order) or order.status == "stopped":
        return False
    if order.status in (None, "active", "draft", "on-hold"):
        return True
    when = course_end(order) or started(order)
    return when is not None and when >= picture.today - WINDOW


@rule(
    "emollient-not-prescribed",
    hooks=frozenset({SELECT, SIGN, VIEW}),
    needs=frozenset({MEDICATIONS}),
)
def emollient_not_prescribed(picture: PatientPicture) -> Decision:
    """Suggest an emollient when anti-inflammatory therapy has none, or one is being stopped."""
    if not picture.has_eczema(next(iter(picture.drafts), None)):
        return Silent("no active atopic dermatitis / eczema")
    emollients = [o for o in picture.orders if _emollient(picture, o)]
    stopping = _being_stopped(picture, emollients)
    current = [o for o in emollients if _on_record(picture, o) and o is not stopping]
    if current:
        return Silent(f"emollient on record: {drug_label(current[0])}")
    if stopping is not None:
        return Finding(
            rule_id="emollient-not-prescribed",
            reason=f"{drug_label(stopping)} is {stopping.status} while eczema is active",
            values={"drug": drug_label(stopping), "status": stopping.status or "stopped"},
            orders=(stopping,),
            suggestions=("order-emollient",),
            variant="stopped",
        )
    if picture.hook == VIEW:
        treating = [o for o in picture.history if _anti_inflammatory(o) and o.status == "active"]
    else:
        treating = [o for o in picture.drafts if _anti_inflammatory(o)]
    if not treating:
        return Silent("no anti-inflammatory therapy ordered, and no emollient being stopped")
    order = treating[0]
    return Finding(
        rule_id="emollient-not-prescribed",
        reason=f"{drug_label(order)} ordered and no emollient order in the last 90 days",
        values={"drug": drug_label(order)},
        orders=(order,),
        suggestions=("order-emollient",),
    )


def _anti_inflammatory(order: MedicationOrder) -> bool:
    return any(order.is_a(c) for c in ANTI_INFLAMMATORY)


def _being_stopped(
    picture: PatientPicture, emollients: list[MedicationOrder]
) -> MedicationOrder | None:
    """Sign: a draft stopping an emollient. View: the latest emollient ended in the last 90 d."""
    if picture.hook == SIGN:
        return next((o for o in emollients if o.in_scope and o.status in STOPPING_STATUSES), None)
    if picture.hook != VIEW:
        return None
    last = latest(o for o in emollients if o.status != "entered-in-error")
    if last is None or last.status not in ("stopped", "completed"):
        return None
    ended = course_end(last) or started(last)
    if ended is None or not picture.today - WINDOW <= ended <= picture.today:
        return None
    return last
