"""Issued-card log and feedback rule ids, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from cds_service.ops.report import UNKNOWN, build_report
from cds_service.storage import FeedbackStore

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def card(uuid: str, rule: str = "tcs-potent-on-sensitive-site", indicator: str = "warning") -> Any:
    return {"uuid": uuid, "indicator": indicator, "source": {"topic": {"code": rule}}}


def fb(uuid: str, outcome: str, code: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"card": uuid, "outcome": outcome, "outcomeTimestamp": "2026-11-22"}
    if code:
        entry["overrideReason"] = {"reason": {"code": code, "display": f"display {code}"}}
    return entry


def test_issued_cards_are_recorded_without_patient_fields(store: FeedbackStore) -> None:
    assert (
        store.record_cards(
            "svc", [card("u1"), card("u2", "patch-test-suggested", "info")], "v1", T0
        )
        == 2
    )
    rows = store.issued()
    assert [(r["card_uuid"], r["rule_id"], r["indicator"]) for r in rows] == [
        ("u1", "tcs-potent-on-sensitive-site", "warning"),
        ("u2", "patch-test-suggested", "info"),
    ]
    assert set(rows[0]) == {
        "card_uuid", "rule_id", "indicator", "service_id", "catalogue_version", "issued_at",
    }  # fmt: skip
    assert rows[0]["catalogue_version"] == "v1" and rows[0]["service_id"] == "svc"


def test_no_cards_means_no_write(store: FeedbackStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_connection() -> None:
        raise AssertionError("the no-card path must not touch the database")

    monkeypatch.setattr(store.engine, "begin", no_connection)
    monkeypatch.setattr(store.log_engine, "begin", no_connection)
    assert store.record_cards("svc", [], "v1", T0) == 0


def test_feedback_gets_the_rule_of_its_card_and_none_when_unknown(store: FeedbackStore) -> None:
    store.record_cards("svc", [card("known")], "v1", T0)
    resolved = store.add_resolved(
        "svc", [fb("known", "accepted"), fb("never-issued", "overridden")]
    )
    assert resolved == [("tcs-potent-on-sensitive-site", "accepted"), (None, "overridden")]
    assert [e["rule_id"] for e in store.entries()] == ["tcs-potent-on-sensitive-site", None]


def test_report_counts_per_rule_with_reasons_and_period(store: FeedbackStore) -> None:
    cards = [card(f"t{i}") for i in range(4)] + [card("p0", "patch-test-suggested", "info")]
    store.record_cards("svc", cards, "v1", T0)
    store.record_cards("svc", [card("old")], "v0", T0 - timedelta(days=40))
    store.add_resolved(
        "svc",
        [fb("t0", "accepted"), fb("t1", "overridden", "derm"), fb("t2", "overridden", "derm")]
        + [fb("t3", "overridden", "other"), fb("ghost", "accepted")],
        now=T0 + timedelta(hours=1),
    )
    rows = build_report(store.engine, since=T0 - timedelta(days=30), until=T0 + timedelta(days=1))
    by_rule = {(r.rule_id, r.version): r for r in rows}
    tcs = by_rule[("tcs-potent-on-sensitive-site", "v1")]
    assert (tcs.shown, tcs.accepted, tcs.overridden) == (4, 1, 3)
    assert tcs.acceptance_rate == 0.25
    assert dict(tcs.reasons) == {"display derm": 2, "display other": 1}
    patch = by_rule[("patch-test-suggested", "v1")]
    assert (patch.shown, patch.accepted, patch.acceptance_rate) == (1, 0, None)
    assert by_rule[(UNKNOWN, "")].accepted == 1
    assert ("tcs-potent-on-sensitive-site", "v0") not in by_rule  # issued before the period
    everything = build_report(store.engine)
    assert {(r.rule_id, r.version) for r in everything} >= {("tcs-potent-on-sensitive-site", "v0")}


def test_cards_skip_the_fsync_and_feedback_stays_fully_synchronous(store: FeedbackStore) -> None:
    store.record_cards("svc", [card("a")], "v1", T0)
    store.record_cards("svc", [card("b")], "v1", T0)
    assert [r["card_uuid"] for r in store.issued()] == ["a", "b"]
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        with store.log_engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    else:
        assert store.log_engine is store.engine


def test_a_duplicate_uuid_fails_cleanly_and_the_store_keeps_working(store: FeedbackStore) -> None:
    store.record_cards("svc", [card("dup")], "v1", T0)
    with pytest.raises(IntegrityError):
        store.record_cards("svc", [card("dup")], "v1", T0)
    store.record_cards("svc", [card("after")], "v1", T0)
    assert [r["card_uuid"] for r in store.issued()] == ["dup", "after"]


def test_nul_characters_are_stored_as_replacement_characters(store: FeedbackStore) -> None:
    """PostgreSQL text refuses NUL: such an entry used to fail the whole batch for ever (503)."""
    entry = fb("card\x00one", "overridden")
    entry["overrideReason"] = {"userComment": "not\x00relevant"}
    assert store.add("svc", [entry, fb("card-two", "accepted")]) == 2
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT card_uuid, user_comment FROM feedback ORDER BY id"))
        assert [tuple(r) for r in rows] == [
            ("card\ufffdone", "not\ufffdrelevant"),
            ("card-two", None),
        ]
