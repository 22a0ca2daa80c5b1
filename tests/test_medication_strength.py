"""A referenced/contained Medication's ingredient Ratio strength and form are read when its code
text gives no strength (picture/orders.py medication_concept)."""

from __future__ import annotations

from typing import Any

from cds_service.picture.orders import medication_concept
from cds_service.terminology import Terminology

TERM = Terminology.load()


def _ratio(num: float, num_unit: str, den: float, den_unit: str) -> dict[str, Any]:
    return {
        "numerator": {"value": num, "unit": num_unit, "system": "http://unitsofmeasure.org"},
        "denominator": {"value": den, "unit": den_unit},
    }


def _classify(medication: dict[str, Any]) -> Any:
    # Contained (a local reference is read from the order itself) and, the same Medication,
    # prefetched (a server reference resolved for the call): both read alike.
    local = {"contained": [medication], "medicationReference": {"reference": "#m1"}}
    concept, name, text = medication_concept(local, {})
    served = {"medicationReference": {"reference": "Medication/m1"}}
    assert medication_concept(served, {"Medication/m1": medication}) == (concept, name, text)
    codings = [
        (c.get("system"), c.get("code"), c.get("display")) for c in concept.get("coding", [])
    ]
    return TERM.classify_drug(codings, text)


def _med(text: str, ingredients: list[dict[str, Any]], form: str | None = None) -> dict[str, Any]:
    med: dict[str, Any] = {"resourceType": "Medication", "id": "m1", "code": {"text": text}}
    med["ingredient"] = ingredients
    if form:
        med["form"] = {"text": form}
    return med


def test_ingredient_ratio_gives_the_strength_and_form_the_vehicle() -> None:
    item = {"itemCodeableConcept": {"text": "triamcinolone acetonide"}}
    info = _classify(_med("triamcinolone acetonide topical", [{**item, "strength":
                          _ratio(5, "mg", 1, "g")}], form="Ointment"))  # fmt: skip
    assert (info.strength_percent, info.vehicle, info.us_class) == (0.5, "ointment", 3)


def test_ucum_code_and_other_mass_units() -> None:
    strength = {"numerator": {"value": 500, "code": "ug"}, "denominator": {"value": 1, "code": "g"}}
    item = {"itemCodeableConcept": {"text": "clobetasol propionate"}, "strength": strength}
    info = _classify(_med("Clobetasol Propionate Ointment", [item]))
    assert (info.strength_percent, info.us_class) == (0.05, 1)


def test_the_code_text_strength_wins() -> None:
    item = {"itemCodeableConcept": {"text": "tacrolimus"}, "strength": _ratio(1, "mg", 1, "g")}
    info = _classify(_med("tacrolimus 0.03% ointment", [item]))
    assert info.strength_percent == 0.03


def test_several_ingredients_or_an_incomplete_ratio_give_no_strength() -> None:
    two = [
        {"itemCodeableConcept": {"text": "clotrimazole"}, "strength": _ratio(10, "mg", 1, "g")},
        {"itemCodeableConcept": {"text": "betamethasone"}, "strength": _ratio(0.5, "mg", 1, "g")},
    ]
    assert _classify(_med("clotrimazole and betamethasone cream", two)).strength_percent is None
    half = {"itemCodeableConcept": {"text": "tacrolimus"}, "strength": {"numerator": {"value": 1}}}
    assert _classify(_med("Tacrolimus Topical Ointment", [half])).strength_percent is None
    assert _classify(_med("Tacrolimus Topical Ointment", [])).strength_percent is None
