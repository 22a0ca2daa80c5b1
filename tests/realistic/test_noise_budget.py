"""Alert fatigue over the realistic charts and the Synthea patients (issue 12, §5.3, §5.5).

At most 1.2 cards per response on average, never more than 3, no rule in more than 20 % of
responses, no info card next to a critical card, and no two cards recommending opposite
actions on one order. `python -m tests.realistic.report` prints the same distribution.
"""

from __future__ import annotations

import pytest

from tests.realistic.metrics import budget_breaches, contradictions, distribution
from tests.realistic.run import Answer, answers, fixture_answers


@pytest.fixture(scope="module")
def everything() -> list[Answer]:
    return list(answers())


def test_every_response_is_a_200(everything: list[Answer]) -> None:
    bad = [f"{a.source}/{a.id}: HTTP {a.status}" for a in everything if a.status != 200]
    assert bad == []


def test_synthea_patients_are_part_of_the_budget(everything: list[Answer]) -> None:
    assert sum(a.source == "synthea" for a in everything) >= 10


def test_noise_budget(everything: list[Answer]) -> None:
    d = distribution(everything)
    summary = (
        f"{d['responses']} responses, mean {d['mean']:.2f}, max {d['max']}, "
        f"histogram {d['histogram']}"
    )
    breaches = budget_breaches(everything)
    assert not breaches, "\n".join([summary, *breaches])


def test_no_opposite_actions_on_one_order(everything: list[Answer]) -> None:
    found = [c for a in everything for c in contradictions(a)]
    assert not found, "\n".join(found)


def test_no_opposite_actions_on_one_order_in_the_rule_fixtures() -> None:
    found = [c for a in fixture_answers() for c in contradictions(a)]
    assert not found, "\n".join(found)
