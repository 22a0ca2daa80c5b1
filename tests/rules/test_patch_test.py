"""patch-test-suggested (clinical-rules R-40): what counts as an anti-inflammatory course."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cds_service.rules import Finding, Silent
from tests.conftest import load_fixture
from tests.rules.redflags_support import decide

RULE = "patch-test-suggested"


def _with_status(name: str, index: int, status: str) -> dict[str, Any]:
    body = copy.deepcopy(load_fixture(f"{RULE}/{name}.json"))
    body["prefetch"]["medications"]["entry"][index]["resource"]["status"] = status
    return body


def test_two_eyelid_courses_fire() -> None:
    assert isinstance(decide(RULE, f"{RULE}/two-courses-eyelid-6-months-in.json"), Finding)


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled"])
def test_a_voided_order_is_not_a_course(status: str) -> None:
    """An order entered in error or cancelled was never used: it is not a second course."""
    body = _with_status("two-courses-eyelid-6-months-in", 1, status)
    assert isinstance(decide(RULE, body), Silent)


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled"])
def test_a_voided_order_is_not_weeks_of_treatment(status: str) -> None:
    body = _with_status("new-course-after-28-days-treatment-hands-in", 0, status)
    assert isinstance(decide(RULE, body), Silent)


def test_planned_days_still_to_come_are_not_weeks_of_treatment() -> None:
    """R-40 "a new course after >=4 weeks of treatment": a 28-day course started 7 days ago is
    7 days of treatment so far (the card still fires, for two courses at the hands, but not
    for weeks of treatment); started 28 days ago it is 28."""
    for started, clue in (("2026-11-15", "repeated-courses"), ("2026-10-25", "long-treatment")):
        body = _with_status("new-course-after-28-days-treatment-hands-in", 0, "active")
        body["prefetch"]["medications"]["entry"][0]["resource"]["authoredOn"] = started
        decision = decide(RULE, body)
        assert isinstance(decision, Finding) and decision.values["clue"] == clue, started
