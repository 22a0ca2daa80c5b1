"""FDA labels for AD biologics: Dupixent (dupilumab) from 6 months, dose by weight tier
(_dupilumab.py); Adbry (tralokinumab) from
12 years (2023); Ebglyss (lebrikizumab) from 12 years and 40 kg (2024); Nemluvio (nemolizumab)
from 12 years (2024) (clinical-rules R-53, R-54).
https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=DUPIXENT
"""

from __future__ import annotations

from typing import Any

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.vocabulary import age_text, drug_label

from . import OBSERVATIONS, SELECT, SIGN, Decision, Finding, Silent, rule
from ._dupilumab import (
    BANDS,
    loading_matches,
    matches,
    ordered_dose,
    ordered_loading_mg,
    recent_weight_kg,
    tier,
)
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
    values="age biologic drug kg loading_mg mg min_kg min_years ordered_loading_mg ordered_mg "
    "ordered_weeks weeks",
    codes={
        "label_limit": f"from-6-months from-12-years from-12-years-and-kg {BANDS}",
        "patient": "age age-and-kg age-no-kg",
        "expected": "loading no-loading",
        "ordered": "dose loading",
    },
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
                return _finding(picture, order, "from-6-months", _patient(picture, None, False))
            dose = _dupilumab_dose(picture, order, months)
            if dose is not None:
                return dose
            continue
        lebrikizumab = name == "lebrikizumab"
        too_light = lebrikizumab and weight is not None and weight < LEBRIKIZUMAB_MIN_KG
        if years < MIN_YEARS or too_light:
            limit = "from-12-years-and-kg" if lebrikizumab else "from-12-years"
            return _finding(picture, order, limit, _patient(picture, weight, lebrikizumab))
    weight_text = f", {weight:g} kg" if weight is not None else ""
    return Silent(f"{ingredient(gated[0])} within its label: {age_text(picture)}{weight_text}")


def _dupilumab_dose(picture: PatientPicture, order: MedicationOrder, months: int) -> Finding | None:
    """A finding when the dupilumab dose or interval is not the label's weight tier (§5.6)."""
    kg = recent_weight_kg(picture)
    expected = tier(months, kg)
    ordered = ordered_dose(order)
    if expected is None or ordered is None:
        return None
    loading = ordered_loading_mg(order)
    loading_ok = loading_matches(loading, expected, ordered[0])
    if matches(ordered, expected) and loading_ok:
        return None
    mg, days = ordered
    return Finding(
        rule_id=RULE,
        reason=(
            f"fired: {drug_label(order)} {'' if loading_ok else f'{loading:g} mg loading, '}"
            f"{mg:g} mg every {days:g} days; label tier "
            f"{expected.band}: {expected.text}"
        ),
        values={
            "drug": drug_label(order),
            "biologic": "dupilumab",
            "label_limit": expected.band,
            **_patient(picture, kg, True),
            "ordered": "dose" if loading_ok else "loading",
            "ordered_loading_mg": f"{loading:g}" if loading is not None else None,
            "ordered_mg": f"{mg:g}",
            "ordered_weeks": f"{days / 7:g}",
            "expected": "loading" if expected.loading_mg else "no-loading",
            "mg": expected.mg,
            "weeks": expected.weeks,
            "loading_mg": expected.loading_mg,
        },
        orders=(order,),
        variant="dupilumab-dose",
    )


def _patient(picture: PatientPicture, kg: float | None, weighed: bool) -> dict[str, Any]:
    """`patient`: the age, and when the label `weighed` the patient the weight or its absence
    (the card file words it)."""
    if not weighed:
        return {"patient": "age", "age": age_text(picture)}
    if kg is None:
        return {"patient": "age-no-kg", "age": age_text(picture)}
    return {"patient": "age-and-kg", "age": age_text(picture), "kg": f"{kg:g}"}


def _finding(
    picture: PatientPicture, order: MedicationOrder, limit: str, patient: dict[str, Any]
) -> Finding:
    return Finding(
        rule_id=RULE,
        reason=f"fired: {drug_label(order)} is labelled {limit}; patient {patient['age']}, "
        f"{patient.get('kg', 'no')} kg",
        values={
            "drug": drug_label(order),
            "biologic": ingredient(order),
            "label_limit": limit,
            **patient,
            "min_years": MIN_YEARS,
            "min_kg": LEBRIKIZUMAB_MIN_KG,
        },
        orders=(order,),
    )
