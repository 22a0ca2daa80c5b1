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
CHECKS = (  # (value set, code the card file words, suggestion key)
    ("lab-creatinine", "creatinine", "order-lab-creatinine"),
    ("blood-pressure", "blood-pressure", "order-blood-pressure-check"),
)


@rule(
    RULE,
    hooks=frozenset({SIGN}),
    needs=frozenset({OBSERVATIONS}),
    values="drug bp_date creatinine_date",
    codes={
        "missing": "creatinine blood-pressure",
        "last_creatinine": "dated none",
        "last_bp": "dated none",
        "lab_reason": "ciclosporin",
    },
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

    dates = {
        name: found.isoformat()
        for name, value_set in (("creatinine_date", CHECKS[0][0]), ("bp_date", CHECKS[1][0]))
        if (found := last_result_date(picture, value_set)) is not None
    }
    return Finding(
        rule_id=RULE,
        reason=f"fired: {drug_label(order)} without {', '.join(c[1] for c in missing)} in the "
        f"last {WINDOW_DAYS} days",
        values={
            "drug": drug_label(order),
            "missing": tuple(c[1] for c in missing),
            **dates,
            "last_creatinine": "dated" if "creatinine_date" in dates else "none",
            "last_bp": "dated" if "bp_date" in dates else "none",
            "lab_reason": "ciclosporin",
        },
        orders=(order,),
        suggestions=tuple(c[2] for c in missing),
    )
