"""Update suggestions for topical steroid drafts: schedule, duration, quantity (AAD 2023)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cds_service.picture import PatientPicture
from cds_service.picture.course import restate_course
from cds_service.rules import Finding

from . import Action, builder, update
from ._texts import SHARED, declare, say, say_shared

declare(SHARED, {"course_days": "days", "course_one_day": ""})

UCUM = "http://unitsofmeasure.org"


def _dosage(resource: dict[str, Any]) -> dict[str, Any]:
    dosages = resource.get("dosageInstruction")
    if not isinstance(dosages, list) or not dosages or not isinstance(dosages[0], dict):
        resource["dosageInstruction"] = dosages = [{}]
    first: dict[str, Any] = dosages[0]
    return first


def _repeat(resource: dict[str, Any]) -> dict[str, Any]:
    dosage = _dosage(resource)
    timing = dosage.get("timing")
    if not isinstance(timing, dict):
        dosage["timing"] = timing = {}
    repeat = timing.get("repeat")
    if not isinstance(repeat, dict):
        timing["repeat"] = repeat = {}
    return repeat


def set_duration(resource: dict[str, Any], days: int) -> None:
    """Bound the course to `days` (keeping a bounds start), and the expected supply with it."""
    repeats = [
        d["timing"]["repeat"]
        for d in resource.get("dosageInstruction") or []
        if isinstance(d, dict)
        and isinstance(d.get("timing"), dict)
        and isinstance(d["timing"].get("repeat"), dict)
    ] or [_repeat(resource)]
    for repeat in repeats:
        period = repeat.get("boundsPeriod")
        start = _date(period.get("start")) if isinstance(period, dict) else None
        if isinstance(period, dict) and start is not None:
            period["end"] = (start + timedelta(days=days)).isoformat()
            continue
        repeat.pop("boundsPeriod", None)
        repeat.pop("boundsRange", None)
        repeat["boundsDuration"] = {"value": days, "unit": "days", "system": UCUM, "code": "d"}
    length = say_shared("course_one_day") if days == 1 else say_shared("course_days", days=days)
    for dosage in resource.get("dosageInstruction") or []:
        for field in ("text", "patientInstruction"):  # the patient's words say one course too
            if isinstance(dosage, dict) and isinstance(dosage.get(field), str):
                dosage[field] = restate_course(dosage[field], length)  # one course, as bound
    dispense = resource.get("dispenseRequest")
    if isinstance(dispense, dict) and isinstance(dispense.get("expectedSupplyDuration"), dict):
        dispense["expectedSupplyDuration"] = {
            "value": days,
            "unit": "days",
            "system": UCUM,
            "code": "d",
        }


def set_quantity(resource: dict[str, Any], grams: int, unit: str = "g") -> None:
    """Dispense `grams` grams (or, with `unit` "mL", millilitres)."""
    dispense = resource.get("dispenseRequest")
    if not isinstance(dispense, dict):
        resource["dispenseRequest"] = dispense = {}
    dispense["quantity"] = {"value": grams, "unit": unit, "system": UCUM, "code": unit}


def set_daily(resource: dict[str, Any], per_day: int) -> None:
    """Apply `per_day` times a day."""
    repeat = _repeat(resource)
    repeat.update({"frequency": per_day, "period": 1, "periodUnit": "d"})
    repeat.pop("dayOfWeek", None)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@builder("complete-tcs-order", texts={"action": "missing"})
def complete_tcs_order(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Add the missing frequency, duration and/or quantity to the draft."""
    v = finding.values

    def change(resource: dict[str, Any]) -> None:
        if v.get("add_per_day"):
            set_daily(resource, int(v["add_per_day"]))
        if v.get("add_days"):
            set_duration(resource, int(v["add_days"]))
        if v.get("add_grams"):
            set_quantity(resource, int(v["add_grams"]))

    return update(finding.orders[0], change, say("action", missing=v["missing"]))


@builder("limit-very-potent", texts={"action": "days grams unit"})
def limit_very_potent(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Cap a class I steroid draft at its label's days and grams (mL for liquids) a week (the
    finding's numbers, the same the card's label shows); the whole course in one fill, so no
    repeats (the label's limits count every fill)."""
    v = finding.values
    new_days, max_grams = int(v["new_days"]), int(v["max_grams_per_week"])
    unit = str(v.get("unit") or "g")

    def change(resource: dict[str, Any]) -> None:
        set_duration(resource, new_days)
        if v.get("new_grams"):
            set_quantity(resource, int(v["new_grams"]), unit)
        dispense = resource.get("dispenseRequest")
        if isinstance(dispense, dict) and dispense.get("numberOfRepeatsAllowed"):
            dispense["numberOfRepeatsAllowed"] = 0

    words = say("action", days=new_days, grams=max_grams, unit=unit)
    return update(finding.orders[0], change, words)


@builder("shorten-course", texts={"action": "days"})
def shorten_course(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Set the draft's duration to the value the rule proposes."""
    days = int(finding.values["new_days"])
    return update(
        finding.orders[0],
        lambda resource: set_duration(resource, days),
        say("action", days=days),
    )
