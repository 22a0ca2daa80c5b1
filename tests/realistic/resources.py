"""FHIR R4 resources in one EHR style; `builder.Chart` gives them ids and subjects."""

from __future__ import annotations

from typing import Any

from tests.realistic import fhir as f
from tests.realistic.fhir import Dx

Json = dict[str, Any]
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


def coding(system: str, code: str | None, display: str | None = None) -> Json:
    out: Json = {"system": system}
    if code:
        out["code"] = code
    if display:
        out["display"] = display
    return out


def quantity(value: float, unit: str) -> Json:
    return {"value": value, "unit": unit, "system": f.UCUM, "code": unit}


def days(value: int) -> Json:
    return {"value": value, "unit": "days", "system": f.UCUM, "code": "d"}


def problem_code(problem: Dx, style: str) -> Json:
    """Epic / Cerner: ICD-10-CM + SNOMED (+ Epic's local code) and text; UK: SNOMED and
    text; Synthea: SNOMED display only (text only when there is no code)."""
    codings: list[Json] = []
    if problem.icd and style in ("epic", "cerner"):
        codings.append(coding(f.ICD10, *problem.icd))
    if problem.snomed:
        codings.append(coding(f.SNOMED, *problem.snomed))
    if problem.imo:
        codings.append(coding(f.IMO, problem.imo, problem.text))
    if style == "epic" and problem.text:
        codings.append(coding(f.EPIC_DX, str(80000 + len(problem.text) * 37)))
    code: Json = {"coding": codings} if codings else {}
    if problem.text and not (style == "synthea" and codings):
        code["text"] = problem.text
    return code


def condition(ident: str, subject: Json, problem: Dx, style: str, **kw: Any) -> Json:
    out: Json = {
        "resourceType": "Condition",
        "id": ident,
        "clinicalStatus": {"coding": [coding(f.CLINICAL, kw.get("status", "active"))]},
        "verificationStatus": {
            "coding": [coding(f.VERIFICATION, kw.get("verification", "confirmed"))]
        },
        "category": [{"coding": [coding(f.CATEGORY, "problem-list-item")]}],
        "code": problem_code(problem, style),
        "subject": subject,
        "onsetDateTime": f.iso(kw.get("onset_days", 700)),
        "recordedDate": f.iso(kw.get("onset_days", 700)),
    }
    if kw.get("abated_days") is not None:
        out["abatementDateTime"] = f.iso(kw["abated_days"])
    return out


def medication(name: str, rxnorm: str | None, style: str) -> Json:
    """The drug as the vendor codes it: RxNorm when given, plus the vendor's local code."""
    codings: list[Json] = [coding(f.RXNORM, rxnorm, name)] if rxnorm else []
    if style == "epic":
        codings.append(coding(f.EPIC_DRUG, str(10000 + sum(map(ord, name)))))
    elif style == "cerner":
        codings.append(coding(f.CERNER_DRUG, str(2_700_000 + len(name))))
    elif style == "uk":
        codings.append(coding(f.DMD, None, name))
    return {"coding": codings, "text": name} if codings else {"text": name}


def dosage(o: dict[str, Any]) -> Json:
    """`dosageInstruction[0]` from the order keywords (see `Chart.order`)."""
    weeks = o.get("every_weeks")
    repeat: Json = (
        {"frequency": 1, "period": weeks, "periodUnit": "wk"}
        if weeks
        else {"frequency": o.get("per_day", 2), "period": 1, "periodUnit": "d"}
    )
    if o.get("days") is not None:
        repeat["boundsDuration"] = days(o["days"])
    out: Json = {"timing": {"repeat": repeat}}
    if o.get("sig"):
        out["text"] = out["patientInstruction"] = o["sig"]
    site, site_text = o.get("site"), o.get("site_text")
    if site:
        out["site"] = {"coding": [coding(f.SNOMED, *site)], "text": site_text or site[1]}
    elif site_text:
        out["site"] = {"text": site_text}
    if o.get("dose"):
        out["doseAndRate"] = [{"doseQuantity": quantity(*o["dose"])}]
    return out


def dispense(o: dict[str, Any], draft: bool) -> Json:
    out: Json = {}
    if o.get("qty") is not None:
        out["quantity"] = quantity(o["qty"], o.get("unit", "g"))
    length = o.get("supply_days") or o.get("days")
    if length:
        out["expectedSupplyDuration"] = days(length)
    if not draft and o.get("days") is not None:
        start = o.get("authored_days", 0)
        out["validityPeriod"] = {"start": f.iso(start), "end": f.iso(start - o["days"])}
    return out


def reason(problem: Dx) -> Json:
    codings = [coding(f.ICD10, *problem.icd)] if problem.icd else []
    if problem.snomed:
        codings.append(coding(f.SNOMED, *problem.snomed))
    out: Json = {"text": problem.text}
    if codings:
        out["coding"] = codings
    return out


def observation(ident: str, subject: Json, code: Json, days_ago: int, **kw: Any) -> Json:
    out: Json = {
        "resourceType": "Observation",
        "id": ident,
        "status": "final",
        "category": [{"coding": [coding(OBSERVATION_CATEGORY, kw["category"])]}],
        "code": code,
        "subject": subject,
        "effectiveDateTime": f.iso(days_ago),
    }
    value = kw["value"]
    if isinstance(value, float | int):
        out["valueQuantity"] = quantity(value, kw.get("unit", ""))
    else:
        out["valueString"] = value
    return out


def skin_care_plan(ident: str, subject: Json) -> Json:
    """Synthea's dermatitis module: CarePlan 711282006 with activity 225130001."""
    moisturiser = coding(f.SNOMED, "225130001", "Application of moisturizer to skin")
    return {
        "resourceType": "CarePlan",
        "id": ident,
        "status": "active",
        "intent": "order",
        "category": [{"coding": [coding(f.SNOMED, "711282006", "Skin condition care")]}],
        "subject": subject,
        "period": {"start": f.iso(300)},
        "activity": [{"detail": {"code": {"coding": [moisturiser]}, "status": "in-progress"}}],
    }
