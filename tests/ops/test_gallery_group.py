"""The gallery's grouping: each card is told apart by its variant, and repeats collapse."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from cds_service.cards import load_card_files
from cds_service.ops.gallery_group import BASE, group, variant_of
from cds_service.rules import load_rules
from cds_service.runtime import REPO_CARDS
from tests.conftest import FIXTURES, load_fixture, post_hook

TEMPLATES = load_card_files(REPO_CARDS, load_rules())


def cards_of(client: FlaskClient, name: str) -> list[dict[str, Any]]:
    response = post_hook(client, load_fixture(f"{name}.json"))
    assert response.status_code == 200
    return list(response.get_json()["cards"])


def card_for(client: FlaskClient, name: str) -> tuple[Any, dict[str, Any]]:
    rule = name.split("/")[0]
    card = next(c for c in cards_of(client, name) if c["source"]["topic"]["code"] == rule)
    return TEMPLATES[rule], card


@pytest.mark.parametrize(
    ("fixture", "variant"),
    [
        ("emollient-not-prescribed/triamcinolone-no-emollient-sign-in", BASE),
        ("tcs-potent-on-sensitive-site/clobetasol-nappy-area-age-2-in", "occluded-child"),
        ("escalate-refractory/select-new-course-after-28-days-age-11-in", "child"),
        ("antihistamine-sedating-bedtime/hydroxyzine-three-times-daily-age-64-in", BASE),
        ("antihistamine-sedating-bedtime/hydroxyzine-three-times-daily-age-65-in", "older-adult"),
        ("tcs-taper-after-long-use/sign-renew-after-28-days-in", BASE),
        ("tcs-taper-after-long-use/sign-stop-after-33-days-in", "stopping"),
        ("tcs-taper-after-long-use/view-ended-5-days-ago-in", "ended"),
    ],
)
def test_variant_is_recognised_from_the_card_text(
    client: FlaskClient, fixture: str, variant: str
) -> None:
    template, card = card_for(client, fixture)
    assert variant_of(template, card) == variant


def test_every_fixture_card_is_recognised_and_repeats_collapse(client: FlaskClient) -> None:
    answered = [
        (f"{p.parent.name}/{p.stem}", cards_of(client, f"{p.parent.name}/{p.stem}"))
        for p in sorted(FIXTURES.glob("*/*-in.json"))
    ]
    groups = group(TEMPLATES, answered)
    examples = [e for g in groups for e in g.examples]
    assert not [e.variant for e in examples if e.variant.startswith("unrecognised")]
    total = sum(len(cards) for _, cards in answered)
    assert len(examples) < total / 3  # 270-odd cards, a few dozen different ones
    taper = next(g for g in groups if g.rule_id == "tcs-taper-after-long-use")
    # one example per variant the fixtures produce (the sensitive-site step-down included)
    assert [e.variant for e in taper.examples] == [BASE, "stopping", "ended", "sensitive-stopping"]
    emollient = next(g for g in groups if g.rule_id == "emollient-not-prescribed")
    assert [e.variant for e in emollient.examples] == [BASE]
    assert len(emollient.examples[0].fixtures) > 10  # shown with many steroid orders at sign
    assert sum(len(e.fixtures) for e in examples) == sum(
        len({c["source"]["topic"]["code"] for c in cards}) for _, cards in answered
    )  # every (fixture, rule) pair is listed under exactly one example
    assert [g.title for g in groups] == sorted((g.title for g in groups), key=str.lower)


def test_a_card_whose_text_matches_no_variant_is_shown_on_its_own(client: FlaskClient) -> None:
    template, card = card_for(client, "emollient-not-prescribed/triamcinolone-no-emollient-sign-in")
    edited = {**card, "summary": "Text from an older card file"}
    assert variant_of(template, edited).startswith("unrecognised")
