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
def test_indicator_follows_duration_and_repeats(client: Any, name: str, indicator: str) -> None:
    assert card(client, RULE, name)["indicator"] == indicator


def test_warning_offers_dermatology_referral(client: Any) -> None:
    found = card(client, RULE, "prednisone-15-day-course-in")
    assert found["suggestions"][0]["isRecommended"] is True
    (referral,) = created(found)
    assert referral["resourceType"] == "ServiceRequest"
    assert referral["code"]["coding"][0]["code"] == "308472003"
    assert referral["subject"] == {"reference": "Patient/ocs-15-days"}
    assert "this course: 15 days" in found["detail"]


def test_second_course_counts_the_prior_one(client: Any) -> None:
    found = card(client, RULE, "prednisone-second-course-182-days-in")
    assert "course 2" in found["detail"]


@pytest.mark.parametrize(
    "name", ["prednisone-for-asthma-out", "prednisone-no-eczema-out", "dexamethasone-cream-out"]
)
def test_silent(client: Any, name: str) -> None:
    assert silent(client, RULE, load_fixture(f"{RULE}/{name}.json"))
