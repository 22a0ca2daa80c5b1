"""biologic-label-check: labelled ages (dupilumab 6 months, others 12 years), lebrikizumab 40 kg."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules._systemic_helpers import card

RULE = "biologic-label-check"


@pytest.mark.parametrize(
    ("name", "limit", "patient"),
    [
        ("dupilumab-age-5-months-in", "6 months", "5 months"),
        ("tralokinumab-age-11-in", "12 years", "11 years"),
        ("nemolizumab-age-11-order-select-in", "12 years", "11 years"),
        ("lebrikizumab-age-11-no-weight-in", "12 years and 40 kg", "weight not recorded"),
        ("lebrikizumab-age-13-weight-39-kg-in", "12 years and 40 kg", "13 years, 39 kg"),
    ],
)
def test_below_label_warns_without_suggestions(
    hooks: Any, name: str, limit: str, patient: str
) -> None:
    found = card(hooks, RULE, name)
    assert found["indicator"] == "warning"
    assert "suggestions" not in found
    assert limit in found["summary"]
    assert patient in found["summary"]
