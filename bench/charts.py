"""Synthetic but realistic charts: Synthea-shaped resources with codes the terminology knows."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, timedelta
from typing import Any

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
TODAY = date(2026, 11, 22)

# (RxNorm code or None, text, topical site text or None): TCS, TCI, emollients, oral drugs.
MEDICATIONS: tuple[tuple[str | None, str, str | None], ...] = (
    (None, "clobetasol propionate 0.05% ointment", "apply to the eyelids"),
    (None, "betamethasone dipropionate 0.05% cream", "apply thinly to the neck"),
    (None, "mometasone furoate 0.1% ointment", "elbow creases"),
    ("106258", "hydrocortisone 10 MG/ML Topical Cream", "apply to the face"),
    ("855474", "alclometasone dipropionate 0.5 MG/ML Topical Cream", "apply to the trunk"),
    (None, "triamcinolone acetonide 0.1% cream", "arms and legs"),
    ("314266", "tacrolimus 0.001 MG/MG Topical Ointment", "apply to the face twice daily"),
    (None, "pimecrolimus 1% cream", "apply to the eyelids"),
    (None, "white soft paraffin ointment", "apply all over, avoid the eyes"),
    (None, "CeraVe moisturizing cream", "apply liberally after bathing"),
    (None, "emollient cream", None),
    ("997488", "fexofenadine hydrochloride 30 MG Oral Tablet", None),
    ("20610", "cetirizine", None),
    ("995258", "hydroxyzine hydrochloride 25 MG Oral Tablet", None),
    ("312617", "prednisone 5 MG Oral Tablet", None),
    ("241834", "cyclosporine, modified 100 MG Oral Capsule", None),
    ("1876376", "dupilumab", None),
    (None, "amoxicillin 500 MG Oral Capsule", None),
)
SITE_CODES = (
    ("80243003", "Eyelid structure"),
    ("89545001", "Face structure"),
    ("45048000", "Neck"),
)
CONDITIONS = (
    (SNOMED, "24079001", "Atopic dermatitis"),
    (SNOMED, "43116000", "Eczema"),
    (ICD10, "L20.9", "Atopic dermatitis, unspecified"),
    (SNOMED, "195967001", "Asthma"),
    (SNOMED, "367498001", "Seasonal allergic rhinitis"),
    (SNOMED, "238575004", "Allergic contact dermatitis"),
    (SNOMED, "48277006", "Impetigo"),
    (SNOMED, "44054006", "Diabetes mellitus type 2"),
    (SNOMED, "59621000", "Essential hypertension"),
    (ICD10, "F41.1", "Generalized anxiety disorder"),
)
OBSERVATIONS = (
    ("8302-2", "Body Height", "cm", 120.0, 190.0, "vital-signs"),
    ("29463-7", "Body weight", "kg", 20.0, 110.0, "vital-signs"),
    ("8480-6", "Systolic blood pressure", "mm[Hg]", 100.0, 160.0, "vital-signs"),
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 10.0, 17.0, "laboratory"),
    ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.5, 1.5, "laboratory"),
    ("1742-6", "Alanine aminotransferase [Enzymatic activity/volume]", "U/L", 8.0, 60.0,
     "laboratory"),
    ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 120.0, 280.0, "laboratory"),
)  # fmt: skip
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
META = {"tag": [{"system": "https://smarthealthit.org/tags", "code": "synthea-5-2019"}]}


def _uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128)))


def _when(rng: random.Random, max_days: int) -> str:
    day = TODAY - timedelta(days=rng.randrange(1, max_days))
    return f"{day.isoformat()}T{rng.randrange(24):02d}:39:52+00:00"


def _concept(system: str, code: str | None, text: str) -> dict[str, Any]:
    coding = [{"system": system, "code": code, "display": text}] if code else []
    return {"coding": coding, "text": text} if coding else {"text": text}


def _status(system_tail: str, code: str) -> dict[str, Any]:
    system = f"http://terminology.hl7.org/CodeSystem/{system_tail}"
    return {"coding": [{"system": system, "code": code}]}


def condition(rng: random.Random, pid: str, i: int) -> dict[str, Any]:
    system, code, text = CONDITIONS[0 if i == 0 else rng.randrange(len(CONDITIONS))]
    resolved = i > 0 and rng.random() < 0.3
    res: dict[str, Any] = {
        "resourceType": "Condition",
        "id": _uid(rng),
        "meta": META,
        "clinicalStatus": _status("condition-clinical", "resolved" if resolved else "active"),
        "verificationStatus": _status("condition-ver-status", "confirmed"),
        "code": _concept(system, code, text),
        "subject": {"reference": f"Patient/{pid}"},
        "encounter": {"reference": f"urn:uuid:{_uid(rng)}"},
        "onsetDateTime": _when(rng, 3650),
        "recordedDate": _when(rng, 3650),
    }
    if resolved:
        res["abatementDateTime"] = _when(rng, 300)
    if code in ("24079001", "43116000") and rng.random() < 0.5:
        site_code, site_text = SITE_CODES[rng.randrange(len(SITE_CODES))]
        res["bodySite"] = [_concept(SNOMED, site_code, site_text)]
    return res


def medication_request(
    rng: random.Random, pid: str, *, draft: bool, med: int | None = None
) -> dict[str, Any]:
    code, text, site_text = MEDICATIONS[rng.randrange(len(MEDICATIONS)) if med is None else med]
    dosage: dict[str, Any] = {
        "sequence": 1,
        "timing": {
            "repeat": {
                "frequency": rng.choice((1, 2)),
                "period": 1,
                "periodUnit": "d",
                "boundsDuration": {"value": rng.choice((7, 14, 28)), "unit": "days",
                                   "system": UCUM, "code": "d"},
            }
        },
    }  # fmt: skip
    if site_text:
        dosage["text"] = site_text
        if rng.random() < 0.3:
            site_code, site_display = SITE_CODES[rng.randrange(len(SITE_CODES))]
            dosage["site"] = _concept(SNOMED, site_code, site_display)
    res: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": _uid(rng),
        "meta": META,
        "status": "draft" if draft else rng.choice(("active", "completed", "stopped")),
        "intent": "order",
        "medicationCodeableConcept": _concept(RXNORM, code, text),
        "subject": {"reference": f"Patient/{pid}"},
        "encounter": {"reference": f"urn:uuid:{_uid(rng)}"},
        "authoredOn": TODAY.isoformat() if draft else _when(rng, 1800),
        "requester": {"reference": f"urn:uuid:{_uid(rng)}"},
        "dosageInstruction": [dosage],
        "dispenseRequest": {
            "numberOfRepeatsAllowed": rng.randrange(3),
            "quantity": {"value": rng.choice((15, 30, 60)), "unit": "g", "code": "g",
                         "system": UCUM} if site_text else {"value": 30, "unit": "tablet"},
        },
    }  # fmt: skip
    return res


def observation(rng: random.Random, pid: str) -> dict[str, Any]:
    code, text, unit, low, high, category = OBSERVATIONS[rng.randrange(len(OBSERVATIONS))]
    when = _when(rng, 3650)
    return {
        "resourceType": "Observation",
        "id": _uid(rng),
        "meta": META,
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY, "code": category, "display": category}]}],
        "code": _concept(LOINC, code, text),
        "subject": {"reference": f"Patient/{pid}"},
        "encounter": {"reference": f"urn:uuid:{_uid(rng)}"},
        "effectiveDateTime": when,
        "issued": when,
        "valueQuantity": {"value": rng.uniform(low, high), "unit": unit, "system": UCUM,
                          "code": unit},
    }  # fmt: skip


def _searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {"fullUrl": f"urn:uuid:{r['id']}", "resource": r, "search": {"mode": "match"}}
            for r in resources
        ],
    }


# Percent of the prefetched resources that are Conditions and MedicationRequests (the rest
# Observations): Synthea-like, then a long medication history (the costliest per byte: every
# order is classified), then a long problem list.
MIXES = {"default": (15, 25), "medications": (23, 76), "conditions": (75, 20)}


def chart(size: int, hook: str, seed: int = 1, mix: str = "default") -> dict[str, Any]:
    """A hook request for `hook` with about `size` prefetched resources and 2-5 drafts."""
    rng = random.Random(seed * 100_003 + size + 7 * list(MIXES).index(mix))
    pid = f"bench-{size}"
    cond_pct, meds_pct = MIXES[mix]
    n_cond = max(1, size * cond_pct // 100)
    n_meds = max(1, size * meds_pct // 100)
    n_obs = max(0, size - 1 - n_cond - n_meds)
    patient = {
        "resourceType": "Patient",
        "id": pid,
        "meta": META,
        "gender": "female",
        "birthDate": "1996-05-14",
        "name": [{"use": "official", "family": "Bench", "given": [pid]}],
    }
    body: dict[str, Any] = {
        "hookInstance": _uid(rng),
        "hook": hook,
        "fhirServer": "https://ehr.example.org/fhir",
        "context": {"userId": "Practitioner/bench", "patientId": pid},
        "prefetch": {
            "patient": patient,
            "conditions": _searchset([condition(rng, pid, i) for i in range(n_cond)]),
            "medications": _searchset(
                [medication_request(rng, pid, draft=False) for _ in range(n_meds)]
            ),
            "observations": _searchset([observation(rng, pid) for _ in range(n_obs)]),
            "careplans": _searchset([]),
            "servicerequests": _searchset([]),
        },
    }
    if hook in ("order-select", "order-sign"):
        # First draft: a potent TCS for the eyelids; then TCI / emollient / oral, 2-5 in all.
        picks = [0, 6, 9, 11, 14][: 2 + rng.randrange(4)]
        drafts = [medication_request(rng, pid, draft=True, med=m) for m in picks]
        body["context"]["draftOrders"] = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": d} for d in drafts],
        }
        if hook == "order-select":
            body["context"]["selections"] = [f"MedicationRequest/{drafts[0]['id']}"]
    return body


def encode(body: dict[str, Any]) -> bytes:
    """Compact JSON bytes, as an EHR sends them."""
    return json.dumps(body, separators=(",", ":")).encode()


def count(body: dict[str, Any]) -> int:
    """Resources in the prefetch (searchset entries count one each)."""
    total = 0
    for value in body.get("prefetch", {}).values():
        total += len(value.get("entry", [])) if value.get("resourceType") == "Bundle" else 1
    return total
