"""Real display strings from public lists (data/README.md) parse to what their source says."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cds_service.terminology import Terminology

CORPUS = Path(__file__).parent / "data" / "drug-display-corpus.tsv"
with CORPUS.open(encoding="utf-8") as f:
    ROWS = list(csv.DictReader(f, delimiter="\t"))
# The LSHTM list merges BNF "very potent" into "potent".
UK_AGREES = {"mild": {"mild"}, "moderate": {"moderate"}, "potent": {"potent", "very-potent"}}


def test_corpus_is_large_and_from_several_sources() -> None:
    assert len(ROWS) >= 300
    assert len({r["source"] for r in ROWS}) >= 4


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['source']}:{r['display'][:60]}" for r in ROWS])
def test_real_display_parses_to_its_source_values(term: Terminology, row) -> None:
    info = term.classify_drug([], row["display"])
    ingredient = info.ingredient or ""
    if row["base"]:
        assert ingredient == row["base"] or ingredient.startswith(row["base"] + " ")
    if row["drug_class"]:
        assert row["drug_class"] in info.drug_classes
    if row["salt"]:
        assert ingredient == f"{row['base']} {row['salt']}"
    if row["strength_percent"]:
        assert info.strength_percent == pytest.approx(float(row["strength_percent"]))
    if row["vehicle"]:
        assert info.vehicle == row["vehicle"]
    if row["route"]:
        assert info.route == (None if row["route"] == "none" else row["route"])
    if row["uk_potency"] and info.uk_potency is not None:
        assert info.uk_potency in UK_AGREES[row["uk_potency"]]
