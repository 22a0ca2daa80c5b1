"""FDA labels for AD biologics: Dupixent (dupilumab) from 6 months, dose by weight tier
(_dupilumab.py); Adbry (tralokinumab) from
12 years (2023); Ebglyss (lebrikizumab) from 12 years and 40 kg (2024); Nemluvio (nemolizumab)
from 12 years (2024) (clinical-rules R-53, R-54).
https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=DUPIXENT
"""

from __future__ import annotations

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.vocabulary import age_text, drug_label

from . import OBSERVATIONS, SELECT, SIGN, Decision, Finding, Silent, rule
from ._dupilumab import matches, ordered_dose, recent_weight_kg, tier
from ._systemic import ingredient, latest_weight_kg, named

RULE = "biologic-label-check"
AD_BIOLOGICS = ("dupilumab", "tralokinumab", "lebrikizumab", "nemolizumab")
DUPILUMAB_MIN_MONTHS = 6
MIN_YEARS = 12  # tralokinumab, lebrikizumab, nemolizumab
LEBRIKIZUMAB_MIN_KG = 40


@rule(
    RULE,
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset({OBSERVATIONS}),
    values="biologic drug expected label_limit ordered patient",
)
def biologic_label_check(picture: PatientPicture) -> Decision:
    """Warn when an AD biologic is ordered below its labelled age (or weight for lebrikizumab)."""
    drafts = named((o for o in picture.drafts if o.is_a("biologic")), *AD_BIOLOGICS)
    if not drafts:
        return Silent("no dupilumab, tralokinumab, lebrikizumab or nemolizumab drafted")
    gated = [o for o in drafts if picture.has_eczema(o)]
    if not gated:
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    years, months = picture.age_years, picture.age_months
    if years is None or months is None:
        return Silent("age unknown: no usable birth date")
    weight = latest_weight_kg(picture)
    for order in gated:
        name = ingredient(order)
        if name == "dupilumab":
            if months < DUPILUMAB_MIN_MONTHS:
                return _finding(picture, order, "6 months", age_text(picture))
            dose = _dupilumab_dose(picture, order, months)
            if dose is not None:
                return dose
            continue
        limit = f"{MIN_YEARS} years"
        too_light = name == "lebrikizumab" and weight is not None and weight < LEBRIKIZUMAB_MIN_KG
        if name == "lebrikizumab":
            limit += f" and {LEBRIKIZUMAB_MIN_KG} kg"
        if years < MIN_YEARS or too_light:
            patient = age_text(picture)
            if name == "lebrikizumab":
                patient += f", {weight:g} kg" if weight is not None else ", weight not recorded"
            return _finding(picture, order, limit, patient)
    weight_text = f", {weight:g} kg" if weight is not None else ""
    return Silent(f"{ingredient(gated[0])} within its label: {age_text(picture)}{weight_text}")


def _dupilumab_dose(picture: PatientPicture, order: MedicationOrder, months: int) -> Finding | None:
    """A finding when the dupilumab dose or interval is not the label's weight tier (§5.6)."""
    kg = recent_weight_kg(picture)
    expected = tier(months, kg)
    ordered = ordered_dose(order)
    if expected is None or ordered is None or matches(ordered, expected):
        return None
    mg, days = ordered
    weight = f", {kg:g} kg" if kg is not None else ""
    return Finding(
        rule_id=RULE,
        reason=(
            f"fired: {drug_label(order)} {mg:g} mg every {days:g} days; label tier "
            f"{expected.band}: {expected.text}"
        ),
        values={
            "drug": drug_label(order),
            "biologic": "dupilumab",
            "label_limit": expected.band,
            "patient": age_text(picture) + weight,
            "ordered": f"{mg:g} mg every {days / 7:g} weeks",
            "expected": expected.text,
        },
        orders=(order,),
        variant="dupilumab-dose",
    )


def _finding(picture: PatientPicture, order: MedicationOrder, limit: str, patient: str) -> Finding:
    return Finding(
        rule_id=RULE,
        reason=f"fired: {drug_label(order)} is labelled from {limit}; patient {patient}",
        values={
            "drug": drug_label(order),
            "biologic": ingredient(order),
            "label_limit": limit,
            "patient": patient,
        },
        orders=(order,),
    )
