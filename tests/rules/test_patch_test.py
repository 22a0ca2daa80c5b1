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
