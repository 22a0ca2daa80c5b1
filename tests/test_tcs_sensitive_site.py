"""tcs-potent-on-sensitive-site through the API: the design card's headline behaviour."""

from __future__ import annotations

from typing import Any

from tests.conftest import cards_for, load_fixture, post_hook

RULE = "tcs-potent-on-sensitive-site"
DIR = "tcs-potent-on-sensitive-site"


def _card(hooks: Any, name: str) -> dict[str, Any]:
    found = cards_for(post_hook(hooks, load_fixture(f"{DIR}/{name}.json")), RULE)
    assert len(found) == 1
    return found[0]


def _created_codes(suggestion: dict[str, Any]) -> list[str]:
    return [
        c["code"]
        for a in suggestion["actions"]
        if a["type"] == "create"
        for c in a["resource"]["medicationCodeableConcept"]["coding"]
    ]


def test_clobetasol_on_eyelid_of_adult_warns_with_both_swaps(hooks: Any) -> None:
    card = _card(hooks, "clobetasol-eyelid-coded-age-30-in")
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


def test_tacrolimus_strength_follows_age_threshold(hooks: Any) -> None:
    age_15 = _card(hooks, "clobetasol-eyelid-coded-age-15-in")
    age_16 = _card(hooks, "clobetasol-eyelid-coded-age-16-in")
    assert _created_codes(age_15["suggestions"][0]) == ["313189"]  # 0.03% under 16
    assert _created_codes(age_16["suggestions"][0]) == ["314266"]  # 0.1% from 16


def test_infant_gets_no_calcineurin_inhibitor(hooks: Any) -> None:
    card = _card(hooks, "clobetasol-face-age-1-in")
    labels = [s["label"] for s in card["suggestions"]]
    assert labels == ["Replace with hydrocortisone 1% cream (mild steroid)"]
    assert "tacrolimus" not in card["summary"]


def test_site_from_instruction_text_fires(hooks: Any) -> None:
    card = _card(hooks, "clobetasol-face-in-text-in")
    assert "from the instructions" in card["detail"]
    assert "dosageInstruction" not in card["detail"]


def test_hydrocortisone_on_eyelid_is_silent(hooks: Any) -> None:
    body = load_fixture(f"{DIR}/hydrocortisone-eyelid-out.json")
    assert cards_for(post_hook(hooks, body), RULE) == []


def test_same_request_with_hydrocortisone_instead_of_clobetasol_is_silent(hooks: Any) -> None:
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
    assert cards_for(post_hook(hooks, body), RULE) == []


def test_chart_text_in_detail_is_escaped(hooks: Any) -> None:
    body = load_fixture(f"{DIR}/clobetasol-face-in-text-in.json")
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft["medicationCodeableConcept"]["text"] = (
        "clobetasol 0.05% ointment [click](https://evil.example) <b>x</b>"
    )
    card = cards_for(post_hook(hooks, body), RULE)[0]
    assert "[click](https://evil.example)" not in card["detail"]
    assert "<b>" not in card["detail"]
    assert r"\[click\]" in card["detail"]


def _labels(card: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(s["label"], s.get("isRecommended", False)) for s in card["suggestions"]]


def test_nappy_area_recommends_hydrocortisone_and_offers_the_tci(hooks: Any) -> None:
    for name in ("clobetasol-nappy-area-age-2-in", "mometasone-ointment-nappy-area-age-3-in"):
        card = _card(hooks, name)
        assert "nappy area" in card["summary"] and "groin" not in card["summary"]
        labels = _labels(card)
        assert labels[0] == ("Replace with hydrocortisone 1% cream (mild steroid)", True)
        assert [r for _l, r in labels].count(True) == 1
        assert any("tacrolimus" in label for label, _r in labels)  # offered, not recommended
        assert "occlusi" in card["detail"]


def test_nappy_area_under_2_years_offers_hydrocortisone_only(hooks: Any) -> None:
    card = _card(hooks, "clobetasol-nappy-area-age-23-months-in")
    assert _labels(card) == [("Replace with hydrocortisone 1% cream (mild steroid)", True)]
    assert "nappy area" in card["summary"]


def test_under_2_years_the_detail_does_not_discuss_calcineurin_inhibitors(hooks: Any) -> None:
    for name in (
        "clobetasol-face-age-1-in",
        "clobetasol-face-age-12-months-in",
        "clobetasol-face-age-11-months-in",
        "clobetasol-nappy-area-age-23-months-in",
    ):
        card = _card(hooks, name)
        text = (card["summary"] + card["detail"]).lower()
        assert "calcineurin" not in text and "tacrolimus" not in text, name


def test_under_12_months_the_card_says_no_potent_steroid_at_any_site(hooks: Any) -> None:
    infant = _card(hooks, "clobetasol-face-age-11-months-in")
    assert "under 12 months at any site" in infant["detail"]
    assert "NICE CG57" in infant["detail"]
    toddler = _card(hooks, "clobetasol-face-age-12-months-in")
    assert "at any site" not in toddler["detail"]


def test_very_potent_for_a_child_gives_the_young_child_reason(hooks: Any) -> None:
    body = load_fixture(f"{DIR}/clobetasol-face-age-11-years-in.json")
    response = post_hook(hooks, body)
    assert cards_for(response, "tcs-potency-in-young-child") == []  # deferred to this card
    card = cards_for(response, RULE)[0]
    assert "very potent topical steroids in children" in card["detail"]


def test_elbow_and_knee_creases_are_not_skin_folds(hooks: Any) -> None:
    for name in (
        "clobetasol-antecubital-fossa-coded-adult-out",
        "clobetasol-popliteal-fossa-coded-adult-out",
        "clobetasol-elbow-creases-behind-knees-adult-out",
        "clobetasol-flexures-of-arms-and-legs-adult-out",
    ):
        assert cards_for(post_hook(hooks, load_fixture(f"{DIR}/{name}.json")), RULE) == []
    for name in ("clobetasol-gluteal-fold-coded-adult-in", "clobetasol-inframammary-adult-in"):
        assert "skin folds" in _card(hooks, name)["summary"]


def test_coded_site_is_named_for_the_clinician(hooks: Any) -> None:
    card = _card(hooks, "clobetasol-eyelid-coded-age-30-in")
    assert "from the coded body site" in card["detail"]
    assert "80243003" not in card["detail"]


def test_a_past_orders_contained_medication_does_not_stand_in_for_the_drafts(
    hooks: Any,
) -> None:
    # Epic-style local ids repeat across resources: a past tacrolimus order whose contained
    # Medication is also "#m1" must not turn the face draft's own "#m1" (triamcinolone
    # 5 mg/g) into tacrolimus and silence the warning.
    body = load_fixture(f"{DIR}/contained-medication-ratio-5mg-per-g-face-in.json")
    patient = body["context"]["patientId"]
    past = {
        "resourceType": "MedicationRequest",
        "id": "past-tacrolimus",
        "status": "completed",
        "intent": "order",
        "subject": {"reference": f"Patient/{patient}"},
        "authoredOn": "2026-06-01",
        "contained": [
            {
                "resourceType": "Medication",
                "id": "m1",
                "code": {"text": "tacrolimus 0.1% topical ointment"},
            }
        ],
        "medicationReference": {"reference": "#m1"},
    }
    bundle = body["prefetch"]["medications"]
    bundle["entry"] = [{"resource": past}, *bundle.get("entry", [])]
    found = cards_for(post_hook(hooks, body), RULE)
    assert len(found) == 1 and found[0]["indicator"] == "warning"
