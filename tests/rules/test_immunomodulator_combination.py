"""immunomodulator-combination: biologic / oral JAK with another immunomodulator at order-sign."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules._systemic_helpers import actions, card

RULE = "immunomodulator-combination"


@pytest.mark.parametrize(
    ("name", "draft_id"),
    [
        ("upadacitinib-with-active-dupilumab-in", "combo-upa-dupi-draft"),
        ("dupilumab-with-active-cyclosporine-in", "combo-dupi-csa-draft"),
        ("methotrexate-with-active-upadacitinib-in", "combo-mtx-upa-draft"),
        ("dupilumab-and-abrocitinib-both-drafted-in", "combo-two-drafts-draft"),
    ],
)
def test_combination_warns_and_offers_to_delete_the_draft(
    hooks: Any, name: str, draft_id: str
) -> None:
    found = card(hooks, RULE, name)
    assert found["indicator"] == "warning"
    assert found["suggestions"][0]["isRecommended"] is True
    assert actions(found) == [
        {
            "type": "delete",
            "description": "Remove the draft order",
            "resourceId": f"MedicationRequest/{draft_id}",
        }
    ]


def test_summary_names_both_drugs(hooks: Any) -> None:
    found = card(hooks, RULE, "dupilumab-with-active-cyclosporine-in")
    assert "dupilumab with cyclosporine" in found["summary"]
