"""A chart as one EHR would send it, built fluently, turned into a CDS Hooks request.

Styles (patient ids, references, codings):
- "epic": `Patient/e...` ids, ICD-10-CM + SNOMED + local `urn:oid` codings with a `text`,
  display names "drug (BRAND) 0.05 % cream", sigs in `dosageInstruction.text`.
- "cerner": numeric ids, absolute references on the FHIR base, SNOMED problems with
  `code.text`, Multum-like drug names and tenant-scoped synonym codes.
- "uk": SNOMED-only problems, dm+d product names ("Dermovate 0.05% ointment").
- "synthea": uuid ids, `urn:uuid:` references, SNOMED only, RxNorm-coded medications.

Emollients: UK charts hold a prescribed emollient (the NHS prescribes them), Synthea charts
the dermatitis module's skin-care CarePlan, and Epic / Cerner charts an OTC emollient on
about half the medication lists; `emollient=True/False` overrides.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

from tests.realistic import fhir as f
from tests.realistic.fhir import Dx

STYLES = ("epic", "cerner", "uk", "synthea")
CERNER_BASE = "https://fhir-ehr.cerner.com/r4/ec2458f2-1e24-41c8-b71b-0e701af7583d"
EMOLLIENT = {
    "epic": "white petrolatum (VASELINE) ointment",
    "cerner": "petrolatum topical ointment",
    "uk": "Epaderm ointment",
    "synthea": "petrolatum 1000 MG/GM Topical Ointment",
}

Json = dict[str, Any]


def _ident(style: str, seed: str) -> str:
    digest = hashlib.sha256(f"{style}:{seed}".encode()).digest()
    if style == "epic":
        return "e" + base64.b32encode(digest).decode().rstrip("=")[:22].replace("O", "x")
    if style == "cerner":
        return str(12_000_000 + int.from_bytes(digest[:4], "big") % 900_000)
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _half(ident: str) -> bool:
    """A stable coin toss from an id: about half of the charts."""
    return hashlib.sha256(ident.encode()).digest()[0] % 2 == 0


def _bundle(resources: list[Json], style: str) -> Json:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [{"fullUrl": _full_url(r, style), "resource": r} for r in resources],
    }


def _full_url(resource: Json, style: str) -> str:
    if style == "synthea":
        return f"urn:uuid:{resource['id']}"
    base = CERNER_BASE if style == "cerner" else "https://ehr.example.org/fhir"
    return f"{base}/{resource['resourceType']}/{resource['id']}"


class Chart:
    """One patient's record in one EHR style; methods add resources and return the chart."""

    def __init__(
        self,
        style: str,
        key: str,
        *,
        years: int = 30,
        months: int = 0,
        sex: str = "female",
        emollient: bool | None = None,
    ) -> None:
        assert style in STYLES, style
        self.style, self.key = style, key
        self.patient_id = _ident(style, key)
        self.other_id = _ident(style, key + "/other-patient")
        self.patient: Json = {
            "resourceType": "Patient",
            "id": self.patient_id,
            "gender": sex,
            "birthDate": f.birth(years, months),
        }
        self.conditions: list[Json] = []
        self.history: list[Json] = []
        self.drafts: list[Json] = []
        self.observations: list[Json] = []
        self.careplans: list[Json] = []
        self._n = 0
        if emollient is None:  # what these systems usually hold (see the module docstring)
            if style == "synthea":
                self.skin_care_plan()
            emollient = style == "uk" or (style != "synthea" and _half(self.patient_id))
        if emollient:
            self.emollient()

    # -- references ------------------------------------------------------------------------
    def ref(self, other: bool = False) -> Json:
        pid = self.other_id if other else self.patient_id
        if self.style == "synthea":
            return {"reference": f"urn:uuid:{pid}"}
        if self.style == "cerner":
            return {"reference": f"{CERNER_BASE}/Patient/{pid}"}
        return {"reference": f"Patient/{pid}"}

    def _id(self, kind: str) -> str:
        self._n += 1
        return _ident(self.style, f"{self.key}/{kind}/{self._n}")

    # -- problems --------------------------------------------------------------------------
    def dx(
        self,
        problem: Dx | None = None,
        *,
        onset_days: int = 700,
        status: str = "active",
        verification: str = "confirmed",
        abated_days: int | None = None,
        other_patient: bool = False,
    ) -> Chart:
        if problem is None:
            problem = f.AD_UK if self.style == "uk" else f.AD
        codings: list[Json] = []
        if problem.icd and self.style in ("epic", "cerner"):
            codings.append({"system": f.ICD10, "code": problem.icd[0], "display": problem.icd[1]})
        if problem.snomed:
            sct = {"system": f.SNOMED, "code": problem.snomed[0]}
            if problem.snomed[1]:
                sct["display"] = problem.snomed[1]
            codings.append(sct)
        if self.style == "epic" and problem.text:
            codings.append({"system": f.EPIC_DX, "code": str(80000 + len(problem.text) * 37)})
        code: Json = {"coding": codings} if codings else {}
        if problem.text and not (self.style == "synthea" and codings):
            code["text"] = problem.text
        cond: Json = {
            "resourceType": "Condition",
            "id": self._id("dx"),
            "clinicalStatus": {"coding": [{"system": f.CLINICAL, "code": status}]},
            "verificationStatus": {"coding": [{"system": f.VERIFICATION, "code": verification}]},
            "category": [{"coding": [{"system": f.CATEGORY, "code": "problem-list-item"}]}],
            "code": code,
            "subject": self.ref(other_patient),
            "onsetDateTime": f.iso(onset_days),
            "recordedDate": f.iso(onset_days),
        }
        if abated_days is not None:
            cond["abatementDateTime"] = f.iso(abated_days)
        self.conditions.append(cond)
        return self

    # -- medications -----------------------------------------------------------------------
    def _medication(self, name: str, rxnorm: str | None) -> Json:
        codings: list[Json] = []
        if rxnorm:
            codings.append({"system": f.RXNORM, "code": rxnorm, "display": name})
        if self.style == "epic":
            codings.append({"system": f.EPIC_DRUG, "code": str(10000 + sum(map(ord, name)))})
        elif self.style == "cerner":
            codings.append({"system": f.CERNER_DRUG, "code": str(2_700_000 + len(name))})
        elif self.style == "uk":
            codings.append({"system": f.DMD, "display": name})
        return {"coding": codings, "text": name} if codings else {"text": name}

    def order(
        self,
        name: str,
        *,
        draft: bool = True,
        status: str = "active",
        rxnorm: str | None = None,
        sig: str | None = None,
        site: tuple[str, str] | None = None,
        site_text: str | None = None,
        per_day: int = 2,
        days: int | None = 14,
        qty: float | None = 30,
        unit: str = "g",
        supply_days: int | None = None,
        authored_days: int = 0,
        dose: tuple[float, str] | None = None,
        every_weeks: int | None = None,
        reason: Dx | None = None,
        other_patient: bool = False,
    ) -> Chart:
        """A MedicationRequest: a draft of this call, or one on record (`draft=False`)."""
        repeat: Json = (
            {"frequency": 1, "period": every_weeks, "periodUnit": "wk"}
            if every_weeks
            else {"frequency": per_day, "period": 1, "periodUnit": "d"}
        )
        if days is not None:
            repeat["boundsDuration"] = {
                "value": days,
                "unit": "days",
                "system": f.UCUM,
                "code": "d",
            }
        dosage: Json = {"timing": {"repeat": repeat}}
        if sig:
            dosage["text"] = sig
            dosage["patientInstruction"] = sig
        if site:
            dosage["site"] = {
                "coding": [{"system": f.SNOMED, "code": site[0], "display": site[1]}],
                "text": site_text or site[1],
            }
        elif site_text:
            dosage["site"] = {"text": site_text}
        if dose:
            dosage["doseAndRate"] = [
                {
                    "doseQuantity": {
                        "value": dose[0],
                        "unit": dose[1],
                        "system": f.UCUM,
                        "code": dose[1],
                    }
                }
            ]
        authored = f.iso(authored_days)
        req: Json = {
            "resourceType": "MedicationRequest",
            "id": self._id("draft" if draft else "med"),
            "status": "draft" if draft else status,
            "intent": "order",
            "medicationCodeableConcept": self._medication(name, rxnorm),
            "subject": self.ref(other_patient),
            "authoredOn": authored,
            "dosageInstruction": [dosage],
        }
        dispense: Json = {}
        if qty is not None:
            dispense["quantity"] = {"value": qty, "unit": unit, "system": f.UCUM, "code": unit}
        if supply_days or days:
            length = supply_days or days
            dispense["expectedSupplyDuration"] = {
                "value": length,
                "unit": "days",
                "system": f.UCUM,
                "code": "d",
            }
        if not draft and days is not None:
            dispense["validityPeriod"] = {"start": authored, "end": f.iso(authored_days - days)}
        if dispense:
            req["dispenseRequest"] = dispense
        if reason:
            req["reasonCode"] = [_reason(reason)]
        (self.drafts if draft else self.history).append(req)
        return self

    def emollient(self, authored_days: int = 60, status: str = "active") -> Chart:
        """The bland emollient on record (prescribed in the UK, OTC-listed in the US)."""
        return self.order(
            EMOLLIENT[self.style],
            draft=False,
            status=status,
            authored_days=authored_days,
            sig="Apply liberally to all dry skin twice daily and after bathing",
            days=None,
            qty=500 if self.style == "uk" else 454,
        )

    # -- observations and plans ------------------------------------------------------------
    def weight(self, kg: float, days_ago: int = 10) -> Chart:
        code = {"coding": [{"system": f.LOINC, "code": "29463-7", "display": "Body weight"}]}
        self.observations.append(self._obs(code, days_ago, "vital-signs", kg, "kg"))
        return self

    def jak_labs(self, days_ago: int = 40) -> Chart:
        for loinc, text, value in f.JAK_LABS:
            coding = [{"system": f.LOINC, "code": loinc, "display": text}] if loinc else []
            if self.style == "epic":
                coding.append({"system": f.EPIC_LAB, "code": str(1500 + len(text))})
            self.observations.append(
                self._obs({"coding": coding, "text": text}, days_ago, "laboratory", value)
            )
        return self

    def _obs(self, code: Json, days_ago: int, category: str, value: Any, unit: str = "") -> Json:
        obs: Json = {
            "resourceType": "Observation",
            "id": self._id("obs"),
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": category,
                        }
                    ]
                }
            ],
            "code": code,
            "subject": self.ref(),
            "effectiveDateTime": f.iso(days_ago),
        }
        if isinstance(value, float | int):
            obs["valueQuantity"] = {"value": value, "unit": unit, "system": f.UCUM, "code": unit}
        else:
            obs["valueString"] = value
        return obs

    def skin_care_plan(self) -> Chart:
        """Synthea's dermatitis module: CarePlan 711282006 with activity 225130001 (moisturiser)."""
        self.careplans.append(
            {
                "resourceType": "CarePlan",
                "id": self._id("careplan"),
                "status": "active",
                "intent": "order",
                "category": [
                    {
                        "coding": [
                            {
                                "system": f.SNOMED,
                                "code": "711282006",
                                "display": "Skin condition care",
                            }
                        ]
                    }
                ],
                "subject": self.ref(),
                "period": {"start": f.iso(300)},
                "activity": [
                    {
                        "detail": {
                            "code": {
                                "coding": [
                                    {
                                        "system": f.SNOMED,
                                        "code": "225130001",
                                        "display": "Application of moisturizer to skin",
                                    }
                                ]
                            },
                            "status": "in-progress",
                        }
                    }
                ],
            }
        )
        return self

    # -- the request -----------------------------------------------------------------------
    def request(self, hook: str) -> Json:
        context: Json = {
            "userId": "Practitioner/realistic-prescriber",
            "patientId": self.patient_id,
        }
        if hook != "patient-view":
            context["draftOrders"] = {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": d} for d in self.drafts],
            }
            if hook == "order-select":
                context["selections"] = [f"MedicationRequest/{d['id']}" for d in self.drafts[:1]]
        return {
            "hook": hook,
            "hookInstance": str(
                uuid.UUID(bytes=hashlib.sha256(self.key.encode()).digest()[:16], version=4)
            ),
            "context": context,
            "prefetch": {
                "patient": self.patient,
                "conditions": _bundle(self.conditions, self.style),
                "medications": _bundle(self.history, self.style),
                "observations": _bundle(self.observations, self.style),
                "careplans": _bundle(self.careplans, self.style),
                "servicerequests": _bundle([], self.style),
            },
        }


def _reason(problem: Dx) -> Json:
    codings: list[Json] = []
    if problem.icd:
        codings.append({"system": f.ICD10, "code": problem.icd[0], "display": problem.icd[1]})
    if problem.snomed:
        codings.append(
            {"system": f.SNOMED, "code": problem.snomed[0], "display": problem.snomed[1]}
        )
    out: Json = {"text": problem.text}
    if codings:
        out["coding"] = codings
    return out
