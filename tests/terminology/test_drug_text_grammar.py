"""The drug-text grammar on the display styles of issue 11, units, ratios, and hostile input."""

from __future__ import annotations

import time

import pytest

from cds_service.terminology import Terminology


@pytest.mark.parametrize(
    ("text", "pct", "strength_text"),
    [
        ("tacrolimus 1 MG/GM Topical Ointment", 0.1, "0.1%"),
        ("hydrocortisone 10 mg per g cream", 1.0, "1%"),
        ("hydrocortisone 10 mg per gram cream", 1.0, "1%"),
        ("Clobetasol propionate 500micrograms/g cream", 0.05, "0.05%"),
        ("clobetasol propionate 500 mcg/g cream", 0.05, "0.05%"),
        ("triamcinolone 0.1 percent cream", 0.1, "0.1%"),
        ("Modrasone 0.05%w/w cream", 0.05, "0.05%"),
        ("hydrocortisone 1:100 cream", 1.0, "1%"),
        ("hydrocortisone 30 gm 2.5% cream", 2.5, "2.5%"),  # the tube size is not the strength
        ("Betnovate cream", 0.1, "0.1%"),  # the brand's only strength
        ("Betnovate-RD cream", 0.025, "0.025%"),
        ("Betnovate 0.025% cream", 0.025, "0.025%"),  # a written strength beats the brand's
    ],
)
def test_strength_notations(term: Terminology, text, pct, strength_text) -> None:
    info = term.classify_drug([], text)
    assert (info.strength_percent, info.strength_text) == (pct, strength_text)


@pytest.mark.parametrize(
    ("text", "strength_text"),
    [
        (
            "120 ACTUAT Fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler",
            "0.044 MG/ACTUAT",
        ),
        ("predniSONE 20 MG Oral Tablet", "20 MG"),
        ("Dupixent 300 mg/2 mL", "300 MG/2 ML"),
    ],
)
def test_doses_keep_their_text_without_percent(term: Terminology, text, strength_text) -> None:
    info = term.classify_drug([], text)
    assert (info.strength_percent, info.strength_text) == (None, strength_text)


def test_a_dilution_is_not_a_ratio_strength(term: Terminology) -> None:
    # "1 in 4 dilution" of fluocinolone 0.025% is 0.00625%, not 25%; unknown without the brand.
    assert (
        term.classify_drug([], "fluocinolone acetonide 1 in 4 dilution cream").strength_percent
        is None
    )
    synalar = term.classify_drug([], "Synalar 1 in 4 Dilution cream (Reig Jofre UK Ltd)")
    assert (synalar.strength_percent, synalar.uk_potency) == (0.00625, "moderate")


@pytest.mark.parametrize(
    ("text", "ingredient", "pct", "us", "uk"),
    [
        ("tacrolimus (PROTOPIC) 0.1 % ointment", "tacrolimus", 0.1, None, None),
        ("betamethasone, augmented (DIPROLENE) 0.05 % ointment", "betamethasone dipropionate",
         0.05, 1, "very-potent"),
        ("fluocinonide (LIDEX) 0.05 % cream", "fluocinonide", 0.05, 2, "potent"),
        ("triamcinolone acetonide (KENALOG) 0.5 % cream", "triamcinolone acetonide", 0.5, 3,
         "potent"),
        ("desoximetasone (TOPICORT) 0.05 % cream", "desoximetasone", 0.05, 3, "moderate"),
        ("tacrolimus 1 MG/GM Topical Ointment [Protopic]", "tacrolimus", 0.1, None, None),
        ("Betamethasone 0.001 MG/MG Topical Ointment [Betnovate]", "betamethasone valerate", 0.1, 3,
         "potent"),
        ("clobetasol 0.05% oint top BID", "clobetasol propionate", 0.05, 1, "very-potent"),
        ("hydrocortisone 1% crm topl", "hydrocortisone", 1.0, 7, "mild"),
    ],
)  # fmt: skip
def test_brand_between_ingredient_and_strength(term: Terminology, text, ingredient, pct, us, uk):
    info = term.classify_drug([], text)
    assert (info.ingredient, info.strength_percent, info.route) == (ingredient, pct, "topical")
    assert (info.us_class, info.uk_potency) == (us, uk)


def test_a_strength_after_another_ingredient_is_not_borrowed(term: Terminology) -> None:
    info = term.classify_drug([], "clotrimazole 1% / hydrocortisone cream")
    assert (info.ingredient, info.strength_percent) == ("hydrocortisone", None)


@pytest.mark.parametrize(
    "text",
    [
        "1" * 2000,
        "0." * 1000,
        "1 mg/" * 400,
        "1:" * 1000,
        "1 in " * 400,
        "5 mg per " * 250,
        "tacrolimus (protopic) " * 100,
        "clobetasol " * 100 + "tacrolimus " * 100,
        "[(" * 1000,
        "% " * 1000,
    ],
)
def test_hostile_text_stays_linear(term: Terminology, text) -> None:
    start = time.perf_counter()
    term.classify_drug([], text)
    term.classify_drug([("urn:x", "1", text)], text + "0")
    assert time.perf_counter() - start < 0.5


# Hand-written from the products' labels, independent of drugs.json: each brand names its drug.
BRANDS = {
    "Protopic": "tacrolimus", "Elidel": "pimecrolimus", "Eucrisa": "crisaborole",
    "Opzelura": "ruxolitinib", "Zoryve": "roflumilast", "Dupixent": "dupilumab",
    "Adbry": "tralokinumab", "Ebglyss": "lebrikizumab", "Rinvoq": "upadacitinib",
    "Cibinqo": "abrocitinib", "Olumiant": "baricitinib", "Temovate": "clobetasol propionate",
    "Clobex": "clobetasol propionate", "Olux": "clobetasol propionate",
    "Dermovate": "clobetasol propionate", "Diprolene": "betamethasone dipropionate",
    "Lidex": "fluocinonide", "Topicort": "desoximetasone", "Kenalog": "triamcinolone acetonide",
    "Kenacort": "triamcinolone acetonide", "Cutivate": "fluticasone propionate",
    "Elocon": "mometasone furoate", "Westcort": "hydrocortisone valerate",
    "Locoid": "hydrocortisone butyrate", "Synalar": "fluocinolone acetonide",
    "Betnovate": "betamethasone valerate", "Eumovate": "clobetasone butyrate",
    "Cortaid": "hydrocortisone", "Desowen": "desonide", "Verdeso": "desonide",
    "Aclovate": "alclometasone dipropionate", "Halog": "halcinonide",
    "Ultravate": "halobetasol propionate", "Vanos": "fluocinonide",
    "Psorcon": "diflorasone diacetate", "Cordran": "flurandrenolide",
    "Nerisone": "diflucortolone valerate", "Trimovate": "clobetasone butyrate",
    "Sandimmun": "cyclosporine", "Neoral": "cyclosporine", "Medrone": "methylprednisolone",
    "Staquis": "crisaborole", "Xepin": "doxepin",
}  # fmt: skip


@pytest.mark.parametrize(("brand", "ingredient"), BRANDS.items())
def test_common_us_and_uk_brands_name_their_ingredient(term: Terminology, brand, ingredient):
    assert term.classify_drug([], f"{brand} (EXAMPLE LTD)").ingredient == ingredient
    assert term.classify_drug([], brand.upper()).ingredient == ingredient


@pytest.mark.parametrize(
    ("text", "vehicle"),
    [("mometasone 1 mg/g ung", "ointment"), ("mometasone 0.1% ungt", "ointment"),
     ("hydrocortisone 1% crm", "cream"), ("clobetasol 0.05% soln", "solution")],
)  # fmt: skip
def test_vehicle_abbreviations(term: Terminology, text, vehicle) -> None:
    info = term.classify_drug([], text)
    assert (info.vehicle, info.route) == (vehicle, "topical")


@pytest.mark.parametrize(
    "text",
    ["hydrocortisone (ANUSOL-HC) 2.5 % rect cream", "hydrocortisone 1% cream rectally",
     "fluticasone propionate 50 mcg/actuation nasal spray", "tacrolimus 0.03% ophth oint"],
)  # fmt: skip
def test_abbreviated_non_skin_routes_are_not_skin_products(term: Terminology, text) -> None:
    info = term.classify_drug([], text)
    assert (info.drug_classes, info.route) == (frozenset(), None)


def test_prolonged_release_is_still_oral(term: Terminology) -> None:
    info = term.classify_drug([], "Envarsus 1mg PR tablets; tacrolimus 1mg prolonged-release")
    assert (info.drug_classes, info.route) == ({"systemic-immunosuppressant"}, "oral")
