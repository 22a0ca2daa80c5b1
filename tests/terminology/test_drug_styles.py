"""Every table product, in every display style real systems use, reads as its canonical name."""

from __future__ import annotations

import json

import pytest

from cds_service.terminology import Terminology
from cds_service.terminology.terminology import DATA_DIR

DRUGS = json.loads((DATA_DIR / "drugs.json").read_text())
POTENCY = json.loads((DATA_DIR / "tcs-potency.json").read_text())["rows"]
# Non-steroid topical products (FDA/EMA labels): ingredient, strength %, vehicle.
OTHER_TOPICALS = [
    ("tacrolimus", 0.03, "ointment"),
    ("tacrolimus", 0.1, "ointment"),
    ("pimecrolimus", 1.0, "cream"),
    ("crisaborole", 2.0, "ointment"),
    ("roflumilast", 0.05, "cream"),
    ("roflumilast", 0.15, "cream"),
    ("roflumilast", 0.3, "cream"),
    ("ruxolitinib", 1.5, "cream"),
    ("delgocitinib", 2.0, "cream"),
]
ABBREVIATED = {"ointment": "oint", "cream": "crm", "solution": "soln"}
# Salt abbreviations of US pharmacy labels (FDB-style "BETAMETHASONE DP AUG 0.05% OINT",
# "CLOBETASOL PROP", "TRIAMCINOLONE ACET", "HYDROCORTISONE BUT"), written here by hand.
SALT_ABBREVIATED = {
    "propionate": "PROP", "dipropionate": "DP", "valerate": "VA", "butyrate": "BUT",
    "acetonide": "ACET", "acetate": "ACET", "furoate": "FUR", "diacetate": "DIACET",
}  # fmt: skip


def _num(value: float) -> str:
    return f"{value:.8f}".rstrip("0").rstrip(".")  # 0.00005, never 5e-05


def _brands(ingredient: str, augmented: bool, pct: float | None, vehicle: str) -> list[str]:
    """Brands of exactly this product: same ingredient and salt, augmentation, strength, vehicle."""
    return [
        name
        for name, b in DRUGS["brands"].items()
        if b["ingredient"] == ingredient
        and bool(b.get("augmented")) == augmented
        and b.get("route") in (None, "topical")
        and b.get("vehicle") in (None, vehicle)
        and (b.get("strength_percent") is None or b["strength_percent"] == pct)
    ]


def _tall_man(name: str) -> str:
    base, _, rest = name.partition(" ")
    half = len(base) // 2
    return " ".join(filter(None, [base[:half] + base[half:].upper(), rest]))


def _styles(ingredient: str, augmented: bool, pct: float | None, vehicle: str) -> dict[str, str]:
    aug = "augmented " if augmented else ""
    name = f"{aug}{ingredient}"
    form = f"Topical {vehicle.title()}"
    abbr = ABBREVIATED.get(vehicle, vehicle)
    if pct is None:  # tape: no percentage strength
        out = {"tall-man": f"{_tall_man(name)} {vehicle}", "rxnorm": f"{name} {form}"}
        out["dmd"] = f"{name.capitalize()} {vehicle}"
    else:
        p, mg_g = _num(pct), _num(pct * 10)
        legacy = f"{_num(pct / 100)} MG/MG" if vehicle == "ointment" else f"{mg_g} MG/ML"
        out = {
            "epic": f"{name} {p} % {vehicle}",
            "rxnorm-mg-gm": f"{name} {mg_g} MG/GM {form}",
            "rxnorm-legacy": f"{name} {legacy} {form}",
            "tall-man": f"{_tall_man(name)} {mg_g} MG/GM {form}",
            "dmd": f"{name.capitalize()} {p}% {vehicle}",
            "abbreviated": f"{name} {p}% {abbr} top BID",
            "percent-word": f"{name} {p} percent {vehicle}",
            "mg-per-g": f"{name} {mg_g} mg per g {vehicle}",
            "micrograms": f"{name} {_num(pct * 10000)}micrograms/g {vehicle}",
            "mg/mL": f"{name} {mg_g} mg/mL topical {vehicle}",
        }
    if pct is not None:
        base, _, salt = ingredient.partition(" ")
        salt_abbr = SALT_ABBREVIATED.get(salt, salt.upper())
        label = " ".join(filter(None, [base.upper(), salt_abbr, "AUG" if augmented else ""]))
        out["pharmacy-label"] = f"{label} {_num(pct)}% {abbr.upper()}"
        if augmented:  # Epic's generic name: "betamethasone, augmented 0.05 % ointment"
            out["epic-augmented-no-salt"] = f"{base}, augmented {_num(pct)} % {vehicle}"
    strength = "" if pct is None else f" {_num(pct)} %"
    for brand in _brands(ingredient, augmented, pct, vehicle):
        # Epic: "betamethasone, augmented (DIPROLENE) 0.05 % ointment" -- the brand names the salt.
        epic_name = f"{ingredient.partition(' ')[0]}, augmented" if augmented else ingredient
        out[f"epic-{brand}"] = f"{epic_name} ({brand.upper()}){strength} {vehicle}"
        out[f"sbd-{brand}"] = f"{name} {form} [{brand.title()}]"
        if pct is not None:
            out[f"sbd-{brand}"] = f"{name} {_num(pct * 10)} MG/GM {form} [{brand.title()}]"
            out[f"dmd-amp-{brand}"] = f"{brand.title()} {_num(pct)}% {vehicle} (Example Ltd)"
    return out


def _products():
    for row in POTENCY:
        for vehicle in row["vehicles"]:
            yield row["ingredient"], row["augmented"], row["strength_percent"], vehicle
    for ingredient, pct, vehicle in OTHER_TOPICALS:
        yield ingredient, False, pct, vehicle


CASES = [
    pytest.param(canonical, styled, id=f"{canonical}|{style}")
    for ingredient, augmented, pct, vehicle in _products()
    for canonical in [f"{'augmented ' if augmented else ''}{ingredient} "
                      + ("" if pct is None else f"{_num(pct)}% ") + vehicle]
    for style, styled in _styles(ingredient, augmented, pct, vehicle).items()
]  # fmt: skip


def _read(info):
    return (
        info.ingredient,
        info.strength_percent,
        info.vehicle,
        info.drug_classes,
        info.route,
        info.us_class,
        info.uk_potency,
    )


@pytest.mark.parametrize(("canonical", "styled"), CASES)
def test_every_style_reads_like_the_canonical_name(term: Terminology, canonical, styled) -> None:
    expected = _read(term.classify_drug([], canonical))
    assert expected[3] and expected[4] == "topical"  # the canonical form itself is recognised
    assert _read(term.classify_drug([], styled)) == expected


def test_every_product_has_a_brand_style_where_a_brand_exists() -> None:
    # Guards the brand filter: a typo in drugs.json would silently drop the brand styles.
    styled = {c.values[1] for c in CASES}
    for text in (
        "tacrolimus (PROTOPIC) 0.1 % ointment",
        "betamethasone, augmented (DIPROLENE) 0.05 % ointment",
        "Dermovate 0.05% cream (Example Ltd)",
        "hydrocortisone butyrate 1 MG/GM Topical Cream [Locoid]",
    ):
        assert text in styled, text


def test_styles_cover_every_table_product() -> None:
    products = {(i, a, p, v) for i, a, p, v in _products()}
    assert len(CASES) >= 8 * len(products)
