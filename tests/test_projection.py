"""Prefetch projection (fhir/elements.py): only unread elements go, and no answer changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from flask.testing import FlaskClient

from bench import charts
from cds_service import fetching, jsonbody, pipeline
from cds_service.fhir.elements import ENTRY_KEPT, KEPT, project, projector
from cds_service.picture.dosage import DETAIL_FIELDS
from tests.conftest import FIXTURES, no_uuids
from tests.test_synthea import BUNDLES, patient_view_request

ALL_FIXTURES = sorted(FIXTURES.glob("*/*.json"))
SERVICES = {
    "order-select": "eczema-order-select",
    "order-sign": "eczema-order-sign",
    "patient-view": "eczema-patient-view",
}


def _answer(client: FlaskClient, raw: bytes) -> tuple[int, Any]:
    hook = json.loads(raw)["hook"]
    response = client.post(
        f"/cds-services/{SERVICES[hook]}", data=raw, content_type="application/json"
    )
    return response.status_code, no_uuids(response.get_json())


def _both_ways(client: FlaskClient, raw: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    projected = _answer(client, raw)
    with monkeypatch.context() as m:
        m.setattr(jsonbody, "project", msgspec.json.decode)  # every element, as before
        full = _answer(client, raw)
    assert projected == full
    assert projected[0] == 200


def _requests() -> list[tuple[str, bytes]]:
    found = [(f"{p.parent.name}/{p.stem}", p.read_bytes()) for p in ALL_FIXTURES]
    found += [
        (f"synthea/{p.stem[:20]}", json.dumps(patient_view_request(json.loads(p.read_text()))))
        for p in BUNDLES
    ]  # type: ignore[misc]
    found += [
        (f"bench/{size}-{hook}", charts.encode(charts.chart(size, hook)))
        for size in (10, 100)
        for hook in SERVICES
    ]
    return [(name, raw if isinstance(raw, bytes) else raw.encode()) for name, raw in found]


REQUESTS = _requests()


@pytest.mark.parametrize("raw", [r for _n, r in REQUESTS], ids=[n for n, _r in REQUESTS])
def test_every_request_gets_the_same_answer_projected_or_not(
    client: FlaskClient, raw: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    _both_ways(client, raw, monkeypatch)


def test_the_requests_cover_cards_and_silence() -> None:
    names = [n for n, _r in REQUESTS]
    assert sum(n.endswith("-in") for n in names) > 100
    assert sum(n.endswith("-out") for n in names) > 100


PATIENT = {
    "resourceType": "Patient",
    "id": "p1",
    "meta": {"versionId": "3"},
    "text": {"status": "generated", "div": "<div>Jane Doe</div>"},
    "identifier": [{"system": "urn:mrn", "value": "12345"}],
    "name": [{"family": "Doe", "given": ["Jane"]}],
    "address": [{"line": ["1 Main St"]}],
    "birthDate": "2001-02-03",
    "gender": "female",
}


def test_a_patient_keeps_birth_date_and_gender_only() -> None:
    assert project(json.dumps(PATIENT).encode()) == {
        "resourceType": "Patient",
        "id": "p1",
        "birthDate": "2001-02-03",
        "gender": "female",
    }


def test_a_bundle_keeps_entries_full_urls_links_and_read_elements_whole() -> None:
    order = {
        "resourceType": "MedicationRequest",
        "id": "m1",
        "subject": {"reference": "Patient/p1", "display": "Jane Doe"},
        "requester": {"reference": "Practitioner/x"},
        "dosageInstruction": [{"text": "eyelids", "extension": [{"url": "u", "valueString": "v"}]}],
        "dispenseRequest": {"quantity": {"value": 30, "unit": "g"}, "performer": {"x": 1}},
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "meta": {"lastUpdated": "2026-01-01"},
        "link": [{"relation": "self", "url": "https://x/MedicationRequest"}],
        "entry": [
            {"fullUrl": "urn:uuid:1", "search": {"mode": "match"}, "resource": order},
            {"fullUrl": "urn:uuid:2", "resource": {**PATIENT}},
        ],
    }
    kept = project(json.dumps(bundle).encode())
    assert kept["link"] == bundle["link"] and kept["type"] == "searchset"
    assert "meta" not in kept
    first, second = kept["entry"]
    assert first == {
        "fullUrl": "urn:uuid:1",
        "resource": {
            **{k: v for k, v in order.items() if k not in ("subject", "requester")},
            "subject": {"reference": "Patient/p1"},  # the reference only: never the name
        },
    }
    assert second["resource"] == project(json.dumps(PATIENT).encode())


@pytest.mark.parametrize(
    "value",
    [
        {"resourceType": "Bundle", "entry": {"resource": PATIENT}},  # entry not a list
        {"resourceType": "Bundle", "entry": ["not an entry", {"resource": PATIENT}]},
        {"resourceType": "Bundle", "entry": [{"resource": "not a resource"}]},
        [PATIENT],
        "text",
        None,
        12,
    ],
)
def test_a_value_of_another_shape_is_decoded_in_full(value: Any) -> None:
    assert project(json.dumps(value).encode()) == value


def test_a_repeated_element_reads_as_json_loads_reads_it() -> None:
    raw = b'{"resourceType": "Patient", "birthDate": "2000-01-01", "birthDate": "2001-01-01"}'
    assert project(raw) == json.loads(raw)


def test_every_kept_element_is_a_fhir_element_name() -> None:
    assert all(name.isidentifier() and name[0].islower() for name in KEPT)


def test_the_patient_name_never_reaches_the_picture(tmp_path: Path) -> None:
    body = {"prefetch": {"patient": PATIENT}, "hook": "patient-view"}
    parsed = jsonbody.loads_hook(json.dumps(body).encode())
    assert "name" not in parsed["prefetch"]["patient"]
    assert "Doe" not in repr(parsed)


def test_drafts_in_the_context_are_never_projected() -> None:
    """Suggestions copy a draft's resource into their actions: the context is decoded in full
    (only prefetch values are projected), unread elements and all."""
    draft = {
        "resourceType": "MedicationRequest",
        "id": "d1",
        "status": "draft",
        "meta": {"versionId": "1"},
        "requester": {"reference": "Practitioner/1", "display": "Dr Who"},
        "subject": {"reference": "Patient/p1", "display": "Jane Doe"},
        "medicationCodeableConcept": {"coding": [{"code": "1", "userSelected": True}]},
        "dosageInstruction": [{"sequence": 1, "timing": {"repeat": {"count": 2}}}],
    }
    context = {"patientId": "p1", "draftOrders": _entries_of(draft)}
    body = {"hook": "order-sign", "context": context, "prefetch": {"patient": PATIENT}}
    raw = json.dumps(body).encode()
    assert jsonbody.loads_hook(raw)["context"] == json.loads(raw)["context"]
    # (which projecting would change)
    assert project(json.dumps(context["draftOrders"]).encode()) != context["draftOrders"]


def _entries_of(*resources: dict[str, Any]) -> dict[str, Any]:
    entries = [{"resource": r, "fullUrl": "urn:uuid:x"} for r in resources]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


# --- every kept element is read: a chart that uses them all ---------------------------------

SNOMED, LOINC = "http://snomed.info/sct", "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def _cc(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}]}


def _entries(*resources: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
        **extra,
    }


SERVICE_REQUEST = {
    "resourceType": "ServiceRequest",
    "id": "sr1",
    "status": "active",
    "code": _cc(SNOMED, "252153000", "Patch test"),
    "category": [_cc(SNOMED, "108252007", "Laboratory procedure")],
    "authoredOn": "2026-02-01",
}
OUTCOME_ERROR = {"resourceType": "OperationOutcome", "issue": [{"severity": "error"}]}


def kitchen_sink(hook: str, base: str) -> dict[str, Any]:
    """A request whose prefetch uses every element in fhir/elements.py (plus unread ones)."""
    status = {"coding": [{"code": "active"}]}
    conditions = [
        {
            "resourceType": "Condition",
            "id": "c1",
            "meta": {"versionId": "1"},
            "clinicalStatus": status,
            "verificationStatus": {"coding": [{"code": "confirmed"}]},
            "code": _cc(SNOMED, "24079001", "Atopic dermatitis"),
            "onsetPeriod": {"start": "2020-01-01"},
            "recordedDate": "2019-05-01",
            "bodySite": [_cc(SNOMED, "80243003", "Eyelid structure")],
        },
        {
            "resourceType": "Condition",
            "id": "c2",
            "code": _cc(SNOMED, "195967001", "Asthma"),
            "onsetString": "2018 spring",
        },
        {
            "resourceType": "Condition",
            "id": "c3",
            "clinicalStatus": {"coding": [{"code": "resolved"}]},
            "code": _cc(SNOMED, "48277006", "Impetigo"),
            "abatementDateTime": "2026-10-01",
        },
        {
            "resourceType": "Condition",
            "id": "c4",
            "code": _cc(SNOMED, "43116000", "Eczema"),
            "onsetDateTime": "2024-03-02",
            "abatementPeriod": {"start": "2025-01-01"},
        },
        {  # another patient's: dropped (picture/identity.py), so `subject` is read
            "resourceType": "Condition",
            "id": "c-other",
            "subject": {"reference": "Patient/someone-else", "display": "Someone Else"},
            "code": _cc(SNOMED, "195967001", "Asthma"),
        },
        {  # another patient's, named DSTU2-style in `patient`: dropped too
            "resourceType": "Condition",
            "id": "c-other-dstu2",
            "patient": {"reference": "Patient/someone-else"},
            "code": _cc(SNOMED, "195967001", "Asthma"),
        },
        {
            "resourceType": "Observation",
            "id": "o1",
            "status": "final",
            "code": _cc(LOINC, "718-7", "Hemoglobin"),
            "effectiveDateTime": "2026-09-01",
            "valueQuantity": {"value": 13.1, "unit": "g/dL", "code": "g/dL"},
        },
        {
            "resourceType": "Observation",
            "id": "o2",
            "code": _cc(LOINC, "8302-2", "Body Height"),
            "effectivePeriod": {"start": "2026-08-01"},
            "valueString": "tall",
        },
        {
            "resourceType": "Observation",
            "id": "o3",
            "code": _cc(LOINC, "1742-6", "ALT"),
            "issued": "2026-07-01T10:00:00Z",
            "valueCodeableConcept": {"text": "normal"},
        },
        {  # a test not performed: no value, a dataAbsentReason
            "resourceType": "Observation",
            "id": "o4",
            "status": "final",
            "code": _cc(LOINC, "2160-0", "Creatinine"),
            "effectiveDateTime": "2026-09-01",
            "dataAbsentReason": {"coding": [{"code": "not-performed"}]},
        },
        {  # a panel: its values are its components, a dataAbsentReason beside them
            "resourceType": "Observation",
            "id": "o5",
            "code": _cc(LOINC, "85354-9", "Blood pressure panel"),
            "effectiveDateTime": "2026-09-01",
            "dataAbsentReason": {"coding": [{"code": "not-applicable"}]},
            "component": [
                {"code": _cc(LOINC, "8480-6", "Systolic"), "valueQuantity": {"value": 1}}
            ],
        },
        {  # a panel of members
            "resourceType": "Observation",
            "id": "o6",
            "code": _cc(LOINC, "24323-8", "Metabolic panel"),
            "effectiveDateTime": "2026-09-01",
            "dataAbsentReason": {"coding": [{"code": "not-applicable"}]},
            "hasMember": [{"reference": "Observation/o4"}],
        },
    ]
    clobetasol = {
        "resourceType": "MedicationRequest",
        "id": "m1",
        "subject": {"reference": "Patient/ks"},
        "requester": {"reference": "Practitioner/x"},
        "status": "active",
        "intent": "order",
        "authoredOn": "2026-10-01",
        "medicationCodeableConcept": {"text": "clobetasol propionate 0.05% ointment"},
        "dosageInstruction": [
            {
                "text": "apply thinly",
                "site": _cc(SNOMED, "89545001", "Face structure"),
                "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
            }
        ],
        "dispenseRequest": {
            "validityPeriod": {"start": "2026-10-02"},
            "expectedSupplyDuration": {"value": 30, "code": "d"},
            "quantity": {"value": 30, "code": "g"},
            "numberOfRepeatsAllowed": 1,
        },
        "reasonCode": [_cc(SNOMED, "24079001", "Atopic dermatitis")],
        "note": [{"text": "to the eyelids"}],
    }
    by_contained = {
        "resourceType": "MedicationRequest",
        "id": "m2",
        "status": "active",
        "authoredOn": "2026-09-01",
        "contained": [
            {
                "resourceType": "Medication",
                "id": "med1",
                "code": _cc(RXNORM, "314266", "tacrolimus"),
            }
        ],
        "medicationReference": {"reference": "#med1"},
        "reasonReference": [{"reference": "Condition/c1"}],
    }
    by_full_url = {
        "resourceType": "MedicationRequest",
        "id": "m3",
        "status": "active",
        "medicationReference": {"reference": "urn:uuid:med-2"},
    }
    medication = {
        "resourceType": "Medication",
        "id": "med-2-id",
        "code": _cc(RXNORM, "312617", "prednisone 5 MG Oral Tablet"),
    }
    draft = {
        "resourceType": "MedicationRequest",
        "id": "d1",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/ks"},
        "medicationCodeableConcept": {"text": "hydrocortisone 1% cream"},
        "dosageInstruction": [{"text": "apply to the face twice daily"}],
    }
    echo = {**draft, "status": "active", "medicationCodeableConcept": {"text": "mometasone"}}
    # Strength only in ingredient[].strength, vehicle only in form: an entry Medication (a
    # contained one is kept whole inside `contained`).
    by_ratio = {
        "resourceType": "MedicationRequest",
        "id": "m4",
        "status": "active",
        "medicationReference": {"reference": "urn:uuid:med-4"},
    }
    ratio_medication = {
        "resourceType": "Medication",
        "id": "med-4-id",
        "code": {"text": "triamcinolone acetonide topical"},
        "form": {"text": "Ointment"},
        "ingredient": [
            {
                "itemCodeableConcept": {"text": "triamcinolone acetonide"},
                "strength": {
                    "numerator": {"value": 5, "code": "mg"},
                    "denominator": {"value": 1, "code": "g"},
                },
            }
        ],
    }
    medications = _entries(
        clobetasol,
        by_contained,
        by_full_url,
        echo,
        by_ratio,
        type="collection",  # a next link in a collection is not followed
        link=[{"relation": "next", "url": f"{base}/page/medications-2"}],
    )
    medications["entry"].append({"fullUrl": "urn:uuid:med-2", "resource": medication})
    medications["entry"].append({"fullUrl": "urn:uuid:med-4", "resource": ratio_medication})
    context: dict[str, Any] = {"userId": "Practitioner/1", "patientId": "ks"}
    if hook != "patient-view":
        context["draftOrders"] = _entries(draft, type="collection")
    if hook == "order-select":
        context["selections"] = ["MedicationRequest/d1"]
    return {
        "hook": hook,
        "hookInstance": "kitchen-sink",
        "fhirServer": base,
        "context": context,
        "prefetch": {
            "patient": {
                "resourceType": "Patient",
                "id": "ks",
                "name": [{"family": "Doe"}],
                "birthDate": "1990-04-05",
                "gender": "female",
            },
            "conditions": _entries(
                *conditions, link=[{"relation": "next", "url": f"{base}/page/conditions-2"}]
            ),
            "medications": medications,
            "observations": None,
            "careplans": _entries(
                {
                    "resourceType": "CarePlan",
                    "id": "cp1",
                    "status": "active",
                    "category": [_cc(SNOMED, "736366004", "Care plan")],
                    "activity": [{"detail": {"code": _cc(SNOMED, "410518001", "Education")}}],
                    "created": "2026-01-01",
                    "title": "Eczema action plan",
                    "description": "Flare plan and daily emollient",
                }
            ),
            # The EHR's search partly failed (an error outcome entry): refetched, from `_view`.
            "servicerequests": _entries(SERVICE_REQUEST, OUTCOME_ERROR),
        },
    }


def _order_facts(order: Any) -> tuple[Any, ...]:
    """Every fact of an order, the lazily read ones too; not `terminology` or `raw`."""
    eager = msgspec.structs.astuple(order)[:-2]
    return eager + tuple(getattr(order, name) for name in DETAIL_FIELDS)


def _view(client: FlaskClient, fhir: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Per hook: the answer, the prefetch states and every fact of the picture (not `raw`)."""
    fhir.json("/fhir/page/conditions-2", _entries({**_C5}))
    fhir.json("/fhir/page/medications-2", _entries({**_M6}))
    fhir.json("/fhir/ServiceRequest", _entries(SERVICE_REQUEST))
    seen: list[Any] = []
    real_build, real_resolve = pipeline.build_picture, fetching.resolve_prefetch

    def build(**kwargs: Any) -> Any:
        picture = real_build(**kwargs)
        seen.append(
            (
                picture.birth_date,
                picture.gender,
                picture.conditions,
                [_order_facts(o) for o in picture.orders],
                list(picture.observations),
                picture.records,
                picture.unreadable,
            )
        )
        return picture

    def resolve(*args: Any, **kwargs: Any) -> Any:
        data = real_resolve(*args, **kwargs)
        seen.append((dict(data.states), dict(data.problems)))
        return data

    with monkeypatch.context() as m:
        m.setattr(pipeline, "build_picture", build)
        m.setattr(fetching, "resolve_prefetch", resolve)  # the fetch stage
        for hook in SERVICES:
            raw = json.dumps(kitchen_sink(hook, fhir.base)).encode()
            seen.append(_answer(client, raw))
    return seen


_C5 = {"resourceType": "Condition", "id": "c5", "code": _cc(SNOMED, "367498001", "Rhinitis")}
_M6 = {"resourceType": "MedicationRequest", "id": "m6", "medicationCodeableConcept": {"text": "x"}}


def test_the_kitchen_sink_reads_the_same_projected_or_not(
    client: FlaskClient, fhir: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    projected = _view(client, fhir, monkeypatch)
    monkeypatch.setattr(jsonbody, "project", msgspec.json.decode)
    assert _view(client, fhir, monkeypatch) == projected
    pictures = [v for v in projected if isinstance(v, tuple) and len(v) == 7]
    assert len(pictures) == 3 and all(p[2] and p[3] and p[4] and p[5] for p in pictures)


@pytest.mark.parametrize("dropped", sorted(KEPT - {"resourceType", "entry"}) + ["entry.fullUrl"])
def test_every_kept_element_changes_what_the_service_reads(
    client: FlaskClient, fhir: Any, monkeypatch: pytest.MonkeyPatch, dropped: str
) -> None:
    """Dropping any one element from the projection changes the kitchen sink's reading: the
    list holds nothing the service does not read (and the test above, nothing it misses)."""
    baseline = _view(client, fhir, monkeypatch)
    if dropped == "entry.fullUrl":
        smaller = projector(KEPT, ENTRY_KEPT - {"fullUrl"})
    else:
        smaller = projector(KEPT - {dropped})
    monkeypatch.setattr(jsonbody, "project", smaller)
    assert _view(client, fhir, monkeypatch) != baseline
