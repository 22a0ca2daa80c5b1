"""Ciclosporin for atopic dermatitis (off-label in the US; boxed warning: nephrotoxicity,
hypertension): check serum creatinine and blood pressure before and during treatment
(EuroGuiDerm 2022 systemic guideline, part I; clinical-rules R-52).
https://doi.org/10.1111/jdv.18345
"""

from __future__ import annotations

from cds_service.picture import PatientPicture
from cds_service.vocabulary import drug_label

from . import OBSERVATIONS, SIGN, Decision, Finding, Silent, rule
from ._systemic import has_result_within, last_result_date, named

RULE = "cyclosporine-monitoring"
WINDOW_DAYS = 30  # creatinine and blood pressure within the last 30 days
CHECKS = (
    ("lab-creatinine", "serum creatinine", "order-lab-creatinine"),
    ("blood-pressure", "blood pressure", "order-blood-pressure-check"),
)


@rule(
    RULE,
    hooks=frozenset({SIGN}),
    needs=frozenset({OBSERVATIONS}),
    values="drug lab_reason last_bp last_creatinine missing",
)
def cyclosporine_monitoring(picture: PatientPicture) -> Decision:
    """Warn when ciclosporin is signed without a creatinine and blood pressure in 30 days."""
    drafts = named(
        (o for o in picture.drafts if o.is_a("systemic-immunosuppressant")), "cyclosporine"
    )
    if not drafts:
        return Silent("no systemic ciclosporin among the draft orders")
    gated = [o for o in drafts if picture.has_eczema(o)]
    if not gated:
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    order = gated[0]
    missing = [c for c in CHECKS if not has_result_within(picture, c[0], WINDOW_DAYS)]
    if not missing:
        return Silent(f"creatinine and blood pressure recorded within {WINDOW_DAYS} days")

    def last(value_set: str) -> str:
        found = last_result_date(picture, value_set)
        return found.isoformat() if found else "none on record"

    names = " and ".join(c[1] for c in missing)
    return Finding(
        rule_id=RULE,
        reason=f"fired: {drug_label(order)} without {names} in the last {WINDOW_DAYS} days",
        values={
            "drug": drug_label(order),
            "missing": names,
            "last_creatinine": last("lab-creatinine"),
            "last_bp": last("blood-pressure"),
            "lab_reason": "Monitoring for ciclosporin (nephrotoxicity and hypertension)",
        },
        orders=(order,),
        suggestions=tuple(c[2] for c in missing),
    )
