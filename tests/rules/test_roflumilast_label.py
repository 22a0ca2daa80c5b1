"""roflumilast-label-check: strength for age (0.15% from 6 y, 0.05% at 2-5 y), liver disease."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules._systemic_helpers import actions, card

RULE = "roflumilast-label-check"


@pytest.mark.parametrize(
    ("name", "draft_id", "strength"),
    [
        ("roflumilast-0.15-age-5-in", "rof-015-age-5-draft", "0.05%"),
        ("roflumilast-0.05-age-6-in", "rof-005-age-6-draft", "0.15%"),
        ("roflumilast-0.3-for-eczema-in", "rof-03-ad-draft", "0.15%"),
    ],
)
def test_wrong_strength_swaps_to_the_age_strength(
    hooks: Any, name: str, draft_id: str, strength: str
) -> None:
    found = card(hooks, RULE, name)
    assert found["indicator"] == "warning"
    add, remove = actions(found)  # create first: the Sandbox applies only the first action
    assert remove == {
        "type": "delete",
        "description": "Remove the draft order",
        "resourceId": f"MedicationRequest/{draft_id}",
    }
    resource = add["resource"]
    assert resource["medicationCodeableConcept"] == {
        "text": f"roflumilast {strength} topical cream"
    }
    assert resource["status"] == "draft"
    assert "id" not in resource
    assert resource["dosageInstruction"][0]["text"] == "Apply to affected areas once daily"


def test_under_2_years_offers_removal_only(hooks: Any) -> None:
    found = card(hooks, RULE, "roflumilast-0.05-age-1-in")
    assert "2 years" in found["summary"]
    assert [a["type"] for a in actions(found)] == ["delete"]


def test_hepatic_impairment_variant(hooks: Any) -> None:
    found = card(hooks, RULE, "roflumilast-0.15-cirrhosis-in")
    assert "hepatic" in found["summary"]
    assert "cirrhosis" in found["detail"]
    assert actions(found)[0]["resourceId"] == "MedicationRequest/rof-cirrhosis-draft"
