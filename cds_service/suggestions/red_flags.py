"""Suggestions for the antihistamine, mimic, infection and irritant rules (delete, swap, update)."""

from __future__ import annotations

import math
import re
from typing import Any, TypeGuard

from cds_service.picture import PatientPicture
from cds_service.rules import Finding

from . import (
    Action,
    builder,
    create,
    delete_all,
    medication_request,
    replace,
    service_request,
    update,
)
from ._texts import say

UCUM = "http://unitsofmeasure.org"


for _key in (
    "delete-non-sedating-antihistamine",
    "delete-sedating-antihistamine",
    "delete-topical-antihistamine",
    "delete-facial-steroid",
    "hold-immunomodulator",
    "delete-topical-antimicrobial",
    "delete-irritant-topical",
):
    builder(_key)(delete_all)


def _text_only(resource: dict[str, Any], text: str, reason_ref: Any) -> dict[str, Any]:
    """Replace the coded medication by text (no verified RxNorm code) and point the reason."""
    resource["medicationCodeableConcept"] = {"text": text}
    resource.pop("reasonCode", None)
    if reason_ref:
        resource["reasonReference"] = [{"reference": str(reason_ref)}]
    return resource


@builder("swap-to-clotrimazole", texts={"action": "", "dosage": "", "product": ""})
def swap_to_clotrimazole(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Delete the steroid draft, create clotrimazole 1% cream for the same site (4 weeks)."""
    order = finding.orders[0]
    if not order.reference:
        return []
    resource = medication_request(
        picture,
        code=("", ""),
        text=say("product"),
        instruction=say("dosage"),
        per_day=2,
        days=28,
        quantity_g=30,
        like=order,
    )
    _text_only(resource, say("product"), finding.values.get("condition_ref"))
    return replace(order, resource, say("action"))


@builder("order-permethrin", texts={"action": "", "dosage": "", "product": ""})
def order_permethrin(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Create permethrin 5% cream: whole body, two applications 7 days apart."""
    resource = medication_request(
        picture,
        code=("", ""),
        text=say("product"),
        instruction=say("dosage"),
        per_day=1,
        days=8,
        quantity_g=int(finding.values.get("permethrin_grams", 60)),
        like=None,
    )
    resource["dosageInstruction"][0]["timing"] = {
        "repeat": {"count": 2, "frequency": 1, "period": 7, "periodUnit": "d"}
    }
    _text_only(resource, say("product"), finding.values.get("condition_ref"))
    return [create(resource, say("action"))]


@builder("bedtime-timing", texts={"action": "", "dosage": "", "dosage_with_dose": "dose"})
def bedtime_timing(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Update the antihistamine draft: once daily at bedtime, a 14-day course if none is set."""
    order = finding.orders[0]
    if not order.raw or not order.reference:
        return []
    days = order.duration_days  # a course only the sig gives ('for 5 days') is kept too
    written = days if days is not None and days >= 1 else None
    return update(order, lambda resource: _to_bedtime(resource, written), say("action"))


def _to_bedtime(resource: dict[str, Any], written_days: float | None) -> None:
    dosages = [d for d in resource.get("dosageInstruction") or [] if isinstance(d, dict)]
    dosage = dict(dosages[0]) if dosages else {}
    timing = dosage.get("timing")
    timing = timing if isinstance(timing, dict) else {}
    old = timing.get("repeat")
    old = old if isinstance(old, dict) else {}
    repeat: dict[str, Any] = {k: v for k, v in old.items() if k.startswith("bounds")}
    course_set = not repeat  # the old course: its doses (count) at its rate, else 14 days
    if course_set:
        count, daily = old.get("count"), _daily_doses(old)
        if _positive(count) and daily:
            days, course_set = math.ceil(count / daily), False
        elif written_days is not None:
            days, course_set = round(written_days), False
        else:
            days = 14
        repeat["boundsDuration"] = {"value": days, "unit": "days", "system": UCUM, "code": "d"}
    repeat.update({"frequency": 1, "period": 1, "periodUnit": "d", "when": ["HS"]})
    dosage["timing"] = {"repeat": repeat}
    # The new sig replaces the old one: a dose written only there ("Take 1 tablet ...") is
    # carried into it, or the order would state no dose at all.
    dose = None if dosage.get("doseAndRate") else _dose_in_sig(dosage.get("text"))
    dosage["text"] = say("dosage_with_dose", dose=dose) if dose else say("dosage")
    if "patientInstruction" in dosage:  # the patient's copy of the old schedule goes too
        dosage["patientInstruction"] = dosage["text"]
    resource["dosageInstruction"] = [dosage]
    nightly = _nightly_amount(dosage, resource.get("dispenseRequest"), dose)
    if course_set and nightly:  # a course it sets: the supply is what its nights need
        _set_supply(resource, math.ceil(repeat["boundsDuration"]["value"] * nightly))
    else:  # the old course: the supply shrinks with the doses
        _scale_supply(resource, _daily_doses(old))


_PER_DAY = {"h": 24.0, "d": 1.0, "wk": 1 / 7}


def _daily_doses(repeat: dict[str, Any]) -> float | None:
    """Doses a day of the schedule replaced, None when it cannot be read."""
    frequency, period = repeat.get("frequency", 1), repeat.get("period", 1)
    unit = repeat.get("periodUnit")
    per_day = _PER_DAY.get(unit) if isinstance(unit, str) else None
    if per_day is None or not _positive(frequency) or not _positive(period):
        return None
    return float(frequency) / float(period) * per_day


def _scale_supply(resource: dict[str, Any], old_daily: float | None) -> None:
    """Once at bedtime in place of several doses a day: the quantity to dispense shrinks with
    the doses (rounded up), so the supply still lasts the course, not three times as long."""
    dispense = resource.get("dispenseRequest")
    if old_daily is None or old_daily <= 1 or not isinstance(dispense, dict):
        return
    quantity = dispense.get("quantity")
    if not isinstance(quantity, dict) or not _positive(value := quantity.get("value")):
        return
    scaled = {**quantity, "value": math.ceil(value / old_daily)}
    resource["dispenseRequest"] = {**dispense, "quantity": scaled}


def _nightly_amount(dosage: dict[str, Any], dispense: Any, sig_dose: str | None) -> float | None:
    """The dose at bedtime in the dispensed unit ('1-2 tablets': 2), None when either is
    missing or they are in different units (25 mg against tablets)."""
    quantity = dispense.get("quantity") if isinstance(dispense, dict) else None
    unit = quantity.get("unit") if isinstance(quantity, dict) else None
    if not isinstance(unit, str):
        return None
    rates = dosage.get("doseAndRate")
    first = rates[0] if isinstance(rates, list) and rates else None
    given = first.get("doseQuantity") if isinstance(first, dict) else None
    if isinstance(given, dict):
        value, dose_unit = given.get("value"), given.get("unit")
    elif sig_dose is not None:
        # the most it gives: '1-2 tablets', '1 to 2 tablets' are 2 tablets a night
        words = sig_dose.lower().replace("half a", "0.5").replace("-", " ").split()
        amount, dose_unit = _WORD_COUNTS.get(words[-2], words[-2]), words[-1]
        value = float(amount) if re.fullmatch(_NUMBER, amount) else None
    else:
        return None
    same = isinstance(dose_unit, str) and dose_unit.lower().rstrip("s") == unit.lower().rstrip("s")
    return float(value) if same and _positive(value) else None


_WORD_COUNTS = {"one": "1", "two": "2"}


def _set_supply(resource: dict[str, Any], value: int) -> None:
    dispense = resource["dispenseRequest"]
    resource["dispenseRequest"] = {**dispense, "quantity": {**dispense["quantity"], "value": value}}


def _positive(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


_NUMBER = r"\d+(?:\.\d+)?"
_AMOUNT = rf"(?<![\w./-])({_NUMBER}(?:\s*(?:-|to)\s*{_NUMBER})?|one|two|half a)\s*"  # "1-2 tablets"
# What is given (a tablet count, a volume) before a mass: "25 mg tablet, take 2 tablets" is
# 2 tablets; a concentration ("200 mg/5 mL") is no dose.
_SIG_DOSES = tuple(
    re.compile(_AMOUNT + units + r"(?![\w/])", re.IGNORECASE)
    for units in (
        r"(tablets?|tabs?|capsules?|caps?|ml|teaspoons?|tsp|drops?)",
        r"(mg|mcg|micrograms?)",
    )
)


def _dose_in_sig(text: Any) -> str | None:
    """The dose a sig writes ("1 tablet", "5 mL", else "25 mg"), None when it writes none."""
    for pattern in _SIG_DOSES:
        match = pattern.search(text[:500]) if isinstance(text, str) else None  # a sig's start
        if match is not None:
            amount, unit = match.group(1).lower(), match.group(2).lower()
            amount = amount[:1].upper() + amount[1:]  # it opens the sig
            return f"{amount} {'mL' if unit == 'ml' else unit}"
    return None


@builder("urgent-dermatology-review", texts={"action": "", "note": ""})
def urgent_dermatology_review(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Create a same-day dermatology referral (SNOMED 308472003), priority `stat`: eczema
    herpeticum is a same-day emergency (FHIR request-priority: `urgent` is only "sooner than
    routine")."""
    resource = stat_referral(
        finding,
        picture,
        "308472003",
        "Referral to dermatologist",
        say("note"),
    )
    return [create(resource, say("action"))]


def stat_referral(
    finding: Finding, picture: PatientPicture, code: str | None, text: str, note: str
) -> dict[str, Any]:
    """A same-day (`stat`) referral ServiceRequest for the finding's condition."""
    resource = service_request(picture, code, text, note=note)
    resource["priority"] = "stat"
    ref = finding.values.get("condition_ref")
    if ref:
        resource["reasonReference"] = [{"reference": str(ref)}]
    return resource
