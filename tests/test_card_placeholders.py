"""Card files against the values their rules declare: start-up refuses a placeholder the rule
does not declare, and a coded value without a phrase for each code; findings carry only
declared values and codes; phrases are filled and escaped like any other card text."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import cds_service.pipeline as pipeline
from cds_service import create_app
from cds_service.cards import CardFileError, load_card_files
from cds_service.cardtext import fill
from cds_service.ops.explain import explain, start_runtime
from cds_service.rules import Finding, load_rules
from cds_service.runtime import REPO_CARDS
from tests.conftest import FIXTURES, make_settings, pinned_clock

RULES = load_rules()
JAK = "topical-jak-label-check"  # a rule with plain values and a coded one ({issues})


def _cards(tmp_path: Path) -> Path:
    target = tmp_path / "cards"
    shutil.copytree(REPO_CARDS, target)
    return target


def _edit(cards: Path, rule_id: str, old: str, new: str) -> Path:
    path = cards / f"{rule_id}.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_unknown_placeholder_stops_start_up_naming_file_and_placeholder(tmp_path: Path) -> None:
    cards = _cards(tmp_path)
    _edit(cards, JAK, "**{drug}**: {issues}.", "**{drug}**: {issues}. Dose: {dose_mg}.")
    with pytest.raises(CardFileError, match=rf"{JAK}\.toml: detail: placeholder {{dose_mg}}"):
        create_app(make_settings(tmp_path, cards_dir=str(cards)), clock=pinned_clock)


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('label = "Reduce the quantity to {max_grams} g', 'label = "Reduce to {gram}', "label"),
        ("(patient is {age})", "(patient is {ages})", "variants/age/summary"),
        ("{other} is current", "{others} is current", "phrases/issues/combination"),
    ],
)
def test_every_text_of_the_file_is_checked(old: str, new: str, where: str, tmp_path: Path) -> None:
    cards = _cards(tmp_path)
    _edit(cards, JAK, old, new)
    with pytest.raises(CardFileError, match=f"{JAK}.toml: .*{where}.*is not a value rule"):
        load_card_files(cards, RULES)


def test_a_code_without_a_phrase_is_refused(tmp_path: Path) -> None:
    cards = _cards(tmp_path)
    _edit(cards, JAK, 'combination = "{other} is current"\n', "")
    with pytest.raises(CardFileError, match="phrases/issues: no phrase for code 'combination'"):
        load_card_files(cards, RULES)


def test_a_phrase_for_a_code_the_rule_never_returns_is_refused(tmp_path: Path) -> None:
    cards = _cards(tmp_path)
    _edit(cards, JAK, "[phrases.issues]\n", '[phrases.issues]\npregnant = "pregnant"\n')
    with pytest.raises(CardFileError, match="phrases/issues/pregnant: not a code the rule"):
        load_card_files(cards, RULES)


def test_phrases_for_a_value_the_rule_does_not_code_are_refused(tmp_path: Path) -> None:
    cards = _cards(tmp_path)
    _edit(cards, JAK, "[phrases.issues]\n", '[phrases.drug]\nx = "y"\n\n[phrases.issues]\n')
    with pytest.raises(CardFileError, match="phrases/drug: the rule returns no coded 'drug'"):
        load_card_files(cards, RULES)


def test_a_phrase_cannot_name_another_coded_value(tmp_path: Path) -> None:
    cards = _cards(tmp_path)
    _edit(cards, JAK, "{other} is current", "{issues} is current")
    with pytest.raises(CardFileError, match=r"phrases/issues/combination: placeholder {issues}"):
        load_card_files(cards, RULES)


def test_a_join_for_a_value_the_rule_does_not_code_is_refused(tmp_path: Path) -> None:
    cards = _cards(tmp_path)
    _edit(cards, JAK, "[phrases.issues]\n", '[joins]\ndrug = " and "\n\n[phrases.issues]\n')
    with pytest.raises(CardFileError, match="joins/drug: the rule returns no coded 'drug'"):
        load_card_files(cards, RULES)


def test_a_phrase_names_a_coded_value_one_level_deep_only(tmp_path: Path) -> None:
    jak = "oral-jak-screening"  # {issues} phrases name {missing_labs}, itself coded
    cards = _cards(tmp_path)
    _edit(cards, jak, 'tb = "TB"', 'tb = "TB ({label_note})"')
    with pytest.raises(CardFileError, match=r"phrases/issues/labs: placeholder {missing_labs}"):
        load_card_files(cards, RULES)


def test_nested_and_joined_phrases_are_filled() -> None:
    phrases = {"issues": {"labs": "no result for {labs}"}, "labs": {"tb": "TB", "cbc": "CBC"}}
    values = {"issues": ("labs",), "labs": ("tb", "cbc")}
    joined = fill("{issues}.", values, False, phrases, {"labs": " and "})
    assert joined == "no result for TB and CBC."
    assert fill("{labs}", values, False, phrases) == "TB; CBC"
    three = {**values, "labs": ("tb", "cbc", "tb")}
    assert fill("{labs}", three, False, phrases, {"labs": [", ", " and "]}) == "TB, CBC and TB"
    assert fill("{labs}", {"labs": ("cbc",)}, False, phrases, {"labs": [", ", " and "]}) == "CBC"


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ('doses = "unknown"', "absent/doses: not a plain value"),
        ('issues = "none"', "absent/issues: not a plain value"),  # coded: its phrases word it
        ('drug = "{age}"', "absent/drug: plain words, no placeholders"),
    ],
)
def test_absent_words_are_for_declared_plain_values(entry: str, error: str, tmp_path: Path) -> None:
    cards = _cards(tmp_path)
    _edit(cards, JAK, "[absent]\n", f"[absent]\n{entry}\n")
    with pytest.raises(CardFileError, match=error):
        load_card_files(cards, RULES)


def test_an_absent_value_reads_as_the_card_file_words() -> None:
    absent = {"status": "status not recorded"}
    assert (
        fill("is {status}", {"status": None}, True, None, None, absent) == "is status not recorded"
    )
    assert fill("is {status}", {}, False, None, None, absent) == "is status not recorded"
    assert fill("is {status}", {"status": "on-hold"}, True, None, None, absent) == "is on\\-hold"
    with pytest.raises(KeyError):
        fill("is {status}", {}, False)


def test_only_plain_placeholders(tmp_path: Path) -> None:
    cards = _cards(tmp_path)
    _edit(cards, JAK, "**{drug}**: {issues}.", "**{drug.upper}**: {issues}.")
    with pytest.raises(CardFileError, match="detail: {drug.upper}: only plain"):
        load_card_files(cards, RULES)


def test_phrases_are_joined_filled_and_escaped() -> None:
    phrases = {"issues": {"a": "first {x}", "b": "then {n} day(s)"}}
    values = {"issues": ("a", "b"), "x": "[link](https://evil.example)", "n": 1}
    detail = fill("Found: {issues}.", values, True, phrases)
    assert detail.startswith("Found: first \\[link\\]\\(https&#8203;:") and "](" not in detail
    assert detail.endswith("; then 1 day.")
    one = fill("{issues}", {**values, "issues": "b"}, False, phrases)
    assert one == "then 1 day"


def _requests() -> Iterator[dict[str, Any]]:
    for path in sorted(FIXTURES.glob("*/*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(body, dict) and "hook" in body:
            yield body


def test_every_finding_carries_only_declared_values_and_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    findings: list[Finding] = []
    render = pipeline.render_card

    def keep(template: Any, finding: Finding, *rest: Any) -> Any:
        findings.append(finding)
        return render(template, finding, *rest)

    monkeypatch.setattr(pipeline, "render_card", keep)
    rt = start_runtime(make_settings(tmp_path), datetime(2026, 11, 22, 12, tzinfo=UTC))
    for body in _requests():
        explain(rt, body)
    assert {f.rule_id for f in findings} >= set(RULES) - {"eczema-action-plan"}
    for finding in findings:
        declared = RULES[finding.rule_id]
        assert set(finding.values) <= declared.values, finding.rule_id
        for name, codes in declared.codes.items():
            value = finding.values.get(name, ())
            given = {value} if isinstance(value, str) else set(value)
            assert given <= codes, (finding.rule_id, name, given)
