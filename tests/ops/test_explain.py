"""`python -m cds_service explain`: fired or silent and why, per rule, with no network."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest

from cds_service.ops.cli import main
from tests.conftest import FIXTURES, load_fixture

NOW = "2026-11-22T12:00Z"
TCS = "tcs-potent-on-sensitive-site"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("explain must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    assert main(["explain", *args, "--now", NOW, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    "path", sorted(FIXTURES.glob("*/*.json")), ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_explain_agrees_with_every_fixture(
    path: Path, capsys: pytest.CaptureFixture[str], no_network: None
) -> None:
    rule = path.parent.name
    if not path.stem.endswith(("-in", "-out")):
        pytest.skip("not a rule fixture")
    [item] = run_json(capsys, str(path))
    steps = [s for s in item["rules"] if s["rule"] == rule]
    if not steps:  # the rule does not run on this hook: only an "-out" fixture may say so
        assert path.stem.endswith("-out")
        assert rule not in [c["source"]["topic"]["code"] for c in item["cards"]]
        return
    [step] = steps
    assert step["outcome"] == ("fired" if path.stem.endswith("-in") else "silent")
    assert step["why"]
    fired_rules = sorted(c["source"]["topic"]["code"] for c in item["cards"])
    assert fired_rules == sorted(s["rule"] for s in item["rules"] if s["outcome"] == "fired")


def test_text_output_names_every_rule_and_the_card(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_network: None
) -> None:
    body = load_fixture(f"{TCS}/clobetasol-eyelid-coded-age-30-in.json")
    body["fhirServer"] = "https://fhir.example.org/r4"  # ignored: explain stays offline
    path = tmp_path / "request.json"
    path.write_text(json.dumps(body))
    assert main(["explain", str(path), "--now", NOW]) == 0
    out = capsys.readouterr().out
    assert f"fired  {TCS}: clobetasol" in out
    assert "silent patch-test-suggested: " in out
    assert "offline: prefetch only" in out
    assert "[warning] " in out and re.search(r"cards: [1-9]", out)


def test_missing_data_is_explained_not_raised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_network: None
) -> None:
    body = load_fixture(f"{TCS}/clobetasol-eyelid-coded-age-30-in.json")
    del body["prefetch"]["patient"]
    path = tmp_path / "request.json"
    path.write_text(json.dumps(body))
    assert main(["explain", str(path), "--now", NOW]) == 1
    assert "error 412" in capsys.readouterr().out


def test_unreadable_file_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "/nonexistent/request.json"]) == 1
    assert capsys.readouterr().err.startswith("error: ")


def test_seed_bundle_puts_every_prefetch_resource_once(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "patch-test-suggested/allergic-contact-dermatitis-coded-in.json"
    assert main(["seed-bundle", str(path)]) == 0
    bundle = json.loads(capsys.readouterr().out)
    assert bundle["type"] == "transaction"
    urls = [e["request"]["url"] for e in bundle["entry"]]
    assert "Patient/patch-acd" in urls and "Condition/patch-acd-ad" in urls
    assert len(urls) == len(set(urls))
    assert all(e["request"]["method"] == "PUT" for e in bundle["entry"])
    assert all(e["resource"]["id"] == e["request"]["url"].split("/")[1] for e in bundle["entry"])
