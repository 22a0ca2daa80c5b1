"""Names real systems send that the grammar once missed (review of 2026-11-30): pharmacy-label
abbreviations and truncated drug-file names, salt-less betamethasone, combination strengths, an
emollient base word, and the rheumatology / psoriasis immunomodulators."""

from __future__ import annotations

import json

import pytest

from cds_service.terminology import Terminology
from cds_service.terminology.drugtext import Vocabulary
from cds_service.terminology.potency import PotencyTable
from cds_service.terminology.terminology import DATA_DIR

DRUGS = json.loads((DATA_DIR / "drugs.json").read_text())


# Expected values from the products' labels and the potency chart of clinical-rules.md §2.1.3;
# the names are written as FDB labels ("DP AUG", "VA") and Meditech 30-character names write them.
@pytest.mark.parametrize(
    ("text", "ingredient", "pct", "vehicle", "us", "uk"),
    [
        ("BETAMETHASONE DP AUG 0.05% OINT", "betamethasone dipropionate", 0.05, "ointment", 1,
         "very-potent"),
        ("BETAMETHASONE VA 0.1% OINT", "betamethasone valerate", 0.1, "ointment", 3, "potent"),
        ("BETAMETH DIPROP 0.05% CRM", "betamethasone dipropionate", 0.05, "cream", 3, "potent"),
        ("BETAMETH VAL 0.1% CRM", "betamethasone valerate", 0.1, "cream", 5, "potent"),
        ("CLOBETASOL PROP 0.05% CRM", "clobetasol propionate", 0.05, "cream", 1, "very-potent"),
        ("TRIAMCIN ACET 0.5% CRM", "triamcinolone acetonide", 0.5, "cream", 3, "potent"),
        ("HYDROCORT BUT 0.1% CRM", "hydrocortisone butyrate", 0.1, "cream", 5, "potent"),
        ("HYDROCORT VAL 0.2% CRM", "hydrocortisone valerate", 0.2, "cream", 5, None),
        ("FLUOCINON 0.05% CRM", "fluocinonide", 0.05, "cream", 2, "potent"),
        ("MOMETAS FUR 0.1% OINT", "mometasone furoate", 0.1, "ointment", 2, "potent"),
        ("TACROLIM 0.1% OINT", "tacrolimus", 0.1, "ointment", None, None),
        ("clobetasol prop. 0.05% oint", "clobetasol propionate", 0.05, "ointment", 1,
         "very-potent"),
    ],
)  # fmt: skip
def test_pharmacy_abbreviations(term: Terminology, text, ingredient, pct, vehicle, us, uk):
    info = term.classify_drug([], text)
    assert (info.ingredient, info.strength_percent, info.vehicle) == (ingredient, pct, vehicle)
    assert (info.us_class, info.uk_potency) == (us, uk)


def test_every_stem_starts_exactly_one_ingredient() -> None:
    # A stem shared by two ingredients ("clobet": clobetasol, clobetasone) would guess.
    names = [n for n in DRUGS["ingredients"] if " " not in n]
    for stem, target in DRUGS["stems"].items():
        starts = {n for n in names if n.startswith(stem)} - {"moisturiser"}
        assert starts == {target}, (stem, starts)


def test_every_shared_stem_starts_each_of_its_ingredients() -> None:
    for stem, targets in DRUGS["shared_stems"].items():
        assert len(targets) > 1 and all(t.startswith(stem) for t in targets), stem


@pytest.mark.parametrize(
    ("text", "ingredient", "us", "uk"),
    [
        ("FLUOCIN ACET 0.025% CRM", "fluocinolone acetonide", 5, "potent"),
        ("CLOBET PROP 0.05% OINT", "clobetasol propionate", 1, "very-potent"),
        ("CLOBET BUT 0.05% CRM", "clobetasone butyrate", None, "moderate"),
        # No salt: fluocinonide or fluocinolone, clobetasol or clobetasone -- nothing is named.
        ("FLUOCIN 0.05% CRM", None, None, None),
        ("CLOBET 0.05% CRM", None, None, None),
    ],
)
def test_a_shared_truncation_is_named_by_its_salt(term: Terminology, text, ingredient, us, uk):
    info = term.classify_drug([], text)
    assert (info.ingredient, info.us_class, info.uk_potency) == (ingredient, us, uk)


def test_an_abbreviation_two_salts_share_decides_nothing() -> None:
    doc = {"ingredients": {"x": {"classes": {"topical": ["tcs"]},
                                 "salts": ["acetonide", "acetate"]}}, "brands": {}}  # fmt: skip
    vocabulary = Vocabulary(doc)
    assert vocabulary.parse("x acet 0.1% cream").mentions[0].salt is None
    assert vocabulary.parse("x aceton 0.1% cream").mentions[0].salt == "acetonide"


@pytest.mark.parametrize(
    ("text", "ingredient", "us", "uk"),
    [
        # Only the valerate comes at 0.1 %: every candidate row agrees, so the class is decided,
        # but the name stays as written.
        ("Betamethasone 0.1% cream", "betamethasone", 5, "potent"),
        ("Betamethasone 0.1% ointment", "betamethasone", 3, "potent"),
        ("betamethasone 0.05% cream", "betamethasone", 3, "potent"),
        # Augmented is only ever the dipropionate.
        ("betamethasone, augmented 0.05 % ointment", "betamethasone dipropionate", 1,
         "very-potent"),
        ("augmented betamethasone 0.05% cream", "betamethasone dipropionate", 2, "potent"),
        # No strength: valerate and dipropionate rows disagree, so nothing is decided.
        ("Betamethasone cream", "betamethasone", None, None),
        ("betamethasone ointment", "betamethasone", None, None),
        # A salt-less name with its own rows keeps them ("hydrocortisone 1%" is not an ester).
        ("hydrocortisone 1% cream", "hydrocortisone", 7, "mild"),
        ("hydrocortisone 0.1% cream", "hydrocortisone", None, None),  # not read as the butyrate
    ],
)  # fmt: skip
def test_a_salt_less_name_is_classed_only_when_every_salt_agrees(
    term: Terminology, text, ingredient, us, uk
) -> None:
    info = term.classify_drug([], text)
    assert (info.ingredient, info.us_class, info.uk_potency) == (ingredient, us, uk)


def test_salts_that_disagree_at_one_strength_decide_nothing() -> None:
    rows = [
        {"ingredient": f"x {salt}", "strength_percent": 0.1, "vehicles": ["cream"],
         "us_class": us, "uk_potency": uk}
        for salt, us, uk in (("a", 3, "potent"), ("b", 5, "potent"))
    ]  # fmt: skip
    table = PotencyTable({"source": "test", "rows": rows})
    assert table.lookup_any(["x a", "x b"], False, 0.1, "cream") == (None, "potent", {"x a", "x b"})
    assert table.lookup_any(["x a", "x b"], False, 0.05, "cream") == (None, None, set())


@pytest.mark.parametrize(
    ("text", "ingredient", "pct", "us"),
    [
        ("clotrimazole-betamethasone (LOTRISONE) 1-0.05 % cream", "betamethasone dipropionate",
         0.05, 3),
        ("clotrimazole-betamethasone dipropionate 1 %-0.05 % cream", "betamethasone dipropionate",
         0.05, 3),
        ("clotrimazole / betamethasone dipropionate 1%/0.05% cream", "betamethasone dipropionate",
         0.05, 3),
        ("fusidic acid-betamethasone valerate 2 %-0.1 % cream", "betamethasone valerate", 0.1, 5),
        # Three strengths for two names: which is which is unknown, so none is assigned.
        ("clotrimazole-betamethasone dipropionate 1 %-0.05 %-2 % cream",
         "betamethasone dipropionate", 1.0, None),
    ],
)  # fmt: skip
def test_combination_strengths_follow_the_names_order(term: Terminology, text, ingredient, pct, us):
    info = term.classify_drug([], text)
    assert (info.ingredient, info.strength_percent, info.us_class) == (ingredient, pct, us)


def test_combination_keeps_the_other_ingredient_class(term: Terminology) -> None:
    info = term.classify_drug([], "clotrimazole-betamethasone 1 %-0.05 % cream")
    assert {"tcs", "antifungal-topical"} <= info.drug_classes


@pytest.mark.parametrize(
    ("text", "ingredient", "pct", "us"),
    [
        ("fluocinonide-emollient (LIDEX-E) 0.05 % cream", "fluocinonide", 0.05, 2),
        ("fluocinonide-emollient 0.05 % cream", "fluocinonide", 0.05, 2),
    ],
)
def test_an_emollient_base_word_is_not_an_ingredient(term: Terminology, text, ingredient, pct, us):
    info = term.classify_drug([], text)
    assert (info.ingredient, info.strength_percent, info.us_class) == (ingredient, pct, us)
    assert "emollient" not in info.drug_classes


def test_an_emollient_named_on_its_own_is_still_one(term: Terminology) -> None:
    assert "emollient" in term.classify_drug([], "emollient cream 500 g").drug_classes
    assert "emollient" in term.classify_drug([], "emollient-rich lotion").drug_classes


# From the products' FDA labels / UK SmPCs, independent of drugs.json.
@pytest.mark.parametrize(
    ("text", "ingredient", "drug_class", "route", "us", "uk"),
    [
        ("Lotrisone cream", "betamethasone dipropionate", "tcs", "topical", 3, "potent"),
        ("Lotriderm cream (Organon Pharma (UK) Ltd)", "betamethasone dipropionate", "tcs",
         "topical", 3, "potent"),
        ("Fucibet cream (LEO Pharma)", "betamethasone valerate", "tcs", "topical", 5, "potent"),
        ("Fucibet Lipid cream", "betamethasone valerate", "tcs", "topical", 5, "potent"),
        ("clobetasol (IMPOYZ) 0.025 % cream", "clobetasol propionate", "tcs", "topical", 1,
         "very-potent"),
        ("Anthisan 2% cream (Sanofi)", "mepyramine maleate", "antihistamine-topical", "topical",
         None, None),
        ("mepyramine 2% cream", "mepyramine", "antihistamine-topical", "topical", None, None),
        ("adalimumab (HUMIRA) 40 mg/0.4 mL pen injector kit", "adalimumab", "biologic",
         "injection", None, None),
        ("adalimumab-atto 40 mg/0.8 mL subcutaneous syringe", "adalimumab", "biologic",
         "injection", None, None),
        ("Enbrel 50 mg/mL SureClick", "etanercept", "biologic", "injection", None, None),
        ("infliximab 100 mg IV infusion", "infliximab", "biologic", "injection", None, None),
        ("Stelara 45 mg/0.5 mL syringe", "ustekinumab", "biologic", "injection", None, None),
        ("secukinumab (COSENTYX) 150 mg/mL pen", "secukinumab", "biologic", "injection", None,
         None),
        ("Taltz 80 mg/mL autoinjector", "ixekizumab", "biologic", "injection", None, None),
        ("risankizumab-rzaa (SKYRIZI) 150 mg/mL pen", "risankizumab", "biologic", "injection",
         None, None),
        ("Tremfya 100 mg/mL pen", "guselkumab", "biologic", "injection", None, None),
        ("tofacitinib 5 mg oral tablet", "tofacitinib", "jak-oral", "oral", None, None),
        ("XELJANZ XR 11 mg tablet", "tofacitinib", "jak-oral", "oral", None, None),
        ("ritlecitinib (LITFULO) 50 mg capsule", "ritlecitinib", "jak-oral", "oral", None, None),
        ("Jyseleca 200 mg tablets", "filgotinib", "jak-oral", "oral", None, None),
    ],
)  # fmt: skip
def test_added_drugs_and_brands(term: Terminology, text, ingredient, drug_class, route, us, uk):
    info = term.classify_drug([], text)
    assert (info.ingredient, info.route) == (ingredient, route)
    assert drug_class in info.drug_classes
    assert (info.us_class, info.uk_potency) == (us, uk)


def test_oral_mepyramine_is_no_topical_antihistamine(term: Terminology) -> None:
    info = term.classify_drug([], "pyrilamine maleate 25 mg oral tablet")
    assert info.ingredient == "mepyramine maleate"
    assert "antihistamine-topical" not in info.drug_classes
