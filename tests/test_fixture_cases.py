"""Generated fixtures stay in step with their compact cases (`fixtures/<rule-id>/cases.toml`).

`tests/test_fixtures.py` checks every fixture's rule fires or stays silent; here: the
committed JSON is what the cases generate, and an "-in" case's card has its indicator.
"""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, cards_for, post_hook
from tests.hookcall import HookCaller
from tests.realistic import fixturegen

CASES = fixturegen.load(FIXTURES)


def test_committed_fixtures_are_what_the_cases_generate(tmp_path) -> None:
    written = fixturegen.write(FIXTURES, out_dir=tmp_path)
    assert written, "no compact cases found under fixtures/"
    for path in written:
        committed = FIXTURES / path.relative_to(tmp_path)
        assert committed.is_file(), f"{committed} missing: run `python -m cds_service fixtures`"
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{committed} differs from its case: run `python -m cds_service fixtures`"
        )
    assert fixturegen.stale(FIXTURES) == []


@pytest.mark.parametrize(
    "fixture",
    [c for c in CASES if c.indicator],
    ids=[f"{c.rule_id}/{c.name}" for c in CASES if c.indicator],
)
def test_in_case_card_has_its_indicator(hooks: HookCaller, fixture: fixturegen.FixtureCase) -> None:
    (card,) = cards_for(post_hook(hooks, fixture.case.request()), fixture.rule_id)
    assert card["indicator"] == fixture.indicator


def test_an_edited_case_makes_its_fixture_stale(tmp_path) -> None:
    rule_dir = tmp_path / "some-rule"
    rule_dir.mkdir()
    case = '[[case]]\nname = "x-in"\nhook = "order-sign"\nreason = "r"\nage = {age}\n'
    (rule_dir / fixturegen.CASES_FILE).write_text(case.format(age=30), encoding="utf-8")
    assert fixturegen.stale(tmp_path) == ["some-rule/x-in.json"]  # not written yet
    fixturegen.write(tmp_path)
    assert fixturegen.stale(tmp_path) == []
    (rule_dir / fixturegen.CASES_FILE).write_text(case.format(age=31), encoding="utf-8")
    assert fixturegen.stale(tmp_path) == ["some-rule/x-in.json"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ('name = "x-in"\nhook = "order-sign"\nreason = "r"\nagee = 3', "unknown keys"),
        ('name = "x"\nhook = "order-sign"\nreason = "r"', "-in or -out"),
        ('name = "x-in"\nhook = "order-dispatch"\nreason = "r"', "hook must be"),
        ('name = "x-in"\nhook = "order-sign"', "clinical reason"),
        ('name = "x-out"\nhook = "order-sign"\nreason = "r"\nindicator = "info"', "-in cases"),
    ],
)
def test_a_malformed_case_is_refused(tmp_path, row: str, message: str) -> None:
    (tmp_path / "some-rule").mkdir()
    (tmp_path / "some-rule" / fixturegen.CASES_FILE).write_text(f"[[case]]\n{row}\n", "utf-8")
    with pytest.raises(ValueError, match=message):
        fixturegen.load(tmp_path)
