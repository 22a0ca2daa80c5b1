"""Value-set files: FHIR shape, dates, ICD-10-CM codes that exist in the CDC release."""

import json
import pathlib
import warnings
from types import ModuleType

import pytest

from cds_service.cards import catalogue_version
from cds_service.runtime import REPO_CARDS
from cds_service.terminology import Terminology
from cds_service.terminology.model import ICD10 as ICD10_WHO
from cds_service.terminology.terminology import DATA_DIR

from .conftest import ICD, LOINC, RXNORM, SNOMED

FIRST_RELEASE = "2026-11-22"  # the first catalogue: no value set is older
# The catalogue version is YYYY.MM.N: a value set belongs to a release of that month or earlier.
CATALOGUE_MONTH = "-".join(catalogue_version(REPO_CARDS).split(".")[:2])
VS_DIR = DATA_DIR / "valuesets"
FILES = sorted(VS_DIR.glob("*.json"))
REQUIRED = set(
    """
    atopic-dermatitis allergic-contact-dermatitis other-dermatitis hand-eczema tinea scabies
    rosacea-perioral psoriasis skin-infection eczema-herpeticum cellulitis
    antihistamine-indication conjunctivitis-keratitis hepatic-impairment serious-infection
    immunosuppression tcs tci pde4-topical jak-topical jak-oral biologic
    systemic-immunosuppressant oral-corticosteroid antihistamine-sedating
    antihistamine-non-sedating antihistamine-topical emollient topical-antimicrobial
    irritant-topical antifungal-topical scabicide antiviral antiplatelet lab-cbc lab-lipids
    lab-liver lab-creatinine lab-tb lab-hepatitis-b lab-hepatitis-c blood-pressure body-weight
    patch-test dermatology-referral skin-care-plan non-eczema-dermatosis
    systemic-steroid-indication
    """.split()
)


def test_every_required_value_set_is_shipped(term: Terminology) -> None:
    assert REQUIRED <= term.names


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_value_set_file_is_a_dated_fhir_valueset(path: pathlib.Path) -> None:
    doc = json.loads(path.read_text())
    assert doc["resourceType"] == "ValueSet" and doc["status"] == "active"
    assert doc["url"] == f"https://cds.eczema.example.org/fhir/ValueSet/{path.stem}"
    # Dated and consistent: version 2026.12.01 <-> date 2026-12-01 <-> expansion of that day.
    assert doc["version"] == doc["date"].replace("-", ".")
    assert doc["expansion"]["timestamp"].startswith(doc["date"])
    # Dated when written: not before the first catalogue, nor after the catalogue's month.
    assert FIRST_RELEASE <= doc["date"] and doc["date"][:7] <= CATALOGUE_MONTH
    assert doc["expansion"]["total"] == len(doc["expansion"].get("contains", []))
    assert any(mark in doc["description"] for mark in ("V", "S", "UNVERIFIED"))
    for entry in doc["expansion"].get("contains", []):
        assert entry["system"] in {SNOMED, ICD, ICD10_WHO, RXNORM, LOINC}
        assert entry["code"].strip() == entry["code"] and entry.get("display")


def _icd_codes():
    for path in FILES:
        doc = json.loads(path.read_text())
        codes = {e["code"] for e in doc["expansion"].get("contains", []) if e["system"] == ICD}
        for inc in doc.get("compose", {}).get("include", []):
            codes |= {f["value"] for f in inc.get("filter", [])}
        for code in sorted(codes):
            yield pytest.param(code, id=f"{path.stem}-{code}")


@pytest.fixture(scope="module")
def cdc_release() -> ModuleType:
    """The CDC ICD-10-CM release (simple_icd_10_cm): its import reads the whole release
    (~3 s), so it happens when a test needs it, not when the suite is collected."""
    # simple_icd_10_cm 1.5 reads its data with a deprecated importlib.resources call at import.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    return simple_icd_10_cm


@pytest.mark.parametrize("code", list(_icd_codes()))
def test_icd10cm_code_exists_in_cdc_release(cdc_release: ModuleType, code: str) -> None:
    assert cdc_release.is_valid_item(code)
