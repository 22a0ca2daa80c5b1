"""FDA label for ruxolitinib 1.5% cream (Opzelura, 2025: atopic dermatitis from 2 years; JAK boxed
warning; at most 60 g a week and 20% of body surface; not with biologics, other JAK inhibitors
or potent immunosuppressants) (clinical-rules R-27, R-44).
https://www.accessdata.fda.gov/drugsatfda_docs/label/2025/215309s007lbl.pdf
"""

from __future__ import annotations

from cds_service.picture import MedicationOrder, PatientPicture, grams
from cds_service.picture.access import duration_days, obj
from cds_service.vocabulary import SYSTEMIC_IMMUNOMODULATORS, age_text, current, drug_label

from . import MEDICATIONS, SELECT, SIGN, Decision, Finding, Silent, rule
from ._systemic import named

RULE = "topical-jak-label-check"
MIN_AGE = 2
MAX_G_PER_WEEK = 60.0


def _supply_days(order: MedicationOrder) -> float | None:
    """dispenseRequest.expectedSupplyDuration, else the course duration (boundsDuration...)."""
    supply = duration_days(obj(obj(order.raw).get("dispenseRequest")).get("expectedSupplyDuration"))
    return supply if supply else order.duration_days or None


@rule(
    RULE,
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset({MEDICATIONS}),
    values="drug age min_age other grams supply_days per_week weeks max_grams",
    codes={"issues": "age combination quantity"},
)
def topical_jak_label_check(picture: PatientPicture) -> Decision:
    """Warn on ruxolitinib cream under 2 years, over 60 g/week, or with an immunomodulator."""
    drafts = named((o for o in picture.drafts if o.is_a("jak-topical")), "ruxolitinib")
    if not drafts:
        return Silent("no ruxolitinib cream among the draft orders in scope")
    gated = [o for o in drafts if picture.has_eczema(o)]
    if not gated:
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    order = gated[0]
    issues: list[str] = []  # codes, worded by the card file
    age = picture.age_years
    young = age is not None and age < MIN_AGE
    if young:
        issues.append("age")
    others = [o for c in SYSTEMIC_IMMUNOMODULATORS for o in current(picture, c)]
    if others:
        issues.append("combination")
    g, days = grams(order), _supply_days(order)
    per_week = g / days * 7 if g is not None and days else None
    if per_week is not None and per_week > MAX_G_PER_WEEK:
        issues.append("quantity")
    if not issues:
        amount = f"{round(per_week, 1):g} g/week" if per_week is not None else "g/week unknown"
        return Silent(f"ruxolitinib cream: age {age_text(picture)}, {amount}, no immunomodulator")
    variant = "age" if young else "combination" if others else None
    if variant and order.reference:
        suggestions: tuple[str, ...] = ("delete-ruxolitinib-draft",)
    elif variant:
        suggestions = ()
    else:
        suggestions = ("limit-ruxolitinib-quantity",)
    return Finding(
        rule_id=RULE,
        reason=f"fired: {drug_label(order)}: " + ", ".join(issues),
        values={
            "drug": drug_label(order),
            "age": age_text(picture),
            "min_age": MIN_AGE,
            "issues": tuple(issues),
            "grams": f"{g:g}" if g is not None else None,
            "supply_days": f"{days:g}" if days else None,
            "other": drug_label(others[0]) if others else None,
            "per_week": f"{round(per_week, 1):g}" if per_week is not None else None,
            "weeks": round(days / 7, 2) if days else 0,
            "max_grams": int(MAX_G_PER_WEEK * days / 7) if days else 0,
        },
        orders=(order,),
        suggestions=suggestions,
        variant=variant,
    )
