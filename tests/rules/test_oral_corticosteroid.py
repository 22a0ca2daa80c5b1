"""oral-corticosteroid-for-eczema: burst (info) vs prolonged or repeated (warning), reason gate."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import load_fixture
from tests.rules._systemic_helpers import card, created, silent

RULE = "oral-corticosteroid-for-eczema"


@pytest.mark.parametrize(
    ("name", "indicator"),
    [
        ("prednisone-14-day-burst-in", "info"),
        ("prednisone-15-day-course-in", "warning"),
        ("prednisone-second-course-182-days-in", "warning"),
        ("prednisone-prior-course-183-days-burst-in", "info"),
        ("prednisolone-reason-eczema-no-condition-in", "info"),
        ("methylprednisolone-order-select-in", "info"),
    ],
)
def test_indicator_follows_duration_and_repeats(hooks: Any, name: str, indicator: str) -> None:
    assert card(hooks, RULE, name)["indicator"] == indicator


def test_warning_offers_dermatology_referral(hooks: Any) -> None:
    found = card(hooks, RULE, "prednisone-15-day-course-in")
    assert found["suggestions"][0]["isRecommended"] is True
    (referral,) = created(found)
    assert referral["resourceType"] == "ServiceRequest"
    assert referral["code"]["coding"][0]["code"] == "308472003"
    assert referral["subject"] == {"reference": "Patient/ocs-15-days"}
    assert "this course: 15 days" in found["detail"]


def test_second_course_counts_the_prior_one(hooks: Any) -> None:
    found = card(hooks, RULE, "prednisone-second-course-182-days-in")
    assert "course 2" in found["detail"]


@pytest.mark.parametrize(
    "name", ["prednisone-for-asthma-out", "prednisone-no-eczema-out", "dexamethasone-cream-out"]
)
def test_silent(hooks: Any, name: str) -> None:
    assert silent(hooks, RULE, load_fixture(f"{RULE}/{name}.json"))


@pytest.mark.parametrize(
    "name",
    [
        "prednisone-no-reason-asthma-on-list-out",
        "prednisone-second-burst-no-reason-asthma-on-list-out",
        "dexamethasone-croup-2y-no-reason-out",
    ],
)
def test_silent_when_an_active_condition_explains_a_steroid_course(hooks: Any, name: str) -> None:
    """No reason on the order and asthma or croup on the list: not attributable to eczema."""
    assert silent(hooks, RULE, load_fixture(f"{RULE}/{name}.json"))


def test_no_reason_fires_once_the_asthma_is_resolved(hooks: Any) -> None:
    assert card(hooks, RULE, "prednisone-no-reason-asthma-resolved-in")["indicator"] == "info"


def test_a_prior_course_for_asthma_does_not_count(hooks: Any) -> None:
    found = card(hooks, RULE, "prednisolone-eczema-5y-prior-asthma-burst-in")
    assert found["indicator"] == "info"
    assert "this one included: 1)" in found["detail"]


def test_a_prior_course_with_no_reason_counts(hooks: Any) -> None:
    found = card(hooks, RULE, "prednisone-second-burst-reason-eczema-prior-unrecorded-in")
    assert found["indicator"] == "warning"
    assert "course 2" in found["detail"]


SYSTEMIC_NAMES = ("dupilumab", "tralokinumab", "JAK", "ciclosporin", "methotrexate", "UVB")


def test_under_12_the_card_offers_referral_only(hooks: Any) -> None:
    child = card(hooks, RULE, "prednisolone-eczema-5y-prior-asthma-burst-in")
    assert not any(name in child["detail"] for name in SYSTEMIC_NAMES)
    (referral,) = created(child)
    assert referral["code"]["coding"][0]["code"] == "308472003"
    adult = card(hooks, RULE, "prednisone-15-day-course-in")
    assert "dupilumab" in adult["detail"]
