"""The per-call shortcuts taken for speed give the same answers as the slow path."""

from __future__ import annotations

import dataclasses
import gc
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient

from cds_service.gcpause import gc_paused
from cds_service.picture import access as fx
from cds_service.picture import build_picture
from cds_service.terminology import Terminology
from cds_service.terminology import terminology as term_module
from tests.conftest import NOW, load_fixture, post_hook

SNOMED = "http://snomed.info/sct"


@pytest.fixture(scope="module")
def terminology() -> Terminology:
    return Terminology.load()


def test_gc_paused_resumes_the_collector_after_nested_pauses() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer call is still running
    assert gc.isenabled()


def test_gc_paused_resumes_after_an_exception() -> None:
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_gc_paused_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_hook_call_and_rejected_call_leave_the_collector_on(client: FlaskClient) -> None:
    body = load_fixture("tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json")
    assert post_hook(client, body).status_code == 200
    assert gc.isenabled()
    assert client.post("/cds-services/eczema-order-sign", json={"hook": 1}).status_code == 400
    assert gc.isenabled()


def test_memoised_classification_equals_the_classifier(terminology: Terminology) -> None:
    classifier = terminology._classifier
    cases: list[tuple[list[Any], str | None]] = [
        ([], "clobetasol propionate 0.05% ointment"),
        ([("http://www.nlm.nih.gov/research/umls/rxnorm", "106258", None)], None),
        ([], "cetirizine 10 mg tablet"),
    ]
    for codings, text in cases:
        first = terminology.classify_drug(codings, text)
        assert first == classifier.classify(codings, text)
        assert terminology.classify_drug(tuple(codings), text) is first  # served from the memo


def test_unhashable_codings_and_long_text_bypass_the_memo(terminology: Terminology) -> None:
    as_lists: Any = [["http://www.nlm.nih.gov/research/umls/rxnorm", "106258", None]]
    assert terminology.classify_drug(as_lists, None).drug_classes == {"tcs"}
    long_text = "apply to the eyelids " + "x" * term_module.MEMO_TEXT
    assert terminology.body_sites([], long_text) == {"eyelid"}
    assert terminology.in_value_set("atopic-dermatitis", [[SNOMED, "24079001"]])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-06-08T18:39:52+00:00", date(2020, 6, 8)),
        ("  2020-06", date(2020, 6, 1)),
        ("2020", date(2020, 1, 1)),
        ("2020-13-01", None),
        ("June 2020", None),
        ("2020-06-3x", date(2020, 6, 1)),
    ],
)
def test_parse_date_reads_the_prefix(value: str, expected: date | None) -> None:
    assert fx.parse_date(value) == expected


def _condition(cid: str, code: str, status: str = "active") -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": cid,
        "clinicalStatus": {"coding": [{"code": status}]},
        "code": {"coding": [{"system": SNOMED, "code": code}]},
    }


def _picture(terminology: Terminology, resources: list[Any]) -> Any:
    return build_picture(
        hook="patient-view",
        context={"patientId": "p1"},
        resources=resources,
        medications={},
        terminology=terminology,
        now=NOW,
    )


def test_active_conditions_keep_chart_order_and_skip_resolved(terminology: Terminology) -> None:
    resources = [
        _condition("a", "24079001"),
        _condition("b", "195967001"),
        _condition("c", "24079001", "resolved"),
        _condition("d", "43116000"),
    ]
    picture = _picture(terminology, resources)
    assert [c.id for c in picture.active_conditions("atopic-dermatitis")] == ["a", "d"]
    assert picture.active_conditions("atopic-dermatitis") is picture.active_conditions(
        "atopic-dermatitis"
    )


def test_a_replaced_picture_does_not_reuse_memoised_answers(terminology: Terminology) -> None:
    picture = _picture(terminology, [_condition("a", "24079001")])
    assert picture.has_active("atopic-dermatitis")
    cleared = dataclasses.replace(picture, conditions=())
    assert not cleared.has_active("atopic-dermatitis")
    assert cleared.drafts == ()


def test_instruction_text_keeps_texts_then_patient_texts_then_sites(
    terminology: Terminology,
) -> None:
    draft = {
        "resourceType": "MedicationRequest",
        "id": "d1",
        "status": "draft",
        "medicationCodeableConcept": {"text": "hydrocortisone 1% cream"},
        "dosageInstruction": [
            {"text": "first", "patientInstruction": "p-first", "site": {"text": "neck"}},
            {"text": "second", "asNeededBoolean": True},
        ],
        "note": [{"text": "note"}],
    }
    picture = build_picture(
        hook="order-sign",
        context={"patientId": "p1", "draftOrders": {"entry": [{"resource": draft}]}},
        resources=[],
        medications={},
        terminology=terminology,
        now=NOW,
    )
    (order,) = picture.orders
    assert order.instruction_text == "first ; second ; p-first ; neck ; note"
    assert order.as_needed
    assert order.sites == {"neck"}
