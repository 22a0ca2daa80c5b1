"""PatientPicture.orders_in: the same orders, in picture order, whether the orders are read one
by one (a small chart) or grouped by drug (a large one)."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.picture import build_picture
from cds_service.picture.order_queries import BY_DRUG_FROM
from cds_service.terminology import Terminology
from cds_service.vocabulary import UnknownName
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
