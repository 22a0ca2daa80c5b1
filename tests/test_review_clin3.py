"""Third clinical read of the round's suggestions: what the updated orders dispense."""

from __future__ import annotations

import copy
from typing import Any

from tests.conftest import cards_for, load_fixture, post_hook
from tests.test_fixtures import validate_fhir

BEDTIME = "antihistamine-sedating-bedtime"


def _bedtime_update(client: Any, text: str, quantity: int, dose: float | None) -> dict[str, Any]:
    """The bedtime update of hydroxyzine 'three times daily' with no course length set."""
    body = copy.deepcopy(load_fixture(f"{BEDTIME}/hydroxyzine-three-times-daily-age-30-in.json"))
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    (dosage,) = draft["dosageInstruction"]
    dosage["text"] = text
    dosage["timing"]["repeat"] = {"frequency": 3, "period": 1, "periodUnit": "d"}
    if dose is None:
        del dosage["doseAndRate"]
    else:
        dosage["doseAndRate"][0]["doseQuantity"]["value"] = dose
    draft["dispenseRequest"] = {"quantity": {"value": quantity, "unit": "tablet"}}
    (card,) = cards_for(post_hook(client, body), BEDTIME)
    (action,) = card["suggestions"][0]["actions"]
    validate_fhir(action["resource"])
    return action["resource"]


def test_a_bedtime_update_that_sets_the_14_day_course_dispenses_for_14_nights(
    client: Any,
) -> None:
    """With no course on the draft the update limits it to 14 days; the quantity is what 14
    nights need, not the old supply divided by three (100 tablets 'three times daily' became
    34 tablets for a 14-day course; '1-2 tablets' and 30 became 10 for 14 nights)."""
    for text, quantity, dose, expected in (
        ("One tablet three times daily for itch", 100, 1, 14),
        ("Take 2 tablets three times daily", 100, 2, 28),
        ("Take half a tablet three times daily", 100, 0.5, 7),
        ("Take 1-2 tablets three times daily as needed for itch", 30, None, 28),
        ("Take 1 to 2 tablets three times daily when itchy", 30, None, 28),
        ("Take two tablets three times daily", 90, None, 28),
        ("Take 1 tablet three times daily", 9, 1, 14),
    ):
        resource = _bedtime_update(client, text, quantity, dose)
        (dosage,) = resource["dosageInstruction"]
        assert dosage["timing"]["repeat"]["boundsDuration"]["value"] == 14, text
        assert resource["dispenseRequest"]["quantity"]["value"] == expected, text


def test_a_bedtime_update_in_another_unit_keeps_the_scaled_supply(client: Any) -> None:
    """A dose in mg beside a quantity in tablets cannot be counted: the supply shrinks with
    the doses, as before."""
    resource = _bedtime_update(client, "25 mg three times daily", 42, None)
    assert resource["dispenseRequest"]["quantity"]["value"] == 14


def test_a_bedtime_update_keeps_a_course_length_written_only_in_the_sig(client: Any) -> None:
    """'One tablet three times daily for 5 days' with no timing bounds: the rewritten sig no
    longer says 5 days, so the timing carries it; it was set to 14 days with 5 tablets."""
    resource = _bedtime_update(client, "One tablet three times daily for 5 days", 15, 1)
    (dosage,) = resource["dosageInstruction"]
    assert dosage["timing"]["repeat"]["boundsDuration"]["value"] == 5
    assert resource["dispenseRequest"]["quantity"]["value"] == 5


def _infant_card(client: Any, path: str, rule: str, birth: str) -> dict[str, Any]:
    body = copy.deepcopy(load_fixture(path))
    for value in body["prefetch"].values():
        if isinstance(value, dict) and value.get("resourceType") == "Patient":
            value["birthDate"] = birth
    (card,) = cards_for(post_hook(client, body), rule)
    return card


def test_an_age_under_a_month_is_in_days_or_weeks_and_one_month_is_singular(
    client: Any,
) -> None:
    """A 2-day-old was 'a child aged 0 months'; the antihistamine infant card said
    '1 months' (the day is 2026-11-22)."""
    tci = ("tci-age-strength/pimecrolimus-age-10-months-in.json", "tci-age-strength")
    infant = (
        "antihistamine-sedating-bedtime/chlorpheniramine-three-times-daily-4-months-in.json",
        "antihistamine-sedating-bedtime",
    )
    for (path, rule), birth, words in (
        (tci, "2026-11-20", "2 days"),
        (tci, "2026-11-21", "1 day"),
        (tci, "2026-11-22", "under 1 day"),
        (tci, "2026-10-25", "4 weeks"),
        (tci, "2026-11-08", "2 weeks"),
        (tci, "2026-10-20", "1 month"),
        (infant, "2026-10-20", "1 month"),
        (infant, "2026-11-08", "2 weeks"),
        (infant, "2026-07-20", "4 months"),
    ):
        card = _infant_card(client, path, rule, birth)
        text = card["summary"] + "\n" + card["detail"]
        assert f"aged **{words}**" in card["detail"], (rule, birth, card["detail"][:200])
        assert "0 month" not in text and "1 months" not in text and "months months" not in text
        assert len(card["summary"]) < 140


def _instructions(card: dict[str, Any]) -> list[str]:
    return [
        dosage.get("text") or ""
        for suggestion in card["suggestions"]
        for action in suggestion["actions"]
        for dosage in (action.get("resource") or {}).get("dosageInstruction") or []
    ]


def test_a_rewritten_sig_names_every_site_of_the_draft(client: Any) -> None:
    """Instructions the service writes name all the draft's sites: 'once weekly to face and
    neck' became 'twice weekly to the face' (the neck dropped), and clobetasol for the face and
    neck was replaced by tacrolimus 'to the face' only, the draft deleted."""
    rule = "tci-proactive-maintenance"
    body = copy.deepcopy(load_fixture(f"{rule}/once-weekly-in.json"))
    (dosage,) = body["context"]["draftOrders"]["entry"][0]["resource"]["dosageInstruction"]
    del dosage["site"]
    dosage["text"] = "Apply once weekly to face and neck"
    (card,) = cards_for(post_hook(client, body), rule)
    assert any("face and neck twice weekly" in text for text in _instructions(card))

    site_rule = "tcs-potent-on-sensitive-site"
    body = copy.deepcopy(
        load_fixture(f"{site_rule}/clobetasol-neck-and-legs-one-site-two-codings-in.json")
    )
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    for dosage in draft["dosageInstruction"]:
        dosage.pop("site", None)
        dosage["text"] = "Apply to face and neck twice daily for 7 days"
    (card,) = cards_for(post_hook(client, body), site_rule)
    texts = _instructions(card)
    assert texts and all("face and neck" in text for text in texts), texts
    for suggestion in card["suggestions"]:
        for action in suggestion["actions"]:
            if action.get("resource"):
                validate_fhir(action["resource"])


def test_a_course_the_patient_instruction_repeats_is_read(client: Any) -> None:
    """'twice daily for 4 weeks' in the sig and 'for four weeks' in the patient's instruction
    are one course, not two: a month of clobetasol passed the 2-week limit unwarned. A sig
    that itself steps down, or a patient's copy that disagrees, stays unreadable."""
    rule = "tcs-very-potent-limits"
    base = load_fixture(f"{rule}/clobetasol-4-weeks-written-only-in-the-sig-in.json")
    for text, patient, fires in (
        ("Apply twice daily for 4 weeks", "Use twice a day for four weeks, then stop", True),
        ("Apply twice daily for 1 month", "Apply twice daily for a month", True),
        ("Apply twice daily for 4 weeks", "Apply twice daily for 4 weeks", True),
        ("Apply twice daily for 10 days", "Apply twice daily for 10 days", False),
        ("Apply twice daily for 10 days", "Apply twice daily for 4 weeks", False),
        ("Twice daily for 7 days then daily for 7 days", "Twice daily for 7 days", False),
    ):
        body = copy.deepcopy(base)
        (dosage,) = body["context"]["draftOrders"]["entry"][0]["resource"]["dosageInstruction"]
        dosage["text"], dosage["patientInstruction"] = text, patient
        assert bool(cards_for(post_hook(client, body), rule)) is fires, (text, patient)
