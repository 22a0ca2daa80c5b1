"""eczema-action-plan (with the card-file `links` support) and irritant-topical."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from cds_service.cards import CardFileError, load_card_files
from cds_service.rules import Finding, Silent, load_rules
from cds_service.runtime import REPO_CARDS
from tests.conftest import cards_for, load_fixture, post_hook
from tests.rules.redflags_support import actions, card, decide

PLAN, IRR = "eczema-action-plan", "irritant-topical"


def test_action_plan_card_is_info_with_an_absolute_https_handout_link(hooks: Any) -> None:
    c = card(hooks, PLAN, f"{PLAN}/eczema-no-care-plan-in.json")
    assert c["indicator"] == "info"
    assert c["links"] == [
        {
            "label": "Patient information: atopic eczema (NHS)",
            "url": "https://www.nhs.uk/conditions/atopic-eczema/",
            "type": "absolute",
        }
    ]
    assert "suggestions" not in c


@pytest.mark.parametrize(
    "name",
    [
        "eczema-icd-no-care-plan-child-in",
        "completed-plan-366-days-ago-in",
        "revoked-plan-in",
        "unrelated-care-plan-in",
    ],
)
def test_action_plan_fires_without_a_current_skin_care_plan(name: str) -> None:
    assert isinstance(decide(PLAN, f"{PLAN}/{name}.json"), Finding)


@pytest.mark.parametrize(
    "name",
    [
        "active-skin-care-plan-out",
        "active-moisturiser-activity-only-out",
        "completed-plan-365-days-ago-out",
        "no-eczema-out",
        "eczema-resolved-out",
    ],
)
def test_action_plan_silent_with_a_plan_or_without_eczema(name: str) -> None:
    assert isinstance(decide(PLAN, f"{PLAN}/{name}.json"), Silent)


def test_action_plan_needs_careplans_and_medications() -> None:
    assert {"careplans", "medications"} <= load_rules()[PLAN].needs
    assert load_rules()[PLAN].hooks == {"patient-view"}


def test_action_plan_needs_treatment_in_the_last_90_days(hooks: Any) -> None:
    assert isinstance(decide(PLAN, f"{PLAN}/anti-inflammatory-90-days-ago-in.json"), Finding)
    for name in ("anti-inflammatory-91-days-ago-out", "emollient-only-out"):
        assert isinstance(decide(PLAN, f"{PLAN}/{name}.json"), Silent), name


def test_action_plan_source_follows_age(hooks: Any) -> None:
    child = card(hooks, PLAN, f"{PLAN}/eczema-icd-no-care-plan-child-in.json")
    assert child["source"]["url"] == "https://www.nice.org.uk/guidance/cg57"
    adult = card(hooks, PLAN, f"{PLAN}/eczema-no-care-plan-in.json")
    assert adult["source"]["url"] == "https://cks.nice.org.uk/topics/eczema-atopic/"
    assert "CKS" in adult["source"]["label"]
    # §5.5 "NICE CG57 for under 12s": the day before the 12th birthday, and the day itself
    eleven = card(hooks, PLAN, f"{PLAN}/eczema-no-care-plan-age-11-in.json")
    assert eleven["source"]["url"] == "https://www.nice.org.uk/guidance/cg57"
    twelve = card(hooks, PLAN, f"{PLAN}/eczema-no-care-plan-age-12-in.json")
    assert twelve["source"] == adult["source"]


def test_action_plan_never_beside_a_warning_or_critical_card(hooks: Any) -> None:
    for name in ("beside-critical-cellulitis-out", "beside-warning-escalation-out"):
        assert isinstance(decide(PLAN, f"{PLAN}/{name}.json"), Finding)  # the rule fires...
        response = post_hook(hooks, load_fixture(f"{PLAN}/{name}.json")).get_json()
        codes = [c["source"]["topic"]["code"] for c in response["cards"]]
        assert PLAN not in codes and codes  # ...but triage keeps the urgent card alone


def test_action_plan_is_shown_once_per_patient_in_180_days(hooks: Any) -> None:
    body = load_fixture(f"{PLAN}/eczema-no-care-plan-in.json")
    assert len(cards_for(post_hook(hooks, body), PLAN)) == 1
    body["hookInstance"] = "9d1e0f5c-3b4a-4f7e-8a2d-1c6b5e4f3a20"  # a later chart opening
    assert cards_for(post_hook(hooks, body), PLAN) == []


def test_card_file_link_must_be_https(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    shutil.copytree(REPO_CARDS, cards)
    path = cards / f"{PLAN}.toml"
    path.write_text(path.read_text().replace("https://www.nhs.uk", "http://www.nhs.uk"))
    with pytest.raises(CardFileError, match=f"{PLAN}.toml: links/0/url"):
        load_card_files(cards, load_rules())


def test_irritant_topical_offers_an_unrecommended_delete(hooks: Any) -> None:
    body = load_fixture(f"{IRR}/benzoyl-peroxide-gel-in.json")
    (draft,) = [e["resource"] for e in body["context"]["draftOrders"]["entry"]]
    c = card(hooks, IRR, body)
    assert c["indicator"] == "info"
    assert "isRecommended" not in c["suggestions"][0]
    assert actions(c) == [
        {
            "type": "delete",
            "description": "Remove the draft order",
            "resourceId": f"MedicationRequest/{draft['id']}",  # the generated fixture's draft
        }
    ]
    for name in ("adapalene-gel-in", "salicylic-acid-cleanser-in"):
        assert isinstance(decide(IRR, f"{IRR}/{name}.json"), Finding), name


def test_irritant_topical_silent_for_steroid_combination_or_without_eczema() -> None:
    for name in (
        "betamethasone-salicylic-acid-ointment-out",
        "benzoyl-peroxide-acne-only-out",
        "benzoyl-peroxide-order-sign-out",
    ):
        assert isinstance(decide(IRR, f"{IRR}/{name}.json"), Silent), name
