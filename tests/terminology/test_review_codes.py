"""Reviewer findings on codes, units and condition text (fix-codes, 2026-12-01).

WHO ICD-10 codes by category, exposure/aftermath cues, HSV + eczema co-mentions, versicolor,
'AD flare', the serious-infection additions, dispensed units and refills, body-weight codes
and units. Each behaviour is checked on both sides.
"""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.picture import build_picture, fills, grams, total_grams
from cds_service.rules import _systemic as sx
from cds_service.terminology import Terminology
from cds_service.terminology.mentions import Mention
from tests.conftest import FIXTURES, NOW, cards_for, load_fixture, post_hook

WHO = "http://hl7.org/fhir/sid/icd-10"
WHO_OID = "urn:oid:2.16.840.1.113883.6.3"


@pytest.mark.parametrize(
    ("name", "system", "code", "expected"),
    [
        ("atopic-dermatitis", WHO, "L20.9", True),
        ("atopic-dermatitis", WHO_OID, "L20.8", True),
        ("atopic-dermatitis", WHO + "/", "l209", True),
        ("atopic-dermatitis", WHO, "L21.9", False),
        ("eczema-herpeticum", WHO, "B00.0", True),
        ("eczema-herpeticum", WHO, "B00.9", False),  # listed code, not a category
        ("cellulitis", WHO, "L03.1", True),
        ("cellulitis", WHO, "L04.1", False),
        ("scabies", WHO, "B86", True),
        ("tinea", WHO, "B36.0", False),
        # WHO R65.2 is non-infectious SIRS, CM R65.2 severe sepsis: 4-character is-a never maps
        ("serious-infection", WHO, "R65.2", False),
        ("serious-infection", WHO, "A41.9", True),
        ("serious-infection", WHO, "B02.9", True),
        ("serious-infection", WHO, "B02.2", False),
    ],
)
def test_who_icd10_matches_by_category(
    term: Terminology, name: str, system: str, code: str, expected: bool
) -> None:
    assert term.value_set(name).contains(system, code) is expected


def test_icd10cm_is_not_read_as_who(term: Terminology) -> None:
    # CM keeps its own subcategories: CM R65.20 severe sepsis is in, WHO R65.2 is not
    vs = term.value_set("serious-infection")
    assert vs.contains("http://hl7.org/fhir/sid/icd-10-cm", "R65.20")
    assert not vs.contains(WHO, "R65.20")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("eczema-herpeticum", "Herpes simplex infection complicating atopic dermatitis", "a"),
        ("eczema-herpeticum", "Disseminated HSV on eczematous skin", "a"),
        ("eczema-herpeticum", "Kaposi varicelliform eruption", "a"),
        ("eczema-herpeticum", "? HSV on eczema", "u"),
        ("eczema-herpeticum", "No HSV on eczematous skin", "n"),
        ("eczema-herpeticum", "Herpes labialis, atopic eczema", "-"),
        ("eczema-herpeticum", "HSV keratitis, atopic dermatitis", "-"),
        ("eczema-herpeticum", "Atopic dermatitis; HSV PCR sent", "-"),  # other sentence
        ("scabies", "Post-scabies itch", "n"),
        ("scabies", "Scabies exposure - household contact", "n"),
        ("scabies", "Scabies contact", "n"),
        ("scabies", "Exposure to scabies", "n"),
        ("scabies", "s/p scabies treatment", "n"),
        ("atopic-dermatitis", "s/p knee replacement eczema flare", "a"),  # 'post' not next
        ("scabies", "Scabies, contact tracing done", "a"),  # the comma ends the cue's reach
        ("scabies", "Crusted scabies", "a"),
        ("cellulitis", "Post-op cellulitis", "a"),  # 'post' must stand right before the term
        ("atopic-dermatitis", "Nickel contact dermatitis; atopic eczema", "a"),
        ("allergic-contact-dermatitis", "Nickel contact allergy", "a"),
        ("tinea", "Tinea versicolor", "-"),
        ("tinea", "Pityriasis versicolor", "-"),
        ("tinea", "Tinea versicolour and tinea pedis", "a"),
        ("atopic-dermatitis", "AD flare", "a"),
        ("atopic-dermatitis", "AD exacerbation, face", "a"),
        ("atopic-dermatitis", "AD", "-"),
        ("atopic-dermatitis", "Mild AD - memory clinic", "-"),
        ("serious-infection", "Eczema herpeticum", "a"),
        ("serious-infection", "Disseminated HSV on eczematous skin", "a"),
        ("serious-infection", "Cellulitis left leg", "a"),
        ("serious-infection", "Shingles, T10 dermatome", "a"),
        ("serious-infection", "Shingles vaccine given", "-"),
        ("serious-infection", "Postherpetic neuralgia", "-"),
    ],
)
def test_condition_text(term: Terminology, name: str, text: str, expected: str) -> None:
    reading = {"a": Mention.AFFIRMED, "u": Mention.UNCERTAIN, "n": Mention.NEGATED}
    assert term.value_set(name).mention(text) is reading.get(expected, Mention.ABSENT)


@pytest.mark.parametrize(
    ("system", "code"),
    [
        ("http://snomed.info/sct", "186535001"),
        ("http://snomed.info/sct", "128045006"),
        ("http://snomed.info/sct", "4740000"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "B00.0"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "L03.116"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "B02.9"),
    ],
)
def test_serious_infection_includes_localized_infections(
    term: Terminology, system: str, code: str
) -> None:
    assert term.value_set("serious-infection").contains(system, code)


@pytest.mark.parametrize("code", ["B00.9", "B02.29", "B02.22", "L01.00"])
def test_serious_infection_leaves_out(term: Terminology, code: str) -> None:
    assert not term.value_set("serious-infection").contains(
        "http://hl7.org/fhir/sid/icd-10-cm", code
    )


def _picture(term: Terminology, resources: list[dict[str, Any]], drafts: list[Any]) -> Any:
    entries = [{"resource": r} for r in drafts]
    return build_picture(
        hook="order-sign",
        context={
            "patientId": "p1",
            "userId": "Practitioner/u",
            "draftOrders": {"resourceType": "Bundle", "type": "collection", "entry": entries},
        },
        resources=resources,
        medications={},
        terminology=term,
        now=NOW,
    )


def _draft(quantity: dict[str, Any] | None, repeats: int | None = None) -> dict[str, Any]:
    dispense: dict[str, Any] = {}
    if quantity is not None:
        dispense["quantity"] = quantity
    if repeats is not None:
        dispense["numberOfRepeatsAllowed"] = repeats
    return {
        "resourceType": "MedicationRequest",
        "id": "d1",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"text": "Clobetasol propionate 0.05% scalp solution"},
        "dispenseRequest": dispense,
    }


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (
            {"value": 100, "unit": "gram", "system": "http://snomed.info/sct", "code": "258682000"},
            100,
        ),
        ({"value": 50, "unit": "mL", "system": "http://snomed.info/sct", "code": "258773002"}, 50),
        ({"value": 50, "unit": "mL", "system": "http://unitsofmeasure.org", "code": "mL"}, 50),
        (
            {"value": 2, "unit": "oz", "system": "http://unitsofmeasure.org", "code": "[oz_av]"},
            56.7,
        ),
        ({"value": 30, "unit": "g"}, 30),
        ({"value": 1, "unit": "tube"}, None),
        ({"value": 1, "system": "http://snomed.info/sct", "code": "732996004"}, None),
        ({"value": 60}, None),
    ],
)
def test_dispensed_quantity_in_grams(
    term: Terminology, quantity: dict[str, Any], expected: float | None
) -> None:
    order = _picture(term, [], [_draft(quantity)]).orders[0]
    found = grams(order)
    assert (round(found, 1) if found is not None else None) == expected


@pytest.mark.parametrize(
    ("repeats", "fill_count", "total"), [(None, 1, 45.0), (0, 1, 45.0), (5, 6, 270.0)]
)
def test_refills_multiply_the_supply(
    term: Terminology, repeats: int | None, fill_count: int, total: float
) -> None:
    order = _picture(term, [], [_draft({"value": 45, "code": "g"}, repeats)]).orders[0]
    assert fills(order) == fill_count
    assert total_grams(order) == total


def test_total_is_unknown_when_one_fill_is(term: Terminology) -> None:
    order = _picture(term, [], [_draft({"value": 1, "unit": "tube"}, 5)]).orders[0]
    assert fills(order) == 6 and total_grams(order) is None


def _weight(system: str, code: str, value: float, unit: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": system, "code": code}]},
        "effectiveDateTime": "2026-11-12",
        "valueQuantity": {"value": value, "code": unit},
    }


@pytest.mark.parametrize(
    ("system", "code", "value", "unit", "kg"),
    [
        ("http://loinc.org", "3141-9", 37, "kg", 37.0),
        ("http://loinc.org", "8335-2", 37, "kg", 37.0),
        ("http://snomed.info/sct", "27113001", 36, "kg", 36.0),
        ("http://snomed.info/sct", "162763007", 36, "kg", 36.0),
        ("http://loinc.org", "29463-7", 280, "[oz_av]", 7.9),
        ("http://loinc.org", "29463-7", 7600, "g", 7.6),
        ("http://loinc.org", "29463-7", 88, "[lb_av]", 39.9),
        ("http://loinc.org", "29463-7", 40, "st", None),  # stones: unknown unit, no guess
        ("http://loinc.org", "8339-4", 3.2, "kg", None),  # birth weight is not body weight
        ("http://snomed.info/sct", "60621009", 22, "kg/m2", None),  # BMI
    ],
)
def test_body_weight_codes_and_units(
    term: Terminology, system: str, code: str, value: float, unit: str, kg: float | None
) -> None:
    picture = _picture(term, [_weight(system, code, value, unit)], [])
    assert sx.latest_weight_kg(picture) == kg


@pytest.mark.parametrize(
    ("fixture", "indicator"),
    [
        ("upadacitinib-eczema-herpeticum-active-critical-in", "critical"),
        ("upadacitinib-cellulitis-who-icd10-critical-in", "critical"),
        ("upadacitinib-herpes-zoster-text-critical-in", "critical"),
    ],
)
def test_oral_jak_goes_critical_with_localized_serious_infection(
    client: Any, fixture: str, indicator: str
) -> None:
    body = load_fixture(FIXTURES / "oral-jak-screening" / f"{fixture}.json")
    cards = cards_for(post_hook(client, body), "oral-jak-screening")
    assert [c["indicator"] for c in cards] == [indicator]
    quiet = load_fixture(
        FIXTURES / "oral-jak-screening" / "upadacitinib-screening-complete-out.json"
    )
    assert cards_for(post_hook(client, quiet), "oral-jak-screening") == []
