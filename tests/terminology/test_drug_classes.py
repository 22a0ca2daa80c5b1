"""Every drug class by RxNorm code and by text only; oral-vs-topical confusions."""

import pytest

from cds_service.terminology import Terminology

from .conftest import RXNORM

DRUG_SETS = [
    "tcs", "tci", "pde4-topical", "jak-topical", "jak-oral", "biologic",
    "systemic-immunosuppressant", "oral-corticosteroid", "antihistamine-sedating",
    "antihistamine-non-sedating", "antihistamine-topical", "emollient", "topical-antimicrobial",
    "irritant-topical", "antifungal-topical", "scabicide", "antiviral", "antiplatelet", "aspirin",
]  # fmt: skip


def _coded(term: Terminology):
    for name in DRUG_SETS:
        for system, code in sorted(term.value_set(name).codes):
            assert system == RXNORM, (name, code)
            yield pytest.param(name, code, id=f"{name}-{code}")


@pytest.mark.parametrize(("name", "code"), list(_coded(Terminology.load())))
def test_every_listed_rxnorm_code_classifies_into_its_set(term: Terminology, name, code) -> None:
    info = term.classify_drug([(RXNORM, code, None)], None)
    assert name in info.drug_classes
    assert (info.rxnorm, info.matched_by) == (code, "rxnorm")
    assert term.in_value_set(name, [(RXNORM, code)])


# One or more text-only examples per class, sent with a local code the service cannot know.
TEXT_ONLY = [
    ("tcs", "Clobetasol 0.05% oint"),
    ("tci", "Protopic 0.1%"),
    ("tci", "Elidel 1% cream"),
    ("tci", "tacrolimus 0.03% ointment"),
    ("pde4-topical", "Eucrisa 2% ointment"),
    ("pde4-topical", "roflumilast 0.15% cream"),
    ("pde4-topical", "Zoryve 0.05% cream"),
    ("jak-topical", "Opzelura 1.5% cream"),
    ("jak-topical", "delgocitinib 20 mg/g cream"),
    ("jak-topical", "Anzupgo"),
    ("jak-oral", "Rinvoq 15 mg"),
    ("jak-oral", "upadacitinib 30 MG Extended Release Oral Tablet"),
    ("jak-oral", "Cibinqo 100 mg tablet"),
    ("jak-oral", "abrocitinib"),
    ("jak-oral", "Olumiant 2 mg"),
    ("jak-oral", "Jakafi 10 mg tablet"),
    ("biologic", "Dupixent 300 mg/2 mL"),
    ("biologic", "dupilumab 300 MG in 2 ML Prefilled Syringe"),
    ("biologic", "Adbry 150 mg/mL"),
    ("biologic", "Ebglyss 250 mg/2 mL pen"),
    ("biologic", "Nemluvio 30 mg"),
    ("biologic", "tralokinumab"),
    ("systemic-immunosuppressant", "Neoral 100 mg capsule"),
    ("systemic-immunosuppressant", "ciclosporin 100 mg"),
    ("systemic-immunosuppressant", "methotrexate 2.5 mg tablet"),
    ("systemic-immunosuppressant", "azathioprine 50 mg"),
    ("systemic-immunosuppressant", "CellCept 500 mg"),
    ("systemic-immunosuppressant", "tacrolimus 1 MG Oral Capsule"),
    ("oral-corticosteroid", "prednisone 20 MG Oral Tablet"),
    ("oral-corticosteroid", "prednisolone 5 mg tablets"),
    ("oral-corticosteroid", "Medrol 4 mg dose pack"),
    ("oral-corticosteroid", "dexamethasone 4 mg tablet"),
    ("antihistamine-sedating", "hydroxyzine 25 mg at night"),
    ("antihistamine-sedating", "Benadryl oral 25 mg capsule"),
    ("antihistamine-sedating", "diphenhydramine 25 mg"),
    ("antihistamine-sedating", "chlorphenamine 4 mg tablet"),
    ("antihistamine-non-sedating", "cetirizine 10 mg"),
    ("antihistamine-non-sedating", "Xyzal 5 mg"),
    ("antihistamine-non-sedating", "loratadine 10 mg tablet"),
    ("antihistamine-non-sedating", "desloratadine"),
    ("antihistamine-non-sedating", "Allegra 180 mg"),
    ("antihistamine-topical", "diphenhydramine 2% cream"),
    ("antihistamine-topical", "doxepin 5% cream"),
    ("antihistamine-topical", "Prudoxin"),
    ("emollient", "Emollient cream"),
    ("emollient", "white soft paraffin 50% / liquid paraffin 50% ointment"),
    ("emollient", "CeraVe moisturising cream"),
    ("emollient", "urea 10% cream"),
    ("emollient", "petrolatum ointment"),
    ("topical-antimicrobial", "mupirocin 2% ointment"),
    ("topical-antimicrobial", "Fucidin cream"),
    ("topical-antimicrobial", "retapamulin 1% ointment"),
    ("irritant-topical", "benzoyl peroxide 5% gel"),
    ("irritant-topical", "salicylic acid 2% wash"),
    ("irritant-topical", "tretinoin 0.025% cream"),
    ("irritant-topical", "adapalene 0.1% gel"),
    ("irritant-topical", "tazarotene 0.1% cream"),
    ("antifungal-topical", "clotrimazole 1% cream"),
    ("antifungal-topical", "miconazole 2% cream"),
    ("antifungal-topical", "econazole nitrate 1% cream"),
    ("antifungal-topical", "ketoconazole 2% shampoo"),
    ("antifungal-topical", "terbinafine 1% cream"),
    ("antifungal-topical", "nystatin 100000 units/g cream"),
    ("scabicide", "permethrin 5% cream"),
    ("antiviral", "aciclovir 400 mg tablets"),
    ("antiviral", "valacyclovir 1 g"),
    ("antiplatelet", "clopidogrel 75 mg"),
    ("antiplatelet", "Brilinta 90 mg"),
    ("antiplatelet", "prasugrel 10 mg tablet"),
    ("aspirin", "aspirin 81 mg"),
]


@pytest.mark.parametrize(("name", "text"), TEXT_ONLY)
def test_text_only_classifies(term: Terminology, name, text) -> None:
    info = term.classify_drug([("urn:oid:1.2.3.local", "LOCAL-1", text)], None)
    assert name in info.drug_classes
    assert info.matched_by == "text" and info.rxnorm is None
    assert term.in_value_set(name, [("urn:oid:1.2.3.local", "LOCAL-1")], text)


def test_every_drug_set_has_a_text_example() -> None:
    assert {name for name, _ in TEXT_ONLY} == set(DRUG_SETS)


@pytest.mark.parametrize("name", DRUG_SETS)
def test_each_text_pattern_of_a_drug_set_is_known_to_the_classifier(
    term: Terminology, name
) -> None:
    # A pattern the classifier cannot read would make in_value_set and classify_drug disagree.
    for pattern in term.value_set(name).text_patterns:
        info = term.classify_drug([], f"{pattern} 1% cream")
        info_oral = term.classify_drug([], f"{pattern} 10 mg tablet")
        info_inj = term.classify_drug([], f"{pattern} injection")
        assert name in info.drug_classes | info_oral.drug_classes | info_inj.drug_classes, pattern


# Oral vs topical: the same ingredient lands in different classes by dose form.
@pytest.mark.parametrize(
    ("text", "classes", "route"),
    [
        ("prednisone 20 MG Oral Tablet", {"oral-corticosteroid"}, "oral"),
        ("dexamethasone 0.1% cream", {"tcs"}, "topical"),
        ("dexamethasone 0.5 MG Oral Tablet", {"oral-corticosteroid"}, "oral"),
        ("diphenhydramine 2% cream", {"antihistamine-topical"}, "topical"),
        ("diphenhydramine hydrochloride 25 MG Oral Capsule", {"antihistamine-sedating"}, "oral"),
        ("tacrolimus 1 MG Oral Capsule", {"systemic-immunosuppressant"}, "oral"),
        ("tacrolimus 0.1% ointment", {"tci"}, "topical"),
        ("ruxolitinib 1.5% cream", {"jak-topical"}, "topical"),
        ("ruxolitinib 10 MG Oral Tablet", {"jak-oral"}, "oral"),
        ("hydrocortisone 10 MG Oral Tablet", set(), "oral"),
        ("triamcinolone acetonide 40 MG/ML Injectable Suspension", set(), "injection"),
        ("roflumilast 500 mcg tablet", set(), "oral"),
        ("cyclosporine 0.05% ophthalmic emulsion", set(), None),
        ("fluticasone propionate 50 mcg nasal spray", set(), None),
        ("ketoconazole 200 mg tablet", set(), "oral"),
        ("doxepin 10 mg capsule", set(), "oral"),
    ],
)
def test_route_decides_class(term: Terminology, text, classes, route) -> None:
    info = term.classify_drug([], text)
    assert (info.drug_classes, info.route) == (classes, route)


def test_oral_tcs_ingredient_is_not_tcs_in_value_set(term: Terminology) -> None:
    assert not term.in_value_set("tcs", [], "prednisone 20 MG Oral Tablet")
    assert not term.in_value_set("tcs", [], "hydrocortisone 20 mg tablet")
    assert term.in_value_set("oral-corticosteroid", [], "prednisone 20 MG Oral Tablet")


def test_jakafi_scd_code_is_oral_jak_not_topical(term: Terminology) -> None:
    info = term.classify_drug([(RXNORM, "1193331", None)], None)
    assert (info.drug_classes, info.ingredient, info.route) == ({"jak-oral"}, "ruxolitinib", "oral")


def test_ingredient_code_takes_route_from_text(term: Terminology) -> None:
    # 42316 = tacrolimus (IN): the class depends on the dose form in the text.
    topical = term.classify_drug([(RXNORM, "42316", "tacrolimus")], "Protopic 0.03% ointment")
    oral = term.classify_drug([(RXNORM, "42316", "tacrolimus")], "tacrolimus 1 mg capsule")
    assert (topical.drug_classes, topical.strength_percent) == ({"tci"}, 0.03)
    assert oral.drug_classes == {"systemic-immunosuppressant"}
    assert topical.matched_by == oral.matched_by == "rxnorm"


def test_ingredient_code_without_dose_form_is_not_guessed(term: Terminology) -> None:
    info = term.classify_drug([(RXNORM, "42316", None)], None)
    assert (info.ingredient, info.drug_classes, info.matched_by) == (
        "tacrolimus",
        frozenset(),
        "rxnorm",
    )


@pytest.mark.parametrize(
    ("text", "pct", "strength_text", "vehicle"),
    [
        ("clobetasol propionate 0.05 % ointment", 0.05, "0.05%", "ointment"),
        ("clobetasol propionate 0.5 MG/ML Topical Cream", 0.05, "0.05%", "cream"),
        ("clobetasol propionate 0.0005 MG/MG Topical Ointment", 0.05, "0.05%", "ointment"),
        ("mometasone furoate 1 MG/G Topical Cream", 0.1, "0.1%", "cream"),
        ("tacrolimus 0.0003 MG/MG Topical Ointment", 0.03, "0.03%", "ointment"),
        ("doxepin hydrochloride 50 MG/ML Topical Cream", 5.0, "5%", "cream"),
        ("clobetasol 0.05% Medicated Shampoo", 0.05, "0.05%", "shampoo"),
        ("Clobetasol .05% soln", 0.05, "0.05%", "solution"),
    ],
)
def test_strength_and_vehicle_are_parsed(
    term: Terminology, text, pct, strength_text, vehicle
) -> None:
    info = term.classify_drug([], text)
    assert (info.strength_percent, info.strength_text, info.vehicle) == (
        pct,
        strength_text,
        vehicle,
    )


def test_oral_strength_text_is_kept_without_percent(term: Terminology) -> None:
    info = term.classify_drug([], "cycloSPORINE, modified 100 MG/ML Oral Solution")
    assert (info.strength_percent, info.strength_text, info.vehicle) == (None, "100 MG/ML", None)
    assert term.classify_drug([], "Dupixent 300 mg/2 mL").strength_text == "300 MG/2 ML"


def test_combination_product_keeps_both_classes_and_steroid_potency(term: Terminology) -> None:
    info = term.classify_drug([], "clotrimazole 1% / betamethasone dipropionate 0.05% cream")
    assert info.drug_classes == {"tcs", "antifungal-topical"}
    assert (info.ingredient, info.strength_percent, info.us_class) == (
        "betamethasone dipropionate",
        0.05,
        3,
    )


def test_steroid_in_emollient_base_is_not_an_emollient_order(term: Terminology) -> None:
    info = term.classify_drug([], "hydrocortisone 1% in aqueous cream")
    assert info.drug_classes == {"tcs"}


def test_display_and_text_combine(term: Terminology) -> None:
    info = term.classify_drug(
        [("urn:local", "9", "Clobetasol")], "clobetasol 0.05% ointment apply BID"
    )
    assert (info.strength_percent, info.vehicle, info.us_class) == (0.05, "ointment", 1)


@pytest.mark.parametrize("text", [None, "", "Unknown compounded product", "x" * 50_000])
def test_unknown_text_is_unclassified(term: Terminology, text) -> None:
    info = term.classify_drug([("urn:local", "1", None)], text)
    assert (info.drug_classes, info.ingredient, info.matched_by) == (frozenset(), None, "none")


def test_unknown_rxnorm_code_without_text_is_unclassified(term: Terminology) -> None:
    assert term.classify_drug([(RXNORM, "999999999", None)], None).matched_by == "none"


def test_acetylsalicylic_is_aspirin_not_salicylic_acid(term: Terminology) -> None:
    info = term.classify_drug([], "acetylsalicylic acid 81 mg")
    assert (info.drug_classes, info.strength_text) == ({"aspirin"}, "81 MG")


def test_drug_set_text_pattern_is_a_fallback_for_unrecognised_text(term: Terminology) -> None:
    assert term.in_value_set("emollient", [], "Moisturising lotion (own brand)")
    assert not term.in_value_set("emollient", [], "hydrocortisone 1% in aqueous cream")


def test_tube_size_is_not_a_strength(term: Terminology) -> None:
    info = term.classify_drug([], "Temovate cream 30 g")
    assert (info.strength_percent, info.strength_text, info.us_class) == (None, None, 1)
    assert term.classify_drug([], "Clobetasol 0.05% oint 60 g").strength_text == "0.05%"
