"""The call's memo (picture/memo.py) gives every order and Condition what it would get alone."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.picture import builder
from cds_service.picture.memo import Memo, concept_key, repeat_key
from cds_service.picture.orders import build_order
from cds_service.picture.records import build_condition
from cds_service.terminology import Terminology


@pytest.fixture(scope="module")
def term() -> Terminology:
    return Terminology.load()


CONCEPTS: list[Any] = [
    {"text": "hydrocortisone 1% cream"},
    {"text": "hydrocortisone 1% cream", "coding": []},
    {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1876376"}]},
    {"coding": [{"code": "1876376", "display": "dupilumab"}], "text": " "},
    {"coding": [{"code": 1876376, "display": "dupilumab"}]},
    {"coding": {"code": "1876376", "display": "dupilumab"}},
    {"coding": ["x", {"display": "tacrolimus 0.1% ointment"}]},
    {"text": 5},
]
REPEATS: list[Any] = [
    {"frequency": 1, "period": 1, "periodUnit": "d"},
    {"frequency": 1.0, "period": 1.0, "periodUnit": "d"},
    {"frequency": True, "period": 1, "periodUnit": "d"},
    {"frequency": 2, "period": True, "periodUnit": "wk"},
    {"frequency": "2", "period": 1, "periodUnit": "d"},
    {"frequency": 2, "period": 1, "periodUnit": 7},
    {"frequency": 2, "period": 1, "boundsPeriod": {"start": "2024-01-01", "end": 5}},
    {"frequency": 2, "period": 1, "boundsPeriod": "2024-01-01"},
    {"frequency": 2, "period": 1, "dayOfWeek": ["mon", "thu"]},
    {"boundsDuration": {"value": 7, "code": "d"}},
]


def _orders(term: Terminology, memo: Memo | None) -> list[Any]:
    built = []
    for concept in CONCEPTS:
        for repeat in REPEATS:
            res = {
                "resourceType": "MedicationRequest",
                "id": "a",
                "medicationCodeableConcept": concept,
                "dosageInstruction": [{"timing": {"repeat": repeat}}],
            }
            try:
                built.append(build_order(res, {}, term, False, False, memo))
            except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
                built.append(type(exc))
    return built


def test_orders_built_with_the_memo_equal_those_built_alone(term: Terminology) -> None:
    memo = Memo()
    assert _orders(term, memo) == _orders(term, None)
    assert _orders(term, memo) == _orders(term, None)  # now from the memo
    assert memo.drugs and memo.schedules


def test_conditions_built_with_the_memo_equal_those_built_alone(term: Terminology) -> None:
    memo = Memo()
    sites: list[Any] = [None, {"text": "face"}, "neck", [5], *([c] for c in CONCEPTS)]
    sites += [[{"text": "left cheek"}, {"coding": [{"code": "45048000"}]}]]
    for concept, site in zip(CONCEPTS * 2, sites, strict=False):
        res = {"resourceType": "Condition", "code": concept, "bodySite": site}
        alone = builder._safe(build_condition, res, term, Memo())
        assert builder._safe(build_condition, res, term, memo) == alone
        assert builder._safe(build_condition, res, term, memo) == alone


def test_keys_refuse_values_read_differently() -> None:
    assert repeat_key({"frequency": True, "period": 1}) is None
    assert repeat_key({"frequency": 1, "when": ["MORN"]}) is None
    assert repeat_key({"frequency": 1, "period": 1}) == repeat_key({"frequency": 1.0, "period": 1})
    assert concept_key({"text": 5}) is None
    assert concept_key({"coding": [{"code": 5}]}) is None
    assert concept_key({"coding": [{"code": "5"}]}) != concept_key({"coding": [{"display": "5"}]})


def test_resource_id_without_the_regex_agrees_with_it() -> None:
    from cds_service.picture import access

    samples = ["", "a" * 256, "a" * 257, "Patient/x", "a b", "ab\u00e9", "x\ufeff"]
    samples += [s for i in range(128) for s in (chr(i), f"a{chr(i)}b")]
    for value in samples:
        pattern = value if access._ID.fullmatch(value) else None
        assert access.resource_id(value) == pattern, repr(value)


def test_a_negative_zero_is_not_given_a_positive_zeros_schedule(term: Terminology) -> None:
    # -0.0 == 0 == 0.0 (and they hash alike), but the schedule keeps the sign it was given:
    # a memo keyed on them would hand the second order the first one's zero.
    memo = Memo()
    for first, second in ((0.0, -0.0), (-0.0, 0), (0, -0.0)):
        for name in ("frequency", "period"):
            for value in (first, second):
                repeat = {"frequency": 1, "period": 1, "periodUnit": "d", name: value}
                res = {
                    "resourceType": "MedicationRequest",
                    "medicationCodeableConcept": {"text": "hydrocortisone 1% cream"},
                    "dosageInstruction": [{"timing": {"repeat": repeat}}],
                }
                shared, alone = (build_order(res, {}, term, False, False, m) for m in (memo, None))
                assert repr(shared) == repr(alone), (name, value)
