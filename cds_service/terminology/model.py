"""Value objects shared by the terminology layer: errors, value sets, drug classification."""

from __future__ import annotations

from dataclasses import dataclass

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
# WHO ICD-10 (UK secondary care, Meditech, discharge summaries). A WHO code matches a value
# set through its 3-character category when the set includes that ICD-10-CM category with
# is-a (categories share meaning; CM only subdivides below them), or through an explicit
# WHO entry in the expansion. WHO and CM 4-character subcategories can differ (WHO R65.2 is
# non-infectious SIRS, CM R65.2 severe sepsis), so they never match each other implicitly.
ICD10 = "http://hl7.org/fhir/sid/icd-10"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"

# OIDs and common spellings some EHRs send instead of the canonical FHIR system URIs.
SYSTEM_ALIASES = {
    "urn:oid:2.16.840.1.113883.6.96": SNOMED,
    "http://snomed.info/sct/": SNOMED,
    "urn:oid:2.16.840.1.113883.6.90": ICD10CM,
    "http://hl7.org/fhir/sid/icd-10-cm/": ICD10CM,
    "urn:oid:2.16.840.1.113883.6.3": ICD10,
    "http://hl7.org/fhir/sid/icd-10/": ICD10,
    "urn:oid:2.16.840.1.113883.6.88": RXNORM,
    "http://www.nlm.nih.gov/research/umls/rxnorm/": RXNORM,
    "urn:oid:2.16.840.1.113883.6.1": LOINC,
    "http://loinc.org/": LOINC,
}

# The sites where high-potency TCS cause atrophy (clinical-rules.md R-14, §2.3, §5.2: skin
# folds are intertriginous skin, and the nappy area is occluded skin).
SENSITIVE_SITES: frozenset[str] = frozenset(
    {"face", "eyelid", "neck", "axilla", "groin", "genital", "perineum", "skin-fold", "nappy"}
)
# Occluded skin, where TCI labels advise against use under occlusion (clinical-rules §5.2).
OCCLUDED_SITES: frozenset[str] = frozenset({"nappy"})


class TerminologyError(Exception):
    """A terminology data file is missing, malformed or inconsistent; the message names the file."""


# Written by name, in any case ("SNOMED CT", "ICD-10-CM", "RxNorm"): what hand-made feeds and
# integration engines send. A SNOMED CT edition URI ("http://snomed.info/sct/731000124108",
# the version's form) is SNOMED CT too.
_SYSTEM_NAMES = {
    **dict.fromkeys(["snomed", "snomed ct", "snomed-ct", "snomedct", "sct"], SNOMED),
    **dict.fromkeys(["icd-10-cm", "icd10cm", "icd-10 cm", "icd10-cm"], ICD10CM),
    **dict.fromkeys(["icd-10", "icd10"], ICD10),
    "rxnorm": RXNORM,
    "loinc": LOINC,
}
_CANONICAL = frozenset({SNOMED, ICD10CM, ICD10, RXNORM, LOINC})


def normalise_system(system: str | None) -> str | None:
    """Map a coding system URI, OID or name to the canonical FHIR URI (None stays None)."""
    if system is None:
        return None
    system = system.strip()
    found = SYSTEM_ALIASES.get(system)
    if found is not None or system in _CANONICAL:
        return found or system
    key = system.lower().rstrip("/").replace("https://", "http://", 1)
    found = SYSTEM_ALIASES.get(key) or _SYSTEM_NAMES.get(key)
    if found is None and key in _CANONICAL:
        found = key
    if found is None and key.startswith("http://snomed.info/sct/"):
        found = SNOMED
    return found or system


def normalise_code(system: str | None, code: str) -> str:
    """Canonical form of a code: ICD-10(-CM) upper case without the dot, others stripped."""
    code = code.strip()
    if system in (ICD10CM, ICD10):
        return code.replace(".", "").upper()
    return code


@dataclass(frozen=True)
class DrugInfo:
    """What the terminology layer knows about one medication."""

    drug_classes: frozenset[str]
    ingredient: str | None
    strength_percent: float | None
    strength_text: str | None
    vehicle: str | None
    route: str | None
    us_class: int | None
    uk_potency: str | None
    rxnorm: str | None
    matched_by: str


UNKNOWN_DRUG = DrugInfo(frozenset(), None, None, None, None, None, None, None, None, "none")
