"""Feedback request schema (received from clients, so lenient where the Sandbox is)."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.schemas import validation_errors

ACCEPTED: dict[str, Any] = {
    "card": "0b4f1c7e-1b9a-4c53-9f0e-5f2f8a7a1d01",
    "outcome": "accepted",
    "acceptedSuggestions": [{"id": "0b4f1c7e-1b9a-4c53-9f0e-5f2f8a7a1d02"}],
    "outcomeTimestamp": "2025-01-01T10:05:31.123Z",
}
OVERRIDDEN: dict[str, Any] = {
    "card": "0b4f1c7e-1b9a-4c53-9f0e-5f2f8a7a1d01",
    "outcome": "overridden",
    "overrideReason": {"reason": {"system": "https://example.org/override", "code": "x"}},
    "outcomeTimestamp": "2025-01-01T10:05:31+01:00",
}


def errors(item: Any) -> list[str]:
    return validation_errors("feedback", {"feedback": [item]})


def test_accepted_and_overridden_items_are_valid() -> None:
    assert validation_errors("feedback", {"feedback": [ACCEPTED, OVERRIDDEN]}) == []


def test_empty_feedback_array_is_rejected() -> None:
    assert validation_errors("feedback", {"feedback": []}) == [
        "$.feedback: must not be an empty array"
    ]


def test_accepted_without_accepted_suggestions_is_rejected() -> None:
    item = {k: v for k, v in ACCEPTED.items() if k != "acceptedSuggestions"}
    assert errors(item) == [
        "$.feedback[0].acceptedSuggestions: required property missing "
        "(acceptedSuggestions is required when outcome is 'accepted' (cds-fb-2))"
    ]


def test_override_reason_with_accepted_outcome_is_rejected() -> None:
    item = dict(ACCEPTED, overrideReason={"userComment": "no"})
    assert errors(item) == [
        "$.feedback[0].overrideReason: not allowed here "
        "(overrideReason is only allowed when outcome is 'overridden')"
    ]


def test_override_reason_needs_reason_or_comment() -> None:
    assert errors(dict(OVERRIDDEN, overrideReason={})) == [
        "$.feedback[0].overrideReason: matches none of the allowed forms "
        "(an override reason needs a reason or a userComment (cds-fb-3))"
    ]
    assert errors(dict(OVERRIDDEN, overrideReason={"userComment": "patient declined"})) == []


@pytest.mark.parametrize("member", ["card", "outcome", "outcomeTimestamp"])
def test_required_feedback_member_missing_is_rejected(member: str) -> None:
    item = {k: v for k, v in OVERRIDDEN.items() if k != member}
    assert errors(item) == [f"$.feedback[0].{member}: required property missing"]


def test_outcome_enum() -> None:
    assert errors(dict(OVERRIDDEN, outcome="dismissed")) == [
        '$.feedback[0].outcome: must be one of "accepted", "overridden"'
    ]


@pytest.mark.parametrize("stamp", ["2025-01-01", "2025-01-01T10:05:31", "yesterday", ""])
def test_outcome_timestamp_must_be_rfc3339(stamp: str) -> None:
    assert errors(dict(OVERRIDDEN, outcomeTimestamp=stamp)) == [
        "$.feedback[0].outcomeTimestamp: has the wrong format "
        "(RFC 3339 date-time, e.g. 2021-12-11T10:05:31Z)"
    ]


def test_accepted_suggestion_needs_id() -> None:
    assert errors(dict(ACCEPTED, acceptedSuggestions=[{}])) == [
        "$.feedback[0].acceptedSuggestions[0].id: required property missing"
    ]
