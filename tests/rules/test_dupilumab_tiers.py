"""biologic-label-check, dupilumab weight tiers (Dupixent US label, atopic dermatitis; §5.6)."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.rules._dupilumab import tier
from tests.conftest import cards_for, load_fixture, post_hook

RULE = "biologic-label-check"


@pytest.mark.parametrize(
    ("months", "kg", "expected"),
    [
        (6, 4.9, None),  # under 5 kg: no tier in the label
        (6, 5, (200, 4, 0)),
        (71, 14.9, (200, 4, 0)),
        (71, 15, (300, 4, 0)),  # 6 months-5 years: no loading dose
        (71, 30, None),
        (72, 14.9, None),
        (72, 15, (300, 4, 600)),
        (72, 29.9, (300, 4, 600)),
        (72, 30, (200, 2, 400)),
        (215, 59.9, (200, 2, 400)),
        (215, 60, (300, 2, 600)),
        (216, 40, (300, 2, 600)),  # adults: any weight
        (216, None, None),  # no weight: silent at every age
    ],
)
def test_label_tiers_either_side_of_each_boundary(
    months: int, kg: float | None, expected: tuple[int, int, int] | None
) -> None:
    found = tier(months, kg)
    assert (None if found is None else (found.mg, found.weeks, found.loading_mg)) == expected


def test_300_mg_every_2_weeks_for_a_12_kg_2_year_old_warns(hooks: Any) -> None:
    body = load_fixture(f"{RULE}/dupilumab-age-2-12-kg-300-mg-every-2-weeks-in.json")
    (card,) = cards_for(post_hook(hooks, body), RULE)
    assert card["indicator"] == "warning"
    assert "200 mg every 4 weeks" in card["summary"] and len(card["summary"]) < 140
    assert "300 mg every 2 weeks" in card["detail"]
    assert card["source"]["url"].startswith("https://dailymed.nlm.nih.gov/")


@pytest.mark.parametrize(
    ("name", "ordered", "expected"),
    [
        (  # 6 months-5 years: the label gives no loading dose
            "dupilumab-age-2-12-kg-loading-600-then-200-mg-every-4-weeks-in",
            "600 mg loading, then 200 mg every 4 weeks",
            "200 mg every 4 weeks",
        ),
        (  # 6-17 years, 30 to under 60 kg: 400 mg loading, not 600
            "dupilumab-age-10-30-kg-loading-600-then-200-mg-every-2-weeks-in",
            "600 mg loading, then 200 mg every 2 weeks",
            "400 mg loading, then 200 mg every 2 weeks",
        ),
    ],
)
def test_a_loading_dose_not_the_tiers_is_flagged(
    hooks: Any, name: str, ordered: str, expected: str
) -> None:
    """§5.6: the ordered dose includes its loading dose; the right loading dose is silent
    (dupilumab-age-10-30-kg-200-mg-every-2-weeks-out orders 400 mg then 200 mg every 2 weeks)."""
    (card,) = cards_for(post_hook(hooks, load_fixture(f"{RULE}/{name}.json")), RULE)
    assert f"**{ordered}**" in card["detail"] and f"**{expected}**" in card["detail"]
    assert (
        cards_for(
            post_hook(
                hooks, load_fixture(f"{RULE}/dupilumab-age-10-30-kg-200-mg-every-2-weeks-out.json")
            ),
            RULE,
        )
        == []
    )
