"""TCS potency: one test per table row (from the JSON and from hand-written strings)."""

import json

import pytest

from cds_service.terminology import Terminology
from cds_service.terminology.terminology import DATA_DIR

from .conftest import RXNORM

TABLE = json.loads((DATA_DIR / "tcs-potency.json").read_text())
ROWS = TABLE["rows"]


def _cases():
    for row in ROWS:
        for vehicle in row["vehicles"]:
            yield pytest.param(
                row, vehicle, id=f"{row['ingredient']}-{row['strength_percent']}-{vehicle}"
            )


def _pct(value: float) -> str:
    return f"{value:.8f}".rstrip("0").rstrip(".")  # RxNorm writes 0.00005, never 5e-05


@pytest.mark.parametrize(("row", "vehicle"), list(_cases()))
def test_clinician_style_text_gets_the_row_potency(term: Terminology, row, vehicle) -> None:
    strength = "" if row["strength_percent"] is None else f" {_pct(row['strength_percent'])}%"
    prefix = "augmented " if row["augmented"] else ""
    info = term.classify_drug([], f"{prefix}{row['ingredient']}{strength} {vehicle}")
    assert "tcs" in info.drug_classes
    assert (info.us_class, info.uk_potency) == (row["us_class"], row["uk_potency"])
    assert info.ingredient == row["ingredient"]
    assert info.vehicle == vehicle


@pytest.mark.parametrize(
    ("row", "vehicle"),
    [
        c
        for c in _cases()
        if c.values[1] in ("cream", "ointment") and c.values[0]["strength_percent"]
    ],
)
def test_rxnorm_style_name_gets_the_row_potency(term: Terminology, row, vehicle) -> None:
    pct = row["strength_percent"]
    strength = f"{_pct(pct * 10)} MG/ML" if vehicle == "cream" else f"{_pct(pct / 100)} MG/MG"
    prefix = "augmented " if row["augmented"] else ""
    name = f"{prefix}{row['ingredient']} {strength} Topical {vehicle.title()}"
    info = term.classify_drug([("urn:local", "x1", name)], None)
    assert info.strength_percent == pytest.approx(pct)
    assert (info.us_class, info.uk_potency) == (row["us_class"], row["uk_potency"])
    assert info.matched_by == "text"


@pytest.mark.parametrize(
    ("code", "us", "uk", "vehicle"),
    [
        ("106258", 7, "mild", "cream"),
        ("855474", 6, "moderate", "cream"),
        ("855480", 6, "moderate", "ointment"),
    ],
)
def test_rxnorm_scd_code_alone_gets_potency(term: Terminology, code, us, uk, vehicle) -> None:
    info = term.classify_drug([(RXNORM, code, None)], None)
    assert (info.drug_classes, info.us_class, info.uk_potency, info.vehicle) == (
        {"tcs"},
        us,
        uk,
        vehicle,
    )
    assert (info.rxnorm, info.matched_by) == (code, "rxnorm")


def test_no_two_rows_claim_the_same_product() -> None:
    seen = set()
    for row in ROWS:
        for vehicle in row["vehicles"]:
            key = (row["ingredient"], row["augmented"], row["strength_percent"], vehicle)
            assert key not in seen, key
            seen.add(key)


def test_table_names_its_reference_chart() -> None:
    assert "consensus" in TABLE["source"] and "BNF" in TABLE["source"]


# Hand-written, independent of the JSON: a wrong row in the table fails here.
HAND_WRITTEN = [
    ("Clobetasol 0.05% oint", 1, "very-potent"),
    ("clobetasol propionate 0.05 % ointment", 1, "very-potent"),
    ("clobetasol propionate 0.5 MG/ML Topical Cream", 1, "very-potent"),
    ("Clobetasol propionate 0.05% shampoo", 1, "very-potent"),
    ("Temovate", 1, "very-potent"),
    ("Dermovate cream", 1, "very-potent"),
    ("Diprolene 0.05% ointment", 1, "very-potent"),
    ("betamethasone dipropionate 0.05% ointment, augmented", 1, "very-potent"),
    ("augmented betamethasone dipropionate 0.05% cream", 2, "potent"),
    ("betamethasone dipropionate 0.05% ointment", 2, "potent"),
    ("betamethasone dipropionate 0.05% cream", 3, "potent"),
    ("betamethasone valerate 0.1% ointment", 3, "potent"),
    ("betamethasone valerate 0.1% cream", 5, "potent"),
    ("Betamethasone valerate 0.12% foam", 4, "potent"),
    ("mometasone furoate 0.1% ointment", 2, "potent"),
    ("Elocon 0.1% cream", 4, "potent"),
    ("mometasone 0.1% lotion", 4, "potent"),
    ("fluocinonide 0.05% cream", 2, "potent"),
    ("Lidex 0.05% gel", 2, "potent"),
    ("fluocinonide 0.1% cream", 1, "very-potent"),
    ("triamcinolone acetonide 0.5% cream", 3, "potent"),
    ("triamcinolone acetonide 0.1% ointment", 4, None),
    ("Kenalog 0.1% cream", 4, None),
    ("triamcinolone 0.025% ointment", 5, None),
    ("triamcinolone 0.025% cream", 6, None),
    ("fluticasone propionate 0.005% ointment", 3, "potent"),
    ("Cutivate 0.05% cream", 5, "potent"),
    ("desonide 0.05% cream", 6, None),
    ("Desowen 0.05% lotion", 6, None),
    ("alclometasone dipropionate 0.05% ointment", 6, "moderate"),
    ("Aclovate cream 0.05%", 6, "moderate"),
    ("hydrocortisone 0.5% cream", 7, "mild"),
    ("Hydrocortisone 1% cream", 7, "mild"),
    ("hydrocortisone 2.5% ointment", 7, "mild"),
    ("hydrocortisone acetate 1% cream", 7, "mild"),
    ("hydrocortisone butyrate 0.1% cream", 5, "potent"),
    ("Locoid 0.1% lotion", 5, "potent"),
    ("hydrocortisone valerate 0.2% ointment", 4, None),
    ("Westcort 0.2% cream", 5, None),
    ("halobetasol propionate 0.05% cream", 1, "very-potent"),
    ("ulobetasol 0.01% lotion", 1, "very-potent"),
    ("desoximetasone 0.25% ointment", 2, "potent"),
    ("desoximetasone 0.05% cream", 3, "moderate"),  # BNF: Stiedex LP is moderate
    ("desoximetasone 0.05% gel", 2, "potent"),
    ("diflorasone diacetate 0.05% cream", 2, "potent"),
    ("diflorasone 0.05% ointment", 1, "very-potent"),
    ("amcinonide 0.1% ointment", 2, "potent"),
    ("amcinonide 0.1% cream", 3, "potent"),
    ("halcinonide 0.1% cream", 2, "potent"),
    ("fluocinolone acetonide 0.025% ointment", 4, "potent"),
    ("fluocinolone acetonide 0.025% cream", 5, "potent"),
    ("fluocinolone acetonide 0.01% solution", 6, None),
    ("Derma-Smoothe 0.01% oil", 6, None),
    ("prednicarbate 0.1% cream", 5, None),
    ("clobetasone butyrate 0.05% cream", None, "moderate"),
    ("Eumovate cream", None, "moderate"),
    ("dexamethasone 0.1% cream", 7, "mild"),
    ("flurandrenolide tape", 1, None),
]


@pytest.mark.parametrize(("text", "us", "uk"), HAND_WRITTEN)
def test_hand_written_display_gets_expected_potency(term: Terminology, text, us, uk) -> None:
    info = term.classify_drug([], text)
    assert info.drug_classes == {"tcs"}
    assert (info.us_class, info.uk_potency) == (us, uk)


# Boundaries the charts dispute: the table follows the US consensus chart; these pin the choice.
def test_mometasone_cream_is_class_iv_not_iii(term: Terminology) -> None:
    assert term.classify_drug([], "mometasone furoate 0.1% cream").us_class == 4


def test_triamcinolone_half_percent_is_class_iii_not_ii(term: Terminology) -> None:
    assert term.classify_drug([], "triamcinolone acetonide 0.5% ointment").us_class == 3


def test_bmv_cream_is_us_lower_mid_but_uk_potent(term: Terminology) -> None:
    info = term.classify_drug([], "betamethasone valerate 0.1% cream")
    assert (info.us_class, info.uk_potency) == (5, "potent")


def test_salt_decides_betamethasone_potency(term: Terminology) -> None:
    valerate = term.classify_drug([], "betamethasone valerate 0.1% cream")
    dipropionate = term.classify_drug([], "betamethasone dipropionate 0.05% cream")
    assert (valerate.us_class, dipropionate.us_class) == (5, 3)


# Never guess: an unmatched or ambiguous product keeps drug_classes={"tcs"} but no potency.
@pytest.mark.parametrize(
    "text",
    [
        "betamethasone cream",  # salt and strength unknown: valerate or dipropionate rows
        "betamethasone 0.1% foam",  # salt unknown and no 0.1 % foam row of any salt
        "triamcinolone acetonide 0.025%",  # cream VI vs ointment V
        "triamcinolone acetonide cream",  # 0.025 (VI), 0.1 (IV), 0.5 (III)
        "hydrocortisone 3% cream",  # strength not on the chart
        "flurandrenolide 0.05% cream",  # US Cordran cream is not on the chart
    ],
)
def test_undecidable_tcs_gets_no_class(term: Terminology, text) -> None:
    info = term.classify_drug([], text)
    assert info.drug_classes == {"tcs"}
    assert (info.us_class, info.uk_potency) == (None, None)


@pytest.mark.parametrize(
    "text",
    ["mometasone furoate topical", "fluocinolone acetonide 0.025%"],  # II vs IV; IV vs V
)
def test_us_class_undecided_but_uk_level_agrees(term: Terminology, text) -> None:
    info = term.classify_drug([], text)
    assert (info.us_class, info.uk_potency) == (None, "potent")


def test_clobetasol_without_vehicle_is_class_i_because_all_rows_agree(term: Terminology) -> None:
    info = term.classify_drug([], "clobetasol 0.05%")
    assert (info.us_class, info.uk_potency, info.vehicle) == (1, "very-potent", None)


def test_hydrocortisone_one_percent_without_vehicle_is_vii(term: Terminology) -> None:
    assert term.classify_drug([], "hydrocortisone 1%").us_class == 7


def test_mometasone_without_route_is_not_called_a_tcs(term: Terminology) -> None:
    # Mometasone is also a nasal spray and an inhaler: with no dose form there is no class.
    info = term.classify_drug([], "mometasone furoate")
    assert (info.ingredient, info.drug_classes) == ("mometasone furoate", frozenset())
