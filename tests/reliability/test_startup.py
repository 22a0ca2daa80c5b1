"""Start-up faults stop the service with one line naming the file and the problem, exit non-zero."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cds_service import create_app
from cds_service.runtime import REPO_CARDS
from cds_service.terminology import TerminologyError, terminology
from tests.conftest import make_settings, pinned_clock

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _cards_with(tmp_path: Path, name: str, text: str) -> Path:
    cards = tmp_path / "cards"
    shutil.copytree(REPO_CARDS, cards)
    (cards / name).write_text(text)
    return cards


def _broken_terminology(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    data = tmp_path / "terminology"
    shutil.copytree(terminology.DATA_DIR, data)
    (data / "valuesets" / "topical-corticosteroid.json").write_text(text)
    monkeypatch.setattr(terminology, "DATA_DIR", data)


@pytest.mark.parametrize(
    "text", ["{not json", '{"resourceType": "CodeSystem"}', '{"resourceType": "ValueSet"}']
)
def test_value_set_that_does_not_load_stops_start_up_naming_it(tmp_path, monkeypatch, text) -> None:
    _broken_terminology(tmp_path, monkeypatch, text)
    with pytest.raises(TerminologyError, match="topical-corticosteroid.json"):
        create_app(make_settings(tmp_path), clock=pinned_clock)


def _serve(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Start gunicorn as `make serve` does, with extra CDS_* variables; wait for it to stop."""
    environ = {
        **os.environ,
        "CDS_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CDS_BIND_HOST": "127.0.0.1",
        "CDS_AUTH_MODE": "off",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    command = [str(GUNICORN), "--workers", "2", "--bind", "127.0.0.1:0"]
    return subprocess.run(
        [*command, "cds_service:create_app()"],
        cwd=ROOT,  # gunicorn reads ./gunicorn.conf.py from here, as under `make serve`
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _failure_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [
        ln for ln in result.stderr.splitlines() if ln.startswith("cds-service: start-up failed")
    ]


@pytest.mark.parametrize(
    ("file_name", "text", "problem"),
    [
        ("patch-test-suggested.toml", 'rule = "patch-test-suggested"\nsummary = ', "Invalid"),
        ("no-such-rule.toml", 'rule = "no-such-rule"', "no-such-rule"),
    ],
)
def test_gunicorn_stops_on_a_bad_card_file_with_one_line(tmp_path, file_name, text, problem):
    cards = _cards_with(tmp_path, file_name, text)
    result = _serve(tmp_path, CDS_CARDS_DIR=str(cards))
    assert result.returncode != 0
    lines = _failure_lines(result)
    assert lines, result.stderr[-2000:]
    assert file_name in lines[0] and problem in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read trusted issuers"),  # no such file
        ("", "cannot read trusted issuers"),  # a directory
        ("[[issuers]\n", "not valid TOML"),
        ('[[issuers]]\niss = ""\n', "'iss' must be a non-empty string"),
    ],
)
def test_gunicorn_stops_on_an_unreadable_issuer_file_with_one_line(tmp_path, content, problem):
    path = tmp_path / "issuers.toml"
    if content == "":
        path.mkdir()
    elif content is not None:
        path.write_text(content)
    result = _serve(tmp_path, CDS_AUTH_MODE="jwt", CDS_TRUSTED_ISSUERS=str(path))
    assert result.returncode != 0
    lines = _failure_lines(result)
    assert lines, result.stderr[-2000:]
    assert str(path) in lines[0] and problem in lines[0]
    assert "Traceback" not in result.stderr


def test_a_malformed_setting_stops_start_up_naming_the_variable(tmp_path) -> None:
    result = _serve(tmp_path, CDS_HOOK_DEADLINE_SECONDS="soon")
    assert result.returncode != 0
    assert "CDS_HOOK_DEADLINE_SECONDS" in _failure_lines(result)[0]
