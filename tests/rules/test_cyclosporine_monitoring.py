"""cyclosporine-monitoring: creatinine and blood pressure within 30 days before signing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules._systemic_helpers import card, created

RULE = "cyclosporine-monitoring"


def _codes(found: dict[str, Any]) -> list[str]:
    return [c["code"] for r in created(found) for c in r["code"]["coding"]]


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("cyclosporine-creatinine-31-days-in", ["2160-0"]),
        ("cyclosporine-blood-pressure-31-days-in", ["85354-9"]),
        ("cyclosporine-no-checks-in", ["2160-0", "85354-9"]),
        ("neoral-text-only-no-checks-in", ["2160-0", "85354-9"]),
    ],
)
def test_missing_checks_become_service_requests(hooks: Any, name: str, codes: list[str]) -> None:
    found = card(hooks, RULE, name)
    assert found["indicator"] == "warning"
    assert _codes(found) == codes
    for resource in created(found):
        assert resource["resourceType"] == "ServiceRequest"
        assert resource["status"] == "draft"
        assert resource["intent"] == "proposal"


def test_detail_gives_the_last_dates(hooks: Any) -> None:
    found = card(hooks, RULE, "cyclosporine-creatinine-31-days-in")
    assert "2026\\-10\\-22" in found["detail"]  # creatinine 31 days before 2026-11-22
