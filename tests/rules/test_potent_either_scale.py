"""Potent TCS = US class I-III or BNF potent / very potent (clinical-rules §5.1)."""

from __future__ import annotations

import pytest

from cds_service.picture.orders import build_order
from cds_service.terminology import Terminology
from cds_service.vocabulary import is_potent_tcs


@pytest.fixture(scope="module")
def term() -> Terminology:
    return Terminology.load()


def _order(term: Terminology, text: str):
    res = {
        "resourceType": "MedicationRequest",
        "id": "potency-probe",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": {"text": text},
    }
    return build_order(res, {}, term, is_draft=True, in_scope=True)


@pytest.mark.parametrize(
    ("text", "us", "uk"),
    [
        ("clobetasol propionate 0.05% ointment", 1, "very-potent"),  # both scales
        ("betamethasone valerate 0.1% cream", 5, "potent"),  # Betnovate: US V, BNF potent
        ("Betnovate 0.1% cream", 5, "potent"),
        ("Locoid 0.1% cream", 5, "potent"),  # hydrocortisone butyrate
        ("fluticasone propionate 0.05% cream", 5, "potent"),
        ("mometasone furoate 0.1% cream", 4, "potent"),
        ("triamcinolone acetonide 0.5% cream", 3, "potent"),
        ("Nerisone Forte 0.3% ointment", None, "very-potent"),  # UK only
    ],
)
def test_either_scale_makes_a_steroid_potent(term: Terminology, text, us, uk) -> None:
    order = _order(term, text)
    assert (order.drug.us_class, order.drug.uk_potency) == (us, uk)
    assert is_potent_tcs(order)


@pytest.mark.parametrize(
    ("text", "us", "uk"),
    [
        ("triamcinolone acetonide 0.1% cream", 4, None),  # US IV, not in the BNF
        ("Eumovate 0.05% cream", None, "moderate"),  # clobetasone butyrate
        ("Betnovate-RD 0.025% cream", None, "moderate"),
        ("desonide 0.05% cream", 6, None),
        ("hydrocortisone 1% cream", 7, "mild"),
    ],
)
def test_neither_scale_potent_is_not_potent(term: Terminology, text, us, uk) -> None:
    order = _order(term, text)
    assert (order.drug.us_class, order.drug.uk_potency) == (us, uk)
    assert not is_potent_tcs(order)


@pytest.mark.parametrize(
    "text",
    [
        "triamcinolone acetonide cream",  # 0.025% (VI), 0.1% (IV) or 0.5% (III)
        "hydrocortisone 0.1% cream",  # Dioderm (mild) or hydrocortisone butyrate without its salt
    ],
)
def test_undecided_potency_is_not_called_potent(term: Terminology, text) -> None:
    order = _order(term, text)
    assert (order.drug.us_class, order.drug.uk_potency) == (None, None)
    assert not is_potent_tcs(order)


def test_oral_steroid_is_never_a_potent_tcs(term: Terminology) -> None:
    assert not is_potent_tcs(_order(term, "prednisolone 5 mg tablets"))
