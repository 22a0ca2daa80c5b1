"""tcs-potent-on-sensitive-site through the API: the design card's headline behaviour."""

from __future__ import annotations

from typing import Any

from tests.conftest import cards_for, load_fixture, post_hook

RULE = "tcs-potent-on-sensitive-site"
DIR = "tcs-potent-on-sensitive-site"


def _card(client: Any, name: str) -> dict[str, Any]:
    found = cards_for(post_hook(client, load_fixture(f"{DIR}/{name}.json")), RULE)
    assert len(found) == 1
    return found[0]


def _created_codes(suggestion: dict[str, Any]) -> list[str]:
    return [
        c["code"]
        for a in suggestion["actions"]
        if a["type"] == "create"
        for c in a["resource"]["medicationCodeableConcept"]["coding"]
    ]


def test_clobetasol_on_eyelid_of_adult_warns_with_both_swaps(client: Any) -> None:
    card = _card(client, "clobetasol-eyelid-coded-age-30-in")
    assert card["indicator"] == "warning"
    assert card["selectionBehavior"] == "at-most-one"
    tacrolimus, pimecrolimus = card["suggestions"][:2]
    assert tacrolimus["isRecommended"] is True
    assert _created_codes(tacrolimus) == ["314266"]  # tacrolimus 0.1% from 16 years
    assert _created_codes(pimecrolimus) == ["562806"]
    for suggestion in card["suggestions"]:
        delete = [a for a in suggestion["actions"] if a["type"] == "delete"]
        assert delete == [
            {
                "type": "delete",
                "description": "Remove the draft order",
                "resourceId": "MedicationRequest/tcs-eyelid-age-30-draft",
            }
        ]
    # create first (the CDS Hooks Sandbox applies only the first action), then delete
    assert [a["type"] for a in tacrolimus["actions"]] == ["create", "delete"]
    created = tacrolimus["actions"][0]["resource"]
    assert created["status"] == "draft"
    assert created["subject"] == {"reference": "Patient/tcs-eyelid-age-30"}
    assert created["dosageInstruction"][0]["site"]["coding"][0]["code"] == "80243003"
    assert created["dosageInstruction"][0]["site"]["text"]
    assert "eyelid" in created["dosageInstruction"][0]["text"]
    assert "eyelids" in card["summary"]


def test_tacrolimus_strength_follows_age_threshold(client: Any) -> None:
    age_15 = _card(client, "clobetasol-eyelid-coded-age-15-in")
    age_16 = _card(client, "clobetasol-eyelid-coded-age-16-in")
    assert _created_codes(age_15["suggestions"][0]) == ["313189"]  # 0.03% under 16
    assert _created_codes(age_16["suggestions"][0]) == ["314266"]  # 0.1% from 16


def test_infant_gets_no_calcineurin_inhibitor(client: Any) -> None:
    card = _card(client, "clobetasol-face-age-1-in")
    labels = [s["label"] for s in card["suggestions"]]
    assert labels == ["Replace with hydrocortisone 1% cream (mild steroid)"]
    assert "tacrolimus" not in card["summary"]


def test_site_from_instruction_text_fires(client: Any) -> None:
    card = _card(client, "clobetasol-face-in-text-in")
    assert "instruction text" in card["detail"]


def test_hydrocortisone_on_eyelid_is_silent(client: Any) -> None:
    body = load_fixture(f"{DIR}/hydrocortisone-eyelid-out.json")
    assert cards_for(post_hook(client, body), RULE) == []


def test_same_request_with_hydrocortisone_instead_of_clobetasol_is_silent(client: Any) -> None:
    body = load_fixture(f"{DIR}/clobetasol-eyelid-coded-age-30-in.json")
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft["medicationCodeableConcept"] = {
        "coding": [
            {
                "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                "code": "106258",
                "display": "hydrocortisone 10 MG/ML Topical Cream",
            }
        ]
    }
    assert cards_for(post_hook(client, body), RULE) == []


def test_chart_text_in_detail_is_escaped(client: Any) -> None:
    body = load_fixture(f"{DIR}/clobetasol-face-in-text-in.json")
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft["medicationCodeableConcept"]["text"] = (
        "clobetasol 0.05% ointment [click](https://evil.example) <b>x</b>"
    )
    card = cards_for(post_hook(client, body), RULE)[0]
    assert "[click](https://evil.example)" not in card["detail"]
    assert "<b>" not in card["detail"]
    assert r"\[click\]" in card["detail"]
