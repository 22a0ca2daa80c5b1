"""A rule that raises stays silent; the other rules still answer; the log names no data."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest

from cds_service.rules import Finding, Rule, Silent, evaluate_all


def _boom(picture: Any) -> Any:
    raise ValueError("Jane Doe, born 1990-04-05")  # as if an exception quoted chart data


def _fires(picture: Any) -> Any:
    return Finding(rule_id="fires", reason="because")


def _rule(rule_id: str, fn: Any) -> Rule:
    return Rule(rule_id, frozenset({"order-sign"}), frozenset(), fn)


def test_a_failing_rule_is_silent_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    picture = SimpleNamespace(unavailable=frozenset())
    with caplog.at_level(logging.ERROR):
        (boom, failed), (fires, fired) = evaluate_all(
            [_rule("boom", _boom), _rule("fires", _fires)],
            picture,  # type: ignore[arg-type]
        )
    assert boom.id == "boom" and isinstance(failed, Silent)
    assert failed.reason.startswith("rule failed (ValueError at test_rule_failure.py:")
    assert fires.id == "fires" and isinstance(fired, Finding)
    [record] = [r for r in caplog.records if r.getMessage() == "rule failed"]
    assert record.rule == "boom" and record.error == "ValueError"  # type: ignore[attr-defined]
    assert "Jane" not in caplog.text and "1990" not in caplog.text
