"""Second review of the clinical round: what the first fixes read too widely."""

from __future__ import annotations

from typing import Any

from tests.conftest import cards_for, load_fixture, post_hook
from tests.test_review_clinical import (
    CLOBETASOL,
    HERPETICUM,
    SITE_RULE,
    _condition,
    _draft,
    _observation,
    _request,
    _rules,
)

LOINC = "http://loinc.org"
FACE_AND_TRUNK = "Atopic dermatitis of face and trunk"


def test_reason_site_the_instructions_exclude(hooks: Any) -> None:
    """The order's reason names the face, the instructions exclude it ("avoid the face"):
    the order is not for the face, whether the reason is a reasonCode or a reasonReference.
    A reason's site still counts when the instructions name none."""
    reason = {
        "coding": [
            {"system": "http://snomed.info/sct", "code": "24079001", "display": FACE_AND_TRUNK}
        ]
    }
    for sig, fires in (
        ("Apply to affected areas twice daily. Avoid the face.", False),
        ("Apply twice daily, not on face", False),
        ("Apply to affected area twice daily", True),
    ):
        draft = _draft(
            {"medicationCodeableConcept": CLOBETASOL["code"], "reasonCode": [reason]}, sig
        )
        assert (SITE_RULE in _rules(hooks, _request("order-sign", [{"resource": draft}]))) is fires
    face = _condition(id="face-ad", code={"text": FACE_AND_TRUNK})
    for sig, fires in (("Apply twice daily. Do not use on face.", False), ("Apply BID", True)):
        draft = _draft(
            {
                "medicationCodeableConcept": CLOBETASOL["code"],
                "reasonReference": [{"reference": "Condition/face-ad"}],
            },
            sig,
        )
        body = _request("order-sign", [{"resource": draft}], [_condition(), face])
        assert (SITE_RULE in _rules(hooks, body)) is fires, sig


def test_times_a_day_is_no_course_length(hooks: Any) -> None:
    """ "2x a day" says how often: it is no one-day course (which hid the missing duration),
    and beside "for 2 weeks" it does not make the course length unreadable."""
    for sig, asks in (
        ("Apply to arms 2x a day", True),
        ("Apply to arms 2x a day for 2 weeks", False),
    ):
        draft = _draft({"medicationCodeableConcept": {"text": "triamcinolone 0.1 % cream"}}, sig)
        draft["dispenseRequest"] = {"quantity": {"value": 30, "unit": "g"}}
        body = _request("order-select", [{"resource": draft}])
        assert ("tcs-incomplete-prescription" in _rules(hooks, body)) is asks, sig


def test_panel_with_component_values_is_a_result(hooks: Any) -> None:
    """A blood-pressure panel's values are its components; a dataAbsentReason beside them
    (the panel itself has no value) does not make the check undone."""
    ciclosporin = _draft(
        {"medicationCodeableConcept": {"text": "cycloSPORINE modified (NEORAL) 100 MG capsule"}},
        "Take 150 mg by mouth twice daily",
    )
    pressure = _observation(
        "bp",
        "85354-9",
        "Blood pressure",
        dataAbsentReason={"coding": [{"code": "not-applicable"}]},
        component=[
            {"code": {"coding": [{"system": LOINC, "code": code}]}, "valueQuantity": {"value": v}}
            for code, v in (("8480-6", 128), ("8462-4", 82))
        ],
    )
    creatinine = _observation("cr", "2160-0", "Creatinine", valueQuantity={"value": 0.8})
    body = _request("order-sign", [{"resource": ciclosporin}])
    body["prefetch"]["observations"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": creatinine}, {"resource": pressure}],
    }
    assert "cyclosporine-monitoring" not in _rules(hooks, body)


def test_a_first_dose_of_the_maintenance_amount_is_no_loading_dose(hooks: Any) -> None:
    """6 months to 5 years: the label gives no loading dose, and a first dose written on its
    own ("200 mg once", then "200 mg every 4 weeks") is not one: no card. A larger first
    dose still is."""
    name = "dupilumab-age-2-12-kg-loading-600-then-200-mg-every-4-weeks-in"
    for first, fires in ((200, False), (600, True)):
        body = load_fixture(f"biologic-label-check/{name}.json")
        dosage = body["context"]["draftOrders"]["entry"][0]["resource"]["dosageInstruction"][0]
        dosage["text"] = f"First dose {first} mg once"
        dosage["doseAndRate"][0]["doseQuantity"]["value"] = first
        found = cards_for(post_hook(hooks, body), "biologic-label-check")
        assert bool(found) is fires, first


def test_a_local_status_code_is_read_by_its_display(hooks: Any) -> None:
    """A local verificationStatus code ("EIE") with the display "Entered in Error": a recent
    herpeticum entered in error raises no critical card; a local "A" displayed "Active" makes
    an older one active."""
    local = "http://hospital.example.org/condition-status"
    error = {"coding": [{"system": local, "code": "EIE", "display": "Entered in Error"}]}
    active = {"coding": [{"system": local, "code": "A", "display": "Active"}]}
    for extra, fires in (
        ({"verificationStatus": error, "onsetDateTime": "2026-11-20"}, False),
        ({"clinicalStatus": active, "recordedDate": "2025-01-01"}, True),
    ):
        condition = _condition(id="eh", code=HERPETICUM)
        del condition["clinicalStatus"]
        condition.update(extra)
        body = _request("patient-view", [], [_condition(), condition])
        assert ("eczema-herpeticum" in _rules(hooks, body)) is fires, extra


def test_reason_site_another_drug_is_for(hooks: Any) -> None:
    """ "Apply to body twice daily (use hydrocortisone 1% on face)": the face is the
    hydrocortisone's, so the reason's face is not the clobetasol's either."""
    reason = {
        "coding": [
            {"system": "http://snomed.info/sct", "code": "24079001", "display": FACE_AND_TRUNK}
        ]
    }
    sig = "Apply to body twice daily (use hydrocortisone 1% on face)"
    draft = _draft({"medicationCodeableConcept": CLOBETASOL["code"], "reasonCode": [reason]}, sig)
    assert SITE_RULE not in _rules(hooks, _request("order-sign", [{"resource": draft}]))
