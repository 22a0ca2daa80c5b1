"""Discovery response schema."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.schemas import validation_errors

SERVICE: dict[str, Any] = {
    "hook": "order-select",
    "id": "ad-rx-advisor",
    "title": "Atopic dermatitis therapy advisor",
    "description": "Guideline advice when prescribing for atopic dermatitis.",
    "prefetch": {"patient": "Patient/{{context.patientId}}"},
}


def errors(document: Any) -> list[str]:
    return validation_errors("discovery", document)


def test_service_with_all_members_is_valid() -> None:
    assert errors({"services": [SERVICE]}) == []


def test_no_services_is_valid() -> None:
    assert errors({"services": []}) == []


@pytest.mark.parametrize("member", ["hook", "id", "description"])
def test_required_service_member_missing_is_rejected(member: str) -> None:
    service = {k: v for k, v in SERVICE.items() if k != member}
    assert errors({"services": [service]}) == [f"$.services[0].{member}: required property missing"]


@pytest.mark.parametrize(
    ("member", "value", "message"),
    [
        ("title", "", "must not be empty"),
        ("prefetch", {}, "must not be an empty object"),
        ("usageRequirements", None, "expected string, got null"),
        ("extension", {}, "must not be an empty object"),
    ],
)
def test_empty_or_null_optional_member_is_rejected(member: str, value: Any, message: str) -> None:
    assert errors({"services": [dict(SERVICE, **{member: value})]}) == [
        f"$.services[0].{member}: {message}"
    ]


def test_prefetch_template_must_be_a_non_empty_string() -> None:
    service = dict(SERVICE, prefetch={"patient": {"read": "Patient"}})
    assert errors({"services": [service]}) == [
        "$.services[0].prefetch.patient: expected string, got object"
    ]


def test_same_id_under_two_hooks_is_valid() -> None:
    """'Update stale guidance': one service id listed for order-select and order-sign."""
    assert errors({"services": [SERVICE, dict(SERVICE, hook="order-sign")]}) == []
