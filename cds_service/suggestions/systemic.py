"""Suggestions for systemic therapy and label checks: screening labs, referrals, deletes, swaps."""

from __future__ import annotations

import math
from typing import Any

from cds_service.picture import PatientPicture
from cds_service.rules import Finding

from . import Action, _subject, builder, create, delete_first, replace, service_request, update
from ._fhir import json_copy
from ._texts import say

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
TOPICAL_ROUTE = {"coding": [{"system": SNOMED, "code": "6064005", "display": "Topical route"}]}
LAB_CATEGORY = {
    "coding": [{"system": SNOMED, "code": "108252007", "display": "Laboratory procedure"}]
}

# Lab sets -> the tests to order: (LOINC code, its name). Codes are those of the project value
# sets (their marks are in each value set's description). A test with no verified code (None)
# is named by its key's `order` text in cards/_suggestions.toml.
LAB_ORDERS: dict[str, tuple[tuple[str | None, str], ...]] = {
    "lab-tb": ((None, ""),),
    "lab-hepatitis-b": (
        ("5196-1", "Hepatitis B virus surface antigen (HBsAg)"),
        ("16933-4", "Hepatitis B virus core antibody (anti-HBc)"),
    ),
    "lab-hepatitis-c": (("16128-1", "Hepatitis C virus antibody"),),
    "lab-cbc": (("58410-2", "Complete blood count (CBC) with platelets"),),
    "lab-lipids": (("57698-3", "Lipid panel"),),
    "lab-creatinine": (("2160-0", "Serum creatinine"),),
    "blood-pressure": (("85354-9", "Blood pressure measurement"),),
}
# Sets that are no laboratory test: no "Laboratory procedure" category (an EHR routes a request
# by it), and none other either (category is optional; no verified code names a measurement).
NOT_LAB = frozenset({"blood-pressure"})


def lab_request(
    picture: PatientPicture, value_set: str, code: str | None, text: str, note: str
) -> dict[str, Any]:
    """A draft ServiceRequest for one test, LOINC-coded when the project's value set has a code."""
    concept: dict[str, Any] = {"text": text}
    if code:
        coding = {"system": LOINC, "code": code}
        display = picture.terminology.value_set(value_set).displays.get((LOINC, code))
        if display:
            coding["display"] = display
        concept["coding"] = [coding]
    request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "category": [LAB_CATEGORY],
        "code": concept,
        "subject": _subject(picture),
        "authoredOn": picture.today.isoformat(),
        "note": [{"text": note}],
    }
    if value_set in NOT_LAB:
        del request["category"]
    return request


def _labs(value_set: str) -> Any:
    def build(finding: Finding, picture: PatientPicture) -> list[Action]:
        # the note: the rule's card file words {lab_reason} (a coded value)
        reason = say("note", reason=finding.values["lab_reason"])
        tests = [(code, name or say("order")) for code, name in LAB_ORDERS[value_set]]
        return [
            create(lab_request(picture, value_set, code, name, reason), say("action", test=name))
            for code, name in tests
        ]

    return build


for _key, _vs in (
    ("order-lab-tb", "lab-tb"),
    ("order-lab-hepatitis-b", "lab-hepatitis-b"),
    ("order-lab-hepatitis-c", "lab-hepatitis-c"),
    ("order-lab-cbc", "lab-cbc"),
    ("order-lab-lipids", "lab-lipids"),
    ("order-lab-creatinine", "lab-creatinine"),
    ("order-blood-pressure-check", "blood-pressure"),
):
    _uncoded = any(code is None for code, _ in LAB_ORDERS[_vs])
    _texts = {"action": "test", "note": "reason", **({"order": ""} if _uncoded else {})}
    builder(_key, texts=_texts)(_labs(_vs))


for _key in (
    "delete-jak-draft",
    "delete-combination-draft",
    "delete-ruxolitinib-draft",
    "delete-roflumilast-draft",
):
    builder(_key)(delete_first)


@builder("refer-ophthalmology", texts={"action": "", "order": "", "note": ""})
def refer_ophthalmology(finding: Finding, picture: PatientPicture) -> list[Action]:
    """A referral ServiceRequest for an eye review (text only: no verified SNOMED code)."""
    resource = service_request(picture, None, say("order"), note=say("note"))
    return [create(resource, say("action"))]


@builder("swap-roflumilast-strength", texts={"action": "strength", "product": "strength"})
def swap_roflumilast_strength(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Delete the draft and create the same order with the age-appropriate roflumilast strength."""
    order = finding.orders[0]
    strength = str(finding.values.get("right_strength", ""))
    if not order.reference or not strength or not order.raw:
        return []
    resource = json_copy(dict(order.raw))
    resource.pop("id", None)
    resource.pop("meta", None)
    resource["status"] = "draft"
    resource.pop("medicationReference", None)
    resource["medicationCodeableConcept"] = {"text": say("product", strength=strength)}
    resource["subject"] = _subject(picture)
    for dosage in resource.get("dosageInstruction") or []:
        if isinstance(dosage, dict):
            dosage.setdefault("route", json_copy(TOPICAL_ROUTE))
    return replace(order, resource, say("action", strength=strength))


@builder("limit-ruxolitinib-quantity", texts={"action": "grams"})
def limit_ruxolitinib_quantity(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Update the draft's dispensed quantity to at most 60 g per week of its supply period."""
    order = finding.orders[0]
    weeks = finding.values.get("weeks")
    if not order.raw or not isinstance(weeks, int | float) or weeks <= 0:
        return []
    grams = math.floor(60 * weeks)

    def change(resource: dict[str, Any]) -> None:
        dispense = resource.setdefault("dispenseRequest", {})
        dispense["quantity"] = {
            "value": grams,
            "unit": "g",
            "system": "http://unitsofmeasure.org",
            "code": "g",
        }

    return update(order, change, say("action", grams=grams))
