"""crisaborole-age: crisaborole under 3 months warns, without suggestions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules._systemic_helpers import card

RULE = "crisaborole-age"


@pytest.mark.parametrize(
    "name", ["crisaborole-age-2-months-in", "eucrisa-age-2-months-order-select-in"]
)
def test_under_3_months_warns(hooks: Any, name: str) -> None:
    found = card(hooks, RULE, name)
    assert found["indicator"] == "warning"
    assert "suggestions" not in found
    assert "2 months" in found["summary"]
