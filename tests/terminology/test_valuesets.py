"""Value sets: membership by code and text, and the errors of loading a bad data file."""

import json
import pathlib
import shutil

import pytest

from cds_service.terminology import Terminology, TerminologyError
from cds_service.terminology.terminology import DATA_DIR

from .conftest import ICD, LOINC, SNOMED

VS_DIR = DATA_DIR / "valuesets"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("atopic-dermatitis", "L20.0"),
        ("atopic-dermatitis", "L20.81"),
        ("atopic-dermatitis", "L2084"),
        ("atopic-dermatitis", "l20.89"),
        ("atopic-dermatitis", "L30.9"),
        ("allergic-contact-dermatitis", "L23.7"),
        ("other-dermatitis", "L24.A0"),
        ("other-dermatitis", "L21.0"),
        ("other-dermatitis", "L30.1"),
        ("tinea", "B35.6"),
        ("scabies", "B86"),
        ("rosacea-perioral", "L71.0"),
        ("psoriasis", "L40.0"),
        ("skin-infection", "L01.01"),
        ("skin-infection", "L30.3"),
        ("eczema-herpeticum", "B00.0"),
        ("cellulitis", "L03.211"),
        ("cellulitis", "L03315"),
        ("antihistamine-indication", "L50.9"),
        ("antihistamine-indication", "J30.2"),
        ("antihistamine-indication", "H10.45"),
        ("conjunctivitis-keratitis", "H16.001"),
        ("hepatic-impairment", "K74.60"),
        ("hepatic-impairment", "K70.31"),
        ("serious-infection", "A15.0"),
        ("serious-infection", "A41.9"),
        ("serious-infection", "B18.1"),
        ("immunosuppression", "D84.9"),
        ("immunosuppression", "B20"),
        ("atopic-dermatitis", "L20.82"),
        ("atopic-dermatitis", "L2083"),
        ("atopic-dermatitis", " l20.9 "),
        ("non-eczema-dermatosis", "L90.0"),
        ("non-eczema-dermatosis", "L43.8"),
        ("non-eczema-dermatosis", "L93.0"),
        ("non-eczema-dermatosis", "L40.0"),
    ],
)
def test_icd_code_in_set(term: Terminology, name: str, code: str) -> None:
    assert term.in_value_set(name, [(ICD, code)])


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("atopic-dermatitis", "L30.1"),
        ("atopic-dermatitis", "L2"),
        ("atopic-dermatitis", "L21.9"),
        ("hepatic-impairment", "K74.00"),
        ("antihistamine-indication", "H10.0"),
        ("tinea", "B36.0"),
        ("serious-infection", "B18.9"),
        ("non-eczema-dermatosis", "L20.9"),
        ("non-eczema-dermatosis", "L30.9"),
    ],
)
def test_icd_code_outside_set(term: Terminology, name: str, code: str) -> None:
    assert not term.in_value_set(name, [(ICD, code)])


@pytest.mark.parametrize(
    ("name", "system", "code"),
    [
        ("atopic-dermatitis", SNOMED, "24079001"),
        ("atopic-dermatitis", SNOMED, "43116000"),
        ("atopic-dermatitis", SNOMED, "200775004"),  # children of 24079001 (bundled expansion)
        ("atopic-dermatitis", SNOMED, "402196005"),
        ("atopic-dermatitis", SNOMED, "402195009"),
        ("non-eczema-dermatosis", SNOMED, "25674000"),
        ("non-eczema-dermatosis", SNOMED, "9014002"),
        ("allergic-contact-dermatitis", SNOMED, "238575004"),
        ("other-dermatitis", SNOMED, "40275004"),
        ("tinea", SNOMED, "238435009"),
        ("scabies", SNOMED, "128870005"),
        ("psoriasis", SNOMED, "9014002"),
        ("skin-infection", SNOMED, "400079002"),
        ("eczema-herpeticum", SNOMED, "186535001"),
        ("cellulitis", SNOMED, "128045006"),
        ("patch-test", SNOMED, "41778007"),
        ("dermatology-referral", SNOMED, "308472003"),
        ("dermatology-referral", SNOMED, "183897008"),
        ("skin-care-plan", SNOMED, "711282006"),
        ("skin-care-plan", SNOMED, "225130001"),
        ("blood-pressure", LOINC, "85354-9"),
        ("blood-pressure", LOINC, "8480-6"),
        ("blood-pressure", LOINC, "8462-4"),
        ("body-weight", LOINC, "29463-7"),
        ("lab-creatinine", LOINC, "2160-0"),
        ("lab-cbc", LOINC, "777-3"),
        ("lab-lipids", LOINC, "2093-3"),
        ("lab-liver", LOINC, "1742-6"),
    ],
)
def test_spec_code_in_set(term: Terminology, name: str, system: str, code: str) -> None:
    assert term.in_value_set(name, [(system, code)])


def test_atopic_dermatitis_description_names_its_sources(term: Terminology) -> None:
    doc = json.loads((VS_DIR / "atopic-dermatitis.json").read_text())
    for source in ("ch-vacd-risks-preillness-vs", "mondo#7713", "340037fe075ee2e391c1746bc24d959"):
        assert source in doc["description"]
    assert "UNVERIFIED" in doc["description"]


def test_code_needs_the_right_system(term: Terminology) -> None:
    assert not term.in_value_set("atopic-dermatitis", [(ICD, "24079001")])
    assert not term.in_value_set("atopic-dermatitis", [(None, "24079001")])
    assert term.in_value_set("atopic-dermatitis", [("urn:oid:2.16.840.1.113883.6.96", "24079001")])


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("atopic-dermatitis", "Atopic eczema of flexures", True),
        ("atopic-dermatitis", "Psoriasis vulgaris", False),
        ("hand-eczema", "Chronic hand eczema", True),
        ("tinea", "Tinea corporis", True),
        ("rosacea-perioral", "Perioral dermatitis", True),
        ("eczema-herpeticum", "Kaposi varicelliform eruption", True),
        ("lab-tb", "QuantiFERON-TB Gold Plus", True),
        ("lab-hepatitis-b", "HBsAg screen", True),
        ("lab-tb", "Hemoglobin", False),
        ("cellulitis", None, False),
    ],
)
def test_text_patterns_back_up_codes(term: Terminology, name, text, expected) -> None:
    assert term.in_value_set(name, [("urn:local", "X")], text) is expected


def test_unknown_value_set_name_raises_key_error(term: Terminology) -> None:
    with pytest.raises(KeyError, match="no-such-set"):
        term.value_set("no-such-set")


def test_value_set_object_exposes_url_version_and_codes(term: Terminology) -> None:
    vs = term.value_set("patch-test")
    assert vs.url.endswith("/patch-test") and vs.version == "2026.11.22"
    assert vs.codes == {(SNOMED, "41778007")} and vs.text_patterns == ("patch test",)


@pytest.fixture
def data_copy(tmp_path: pathlib.Path) -> pathlib.Path:
    shutil.copytree(DATA_DIR, tmp_path / "data")
    return tmp_path / "data"


def test_copy_of_data_loads(data_copy: pathlib.Path) -> None:
    assert "tcs" in Terminology.load(data_copy).names


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "cannot read JSON"),
        ('{"resourceType": "CodeSystem"}', "not ValueSet"),
        (
            '{"resourceType": "ValueSet", "url": "x", "version": "1", "name": "n",'
            ' "status": "active"}',
            "url",
        ),
    ],
)
def test_malformed_value_set_names_the_file(
    data_copy: pathlib.Path, content: str, problem: str
) -> None:
    (data_copy / "valuesets" / "tinea.json").write_text(content)
    with pytest.raises(TerminologyError, match=rf"tinea\.json: .*{problem}"):
        Terminology.load(data_copy)


def test_value_set_entry_without_code_names_the_file(data_copy: pathlib.Path) -> None:
    path = data_copy / "valuesets" / "scabies.json"
    doc = json.loads(path.read_text())
    doc["expansion"]["contains"][0].pop("code")
    path.write_text(json.dumps(doc))
    with pytest.raises(TerminologyError, match=r"scabies\.json: expansion.contains\[0\]"):
        Terminology.load(data_copy)


def test_bad_potency_row_names_the_file(data_copy: pathlib.Path) -> None:
    path = data_copy / "tcs-potency.json"
    doc = json.loads(path.read_text())
    doc["rows"][0]["us_class"] = 8
    path.write_text(json.dumps(doc))
    with pytest.raises(TerminologyError, match=r"tcs-potency\.json: .*us_class 8"):
        Terminology.load(data_copy)


def test_missing_drug_file_names_it(data_copy: pathlib.Path) -> None:
    (data_copy / "drugs.json").unlink()
    with pytest.raises(TerminologyError, match=r"drugs\.json"):
        Terminology.load(data_copy)


def test_drug_class_without_value_set_is_rejected(data_copy: pathlib.Path) -> None:
    (data_copy / "valuesets" / "scabicide.json").unlink()
    with pytest.raises(TerminologyError, match=r"drugs\.json: .*scabicide"):
        Terminology.load(data_copy)
