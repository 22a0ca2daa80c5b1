"""Suggestion builders in detail: the emollient amount by age (NICE CG57 / CKS), the draft's
site in a swap's dosage and text, and one recommended suggestion on tci-age-strength."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cds_service.rules import Finding
from cds_service.suggestions import load_builders
from cds_service.suggestions.red_flags import _dose_in_sig
from tests.conftest import cards_for, load_fixture, post_hook
from tests.rules.redflags_support import picture_of
from tests.test_fixtures import validate_fhir

EMOLLIENT = "emollient-not-prescribed/triamcinolone-no-emollient-sign-in.json"


def _emollient_for_birth_date(birth: str) -> dict[str, Any]:
    body = copy.deepcopy(load_fixture(EMOLLIENT))
    body["prefetch"]["patient"]["birthDate"] = birth
    picture = picture_of(body)
    finding = Finding(rule_id="emollient-not-prescribed", reason="test", orders=())
    (action,) = load_builders()["order-emollient"](finding, picture)
    resource: dict[str, Any] = action["resource"]
    return resource


def test_emollient_500_g_a_week_for_adults_250_g_for_children() -> None:
    for birth, grams in (("1996-05-14", 500), ("2014-11-22", 500), ("2014-11-23", 250)):
        resource = _emollient_for_birth_date(birth)  # 12 years on 2026-11-22 / 11 years
        dispense = resource["dispenseRequest"]
        assert dispense["quantity"]["value"] == grams, birth
        assert dispense["expectedSupplyDuration"]["value"] == 7  # a week's supply
        assert dispense["numberOfRepeatsAllowed"] == 11  # 12 weeks in all
        assert f"{grams} g a week" in resource["dosageInstruction"][0]["text"]
        assert resource["dosageInstruction"][0]["route"]["coding"][0]["code"] == "6064005"
        assert "petrolatum" in resource["medicationCodeableConcept"]["text"]


def test_emollient_without_an_age_offers_nothing() -> None:
    body = copy.deepcopy(load_fixture(EMOLLIENT))
    del body["prefetch"]["patient"]["birthDate"]
    finding = Finding(rule_id="emollient-not-prescribed", reason="test")
    assert load_builders()["order-emollient"](finding, picture_of(body)) == []


def test_swap_names_the_site_in_dosage_site_and_text(client: Any) -> None:
    rule = "tcs-potent-on-sensitive-site"
    coded = load_fixture(f"{rule}/clobetasol-eyelid-coded-age-30-in.json")
    (card,) = cards_for(post_hook(client, coded), rule)
    created = card["suggestions"][0]["actions"][0]["resource"]
    dosage = created["dosageInstruction"][0]
    assert dosage["site"]["coding"][0]["code"] == "80243003"
    assert dosage["site"]["text"]
    assert "the eyelids twice daily" in dosage["text"]
    assert created["dispenseRequest"]["quantity"]["value"] == 30  # a 30 g tube for the face
    assert dosage["timing"]["repeat"]["boundsDuration"]["value"] > 0
    in_text = load_fixture(f"{rule}/clobetasol-face-in-text-in.json")
    (card,) = cards_for(post_hook(client, in_text), rule)
    dosage = card["suggestions"][0]["actions"][0]["resource"]["dosageInstruction"][0]
    # sites found only in the instruction text ('Apply to face and neck'): all of them
    assert dosage["site"] == {"text": "face and neck"}
    assert "to the face and neck" in dosage["text"]


def test_tci_age_strength_recommends_exactly_one(client: Any) -> None:
    rule = "tci-age-strength"
    for name, key_code in (
        ("tacrolimus-0.1-age-15-in", "313189"),
        ("tacrolimus-0.03-age-1-in", "106258"),
    ):
        (card,) = cards_for(post_hook(client, load_fixture(f"{rule}/{name}.json")), rule)
        assert card["selectionBehavior"] == "at-most-one"
        recommended = [s for s in card["suggestions"] if s.get("isRecommended")]
        assert len(recommended) == 1, name
        created = recommended[0]["actions"][0]["resource"]
        assert created["medicationCodeableConcept"]["coding"][0]["code"] == key_code


def test_an_update_of_a_sandbox_shaped_draft_is_valid_r4(client: Any) -> None:
    """The Sandbox sends `category` and `reasonCode` as single objects and may omit `intent`:
    the update echoes the draft as valid R4 (lists, intent order)."""
    rule = "tcs-very-potent-limits"
    body = copy.deepcopy(load_fixture(f"{rule}/clobetasol-60g-per-week-in.json"))
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft.pop("intent")
    draft["category"] = {"coding": [{"code": "outpatient"}]}
    draft["reasonCode"] = {"coding": [{"system": "http://snomed.info/sct", "code": "24079001"}]}
    (card,) = cards_for(post_hook(client, body), rule)
    (action,) = card["suggestions"][0]["actions"]
    resource = action["resource"]
    validate_fhir(resource)
    assert resource["intent"] == "order"
    assert resource["category"] == [draft["category"]]
    assert resource["reasonCode"] == [draft["reasonCode"]]


def test_no_update_or_delete_for_a_draft_without_an_id(client: Any) -> None:
    for rule, name in (
        ("tcs-very-potent-limits", "clobetasol-60g-per-week-in"),
        ("tcs-potent-on-sensitive-site", "clobetasol-eyelid-coded-age-30-in"),
    ):
        body = copy.deepcopy(load_fixture(f"{rule}/{name}.json"))
        del body["context"]["draftOrders"]["entry"][0]["resource"]["id"]
        for card in post_hook(client, body).get_json()["cards"]:
            for suggestion in card.get("suggestions", []):
                kinds = {a["type"] for a in suggestion["actions"]}
                assert not kinds & {"update", "delete"}, (name, suggestion["label"])


def test_a_same_drug_order_carries_the_contained_medication_its_reference_names() -> None:
    from fhir.resources.R4B import get_fhir_model_class

    from cds_service.suggestions import medication_as_received

    med = {"resourceType": "Medication", "id": "m1", "code": {"text": "triamcinolone 0.1% oint"}}
    raw = {"contained": [med], "medicationReference": {"reference": "#m1"}}
    copied = medication_as_received(raw)
    assert copied == {"contained": [med], "medicationReference": {"reference": "#m1"}}
    assert copied["contained"][0] is not med  # a copy: the received order is not shared
    resource = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        **copied,
    }
    get_fhir_model_class("MedicationRequest").model_validate(resource)
    # A local reference to nothing is not copied (the caller names the drug by text), a
    # concept or a server reference is copied as it is.
    assert medication_as_received({"medicationReference": {"reference": "#gone"}}) is None
    concept = {"medicationCodeableConcept": {"text": "x"}}
    assert medication_as_received(concept) == concept
    server = {"medicationReference": {"reference": "Medication/7"}}
    assert medication_as_received(server) == server
    assert medication_as_received({}) is None


def test_a_bedtime_update_keeps_a_dose_written_only_in_the_sig(client: Any) -> None:
    """Many EHRs send the dose only in the sig ("Take 1 tablet ... three times daily"): the
    bedtime update rewrites the sig, and must not leave an order with no dose at all."""
    rule = "antihistamine-sedating-bedtime"
    body = copy.deepcopy(load_fixture(f"{rule}/hydroxyzine-three-times-daily-age-30-in.json"))
    (dosage,) = body["context"]["draftOrders"]["entry"][0]["resource"]["dosageInstruction"]
    dosage.pop("doseAndRate")
    dosage["text"] = "Take 1 tablet by mouth three times daily as needed for itching"
    (card,) = cards_for(post_hook(client, body), rule)
    (action,) = card["suggestions"][0]["actions"]
    (updated,) = action["resource"]["dosageInstruction"]
    validate_fhir(action["resource"])
    assert updated["text"] == "1 tablet once daily at bedtime, for night-time itch and sleep"
    assert updated["timing"]["repeat"]["when"] == ["HS"]


@pytest.mark.parametrize(
    ("repeat", "dispensed", "expected"),
    [
        ({"frequency": 3, "period": 1, "periodUnit": "d"}, 42, 14),  # 14 days of 3 a day
        ({"frequency": 2, "period": 1, "periodUnit": "d"}, 15, 8),  # rounded up
        ({"frequency": 1, "period": 8, "periodUnit": "h"}, 30, 10),
        ({"frequency": 1, "period": 1, "periodUnit": "d"}, 14, 14),  # once a day already
        ({"frequency": 3, "period": 1}, 42, 42),  # no unit: not scaled
        ({"frequency": "3", "period": 1, "periodUnit": "d"}, 42, 42),
    ],
)
def test_a_bedtime_update_dispenses_for_the_same_course(
    client: Any, repeat: dict[str, Any], dispensed: int, expected: int
) -> None:
    """Once at bedtime in place of three doses a day: 42 tablets would last 42 days, not the
    14 prescribed (an accepted update must not triple a sedating antihistamine's supply)."""
    rule = "antihistamine-sedating-bedtime"
    body = copy.deepcopy(load_fixture(f"{rule}/hydroxyzine-three-times-daily-age-30-in.json"))
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft["dosageInstruction"][0]["timing"]["repeat"].update(repeat)
    if "periodUnit" not in repeat:
        draft["dosageInstruction"][0]["timing"]["repeat"].pop("periodUnit")
    draft["dispenseRequest"] = {
        "quantity": {"value": dispensed, "unit": "tablet"},
        "numberOfRepeatsAllowed": 0,
    }
    (card,) = cards_for(post_hook(client, body), rule)
    (action,) = card["suggestions"][0]["actions"]
    validate_fhir(action["resource"])
    dispense = action["resource"]["dispenseRequest"]
    assert dispense == {
        "quantity": {"value": expected, "unit": "tablet"},
        "numberOfRepeatsAllowed": 0,
    }
    assert draft["dispenseRequest"]["quantity"]["value"] == dispensed  # the draft is not changed


def test_an_update_rewrites_the_patients_copy_of_the_instruction_too(client: Any) -> None:
    """`patientInstruction` is what the patient reads: left as it was, it would keep the old
    schedule ("three times daily") or course ("for 4 weeks") beside the updated order."""
    rule = "antihistamine-sedating-bedtime"
    body = copy.deepcopy(load_fixture(f"{rule}/hydroxyzine-three-times-daily-age-30-in.json"))
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft["dosageInstruction"][0]["patientInstruction"] = "Take 1 tablet three times a day"
    (card,) = cards_for(post_hook(client, body), rule)
    (updated,) = card["suggestions"][0]["actions"][0]["resource"]["dosageInstruction"]
    assert updated["patientInstruction"] == updated["text"]
    assert "three" not in updated["patientInstruction"]

    rule = "tcs-very-potent-limits"
    body = copy.deepcopy(load_fixture(f"{rule}/clobetasol-15-days-in.json"))
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft["dosageInstruction"][0]["patientInstruction"] = "Apply thinly twice daily for 15 days"
    (card,) = cards_for(post_hook(client, body), rule)
    updates = [a for s in card["suggestions"] for a in s["actions"] if a["type"] == "update"]
    assert updates
    for action in updates:
        (dosage,) = action["resource"]["dosageInstruction"]
        assert dosage["patientInstruction"] == "Apply thinly twice daily for 14 days"


def test_a_twice_weekly_update_rewrites_the_old_schedules_words(client: Any) -> None:
    """The draft's sig says "once weekly": kept beside a twice-weekly timing it would be two
    schedules in one order."""
    rule = "tci-proactive-maintenance"
    body = copy.deepcopy(load_fixture(f"{rule}/once-weekly-in.json"))
    (dosage,) = body["context"]["draftOrders"]["entry"][0]["resource"]["dosageInstruction"]
    dosage["text"] = "Apply to face once weekly"
    dosage["patientInstruction"] = "Use on your face once a week"
    (card,) = cards_for(post_hook(client, body), rule)
    (suggestion,) = [s for s in card["suggestions"] if s["label"].startswith("Change to twice")]
    (action,) = suggestion["actions"]
    validate_fhir(action["resource"])
    (updated,) = action["resource"]["dosageInstruction"]
    assert updated["timing"]["repeat"]["frequency"] == 2
    assert "once" not in updated["text"] and "twice weekly" in updated["text"]
    assert updated["patientInstruction"] == updated["text"]


def test_a_bedtime_update_with_a_coded_dose_words_only_the_schedule(client: Any) -> None:
    rule = "antihistamine-sedating-bedtime"
    body = load_fixture(f"{rule}/hydroxyzine-three-times-daily-age-30-in.json")
    (card,) = cards_for(post_hook(client, body), rule)
    (action,) = card["suggestions"][0]["actions"]
    (updated,) = action["resource"]["dosageInstruction"]
    assert updated["doseAndRate"][0]["doseQuantity"]["value"] == 1
    assert updated["text"] == "Once daily at bedtime, for night-time itch and sleep"


@pytest.mark.parametrize(
    ("sig", "dose"),
    [
        ("Take 1 tablet by mouth three times daily as needed for itching", "1 tablet"),
        ("One tablet three times daily for itch", "One tablet"),
        ("25 mg twice daily", "25 mg"),
        ("hydroxyzine 25 mg: take two tablets at night", "Two tablets"),  # given, not strength
        ("2.5 mL (200 mg/5 mL) at night", "2.5 mL"),
        ("1-2 tablets at night as needed", "1-2 tablets"),  # the range, not its upper end
        ("Take 1 to 2 tablets by mouth every 6 hours", "1 to 2 tablets"),
        ("10 mg/5 mL syrup as directed", None),  # a concentration is no dose
        ("As directed", None),
    ],
)
def test_the_dose_a_sig_writes(sig: str, dose: str | None) -> None:
    assert _dose_in_sig(sig) == dose


def test_a_blood_pressure_check_is_not_ordered_as_a_laboratory_procedure(client: Any) -> None:
    """The ciclosporin checks: serum creatinine is a lab test, a blood pressure is a measurement
    (an EHR routes an order by its category: a BP "Laboratory procedure" goes to the lab)."""
    rule = "cyclosporine-monitoring"
    body = load_fixture(f"{rule}/neoral-text-only-no-checks-in.json")
    (card,) = cards_for(post_hook(client, body), rule)
    requests = {
        a["resource"]["code"]["coding"][0]["code"]: a["resource"]
        for s in card["suggestions"]
        for a in s["actions"]
    }
    lab = {
        "system": "http://snomed.info/sct",
        "code": "108252007",
        "display": "Laboratory procedure",
    }
    assert requests["2160-0"]["category"] == [{"coding": [lab]}]  # serum creatinine
    blood_pressure = requests["85354-9"]
    validate_fhir(blood_pressure)
    assert lab not in [c for cat in blood_pressure.get("category", []) for c in cat["coding"]]


def _created_orders(client: Any, fixture: str, rule: str) -> list[dict[str, Any]]:
    (card,) = cards_for(post_hook(client, load_fixture(fixture)), rule)
    return [
        a["resource"]
        for s in card["suggestions"]
        for a in s["actions"]
        if a["type"] == "create" and a["resource"]["resourceType"] == "MedicationRequest"
    ]


def test_a_new_order_takes_only_the_eczema_reason_of_the_draft(client: Any) -> None:
    """The emollient is for the patient's eczema: a steroid draft's reason for another
    dermatosis (psoriasis, lichen sclerosus) is no reason for it; an eczema reason is kept."""
    rule = "emollient-not-prescribed"
    for fixture, other in (
        ("tcs-very-potent-limits/clobetasol-15-days-reason-psoriasis-out.json", "9014002"),
        (
            "tcs-potent-on-sensitive-site/clobetasol-vulva-reason-lichen-sclerosus-out.json",
            "25674000",
        ),
        ("tcs-potent-on-sensitive-site/clobetasol-vulva-reason-icd-l900-out.json", "L90.0"),
    ):
        (emollient,) = _created_orders(client, fixture, rule)
        codes = {c["code"] for r in emollient.get("reasonCode", []) for c in r["coding"]}
        assert other not in codes, fixture
    fixture = "tcs-potent-on-sensitive-site/clobetasol-eyelid-reason-eczema-in.json"
    for created in _created_orders(client, fixture, rule):
        assert created["reasonCode"][0]["coding"][0]["code"] == "24079001"
