"""topical-jak-label-check: ruxolitinib cream age, 60 g/week and immunomodulator combination."""

from __future__ import annotations

from typing import Any

from tests.rules._systemic_helpers import actions, card

RULE = "topical-jak-label-check"


def test_61_g_a_week_updates_the_draft_to_60_g(hooks: Any) -> None:
    found = card(hooks, RULE, "ruxolitinib-61-g-per-week-in")
    assert found["indicator"] == "warning"
    (action,) = actions(found)
    assert action["type"] == "update"
    resource = action["resource"]
    assert resource["id"] == "rux-61-draft"
    assert resource["dispenseRequest"]["quantity"]["value"] == 60
    assert resource["dispenseRequest"]["expectedSupplyDuration"]["value"] == 7  # kept
    assert resource["dosageInstruction"][0]["text"].startswith("Apply")  # the draft, copied


def test_quantity_over_course_duration(hooks: Any) -> None:
    found = card(hooks, RULE, "ruxolitinib-244-g-over-28-day-course-in")
    (action,) = actions(found)
    assert action["resource"]["dispenseRequest"]["quantity"]["value"] == 240
    assert "61 g" in found["summary"]


def test_under_2_years_offers_to_remove(hooks: Any) -> None:
    found = card(hooks, RULE, "ruxolitinib-age-1-in")
    assert "2 years" in found["summary"]
    assert actions(found) == [
        {
            "type": "delete",
            "description": "Remove the draft order",
            "resourceId": "MedicationRequest/rux-age-1-draft",
        }
    ]


def test_combination_with_biologic_or_immunosuppressant(hooks: Any) -> None:
    for name, other in (
        ("ruxolitinib-with-active-dupilumab-in", "dupilumab"),
        ("ruxolitinib-with-methotrexate-draft-in", "methotrexate"),
    ):
        found = card(hooks, RULE, name)
        assert other in found["summary"]
        assert [a["type"] for a in actions(found)] == ["delete"]


def test_the_reduced_quantity_is_stated_with_its_supply_length(hooks: Any) -> None:
    """ "61 g a week ...; reduce to 240 g" reads as 240 g a week: the amount is the whole
    supply's, and the summary says which supply."""
    found = card(hooks, RULE, "ruxolitinib-244-g-over-28-day-course-in")
    assert found["summary"].endswith("reduce to 240 g per 28-day supply")
    found = card(hooks, RULE, "ruxolitinib-61-g-per-week-in")
    assert found["summary"].endswith("reduce to 60 g per 7-day supply")
