"""escalate-refractory: treatment-failure proxies lead to a referral suggestion."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import cards_for, load_fixture, post_hook

RULE = "escalate-refractory"


def _cards(hooks: Any, name: str) -> list[dict[str, Any]]:
    return cards_for(post_hook(hooks, load_fixture(f"{RULE}/{name}.json")), RULE)


def test_new_course_after_28_days_offers_referral_and_phototherapy(hooks: Any) -> None:
    (card,) = _cards(hooks, "select-new-course-after-28-days-in")
    assert card["indicator"] == "warning"
    referral, photo = card["suggestions"]
    assert referral["isRecommended"] is True
    (action,) = referral["actions"]
    assert action["resource"]["resourceType"] == "ServiceRequest"
    assert action["resource"]["code"]["coding"][0]["code"] == "308472003"
    (action,) = photo["actions"]
    assert "coding" not in action["resource"]["code"]  # NB-UVB has no verified code
    assert "28 days" in card["detail"] and "a new course" in card["detail"]


def test_step_up_is_named(hooks: Any) -> None:
    (card,) = _cards(hooks, "select-step-up-after-28-days-in")
    assert "step-up in potency" in card["detail"]


def test_thresholds_and_potency(hooks: Any) -> None:
    for name in (
        "select-new-course-after-27-days-out",
        "select-mild-course-after-28-days-out",
        "select-after-28-days-of-mild-steroid-out",
        "select-26-days-on-record-and-draft-out",  # the draft is not part of the history
        "select-two-mild-courses-and-a-third-out",
        "select-child-three-hydrocortisone-eyelid-courses-out",  # mild courses never count
        "view-two-courses-6-months-out",
        "view-two-moderate-courses-6-months-out",
        "view-three-mild-courses-6-months-out",
        "view-three-moderate-courses-one-7-months-ago-out",
        "view-prednisolone-burst-13-months-ago-out",
        "view-one-prednisolone-burst-11-months-ago-out",
        "view-two-bursts-one-13-months-ago-out",
        "view-two-bursts-one-for-asthma-out",  # a course for asthma is not eczema treatment
    ):
        assert _cards(hooks, name) == [], name
    for name in (
        "view-three-moderate-courses-6-months-in",
        "select-28-days-in-two-courses-and-draft-in",
        "view-two-prednisolone-bursts-12-months-in",
        "view-two-bursts-coded-for-eczema-in",
    ):
        assert len(_cards(hooks, name)) == 1, name


def test_under_12_the_card_offers_dermatology_referral_only(hooks: Any) -> None:
    (child,) = _cards(hooks, "select-new-course-after-28-days-age-11-in")
    (referral,) = child["suggestions"]
    assert referral["actions"][0]["resource"]["code"]["coding"][0]["code"] == "308472003"
    text = child["detail"].lower()
    assert "phototherapy" not in text and "uvb" not in text and "dupilumab" not in text
    (teen,) = _cards(hooks, "select-new-course-after-28-days-age-12-in")
    assert len(teen["suggestions"]) == 2 and "phototherapy" in teen["detail"]


def test_referral_on_record_or_unrelated_selection_is_silent(hooks: Any) -> None:
    assert _cards(hooks, "view-three-courses-already-referred-out") == []
    assert _cards(hooks, "select-cetirizine-three-courses-out") == []
    assert _cards(hooks, "view-three-courses-no-eczema-out") == []


def _reason_text(body: dict[str, Any], index: int, text: str) -> dict[str, Any]:
    body["prefetch"]["medications"]["entry"][index]["resource"]["reasonCode"] = [{"text": text}]
    return body


def test_courses_for_another_dermatosis_are_not_eczema_treatment(hooks: Any) -> None:
    """§5.1 indication scope and R-45 ("TCS for AD"): a steroid course on record whose reason is
    psoriasis / lichen sclerosus is not eczema treatment, so it counts neither toward the 28
    days nor toward the recurrent courses; a course stating eczema (or nothing) still counts."""
    body = load_fixture(f"{RULE}/select-new-course-after-28-days-in.json")
    body = _reason_text(body, 0, "Psoriasis vulgaris")
    assert cards_for(post_hook(hooks, body), RULE) == []
    body = load_fixture(f"{RULE}/view-three-moderate-courses-6-months-in.json")
    body = _reason_text(body, 2, "Lichen sclerosus")
    assert cards_for(post_hook(hooks, body), RULE) == []
    body = load_fixture(f"{RULE}/view-three-moderate-courses-6-months-in.json")
    body = _reason_text(body, 2, "Atopic dermatitis flare")
    assert len(cards_for(post_hook(hooks, body), RULE)) == 1


def _second_draft(body: dict[str, Any], text: str, reason: str, first: bool) -> dict[str, Any]:
    """Add a second selected steroid draft with a reason (before or after the eczema draft)."""
    entries = body["context"]["draftOrders"]["entry"]
    other = copy.deepcopy(entries[0])
    resource = other["resource"]
    resource["id"] = "esc-28-other-draft"
    resource["medicationCodeableConcept"] = {"text": text}
    resource["reasonCode"] = [{"text": reason}]
    entries.insert(0 if first else 1, other)
    body["context"]["selections"].append("MedicationRequest/esc-28-other-draft")
    return body


@pytest.mark.parametrize("first", [True, False])
def test_a_draft_for_another_dermatosis_is_neither_the_course_nor_a_step_up(
    hooks: Any, first: bool
) -> None:
    """§5.1: a clobetasol draft for lichen planus beside the eczema draft is not eczema
    treatment: it neither silences the eczema course's card nor counts as a step-up."""
    body = load_fixture(f"{RULE}/select-new-course-after-28-days-in.json")
    body = _second_draft(body, "clobetasol propionate 0.05% ointment", "Lichen planus", first)
    (card,) = cards_for(post_hook(hooks, body), RULE)
    assert "a new course" in card["detail"] and "step-up" not in card["detail"]


def test_planned_days_still_to_come_are_not_weeks_of_treatment(hooks: Any) -> None:
    """R-45 "no improvement after 4 weeks": a 28-day course started 7 days ago is 7 days of
    treatment so far, not 28; started 28 days ago it is 28 (the card fires)."""
    for started, fires in (("2026-11-15", False), ("2026-10-25", True)):
        body = load_fixture(f"{RULE}/select-new-course-after-28-days-in.json")
        course = body["prefetch"]["medications"]["entry"][0]["resource"]
        course["status"] = "active"
        course["authoredOn"] = started
        assert len(cards_for(post_hook(hooks, body), RULE)) == int(fires), started
