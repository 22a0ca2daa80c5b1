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
from tests.realistic import resources as r
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

    def _when(self, days_ago: int) -> str:
        """Epic and Cerner send instants with the site's UTC offset; the others dates."""
        day = f.iso(days_ago)
        return f"{day}T09:30:00-05:00" if self.style in ("epic", "cerner") else day

    def _id(self, kind: str) -> str:
        self._n += 1
        return _ident(self.style, f"{self.key}/{kind}/{self._n}")

    # -- problems --------------------------------------------------------------------------
    def dx(self, problem: Dx | None = None, *, other_patient: bool = False, **kw: Any) -> Chart:
        """A problem-list Condition (default: atopic dermatitis in this style's coding).

        Keywords: onset_days (700), status ("active"), verification ("confirmed"),
        abated_days; other_patient=True puts another patient in `subject`.
        """
        if problem is None:
            problem = f.AD_UK if self.style == "uk" else f.AD
        ident = self._id("dx")
        self.conditions.append(
            r.condition(ident, self.ref(other_patient), problem, self.style, **kw)
        )
        return self

    def order(
        self, name: str, *, draft: bool = True, other_patient: bool = False, **o: Any
    ) -> Chart:
        """A MedicationRequest: a draft of this call, or one on record (`draft=False`).

        Keywords: status ("active", records only), rxnorm, sig, site (SNOMED pair),
        site_text, per_day (2), every_weeks, days (14; None: no duration), qty (30; None),
        unit ("g"), supply_days, authored_days (0), dose ((value, unit)), reason (a Dx),
        as_reference ("contained" or "display": medicationReference instead of the concept).
        """
        o = {"days": 14, "qty": 30, **o}
        req: Json = {
            "resourceType": "MedicationRequest",
            "id": self._id("draft" if draft else "med"),
            "status": "draft" if draft else o.get("status", "active"),
            "intent": "order",
            "medicationCodeableConcept": r.medication(name, o.get("rxnorm"), self.style),
            "subject": self.ref(other_patient),
            "authoredOn": self._when(o.get("authored_days", 0)),
            "dosageInstruction": [r.dosage(o)],
        }
        if o.get("as_reference"):  # Epic R4: medicationReference, often to a contained Medication
            _to_reference(req, o["as_reference"], self._id("medication"))
        dispense = r.dispense(o, draft)
        if dispense:
            req["dispenseRequest"] = dispense
        if o.get("reason"):
            req["reasonCode"] = [r.reason(o["reason"])]
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

    def weight(self, value: float, days_ago: int = 10, unit: str = "kg") -> Chart:
        """Body weight (LOINC 29463-7); US charts often keep it in pounds ("[lb_av]")."""
        code = {"coding": [r.coding(f.LOINC, "29463-7", "Body weight")]}
        self.observations.append(
            r.observation(
                self._id("obs"),
                self.ref(),
                code,
                days_ago,
                category="vital-signs",
                value=value,
                unit=unit,
            )
        )
        return self

    def jak_labs(self, days_ago: int = 40) -> Chart:
        """The pre-JAK screening panel (fhir.JAK_LABS), all resulted `days_ago`."""
        for loinc, text, value in f.JAK_LABS:
            codings = [r.coding(f.LOINC, loinc, text)] if loinc else []
            if self.style == "epic":
                codings.append(r.coding(f.EPIC_LAB, str(1500 + len(text))))
            code = {"coding": codings, "text": text}
            self.observations.append(
                r.observation(
                    self._id("obs"), self.ref(), code, days_ago, category="laboratory", value=value
                )
            )
        return self

    def skin_care_plan(self) -> Chart:
        self.careplans.append(r.skin_care_plan(self._id("careplan"), self.ref()))
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


def _to_reference(req: Json, how: str, ident: str) -> None:
    concept = req.pop("medicationCodeableConcept")
    if how == "contained":
        req["contained"] = [{"resourceType": "Medication", "id": "med1", "code": concept}]
        req["medicationReference"] = {"reference": "#med1", "display": concept["text"]}
    else:
        req["medicationReference"] = {
            "reference": f"Medication/{ident}",
            "display": concept["text"],
        }
