"""eczema-herpeticum actions (clinical-rules §5.6): oral aciclovir at the age-banded dose
(OUH paediatric guide / Zovirax SmPC: 200 mg five times a day for 5 days from 2 years, half
under 2 years, as the 200 mg/5 mL suspension under 12 years; the SmPC adult 200 mg capsule from
12 years; nothing under 1 month), the same-day referral with priority `stat`, and same-day
ophthalmology when the lesions are periocular."""

from __future__ import annotations

from typing import Any

from tests.rules.redflags_support import card

EH = "eczema-herpeticum"


def _created(c: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["resource"] for s in c["suggestions"] for a in s["actions"] if a["type"] == "create"]


def _aciclovir(hooks: Any, name: str) -> dict[str, Any] | None:
    found = [r for r in _created(card(hooks, EH, f"{EH}/{name}.json")) if "dosageInstruction" in r]
    assert len(found) <= 1
    return found[0] if found else None


def test_2_to_11_years_200_mg_as_5_ml_of_suspension_not_a_capsule(hooks: Any) -> None:
    for name in (
        "active-age-2-years-aciclovir-suspension-in",
        "active-age-11-years-aciclovir-suspension-in",
    ):
        c = card(hooks, EH, f"{EH}/{name}.json")
        assert r"200 mg \(5 mL of 200 mg/5 mL suspension\) five times a day" in c["detail"]
        order = _aciclovir(hooks, name)
        assert order is not None, name
        assert "coding" not in order["medicationCodeableConcept"]  # suspension RxCUI unverified
        assert "200 mg/5 mL" in order["medicationCodeableConcept"]["text"]
        dosage = order["dosageInstruction"][0]
        assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 5
        assert "200 mg (5 mL)" in dosage["text"]
        assert order["dispenseRequest"]["quantity"]["value"] == 125  # 5 mL x 5 a day x 5 days


def test_from_12_years_200_mg_capsule_five_times_a_day_for_5_days(hooks: Any) -> None:
    for name in ("active-age-12-years-aciclovir-capsule-in", "active-patient-view-in"):
        c = card(hooks, EH, f"{EH}/{name}.json")
        assert "one 200 mg capsule" in c["detail"] and "Zovirax SmPC" in c["detail"]
        order = _aciclovir(hooks, name)
        assert order is not None, name
        assert order["medicationCodeableConcept"]["coding"][0]["code"] == "197310"
        dosage = order["dosageInstruction"][0]
        repeat = dosage["timing"]["repeat"]
        assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == (5, 1, "d")
        assert repeat["boundsDuration"]["value"] == 5
        assert dosage["route"]["coding"][0]["code"] == "26643006"  # oral
        assert "200 mg" in dosage["text"]
        assert order["dispenseRequest"]["quantity"]["value"] == 25  # 5 a day for 5 days
        assert order["status"] == "draft" and order["intent"] == "order"


def test_under_2_years_100_mg_of_suspension(hooks: Any) -> None:
    for name in (
        "active-age-23-months-aciclovir-suspension-in",
        "active-age-1-month-aciclovir-suspension-in",
    ):
        order = _aciclovir(hooks, name)
        assert order is not None, name
        assert "coding" not in order["medicationCodeableConcept"]  # suspension RxCUI unverified
        assert "200 mg/5 mL" in order["medicationCodeableConcept"]["text"]
        assert order["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 2.5
        assert order["dispenseRequest"]["quantity"] == {
            "value": 62.5,
            "unit": "mL",
            "system": "http://unitsofmeasure.org",
            "code": "mL",
        }


def test_under_1_month_no_oral_order_but_the_referral(hooks: Any) -> None:
    c = card(hooks, EH, f"{EH}/active-age-3-weeks-no-oral-aciclovir-in.json")
    (referral,) = _created(c)
    assert referral["resourceType"] == "ServiceRequest" and referral["priority"] == "stat"


def test_periocular_lesions_add_same_day_ophthalmology(hooks: Any) -> None:
    c = card(hooks, EH, f"{EH}/active-eyelids-periocular-in.json")
    requests = [r for r in _created(c) if r["resourceType"] == "ServiceRequest"]
    assert len(requests) == 2
    assert all(r["priority"] == "stat" for r in requests)
    assert "ophthalmology" in requests[1]["code"]["text"].lower()
    plain = card(hooks, EH, f"{EH}/active-patient-view-in.json")
    assert [r["resourceType"] for r in _created(plain)] == ["MedicationRequest", "ServiceRequest"]
