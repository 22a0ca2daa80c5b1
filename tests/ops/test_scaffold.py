"""`new-rule` scaffolds a rule that passes the suite's rule checks with nothing else edited."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from cds_service.ops import scaffold
from tests.conftest import ROOT

# What a clone holds beside the sources: never copied (caches, environments, outputs).
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv*", "__pycache__", "*_cache", ".hypothesis", "build", "instance", "*.sqlite3"
)
# The suite's checks that concern rules, run in the copy after the scaffold.
RULE_CHECKS = (
    "tests/test_fixtures.py",
    "tests/test_fixture_cases.py",
    "tests/test_readme.py",
    "tests/test_cards.py",
    "tests/terminology/test_valuesets.py",
    "tests/terminology/test_valueset_files.py",
)


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.slow
def test_scaffolded_rules_pass_the_rule_checks_in_a_fresh_copy(tmp_path: Path) -> None:
    copy = tmp_path / "clone"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED)
    for rule_id, hook in (("demo-sign-check", "order-sign"), ("demo-chart-check", "patient-view")):
        done = _run(copy, "-m", "cds_service", "new-rule", rule_id, "--hook", hook)
        assert done.returncode == 0, done.stderr
        stems = sorted(p.stem for p in (copy / "fixtures" / rule_id).glob("*.json"))
        assert [s.rsplit("-", 1)[1] for s in stems] == ["out", "in"], stems
    assert "`demo-sign-check` | sign |" in (copy / "README.md").read_text("utf-8")
    done = _run(copy, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *RULE_CHECKS)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_an_existing_or_malformed_rule_id_is_refused() -> None:
    with pytest.raises(ValueError, match="is not new"):
        scaffold.check_rule_id(ROOT, "crisaborole-age", "order-sign")
    for bad in ("Crisaborole", "nohyphen", "two--hyphens", "tcs-check-", "tcs-new-check\n"):
        with pytest.raises(ValueError, match="lower-case words"):
            scaffold.check_rule_id(ROOT, bad, "order-sign")
    with pytest.raises(ValueError, match="hook"):
        scaffold.check_rule_id(ROOT, "tcs-new-check", "order-dispatch")


@pytest.mark.parametrize(
    ("old", "today", "new"),
    [
        ("2026.12.0", date(2026, 11, 30), "2026.12.1"),  # a catalogue dated ahead: next number
        ("2026.12.1", date(2026, 12, 5), "2026.12.2"),
        ("2026.12.3", date(2027, 1, 2), "2027.01.0"),  # a later month starts again at 0
    ],
)
def test_the_catalogue_version_is_bumped(tmp_path: Path, old: str, today: date, new: str) -> None:
    path = tmp_path / "catalogue.toml"
    path.write_text(f'# the catalogue\nversion = "{old}"\n', encoding="utf-8")
    assert scaffold.bump_catalogue(path, today) == new
    assert path.read_text(encoding="utf-8") == f'# the catalogue\nversion = "{new}"\n'


def test_fixtures_command_needs_a_source_checkout(tmp_path: Path) -> None:
    from argparse import Namespace

    from cds_service.ops import authoring

    with pytest.raises(ValueError, match="source checkout"):
        authoring.run(Namespace(command="fixtures", check=True), root=tmp_path)
