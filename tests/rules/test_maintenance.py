"""tcs-proactive-maintenance and tci-proactive-maintenance."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cds_service.rules import Finding
from cds_service.rules.maintenance import tcs_proactive_maintenance
from cds_service.suggestions import load_builders
from tests.conftest import cards_for, load_fixture, post_hook
from tests.rules.redflags_support import decide, picture_of

TCS = "tcs-proactive-maintenance"
TCI = "tci-proactive-maintenance"


def _cards(hooks: Any, rule_id: str, name: str) -> list[dict[str, Any]]:
    return cards_for(post_hook(hooks, load_fixture(f"{rule_id}/{name}.json")), rule_id)


def _created(suggestion: dict[str, Any]) -> dict[str, Any]:
    (action,) = suggestion["actions"]
    assert action["type"] == "create"
    resource: dict[str, Any] = action["resource"]
    return resource


def _repeat(resource: dict[str, Any]) -> dict[str, Any]:
    repeat: dict[str, Any] = resource["dosageInstruction"][0]["timing"]["repeat"]
    return repeat


def test_second_trunk_course_suggests_same_mid_potency_drug_twice_weekly(hooks: Any) -> None:
    (card,) = _cards(hooks, TCS, "second-course-trunk-in-6-months-in")
    assert card["indicator"] == "info"
    (suggestion,) = card["suggestions"]
    resource = _created(suggestion)
    assert resource["medicationCodeableConcept"]["text"] == "triamcinolone acetonide 0.1% cream"
    repeat = _repeat(resource)
    assert repeat["dayOfWeek"] == ["mon", "thu"]
    assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == (2, 1, "wk")
    assert repeat["boundsDuration"]["value"] == 112
    assert resource["dosageInstruction"][0]["site"]["coding"][0]["code"] == "22943007"


def test_six_month_window_and_shared_site_are_required(hooks: Any) -> None:
    for name in (
        "second-course-trunk-over-6-months-out",
        "second-course-other-site-out",
        "second-course-no-site-out",
        "second-course-maintenance-current-out",
        "view-two-courses-no-eczema-out",
    ):
        assert _cards(hooks, TCS, name) == [], name


def test_potent_last_course_is_not_reused(hooks: Any) -> None:
    (card,) = _cards(hooks, TCS, "second-course-potent-trunk-in")
    resource = _created(card["suggestions"][0])
    assert resource["medicationCodeableConcept"]["coding"][0]["code"] == "895987"


def test_sensitive_site_gets_mild_steroid_or_tci(hooks: Any) -> None:
    (card,) = _cards(hooks, TCS, "view-two-courses-eyelid-in")
    mild, tci = card["suggestions"]
    assert _created(mild)["medicationCodeableConcept"]["coding"][0]["code"] == "106258"
    assert _created(tci)["medicationCodeableConcept"]["coding"][0]["code"] == "314266"


def test_daily_course_over_4_weeks(hooks: Any) -> None:
    assert len(_cards(hooks, TCS, "daily-29-days-in")) == 1
    assert _cards(hooks, TCS, "daily-28-days-out") == []


def test_maintenance_over_16_weeks_is_a_warning_with_update(hooks: Any) -> None:
    assert _cards(hooks, TCS, "twice-weekly-16-weeks-out") == []
    for name in ("twice-weekly-17-weeks-in", "mon-thu-daily-frequency-17-weeks-sign-in"):
        (card,) = _cards(hooks, TCS, name)
        assert card["indicator"] == "warning"
        (action,) = card["suggestions"][0]["actions"]
        assert action["type"] == "update"
        assert _repeat(action["resource"])["boundsDuration"]["value"] == 112


def test_tci_repeated_courses_suggest_age_strength(hooks: Any) -> None:
    (adult,) = _cards(hooks, TCI, "second-course-face-in")
    (child,) = _cards(hooks, TCI, "second-course-face-age-10-in")
    code = _created(adult["suggestions"][0])["medicationCodeableConcept"]["coding"][0]["code"]
    assert code == "314266"
    code = _created(child["suggestions"][0])["medicationCodeableConcept"]["coding"][0]["code"]
    assert code == "313189"
    assert _cards(hooks, TCI, "first-course-face-out") == []
    assert _cards(hooks, TCI, "second-course-face-age-1-out") == []


def test_tci_weekly_schedule_outside_2_to_3_is_updated(hooks: Any) -> None:
    for name in ("once-weekly-in", "four-days-a-week-in"):
        (card,) = _cards(hooks, TCI, name)
        assert card["indicator"] == "info"
        (action,) = card["suggestions"][0]["actions"]
        repeat = _repeat(action["resource"])
        assert action["type"] == "update"
        assert (repeat["frequency"], repeat["periodUnit"], repeat["dayOfWeek"]) == (
            2,
            "wk",
            ["mon", "thu"],
        )
        assert repeat["boundsDuration"]["value"] == 16  # duration kept as ordered
    assert _cards(hooks, TCI, "twice-weekly-out") == []
    assert _cards(hooks, TCI, "three-times-weekly-out") == []


def test_a_weekly_tci_draft_without_a_frequency_cannot_decide_its_schedule() -> None:
    """A weekly period with no frequency says nothing of how often: no schedule card (it
    raised a TypeError wording `per_week`, which silenced the flare branch as well)."""
    body = load_fixture(f"{TCI}/once-weekly-in.json")
    (entry,) = body["context"]["draftOrders"]["entry"]
    del entry["resource"]["dosageInstruction"][0]["timing"]["repeat"]["frequency"]
    decision = decide(TCI, body)
    assert not isinstance(decision, Finding)
    assert not decision.reason.startswith("rule failed"), decision.reason


@pytest.mark.parametrize(
    ("rule", "name"),
    [
        (TCS, "daily-29-days"),
        (TCS, "second-course-potent-trunk"),
        (TCS, "second-course-trunk-in-6-months"),
        (TCI, "second-course-face-age-10"),
        (TCI, "second-course-face"),
    ],
)
def test_silent_while_a_daily_flare_course_is_being_ordered(
    hooks: Any, rule: str, name: str
) -> None:
    """Maintenance starts after the flare clears: the same chart with the draft given daily
    gets no maintenance card; given when needed, it does."""
    assert _cards(hooks, rule, f"{name}-daily-flare-draft-out") == []
    assert len(_cards(hooks, rule, f"{name}-in")) == 1


@pytest.mark.parametrize(
    ("fixture", "choice", "drug"),
    [
        ("second-course-trunk-in-6-months-in", "same-drug", None),  # class IV-V, not sensitive
        ("second-course-potent-trunk-in", "fluticasone-005", "fluticasone propionate 0.05%"),
        ("view-two-courses-eyelid-in", "hydrocortisone-1", "hydrocortisone 1% cream"),
    ],
)
def test_the_rule_chooses_the_maintenance_steroid_and_the_builder_orders_it(
    fixture: str, choice: str, drug: str | None
) -> None:
    """Decided once: the rule's `maintenance` value is what the suggestion orders."""
    picture = picture_of(load_fixture(f"{TCS}/{fixture}.json"))
    finding = tcs_proactive_maintenance(picture)
    assert isinstance(finding, Finding) and finding.values["maintenance"] == choice
    build = load_builders()["create-tcs-maintenance"]
    (action,) = build(finding, picture)
    medication = action["resource"]["medicationCodeableConcept"]
    if drug is None:  # the last course's own medication, as received
        assert medication == finding.orders[0].raw["medicationCodeableConcept"]
    else:
        assert medication["text"].startswith(drug)
    # The builder follows the finding, whatever the picture would suggest to it.
    other = "hydrocortisone-1" if choice != "hydrocortisone-1" else "fluticasone-005"
    named = {"hydrocortisone-1": "hydrocortisone 1% cream", "fluticasone-005": "fluticasone x"}
    told = replace(finding, values={**finding.values, "maintenance": other, "drug": named[other]})
    (action,) = build(told, picture)
    assert action["resource"]["medicationCodeableConcept"]["text"] == named[other]


@pytest.mark.parametrize(
    ("name", "index"),
    [("second-course-trunk-in-6-months-in", 0), ("view-two-courses-eyelid-in", 0)],
)
def test_a_course_for_another_dermatosis_is_no_eczema_flare(name: str, index: int) -> None:
    """§5.1: a steroid course on record whose reason is psoriasis / lichen sclerosus is not
    eczema treatment, so it is not one of the repeated eczema flares at the site."""
    body = load_fixture(f"{TCS}/{name}.json")
    assert isinstance(decide(TCS, body), Finding)
    entry = body["prefetch"]["medications"]["entry"][index]["resource"]
    entry["reasonCode"] = [{"text": "Plaque psoriasis"}]
    assert not isinstance(decide(TCS, body), Finding)
