"""The shipped data loads and answers the interface other modules code against."""

from cds_service.terminology import SENSITIVE_SITES, DrugInfo, Terminology

from .conftest import ICD, RXNORM


def test_default_data_loads_all_value_sets(term: Terminology) -> None:
    assert {"atopic-dermatitis", "tcs", "tci", "lab-cbc", "skin-care-plan"} <= term.names


def test_synthea_hydrocortisone_code_is_class_vii_mild(term: Terminology) -> None:
    info = term.classify_drug([(RXNORM, "106258", "Hydrocortisone 10 MG/ML Topical Cream")], None)
    assert info == DrugInfo(
        frozenset({"tcs"}), "hydrocortisone", 1.0, "1%", "cream", "topical", 7, "mild", "106258",
        "rxnorm",
    )  # fmt: skip


def test_icd_code_matches_with_and_without_dot(term: Terminology) -> None:
    assert term.in_value_set("atopic-dermatitis", [(ICD, "L20.9")])
    assert term.in_value_set("atopic-dermatitis", [(ICD, "L209")])


def test_eyelid_text_is_a_sensitive_site(term: Terminology) -> None:
    assert term.body_sites([], "apply to eyelids twice daily") == {"eyelid"}
    assert "eyelid" in SENSITIVE_SITES
