"""Shared fixtures: the terminology is loaded once per test session, as at start-up."""

import pytest

from cds_service.terminology import Terminology

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"


@pytest.fixture(scope="session")
def term() -> Terminology:
    return Terminology.load()
