"""Card files: start-up validation that names the file, and markdown escaping."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from cds_service import create_app
from cds_service.cards import CardFileError, escape_markdown, load_card_files
from cds_service.rules import load_rules
from cds_service.runtime import REPO_CARDS
from tests.conftest import make_settings, pinned_clock

RULES = load_rules()  # every registered rule has a card file


def _copy_cards(tmp_path: Path) -> Path:
    target = tmp_path / "cards"
    shutil.copytree(REPO_CARDS, target)
    return target


def test_repository_card_files_load(tmp_path: Path) -> None:
    templates = load_card_files(REPO_CARDS, RULES)
    assert set(templates) == set(RULES)


def test_malformed_card_file_stops_start_up_naming_the_file(tmp_path: Path) -> None:
    cards = _copy_cards(tmp_path)
    (cards / "patch-test-suggested.toml").write_text('rule = "patch-test-suggested"\nsummary = ')
    with pytest.raises(CardFileError, match="patch-test-suggested.toml"):
        create_app(make_settings(tmp_path, cards_dir=str(cards)), clock=pinned_clock)


def test_unknown_rule_id_in_card_file_is_refused(tmp_path: Path) -> None:
    cards = _copy_cards(tmp_path)
    text = (cards / "patch-test-suggested.toml").read_text()
    (cards / "no-such-rule.toml").write_text(
        text.replace('rule = "patch-test-suggested"', 'rule = "no-such-rule"')
    )
    with pytest.raises(CardFileError, match="unknown rule id 'no-such-rule'"):
        load_card_files(cards, RULES)


def test_missing_card_file_is_refused(tmp_path: Path) -> None:
    cards = _copy_cards(tmp_path)
    (cards / "patch-test-suggested.toml").unlink()
    with pytest.raises(CardFileError, match="no card file for rule.*patch-test-suggested"):
        load_card_files(cards, RULES)


def test_summary_over_139_characters_is_refused(tmp_path: Path) -> None:
    cards = _copy_cards(tmp_path)
    path = cards / "patch-test-suggested.toml"
    text = path.read_text().replace(
        'summary = "Consider patch testing', f'summary = "{"x" * 140}Consider', 1
    )
    path.write_text(text)
    with pytest.raises(CardFileError, match="patch-test-suggested.toml: summary"):
        load_card_files(cards, RULES)


def test_suggestion_key_without_builder_is_refused(tmp_path: Path) -> None:
    cards = _copy_cards(tmp_path)
    path = cards / "patch-test-suggested.toml"
    path.write_text(path.read_text().replace('key = "refer-dermatology"', 'key = "no-builder"'))
    with pytest.raises(CardFileError, match="no-builder"):
        create_app(make_settings(tmp_path, cards_dir=str(cards)), clock=pinned_clock)


@pytest.mark.parametrize(
    ("raw", "forbidden"),
    [
        ("[link](https://evil.example)", "[link]("),
        ("<img src=x onerror=alert(1)>", "<img"),
        ("**bold**", "**"),
        ("line\n# heading", "\n#"),
        ("see https://evil.example/x", "https:"),
        ("see www.evil.example", "www\\."),
    ],
)
def test_escape_markdown_neutralises_chart_text(raw: str, forbidden: str) -> None:
    assert forbidden not in escape_markdown(raw)


@pytest.mark.parametrize("hidden", ["\x85", "\u2028", "\u2029", "\u202e", "\u2067", "\x1b"])
def test_chart_text_loses_line_breaks_and_direction_overrides(hidden: str) -> None:
    from cds_service.cardtext import plain

    raw = f"clobetasol{hidden}maerc"
    assert plain(raw) == "clobetasol maerc" and escape_markdown(raw) == "clobetasol maerc"


def test_counts_and_their_nouns_agree() -> None:
    from cds_service.cardtext import number_agreement

    assert number_agreement("recorded 1 days ago") == "recorded 1 day ago"
    assert number_agreement("recorded 11 days ago") == "recorded 11 days ago"
    assert number_agreement("1 skin-infection episode(s)") == "1 skin-infection episode"
    assert number_agreement("3 skin-infection episode(s)") == "3 skin-infection episodes"
    assert number_agreement("0.1 days, 0\\.1 days, 21 days") == "0.1 days, 0\\.1 days, 21 days"
    assert number_agreement("for 1 weeks") == "for 1 week"


def test_a_card_cites_its_guideline_or_label_not_the_projects_source_notes() -> None:
    """The source label is what the clinician sees as the citation: "seed 003 (mimics)" names
    a file of this project's research notes, which no clinician can look up."""
    for path in sorted(REPO_CARDS.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        label = data.get("source", {}).get("label", "")
        assert not re.search(r"\bseeds?\b", label, re.IGNORECASE), f"{path.name}: {label}"
