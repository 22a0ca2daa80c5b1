"""PatientPicture.orders_in: the same orders, in picture order, whether the orders are read one
by one (a small chart) or grouped by drug (a large one)."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.picture import build_picture
from cds_service.picture.order_queries import BY_DRUG_FROM
from cds_service.terminology import Terminology
from cds_service.vocabulary import UnknownName, drafts_of
from tests.conftest import NOW

DRUGS = (
    "betamethasone dipropionate 0.05% cream",
    "tacrolimus 0.1% ointment",
    "cetirizine 10 mg tablet",
    "an unknown cream",
    "hydrocortisone 1% cream",
)
QUESTIONS: list[tuple[tuple[str, ...], bool]] = [
    (("tcs",), False),
    (("tci",), False),
    (("tcs", "tci"), False),
    (("emollient",), True),
    (("antihistamine-non-sedating", "tcs"), False),
    (("scabicide",), False),
]


def _picture(count: int) -> Any:
    resources = [
        {
            "resourceType": "MedicationRequest",
            "id": f"m{i}",
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": {"text": DRUGS[(i * 7) % 5]},
        }  # fmt: skip
        for i in range(count)
    ]
    return build_picture(
        hook="patient-view",
        context={"patientId": "p1", "userId": "Practitioner/u"},
        resources=resources,
        medications={},
        terminology=Terminology.load(),
        now=NOW,
    )


@pytest.mark.parametrize("count", [BY_DRUG_FROM - 1, BY_DRUG_FROM, 3 * BY_DRUG_FROM])
def test_orders_in_keeps_picture_order_either_way(count: int) -> None:
    picture = _picture(count)
    assert len(picture.orders) == count
    for classes, unclassified in QUESTIONS:
        expected = tuple(
            o
            for o in picture.orders
            if set(classes) & o.drug.drug_classes or (unclassified and not o.drug.drug_classes)
        )
        assert picture.orders_in(*classes, unclassified=unclassified) == expected
    assert picture.orders_in("tcs") and picture.orders_in("tci")


def test_an_unknown_class_fails_either_way() -> None:
    for count in (1, BY_DRUG_FROM):
        with pytest.raises(UnknownName):
            _picture(count).orders_in("tsc")


def _signing(*texts: str) -> Any:
    drafts = [
        {
            "resourceType": "MedicationRequest",
            "id": f"d{i}",
            "status": "draft",
            "intent": "order",
            "subject": {"reference": "Patient/p1"},
            "medicationCodeableConcept": {"text": text},
        }  # fmt: skip
        for i, text in enumerate(texts)
    ]
    return build_picture(
        hook="order-sign",
        context={
            "patientId": "p1",
            "userId": "Practitioner/u",
            "draftOrders": {"resourceType": "Bundle", "entry": [{"resource": d} for d in drafts]},
        },
        resources=[],
        medications={},
        terminology=Terminology.load(),
        now=NOW,
    )


def test_drafts_of_reads_the_classes_as_is_a_does() -> None:
    picture = _signing(*DRUGS)
    for classes, _unclassified in QUESTIONS:
        expected = [o for o in picture.drafts if any(o.is_a(c) for c in classes)]
        assert drafts_of(picture, *classes) == expected
        assert drafts_of(picture, *classes) is not drafts_of(picture, *classes)  # a fresh list
    assert [o.id for o in drafts_of(picture, "tcs")] == ["d0", "d4"]


def test_drafts_of_an_unknown_class_fails_when_a_draft_is_asked() -> None:
    with pytest.raises(UnknownName):
        drafts_of(_signing(DRUGS[2]), "tcs", "tsc")
    assert drafts_of(_signing(DRUGS[0]), "tcs", "tsc")  # is_a answers "tcs" first, as before
    assert drafts_of(_signing(), "tsc") == []  # no draft: no class asked
