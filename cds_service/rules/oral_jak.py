"""FDA labels for oral JAK inhibitors in atopic dermatitis: Rinvoq (upadacitinib, 2022) and Cibinqo
(abrocitinib, 2022/2023), boxed warning (serious infections, mortality, malignancy, MACE,
thrombosis): ages 12+, TB / hepatitis B / hepatitis C screening and CBC and lipids before starting,
no abrocitinib with antiplatelets (except aspirin <=81 mg) in the first 3 months; baricitinib
(Olumiant) is not FDA-approved for AD (clinical-rules R-50, R-55).
https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=RINVOQ
"""

from __future__ import annotations

from datetime import timedelta

from cds_service.picture import ConditionFact, MedicationOrder, PatientPicture
from cds_service.vocabulary import active_in, age_text, current

from . import MEDICATIONS, OBSERVATIONS, SELECT, SIGN, Decision, Finding, Silent, rule
from ._systemic import has_result_within, ingredient, named, strength_mg

RULE = "oral-jak-screening"
AD_JAKS = ("upadacitinib", "abrocitinib", "baricitinib")
MIN_AGE = 12
LAB_WINDOW_DAYS = 365  # screening results within 12 months
FIRST_MONTHS = timedelta(days=90)  # abrocitinib + antiplatelet: first 3 months of treatment
LOW_DOSE_ASPIRIN_MG = 81
LABS = (
    ("lab-tb", "tb", "order-lab-tb"),
    ("lab-hepatitis-b", "hepatitis-b", "order-lab-hepatitis-b"),
    ("lab-hepatitis-c", "hepatitis-c", "order-lab-hepatitis-c"),
    ("lab-cbc", "cbc", "order-lab-cbc"),
    ("lab-lipids", "lipids", "order-lab-lipids"),
)


def _antiplatelet(order: MedicationOrder) -> bool:
    """Clopidogrel / prasugrel / ticagrelor, or aspirin above 81 mg a day (unknown dose: no)."""
    if order.is_a("antiplatelet"):
        return True
    if not order.is_a("aspirin"):
        return False
    mg = strength_mg(order)
    if mg is None:
        return False
    return mg * max(order.per_day or 1.0, 1.0) > LOW_DOSE_ASPIRIN_MG


# The card variant per issue, most serious first.
VARIANTS = {"infection": "serious-infection", "age": "age", "antiplatelet": "antiplatelet"}


def _antiplatelet_name(platelets: list[MedicationOrder]) -> str | None:
    """The chart's name for the first antiplatelet (its ingredient without one)."""
    return platelets[0].name or ingredient(platelets[0])


def _infection_name(condition: ConditionFact) -> str | None:
    """The chart's text for the infection (the card file words its absence)."""
    return condition.text


def _in_first_months(picture: PatientPicture) -> bool:
    """No abrocitinib order on record started 3 or more months ago."""
    starts = [
        o.start or o.authored_on
        for o in named(picture.history, "abrocitinib")
        if o.status not in ("entered-in-error", "cancelled")
    ]
    dated = [s for s in starts if s is not None]
    return not dated or min(dated) > picture.today - FIRST_MONTHS


@rule(
    RULE,
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset({MEDICATIONS, OBSERVATIONS}),
    values="drug jak age min_age antiplatelet infection",
    codes={
        "issues": "infection age labs antiplatelet",
        "label_note": "eu-only ad-from-12",
        "missing_labs": " ".join(lab[1] for lab in LABS),
        "lab_reason": "screening",
    },
)
def oral_jak_screening(picture: PatientPicture) -> Decision:
    """Label checks before an oral JAK inhibitor for eczema: age, screening, antiplatelets."""
    jaks = named((o for o in picture.drafts if o.is_a("jak-oral")), *AD_JAKS)
    if not jaks:
        return Silent("no upadacitinib, abrocitinib or baricitinib among the drafts in scope")
    gated = [o for o in jaks if picture.has_eczema(o)]
    if not gated:
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    order = gated[0]
    jak = ingredient(order)
    issues: list[str] = []  # codes, worded by the card file
    infections = active_in(picture, "serious-infection")
    if infections:
        issues.append("infection")
    age = picture.age_years
    young = age is not None and age < MIN_AGE
    if young:
        issues.append("age")
    missing = [lab for lab in LABS if not has_result_within(picture, lab[0], LAB_WINDOW_DAYS)]
    if missing:
        issues.append("labs")
    platelets: list[MedicationOrder] = []
    if jak == "abrocitinib" and _in_first_months(picture):
        candidates = current(picture, "antiplatelet") + current(picture, "aspirin")
        platelets = [o for o in candidates if _antiplatelet(o)]
        if platelets:
            issues.append("antiplatelet")
    if not issues:
        return Silent(f"{jak}: age {age_text(picture)}, screening within 12 months, no conflict")
    variant = next((VARIANTS[i] for i in VARIANTS if i in issues), None)  # the first that applies
    suggestions: list[str] = []
    if (infections or young or platelets) and order.reference:
        suggestions.append("delete-jak-draft")
    if not infections and not young:
        suggestions += [m[2] for m in missing]
    return Finding(
        rule_id=RULE,
        reason=f"fired: {order.name or jak}: " + ", ".join(issues),
        values={
            "drug": order.name or jak,
            "jak": jak,
            "age": age_text(picture),
            "min_age": MIN_AGE,
            "issues": tuple(issues),
            "missing_labs": tuple(m[1] for m in missing),
            **({"antiplatelet": _antiplatelet_name(platelets)} if platelets else {}),
            **({"infection": _infection_name(infections[0])} if infections else {}),
            "label_note": "eu-only" if jak == "baricitinib" else "ad-from-12",
            "lab_reason": "screening",
        },
        orders=(order,),
        suggestions=tuple(suggestions),
        variant=variant,
    )
