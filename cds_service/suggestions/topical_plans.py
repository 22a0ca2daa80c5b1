"""Create suggestions for eczema care plans: proactive maintenance, steroid taper,
phototherapy referral (AAD 2023 topical guideline; clinical-rules R-01, R-16, R-18, R-24, R-47).
"""

from __future__ import annotations

from typing import Any

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.rules import Finding
from cds_service.rules.maintenance import SAME_DRUG
from cds_service.vocabulary import TCI_MIN_AGE, tacrolimus_strength

from . import (
    RXNORM,
    SNOMED,
    Action,
    _subject,
    builder,
    create,
    delete,
    eczema_reasons,
    json_copy,
    medication_as_received,
    service_request,
    site_concept,
    site_words,
    update,
)
from ._texts import SHARED, declare, say, say_shared
from .topical import FLUTICASONE_005_CREAM, HYDROCORTISONE_1_CREAM, PIMECROLIMUS_1_CREAM, TACROLIMUS

UCUM = "http://unitsofmeasure.org"
TOPICAL = {"coding": [{"system": SNOMED, "code": "6064005", "display": "Topical route"}]}
MAINTENANCE_WEEKS = 16
declare(SHARED, {"same_steroid": "", "affected_areas": ""})  # no name; no site on the draft


def _site(like: MedicationOrder, only: frozenset[str] | None) -> str:
    """`{site}` of a new order at the draft's site: its words, else the affected areas."""
    place = site_words(like, only) if site_concept(like, only) else None
    return place or say_shared("affected_areas")


# The maintenance steroids rules/maintenance.py chooses from (its `maintenance` value).
MAINTENANCE_CODES = {
    "hydrocortisone-1": HYDROCORTISONE_1_CREAM,
    "fluticasone-005": FLUTICASONE_005_CREAM,
}


def _days(value: int) -> dict[str, Any]:
    return {"value": value, "unit": "days", "system": UCUM, "code": "d"}


def _grams(value: int) -> dict[str, Any]:
    return {"quantity": {"value": value, "unit": "g", "system": UCUM, "code": "g"}}


def _twice_weekly(days: int) -> dict[str, Any]:
    return {
        "frequency": 2,
        "period": 1,
        "periodUnit": "wk",
        "dayOfWeek": ["mon", "thu"],
        "boundsDuration": _days(days),
    }


def _coded(code: tuple[str, str], text: str) -> dict[str, Any]:
    return {"coding": [{"system": RXNORM, "code": code[0], "display": code[1]}], "text": text}


def _request(
    picture: PatientPicture,
    medication: dict[str, Any],
    dosages: list[dict[str, Any]],
    like: MedicationOrder | None,
    grams: int,
    *,
    same_site: bool = True,
    only: frozenset[str] | None = None,
) -> dict[str, Any]:
    """A draft topical MedicationRequest; site (unless told not to; with `only`, just those
    sites) and reason from `like`."""
    for dosage in dosages:
        dosage["route"] = json_copy(TOPICAL)
        site = site_concept(like, only) if same_site else None
        if site:
            dosage["site"] = site
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "order",
        **medication,
        "subject": _subject(picture),
        "authoredOn": picture.today.isoformat(),
        "dosageInstruction": dosages,
        "dispenseRequest": _grams(grams),
    }
    reasons = eczema_reasons(picture, like)
    if reasons:
        resource["reasonCode"] = reasons
    return resource


def _same_medication(order: MedicationOrder) -> dict[str, Any]:
    """The order's medication[x] as received (`medication_as_received`), else its name."""
    found = medication_as_received(order.raw)
    return found or {
        "medicationCodeableConcept": {"text": order.name or say_shared("same_steroid")}
    }


def tci_medication(order: MedicationOrder | None, age: int | None) -> dict[str, Any] | None:
    """Tacrolimus of the labelled strength for the age, or pimecrolimus if that was used."""
    if age is None or age < TCI_MIN_AGE:
        return None
    if order is not None and order.drug.ingredient == "pimecrolimus":
        return {"medicationCodeableConcept": _coded(PIMECROLIMUS_1_CREAM, "pimecrolimus 1% cream")}
    strength = tacrolimus_strength(age)
    return {
        "medicationCodeableConcept": _coded(TACROLIMUS[strength], f"tacrolimus {strength} ointment")
    }


@builder("create-tcs-maintenance", texts={"action": "drug weeks", "dosage": ""})
def create_tcs_maintenance(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Twice-weekly (Mon/Thu) steroid for 16 weeks: the one the rule chose (`maintenance`,
    named `drug`): the last course's drug, or a coded product."""
    last, choice, name = finding.orders[0], finding.values["maintenance"], finding.values["drug"]
    if choice == SAME_DRUG:
        medication = _same_medication(last)
    else:
        medication = {"medicationCodeableConcept": _coded(MAINTENANCE_CODES[choice], name)}
    dosage = {"text": say("dosage"), "timing": {"repeat": _twice_weekly(MAINTENANCE_WEEKS * 7)}}
    resource = _request(picture, medication, [dosage], last, 30)
    return [create(resource, say("action", drug=name, weeks=MAINTENANCE_WEEKS))]


@builder("create-tci-maintenance", texts={"action": "", "dosage": ""})
def create_tci_maintenance(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Twice-weekly (Mon/Thu) calcineurin inhibitor to previously affected sites."""
    last = finding.orders[0]
    medication = tci_medication(last if last.is_a("tci") else None, picture.age_years)
    if medication is None:
        return []
    dosage = {"text": say("dosage"), "timing": {"repeat": _twice_weekly(MAINTENANCE_WEEKS * 7)}}
    resource = _request(picture, medication, [dosage], last, 30)
    return [create(resource, say("action"))]


@builder("set-twice-weekly", texts={"action": "", "dosage": "site"})
def set_twice_weekly(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Make a draft twice weekly (Mon/Thu), keeping its course (a sig's too); rewrite its sig."""
    order = finding.orders[0]
    words = say("dosage", site=_site(order, None))

    def change(resource: dict[str, Any]) -> None:
        for dosage in resource.get("dosageInstruction") or []:
            repeat = (dosage.get("timing") or {}).get("repeat")
            if isinstance(repeat, dict):
                bounds = {k: v for k, v in repeat.items() if k.startswith("bounds")}
                if not bounds and (days := order.duration_days) and days >= 1:
                    bounds["boundsDuration"] = _days(round(days))
                dosage["timing"]["repeat"] = {
                    **bounds,
                    "frequency": 2,
                    "period": 1,
                    "periodUnit": "wk",
                    "dayOfWeek": ["mon", "thu"],
                }
                for field in ("text", "patientInstruction"):
                    if isinstance(dosage.get(field), str):
                        dosage[field] = words

    return update(order, change, say("action"))  # nothing without an id


@builder("taper-tcs", texts={"action": "", "daily": "days", "alternate": "days", "weekly": "days"})
def taper_tcs(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Step the same steroid down: daily 1 week, alternate days 1 week, twice weekly 2 weeks."""
    order = finding.orders[0]
    steps = [
        ("daily", {"frequency": 1, "period": 1, "periodUnit": "d"}, 7),
        ("alternate", {"frequency": 1, "period": 2, "periodUnit": "d"}, 7),
        ("weekly", _twice_weekly(14), 14),
    ]
    dosages = []
    for i, (name, repeat, days) in enumerate(steps, start=1):
        repeat = {**repeat, "boundsDuration": _days(days)}
        dosages.append({"sequence": i, "text": say(name, days=days), "timing": {"repeat": repeat}})
    resource = _request(picture, _same_medication(order), dosages, order, 30)
    # Create first (a client applying only the first action keeps the taper), then delete a
    # renewal draft; an order on record (a stop order) stays as it is.
    actions = [create(resource, say("action"))]
    if order.in_scope and order.reference and order.status in (None, "draft", "active"):
        actions.append(delete(order))
    return actions


def _sensitive_only(finding: Finding) -> frozenset[str] | None:
    """The sensitive sites a step-down is for (the finding's `sensitive_sites`), else None."""
    sites = finding.values.get("sensitive_sites")
    return frozenset(str(sites).split(",")) if sites else None


@builder("start-tci", texts={"action": "", "dosage": "site"})
def start_tci(finding: Finding, picture: PatientPicture) -> list[Action]:
    """A calcineurin inhibitor twice daily for the same site (steroid-sparing); after potent
    use on a sensitive site, for that site only (Protopic/Elidel labels: tacrolimus 0.03%
    2-15 y, 0.1% from 16 y; pimecrolimus from 2 y)."""
    order, only = finding.orders[0], _sensitive_only(finding)
    medication = tci_medication(None, picture.age_years)
    if medication is None:
        return []
    dosage = {
        "text": say("dosage", site=_site(order, only)),
        "timing": {
            "repeat": {"frequency": 2, "period": 1, "periodUnit": "d", "boundsDuration": _days(28)}
        },
    }
    resource = _request(picture, medication, [dosage], order, 30, only=only)
    return [create(resource, say("action"))]


@builder("step-down-hydrocortisone", texts={"action": "", "dosage": "site days"})
def step_down_hydrocortisone(finding: Finding, picture: PatientPicture) -> list[Action]:
    """After potent use on a sensitive site, a mild steroid there instead of a potent taper:
    hydrocortisone 1% cream (US class VII; NICE CG57: mild potency for the face and neck),
    once daily for 14 days, for the sensitive site only."""
    order, only = finding.orders[0], _sensitive_only(finding)
    medication = {
        "medicationCodeableConcept": _coded(HYDROCORTISONE_1_CREAM, "hydrocortisone 1% cream")
    }
    dosage = {
        "text": say("dosage", site=_site(order, only), days=14),
        "timing": {
            "repeat": {"frequency": 1, "period": 1, "periodUnit": "d", "boundsDuration": _days(14)}
        },
    }
    resource = _request(picture, medication, [dosage], order, 30, only=only)
    return [create(resource, say("action"))]


@builder("refer-phototherapy", texts={"action": "", "order": "", "note": ""})
def refer_phototherapy(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Narrowband UVB referral as text (no verified code: clinical-rules §2.4)."""
    resource = service_request(picture, None, say("order"), note=say("note"))
    return [create(resource, say("action"))]
