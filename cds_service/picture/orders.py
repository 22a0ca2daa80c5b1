"""MedicationRequest, Observation and record readers for the picture builder."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cds_service.terminology import DrugInfo, Terminology
from cds_service.terminology.drugtext import drug_text
from cds_service.terminology.sites import text_sites as sites_in_text
from cds_service.terminology.strength import find_strengths

from . import access as fx
from .model import MedicationOrder, ObservationFact, RecordFact

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
    med = medications.get(ref) if ref else None
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
) -> MedicationOrder:
    """Classify one MedicationRequest: drug class, potency, sites, timing, duration, quantity.

    This runs once per prefetched order (thousands on a long chart), so absent elements are
    tested with ``in`` before any work is done for them.
    """
    text, number, obj, label = fx.text, fx.number, fx.obj, fx.label
    concept, name, concept_label = medication_concept(res, medications)
    med_codings = fx.codings(concept)
    drug = terminology.classify_drug(med_codings, concept_label)

    site_codings: tuple[fx.Coding, ...] = ()
    timing: Any = None
    as_needed = False
    texts: list[str | None] = []
    if "dosageInstruction" in res:
        dosages = [d for d in fx.as_list(res["dosageInstruction"]) if isinstance(d, dict)]
        # One pass; the texts keep the documented order: texts, patient texts, site texts.
        patient_texts: list[str | None] = []
        site_texts: list[str | None] = []
        sites: list[fx.Coding] = []
        for d in dosages:
            texts.append(label(d.get("text")))  # free text: normalised (cds_service/text.py)
            patient_texts.append(label(d.get("patientInstruction")))
            if "additionalInstruction" in d:  # CodeableConcepts: "Apply to face and neck"
                patient_texts += [fx.concept_text(c) for c in fx.dicts(d["additionalInstruction"])]
            site = d.get("site")
            if site is not None:
                sites.extend(fx.codings(site))
                if isinstance(site, dict):
                    site_texts.append(fx.concept_text(site))
            if timing is None:
                timing = d.get("timing")
            as_needed = as_needed or (
                d.get("asNeededBoolean") is True or "asNeededCodeableConcept" in d
            )
        site_codings = tuple(sites)
        texts += patient_texts + site_texts
    if "note" in res:
        texts += [label(n.get("text")) for n in fx.dicts(res.get("note"))]
    instruction = " ; ".join([t for t in texts if t]) or None

    coded_sites = (
        terminology.body_sites([(s, c) for s, c, _ in site_codings], None)
        if site_codings
        else frozenset()
    )
    text_sites = terminology.body_sites((), instruction) if instruction else frozenset()
    if text_sites and instruction:
        # A clause naming another drug gives that drug's site: "(use hydrocortisone 1% on face)".
        text_sites = sites_in_text(
            instruction, lambda clause: _names_other_drug(terminology, drug, clause)
        )
    # Card text quotes this, so it is worded for the prescriber, not as a FHIR path.
    if coded_sites:
        evidence: str | None = "the coded body site"
    elif text_sites:
        evidence = "the instructions"
    else:
        evidence = None

    repeat = obj(timing.get("repeat")) if isinstance(timing, dict) else {}
    frequency = period_days = duration = start = end = None
    days_of_week: tuple[str, ...] = ()
    when: tuple[str, ...] = ()
    if repeat:
        frequency = number(repeat.get("frequency"))
        period = repeat.get("period")
        if period is not None:
            period_days = fx.in_days(period, repeat.get("periodUnit"), None)
        if "boundsDuration" in repeat:
            duration = fx.duration_days(repeat["boundsDuration"])
        bounds_period = repeat.get("boundsPeriod")
        if isinstance(bounds_period, dict):
            start = fx.parse_date(bounds_period.get("start"))
            end = fx.parse_date(bounds_period.get("end"))
        if duration is None and start and end and end >= start:
            duration = float((end - start).days)
        if "dayOfWeek" in repeat:
            days_of_week = tuple([d for d in fx.as_list(repeat["dayOfWeek"]) if isinstance(d, str)])
        if "when" in repeat:
            when = tuple([w for w in fx.as_list(repeat["when"]) if isinstance(w, str)])

    if duration is None and instruction and not repeat.get("boundsDuration"):
        duration = _duration_in_text(instruction)

    quantity_value = quantity_unit = refills = None
    dispense = res.get("dispenseRequest")
    if isinstance(dispense, dict):
        if start is None and "validityPeriod" in dispense:
            start = fx.parse_date(obj(dispense["validityPeriod"]).get("start"))
        if duration is None and "expectedSupplyDuration" in dispense:
            duration = fx.duration_days(dispense["expectedSupplyDuration"])
        quantity = dispense.get("quantity")
        if isinstance(quantity, dict):
            quantity_value = number(quantity.get("value"))
            quantity_unit = text(quantity.get("code")) or text(quantity.get("unit"))
        refills = number(dispense.get("numberOfRepeatsAllowed"))

    reasons: tuple[fx.Coding, ...] = ()
    if "reasonCode" in res:
        reasons = tuple([c for r in fx.dicts(res["reasonCode"]) for c in fx.codings(r)])
    reason_refs: tuple[str, ...] = ()
    if "reasonReference" in res:
        found = [fx.reference(r) for r in fx.dicts(res["reasonReference"])]
        reason_refs = tuple([ref for ref in found if ref])
    authored = fx.parse_date(res.get("authoredOn"))
    return MedicationOrder(
        id=fx.resource_id(res.get("id")),
        is_draft=is_draft,
        in_scope=in_scope,
        status=text(res.get("status")),
        intent=text(res.get("intent")),
        drug=drug,
        name=name,
        codings=med_codings,
        has_medication=concept is not None,
        sites=coded_sites or text_sites,
        site_evidence=evidence,
        site_codings=site_codings,
        instruction_text=instruction,
        frequency=frequency,
        period_days=period_days,
        days_of_week=days_of_week,
        when=when,
        as_needed=as_needed,
        duration_days=duration,
        quantity_value=quantity_value,
        quantity_unit=quantity_unit,
        refills=int(refills) if refills is not None and refills >= 0 else None,
        authored_on=authored,
        start=start or authored,
        end=end,
        reason_codings=reasons,
        reason_references=reason_refs,
        raw=res,
    )


# Dispensed units (dispenseRequest.quantity code, else unit text, lower-cased) to grams: UCUM
# codes and unit words, and the SNOMED CT / dm+d units of measure 258682000 gram and 258773002
# millilitre. A millilitre of lotion, solution or foam counts as a gram, as labels count it
# (clobetasol solution: 50 mL a week like 50 g). Tubes, packs and bottles stay unknown.
_TO_GRAMS = {
    **_MASS_TO_GRAMS, "258682000": 1.0, "[oz_av]": 28.349523125, "oz": 28.349523125,
    "ml": 1.0, "millilitre": 1.0, "milliliter": 1.0, "millilitres": 1.0, "milliliters": 1.0,
    "258773002": 1.0, "l": 1000.0, "[foz_us]": 29.5735295625, "[foz_br]": 28.4130625,
}  # fmt: skip


def grams(order: MedicationOrder) -> float | None:
    """Quantity of one fill in grams (mL counted as g) when its unit is a mass or volume unit."""
    if order.quantity_value is None or not order.quantity_unit:
        return None
    factor = _TO_GRAMS.get(order.quantity_unit.strip().lower())
    return order.quantity_value * factor if factor is not None else None


def fills(order: MedicationOrder) -> int:
    """How many times the order may be dispensed: the first fill plus numberOfRepeatsAllowed."""
    return 1 + (order.refills or 0)


def total_grams(order: MedicationOrder) -> float | None:
    """Grams over every fill (grams() x fills()); None when one fill's grams are unknown."""
    one = grams(order)
    return one * fills(order) if one is not None else None


def build_observation(res: Mapping[str, Any]) -> ObservationFact:
    """Code, effective date and value of an Observation."""
    qty = fx.obj(res.get("valueQuantity"))
    effective = res.get("effectiveDateTime") or res.get("issued")
    if isinstance(res.get("effectivePeriod"), dict):
        effective = res["effectivePeriod"].get("start")
    concept = res.get("valueCodeableConcept")
    return ObservationFact(
        codings=fx.codings(res.get("code")),
        effective=fx.parse_date(effective),
        value=fx.number(qty.get("value")),
        unit=fx.text(qty.get("code")) or fx.text(qty.get("unit")),
        text_value=fx.label(res.get("valueString")) or fx.concept_text(concept),
        status=fx.text(res.get("status")),
        code_text=fx.concept_text(res.get("code")),
    )


def build_record(res: Mapping[str, Any]) -> RecordFact:
    """CarePlan / ServiceRequest codes (code, category, activity), status and date."""
    concepts = [res.get("code")] + list(fx.dicts(res.get("category")))
    texts: list[fx.Coding] = []
    for activity in fx.dicts(res.get("activity")):
        detail = activity.get("detail")
        if isinstance(detail, dict):
            concepts.append(detail.get("code"))
            # An activity written as text only ("apply moisturiser twice daily") still says
            # what is planned: kept as a code-less coding, read by its display.
            for found in (
                fx.text(fx.obj(detail.get("code")).get("text")),
                fx.text(detail.get("description")),
            ):
                if found:
                    texts.append((None, None, found))
    return RecordFact(
        resource_type=str(res.get("resourceType")),
        codings=tuple(c for concept in concepts for c in fx.codings(concept)) + tuple(texts),
        status=fx.text(res.get("status")),
        authored=fx.parse_date(res.get("authoredOn") or res.get("created")),
    )


def _names_other_drug(terminology: Terminology, drug: DrugInfo, clause: str) -> bool:
    """Does a clause of this order's instructions name another drug and not this one?

    Emollients do not count: "apply to face after moisturiser" is this order's site.
    """
    if drug.ingredient is None:
        return False
    own = drug.ingredient.split()[0]
    if own in clause:
        return False
    other = terminology.classify_drug((), clause)
    return (
        other.ingredient is not None
        and other.ingredient.split()[0] != own
        and "emollient" not in other.drug_classes
    )


_COURSE = re.compile(
    r"(?<![a-z])(?:for|x|×)\s*(?:up\s+to\s+|the\s+next\s+|a\s+further\s+|another\s+)?"
    r"(\d{1,3})\s*(days?|d|weeks?|wks?|wk|w|months?|mo)(?![a-z])"
)
_UNIT_DAYS = {"d": 1, "day": 1, "days": 1, "w": 7, "wk": 7, "wks": 7, "week": 7, "weeks": 7,
              "mo": 30, "month": 30, "months": 30}  # fmt: skip


def _duration_in_text(instruction: str) -> float | None:
    """A course length written only in the sig ("twice daily for 4 weeks", "x 14 days"); None
    when there is none, or more than one (a step-down "then ..." cannot be read as one)."""
    found = _COURSE.findall(instruction[:500].lower())
    if len(found) != 1:
        return None
    count, unit = found[0]
    return float(int(count) * _UNIT_DAYS[unit])
