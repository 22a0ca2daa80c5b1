"""MedicationRequest readers for the picture builder (Observations, records: `records.py`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cds_service.fhir.medications import contained_medication
from cds_service.terminology import DrugInfo, Terminology
from cds_service.terminology.drugtext import drug_text
from cds_service.terminology.strength import find_strengths

from . import access as fx
from . import dosage, order_sites
from .memo import Memo, concept_key, reference_key, repeat_key
from .model import MedicationOrder

_MASS_TO_GRAMS = {"g": 1.0, "gm": 1.0, "gram": 1.0, "grams": 1.0, "mg": 0.001, "kg": 1000.0}


def medication_concept(
    res: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]]
) -> tuple[Any, str | None, str | None]:
    """The medication CodeableConcept (direct or via a resolved reference), its display, and
    the concept's own text (what the terminology classifies; the display may come from the
    reference instead)."""
    concept = res.get("medicationCodeableConcept")
    if isinstance(concept, dict):
        label = fx.concept_text(concept)
        return concept, label, label
    ref_obj = res.get("medicationReference")
    ref = fx.reference(ref_obj)
    display = fx.label(ref_obj.get("display")) if isinstance(ref_obj, dict) else None
    # A local reference names this request's own contained Medication (not another order's).
    med = (
        (contained_medication(res, ref) if ref[0] == "#" else medications.get(ref)) if ref else None
    )
    if isinstance(med, Mapping) and isinstance(med.get("code"), dict):
        code = med["code"]
        label = fx.concept_text(code)
        details = _medication_details(med, label)
        return code, label or display, " ".join(filter(None, (label, details))) or None
    if display:
        return {"text": display}, display, display
    return None, None, None


def _medication_details(med: Mapping[str, Any], label: str | None) -> str | None:
    """What a Medication says beside its code, as text the drug classifier reads after the
    code's own: its one ingredient's Ratio strength ("5 mg/1 g") when the code text names no
    strength, and its form ("Ointment"). A strength or vehicle in the code text comes first, so
    it wins; a multi-ingredient Medication gives no strength (which ingredient is which)."""
    parts: list[str] = []
    items = [i for i in fx.as_list(med.get("ingredient")) if isinstance(i, dict)]
    has_strength = label is not None and bool(find_strengths(drug_text(label), 0, len(label)))
    if len(items) == 1 and not has_strength:
        ratio = _ratio_text(items[0].get("strength"))
        if ratio:
            parts += [fx.concept_text(items[0].get("itemCodeableConcept")) or "", ratio]
    form = fx.concept_text(med.get("form"))
    if form:
        parts.append(form)
    return " ".join(p for p in parts if p) or None


def _ratio_text(ratio: Any) -> str | None:
    """A FHIR Ratio strength as "5 mg/1 g" (UCUM code, else unit); None when incomplete."""
    if not isinstance(ratio, dict):
        return None
    sides = []
    for side in (ratio.get("numerator"), ratio.get("denominator")):
        if not isinstance(side, dict):
            return None
        value, unit = fx.number(side.get("value")), fx.text(side.get("code") or side.get("unit"))
        if value is None or not unit:
            return None
        sides.append(f"{value:g} {unit}")
    return "/".join(sides)


def build_order(
    res: Mapping[str, Any],
    medications: Mapping[str, Mapping[str, Any]],
    terminology: Terminology,
    is_draft: bool,
    in_scope: bool,
    memo: Memo | None = None,
) -> MedicationOrder:
    """Classify one MedicationRequest: drug class, status, schedule and dates now; sites,
    instructions, course, quantity and reasons (`dosage.py`) when a rule first reads them,
    except for a draft, whose details every rule reads: built now, so an unreadable draft is
    skipped as before.

    This runs once per prefetched order (thousands on a long chart), so it does only what
    nearly every rule needs; what its orders share is derived once per call with `memo`.
    """
    code = fx.code
    has_medication, name, med_codings, drug = _medication(res, medications, terminology, memo)
    plan = dosage.NO_SCHEDULE
    if "dosageInstruction" in res:
        plan = _schedule(dosage.first_repeat(res), memo)
    start = plan.start
    dispense = res.get("dispenseRequest")
    if start is None and isinstance(dispense, dict) and "validityPeriod" in dispense:
        start = fx.parse_date(fx.obj(dispense["validityPeriod"]).get("start"))
    authored = fx.parse_date(res.get("authoredOn"))
    # Positional, in ORDER_FIELDS' order: a third of the keyword call's cost (thousands a call).
    order = MedicationOrder(
        fx.resource_id(res.get("id")),
        is_draft,
        in_scope,
        code(res.get("status")),
        code(res.get("intent")),
        drug,
        name,
        med_codings,
        has_medication,
        plan.frequency,
        plan.period_days,
        plan.days_of_week,
        plan.when,
        authored,
        start or authored,
        plan.end,
        terminology,
        res,
    )
    if is_draft:  # stored where functools.cached_property keeps them: read from here on
        found = order.__dict__["details"] = dosage.read_details(res, terminology, drug)
        order.__dict__["placement"] = order_sites.read_sites(found, terminology, drug)
        order.__dict__["duration_days"] = dosage.course_days(res, lambda: found.instruction_text)
    return order


# MedicationOrder's fields, as build_order passes them (tests/test_picture_memo.py checks).
ORDER_FIELDS = (
    "id", "is_draft", "in_scope", "status", "intent", "drug", "name", "codings",
    "has_medication", "frequency", "period_days", "days_of_week", "when", "authored_on",
    "start", "end", "terminology", "raw",
)  # fmt: skip
if MedicationOrder.__struct_fields__ != ORDER_FIELDS:  # a reordered model must not load
    raise ImportError("MedicationOrder's fields changed: update build_order and ORDER_FIELDS")


def _medication(
    res: Mapping[str, Any],
    medications: Mapping[str, Mapping[str, Any]],
    terminology: Terminology,
    memo: Memo | None,
) -> tuple[bool, str | None, tuple[fx.Coding, ...], DrugInfo]:
    """Whether the order names a medication, its name, codings and drug; once per distinct
    concept (or reference) with `memo` (`memo.py`)."""
    key = None
    if memo is not None:
        concept = res.get("medicationCodeableConcept")
        if concept.__class__ is dict:
            key = concept_key(concept)
        elif not isinstance(concept, dict):
            ref = res.get("medicationReference")
            key = reference_key(ref) if ref.__class__ is dict else None
        found: Any = memo.drugs.get(key) if key is not None else None
        if found is not None:
            return found
    concept, name, concept_label = medication_concept(res, medications)
    med_codings = fx.codings(concept)
    drug = terminology.classify_drug(med_codings, concept_label)
    found = (concept is not None, name, med_codings, drug)
    if key is not None:
        memo.drugs[key] = found  # type: ignore[union-attr]
    return found


def _schedule(repeat: Mapping[str, Any], memo: Memo | None) -> dosage.Schedule:
    """`dosage.schedule(repeat)`, once per distinct repeat with `memo` (`memo.py`)."""
    key = repeat_key(repeat) if memo is not None and repeat else None
    if key is None or memo is None:
        return dosage.schedule(repeat)
    found: dosage.Schedule | None = memo.schedules.get(key)
    if found is None:
        found = memo.schedules[key] = dosage.schedule(repeat)
    return found


# Dispensed units (dispenseRequest.quantity code, else unit text, lower-cased) to grams: UCUM
# codes and unit words, and the SNOMED CT / dm+d units of measure 258682000 gram and 258773002
# millilitre. A millilitre of lotion, solution or foam counts as a gram, as labels count it
# (clobetasol solution: 50 mL a week like 50 g). A count of tubes, packs or bottles is grams
# only when the product name gives one pack size ("clobetasol 0.05 % ointment 60 g tube").
_TO_GRAMS = {
    **_MASS_TO_GRAMS, "258682000": 1.0, "[oz_av]": 28.349523125, "oz": 28.349523125,
    "ml": 1.0, "millilitre": 1.0, "milliliter": 1.0, "millilitres": 1.0, "milliliters": 1.0,
    "258773002": 1.0, "l": 1000.0, "[foz_us]": 29.5735295625, "[foz_br]": 28.4130625,
}  # fmt: skip


def grams(order: MedicationOrder) -> float | None:
    """Quantity of one fill in grams (mL counted as g) when its unit is a mass or volume unit."""
    if order.quantity_value is None or not order.quantity_unit:
        return None
    unit = order.quantity_unit.strip().lower()
    factor = _TO_GRAMS.get(unit)
    if factor is None:  # "gram(s)", "g (gram)", "mL(s)": the unit before the aside
        unit = _ASIDE.sub("", unit).strip()
        factor = _TO_GRAMS.get(unit)
    if factor is None and unit.strip("{}") in _PACKS:
        sizes = set(_PACK_SIZE.findall((order.name or "")[:200]))
        factor = float(sizes.pop()) if len(sizes) == 1 else None
    return order.quantity_value * factor if factor is not None else None


_ASIDE = re.compile(r"\(s\)|\([^()]{0,40}\)")
_PACKS = frozenset(
    {"tube", "tubes", "each", "ea", "pack", "packs", "package", "packages", "container",
     "containers", "jar", "jars", "bottle", "bottles", "can", "cans", "unit", "units"}
)  # fmt: skip
# A pack size in the product name: "60 g", "30 GM", "100 mL" (never a "/5 mL" denominator).
_PACK_SIZE = re.compile(r"(?<![/\d.])(\d{1,4}(?:\.\d+)?)\s*(?:g|gm|grams?|ml)\b", re.IGNORECASE)


def fills(order: MedicationOrder) -> int:
    """How many times the order may be dispensed: the first fill plus numberOfRepeatsAllowed."""
    return 1 + (order.refills or 0)


def total_grams(order: MedicationOrder) -> float | None:
    """Grams over every fill (grams() x fills()); None when one fill's grams are unknown."""
    one = grams(order)
    return one * fills(order) if one is not None else None
