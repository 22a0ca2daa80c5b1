"""The rule vocabulary: the words rules use, one meaning each, checked against the data.

Read top to bottom: the drug classes and the groups of them rules name, body sites, ages and
durations, then the questions rules ask of a `PatientPicture` about conditions and orders. The
picture (`cds_service/picture/`) holds the facts; this module holds the words for asking.

A name is a string a clinician can read ("tcs", "eczema-herpeticum", "eyelid"), and an unknown
one is an error, never a silent False: the names below are checked when this module is
imported, `MedicationOrder.is_a` and `PatientPicture.orders_in` raise `UnknownName` for a class
they do not know, `Terminology.value_set` raises for an unknown value set, and every rule
module is checked when it registers (`cds_service/rules/_names.py`): a string it passes to one
of these questions must be a known name. Start-up (`check_terminology`) compares the drug
classes with the ones the terminology data assigns.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from cds_service.terminology.model import OCCLUDED_SITES, SENSITIVE_SITES, TerminologyError
from cds_service.terminology.sites import SITE_CATEGORIES
from cds_service.terminology.terminology import DATA_DIR

if TYPE_CHECKING:
    from cds_service.picture import ConditionFact, MedicationOrder, PatientPicture
    from cds_service.terminology import Terminology


class UnknownName(KeyError):
    """A drug class, value set or site name the vocabulary does not know (a typo)."""


# --- Drug classes: what `order.is_a(...)` may ask. Each has a value set of the same name
# (terminology/data/valuesets/) and is assigned by terminology/data/drugs.json.
DRUG_CLASSES: dict[str, str] = {
    "tcs": "topical corticosteroid",
    "tci": "topical calcineurin inhibitor",
    "pde4-topical": "topical PDE4 inhibitor",
    "jak-topical": "topical JAK inhibitor",
    "jak-oral": "oral JAK inhibitor",
    "biologic": "biologic",
    "systemic-immunosuppressant": "systemic immunosuppressant",
    "oral-corticosteroid": "oral corticosteroid",
    "emollient": "emollient",
    "antihistamine-sedating": "sedating antihistamine",
    "antihistamine-non-sedating": "non-sedating antihistamine",
    "antihistamine-topical": "topical antihistamine",
    "antifungal-topical": "topical antifungal",
    "topical-antimicrobial": "topical antimicrobial",
    "antiviral": "antiviral",
    "scabicide": "scabicide",
    "irritant-topical": "irritant topical (benzoyl peroxide, salicylic acid, retinoid)",
    "aspirin": "aspirin",
    "antiplatelet": "antiplatelet",
}

# Groups of classes, each named for the one question it answers.
# Topical anti-inflammatory treatment of eczema (courses, escalation, care plans).
ANTI_INFLAMMATORY = ("tcs", "tci", "pde4-topical", "jak-topical")
# Drafts to hold while eczema herpeticum is active (clinical-rules R-33): steroids, calcineurin
# inhibitors, JAK inhibitors and systemic immunosuppressants. Biologics are not listed:
# dupilumab is not known to worsen eczema herpeticum and is not routinely held.
HELD_IN_ECZEMA_HERPETICUM = (
    "tcs",
    "tci",
    "jak-topical",
    "jak-oral",
    "systemic-immunosuppressant",
    "oral-corticosteroid",
)
# Systemic immunomodulators: not combined with one another (clinical-rules R-51), nor with a
# topical JAK inhibitor (its label).
SYSTEMIC_IMMUNOMODULATORS = ("biologic", "jak-oral", "systemic-immunosuppressant")

# --- Value sets: conditions, orders and observations are asked about by value-set name, one
# JSON file each in terminology/data/valuesets/.
VALUE_SETS = frozenset(p.stem for p in (DATA_DIR / "valuesets").glob("*.json"))
ATOPIC_DERMATITIS = "atopic-dermatitis"
NON_ECZEMA_DERMATOSIS = "non-eczema-dermatosis"

# --- Body sites: an order's `sites` are these categories (terminology/sites.py).
SITES = frozenset(SITE_CATEGORIES)
# SENSITIVE_SITES: where high-potency TCS cause atrophy (R-14, §5.2); OCCLUDED_SITES: the
# nappy area (both from terminology/model.py, re-exported here).
FACE_SITES = frozenset({"face", "eyelid"})  # perioral region 110488009 maps to "face"

# --- Ages: completed years (`picture.age_years`), or completed months (`picture.age_months`).
TCI_MIN_AGE = 2  # Protopic 0.03% and Elidel 1%: not under 2 years
TACROLIMUS_ADULT_AGE = 16  # Protopic 0.1% only from 16 years
# NICE CG57, topical corticosteroids in children: no potent TCS under 12 months (at any site),
# no very potent TCS in children (under 12 years) without specialist supervision.
POTENT_TCS_MIN_MONTHS = 12
VERY_POTENT_TCS_MIN_AGE = 12

# --- Durations: look-back windows for orders on record.
SIX_MONTHS = timedelta(days=182)
TWELVE_MONTHS = timedelta(days=365)


def known(kind: str, names: Iterable[str]) -> None:
    """Raise UnknownName for a name that is not a known drug class, value set or site."""
    universe = {"drug class": DRUG_CLASSES.keys(), "value set": VALUE_SETS, "site": SITES}[kind]
    unknown = sorted({n for n in names if n not in universe})
    if unknown:
        raise UnknownName(f"unknown {kind}: {', '.join(unknown)}")


known("drug class", (*ANTI_INFLAMMATORY, *HELD_IN_ECZEMA_HERPETICUM, *SYSTEMIC_IMMUNOMODULATORS))
known("value set", (*DRUG_CLASSES, ATOPIC_DERMATITIS, NON_ECZEMA_DERMATOSIS))
known("site", (*SENSITIVE_SITES, *OCCLUDED_SITES, *FACE_SITES))


def check_terminology(terminology: Terminology) -> None:
    """Start-up: the classes the terminology assigns are exactly the ones named here."""
    assigned = terminology.drug_classes
    if assigned != DRUG_CLASSES.keys():
        raise TerminologyError(
            "drugs.json and cds_service/vocabulary.py DRUG_CLASSES differ: "
            f"{sorted(assigned ^ DRUG_CLASSES.keys())}"
        )


# --- Conditions. A condition is "in" a value set by a code OR by its text (negation-aware,
# picture/conditions.py); there is no codes-only reading.


def active_in(picture: PatientPicture, value_set: str) -> tuple[ConditionFact, ...]:
    """Active (or relapsed), not refuted conditions in the value set, by code or text."""
    return picture.active_conditions(value_set)


def has_active(picture: PatientPicture, value_set: str) -> bool:
    """True when an active condition is in the value set (`active_in` is not empty)."""
    return picture.has_active(value_set)


def recorded_in(picture: PatientPicture, value_set: str) -> tuple[ConditionFact, ...]:
    """Conditions in the value set (by code or text) of any clinical status, not refuted."""
    return picture.recorded_conditions(value_set)


# --- Orders.


def drafts_of(picture: PatientPicture, *classes: str) -> list[MedicationOrder]:
    """In-scope drafts in any of the drug classes."""
    return list(picture.drafts_in(classes))


def eczema_drafts(picture: PatientPicture, *classes: str) -> list[MedicationOrder]:
    """In-scope drafts in the classes that pass the AD gate (condition or reason)."""
    return [o for o in picture.drafts_in(classes) if picture.has_eczema(o)]


def for_eczema_or_unstated(picture: PatientPicture, order: MedicationOrder) -> bool:
    """An order counts as eczema treatment when its reason (a code or text, or a referenced
    Condition, read as conditions are) is atopic dermatitis, or when it records no reason."""
    if not order.reasons and not order.reason_references:
        return True
    return picture.reason_in(order, ATOPIC_DERMATITIS)


def is_current(picture: PatientPicture, order: MedicationOrder) -> bool:
    """A draft of this call, or an order on record that is active / on-hold and not yet ended."""
    if order.is_draft:
        return True
    return order.status in ("active", "on-hold") and (
        order.end is None or order.end >= picture.today
    )


def current(picture: PatientPicture, drug_class: str) -> list[MedicationOrder]:
    """Current orders (drafts or active on record) of the drug class."""
    return [o for o in picture.orders_in(drug_class) if is_current(picture, o)]


def is_potent_tcs(order: MedicationOrder) -> bool:
    """US class I-III or BNF potent / very potent: either scale is enough (clinical-rules §5.1)."""
    if not order.is_a("tcs"):
        return False
    # Betnovate 0.1% and Locoid are US class V but BNF potent: the UK scale must not be outvoted.
    us_potent = order.drug.us_class is not None and order.drug.us_class <= 3
    return us_potent or order.drug.uk_potency in ("potent", "very-potent")


def very_potent(order: MedicationOrder) -> bool:
    """US class I, or UK very potent when the US class is unknown."""
    if not order.is_a("tcs"):
        return False
    if order.drug.us_class is not None:
        return order.drug.us_class == 1
    return order.drug.uk_potency == "very-potent"


def drug_label(order: MedicationOrder) -> str:
    """The medication as the prescriber ordered it, for a card."""
    return order.name or order.drug.ingredient or "the ordered medication"


# --- Ages, for a card.


def age_text(picture: PatientPicture) -> str:
    """'4 months' under 2 years ('2 weeks', '5 days' under a month), else '15 years';
    'unknown' without a birth date."""
    years, months = picture.age_years, picture.age_months
    if years is None or months is None or picture.birth_date is None:
        return "unknown"
    if years >= 2:
        return f"{years} years"
    if months >= 1:
        return _counted(months, "month")
    days = (picture.today - picture.birth_date).days
    return (
        "under 1 day"
        if days < 1
        else _counted(days, "day")
        if days < 14
        else _counted(days // 7, "week")
    )


def _counted(number: int, unit: str) -> str:
    return f"{number} {unit}{'s' if number != 1 else ''}"


def tacrolimus_strength(age: int | None) -> str:
    """The labelled tacrolimus strength for the age (0.03% under 16 years or age unknown)."""
    return "0.1%" if age is not None and age >= TACROLIMUS_ADULT_AGE else "0.03%"
