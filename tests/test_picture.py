"""The picture builder: FHIR shapes real EHRs send, read defensively, with time pinned."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.picture import build_picture
from cds_service.terminology import Terminology
from tests.conftest import NOW

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


@pytest.fixture(scope="module")
def terminology() -> Terminology:
    return Terminology.load()


def _picture(terminology: Terminology, drafts: list[Any], resources: list[Any] = ()) -> Any:  # type: ignore[assignment]
    context = {
        "patientId": "p1",
        "userId": "Practitioner/u",
        "draftOrders": {"resourceType": "Bundle", "entry": [{"resource": d} for d in drafts]},
    }
    return build_picture(
        hook="order-sign",
        context=context,
        resources=list(resources),
        medications={},
        terminology=terminology,
        now=NOW,
    )


def test_age_in_completed_years(terminology: Terminology) -> None:
    patient = {"resourceType": "Patient", "id": "p1", "birthDate": "2010-11-23"}
    assert _picture(terminology, [], [patient]).age_years == 15
    patient["birthDate"] = "2010-11-22"
    assert _picture(terminology, [], [patient]).age_years == 16


def test_unparseable_birth_date_gives_no_age(terminology: Terminology) -> None:
    patient = {"resourceType": "Patient", "id": "p1", "birthDate": "not-a-date"}
    assert _picture(terminology, [], [patient]).age_years is None


def test_sandbox_draft_with_object_category_and_reason_code(terminology: Terminology) -> None:
    draft = {
        "resourceType": "MedicationRequest",
        "id": "request-123",
        "status": "draft",
        "category": {"coding": [{"code": "outpatient"}]},
        "reasonCode": {"coding": [{"system": "http://snomed.info/sct", "code": "24079001"}]},
        "medicationCodeableConcept": {
            "coding": [
                {
                    "system": RXNORM,
                    "code": "106258",
                    "display": "hydrocortisone 10 MG/ML Topical Cream",
                }
            ]
        },
    }
    picture = _picture(terminology, [draft])
    (order,) = picture.drafts
    assert order.reason_codings == (("http://snomed.info/sct", "24079001", None),)
    assert order.is_a("tcs")
    assert picture.has_eczema(order)


def test_draft_without_medication_is_kept_but_unclassified(terminology: Terminology) -> None:
    picture = _picture(terminology, [{"resourceType": "MedicationRequest", "id": "request-123"}])
    (order,) = picture.drafts
    assert order.has_medication is False
    assert order.drug.drug_classes == frozenset()


def test_resource_with_wrong_types_costs_only_that_fact(terminology: Terminology) -> None:
    bad = {"resourceType": "Condition", "id": "c1", "code": "eczema", "onsetDateTime": 12}
    good = {
        "resourceType": "Condition",
        "id": "c2",
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "24079001"}]},
    }
    picture = _picture(terminology, [], [bad, good])
    assert picture.has_active("atopic-dermatitis")
    assert len(picture.conditions) == 2


def test_site_from_code_and_from_text(terminology: Terminology) -> None:
    coded = {
        "resourceType": "MedicationRequest",
        "id": "a",
        "medicationCodeableConcept": {"text": "clobetasol propionate 0.05% ointment"},
        "dosageInstruction": [
            {"site": {"coding": [{"system": "http://snomed.info/sct", "code": "80243003"}]}}
        ],
    }
    texted = {
        "resourceType": "MedicationRequest",
        "id": "b",
        "medicationCodeableConcept": {"text": "clobetasol propionate 0.05% ointment"},
        "dosageInstruction": [{"text": "apply to eyelids twice daily"}],
    }
    a, b = _picture(terminology, [coded, texted]).drafts
    assert "eyelid" in a.sites and a.site_evidence == "the coded body site"
    assert "eyelid" in b.sites and b.site_evidence == "the instructions"
    assert a.drug.us_class == 1


def test_timing_duration_and_quantity(terminology: Terminology) -> None:
    draft = {
        "resourceType": "MedicationRequest",
        "id": "t",
        "authoredOn": "2026-11-01",
        "medicationCodeableConcept": {"text": "clobetasol propionate 0.05% cream"},
        "dosageInstruction": [
            {
                "timing": {
                    "repeat": {
                        "frequency": 2,
                        "period": 1,
                        "periodUnit": "wk",
                        "dayOfWeek": ["mon", "thu"],
                        "boundsDuration": {"value": 16, "code": "wk"},
                    }
                }
            }
        ],
        "dispenseRequest": {"quantity": {"value": 60, "unit": "g"}, "numberOfRepeatsAllowed": 1},
    }
    (order,) = _picture(terminology, [draft]).drafts
    assert order.per_day == pytest.approx(2 / 7)
    assert order.duration_days == 112
    assert order.days_of_week == ("mon", "thu")
    assert (order.quantity_value, order.quantity_unit, order.refills) == (60, "g", 1)
    assert order.start is not None and order.start.isoformat() == "2026-11-01"


def test_condition_status_rules(terminology: Terminology) -> None:
    def cond(cid: str, **extra: Any) -> dict[str, Any]:
        return {
            "resourceType": "Condition",
            "id": cid,
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "L20.9"}]},
            **extra,
        }

    resolved = cond("r", clinicalStatus={"coding": [{"code": "resolved"}]})
    refuted = cond(
        "f",
        clinicalStatus={"coding": [{"code": "active"}]},
        verificationStatus={"coding": [{"code": "refuted"}]},
    )
    assert not _picture(terminology, [], [resolved, refuted]).has_active("atopic-dermatitis")
    no_status = cond("n")
    assert _picture(terminology, [], [no_status]).has_active("atopic-dermatitis")
    abated = cond("a", abatementDateTime="2020-01-01")
    assert not _picture(terminology, [], [abated]).has_active("atopic-dermatitis")


def _with_contained(rid: str, text: str, status: str = "active") -> dict[str, Any]:
    """A MedicationRequest naming its own contained Medication "#med" (Epic-style local id)."""
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "contained": [{"resourceType": "Medication", "id": "med", "code": {"text": text}}],
        "medicationReference": {"reference": "#med"},
    }


def test_each_order_reads_its_own_contained_medication(terminology: Terminology) -> None:
    # Two past orders and a draft all cite "#med", each a different drug: a local reference
    # names the citing resource's own contained Medication, never another order's.
    past = [
        _with_contained("a", "tacrolimus 0.1% topical ointment"),
        _with_contained("b", "clobetasol propionate 0.05% topical ointment"),
    ]
    draft = _with_contained("d", "hydrocortisone 1% topical cream", status="draft")
    picture = _picture(terminology, [draft], past)
    by_id = {o.id: o for o in picture.orders}
    assert by_id["a"].is_a("tci") and not by_id["a"].is_a("tcs")
    assert by_id["b"].is_a("tcs") and not by_id["b"].is_a("tci")
    assert by_id["d"].is_a("tcs") and by_id["d"].name == "hydrocortisone 1% topical cream"
    assert by_id["b"].name == "clobetasol propionate 0.05% topical ointment"


def test_a_local_reference_is_never_resolved_across_requests() -> None:
    from cds_service.fhir import Deadline, resolve_medications

    orders = [
        _with_contained("a", "tacrolimus 0.1% topical ointment"),
        _with_contained("b", "clobetasol propionate 0.05% topical ointment"),
    ]
    found = resolve_medications(orders, [], client=None, deadline=Deadline(1.0))
    assert "#med" not in found
