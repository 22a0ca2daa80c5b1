"""A course length written only in the sig counts as the order's duration."""

from __future__ import annotations

import pytest

from cds_service.picture.course import restate_course
from cds_service.picture.dosage import duration_in_text


@pytest.mark.parametrize(
    ("sig", "days"),
    [
        ("Apply twice daily for 4 weeks", 28.0),
        ("apply bid x 14 days", 14.0),
        ("Apply thin layer to face BID x 2 weeks", 14.0),
        ("for up to 2 weeks", 14.0),
        ("use for 3d then stop", 3.0),
        ("daily for 1 month", 30.0),
        ("apply 2x a day for 2 weeks", 14.0),
    ],
)
def test_a_single_course_length_is_read(sig: str, days: float) -> None:
    assert duration_in_text(sig) == days


@pytest.mark.parametrize(
    "sig",
    [
        "apply x2 daily",  # a frequency, not a course
        "apply 2x a day",  # so is "x a day" after a count
        "Use 1 x a week",
        "apply for 2 days a week",  # proactive use: days in each week, not a course
        "Apply for two days a week to previously affected areas",
        "use for 3 days each week",
        "every 2 weeks",
        "for external use only",
        "daily for 2 weeks then twice weekly for 16 weeks",  # a step-down: not one course
    ],
)
def test_no_or_several_course_lengths_read_as_unknown(sig: str) -> None:
    assert duration_in_text(sig) is None


@pytest.mark.parametrize(
    ("sig", "days", "restated"),
    [
        (
            "Apply to hands and feet twice daily for 4 weeks",
            14,
            "Apply to hands and feet twice daily for 14 days",
        ),
        ("Apply to trunk and arms BID x 4 weeks", 14, "Apply to trunk and arms BID x 14 days"),
        ("APPLY TO LEGS BID X 3 WKS", 7, "APPLY TO LEGS BID X 7 days"),
        ("for up to 2 weeks", 1, "for up to 1 day"),
        ("Apply twice daily", 14, "Apply twice daily"),  # no length written: nothing to restate
        ("Apply to trunk 2x a day", 14, "Apply to trunk 2x a day"),  # a frequency
        ("Apply 2X A DAY for 4 weeks", 14, "Apply 2X A DAY for 14 days"),
        (
            "daily for 2 weeks then twice weekly for 16 weeks",
            14,
            "daily for 2 weeks then twice weekly for 16 weeks",
        ),
    ],
)
def test_a_written_course_length_is_restated_when_the_course_changes(
    sig: str, days: int, restated: str
) -> None:
    assert restate_course(sig, f"{days} day" if days == 1 else f"{days} days") == restated
