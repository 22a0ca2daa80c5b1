"""Driver-level statements store and compare exactly what SQLAlchemy Core would (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, insert, select

from cds_service.driversql import DriverStatement, _placeholders
from cds_service.repeats import RepeatGuard, advice_shown
from cds_service.storage import FeedbackStore, issued_card

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_rows_written_by_the_driver_read_back_through_core_as_core_wrote_them(
    store: FeedbackStore,
) -> None:
    card = {"uuid": "u1", "indicator": "info", "source": {"topic": {"code": "r1"}}}
    assert store.record_cards("svc", [card], "v1", T0) == 1
    with store.log_engine.begin() as conn:
        conn.execute(
            insert(issued_card),
            {
                "card_uuid": "u2",
                "rule_id": "r1",
                "indicator": "info",
                "service_id": "svc",
                "catalogue_version": "v1",
                "issued_at": T0,
            },
        )
        stored = conn.execute(select(issued_card.c.issued_at).order_by(issued_card.c.card_uuid))
        by_driver, by_core = [r[0] for r in stored]
    assert by_driver == by_core  # SQLite: the same naive text; PostgreSQL: the same instant
    assert (by_driver if by_driver.tzinfo else by_driver.replace(tzinfo=UTC)) == T0


def test_the_repeat_guard_remembers_and_finds_keys_within_the_window(store: FeedbackStore) -> None:
    guard = RepeatGuard(store.log_engine)
    guard._remember(["k1", "k2", "k1"], T0)  # a repeated key is stored once
    guard._remember(["k2"], T0 + timedelta(hours=1))  # remembered again: refreshed
    assert guard._seen(["k1", "k2", "k3"], T0 - timedelta(minutes=1)) == {"k1", "k2"}
    assert guard._seen(["k1", "k2"], T0 + timedelta(minutes=30)) == {"k2"}
    assert guard._seen(["k3"], T0 - timedelta(days=1)) == set()
    with store.log_engine.connect() as conn:
        core = conn.execute(
            select(advice_shown.c.advice_key).where(
                advice_shown.c.advice_key.in_(["k1", "k2"]),
                advice_shown.c.shown_at >= T0 + timedelta(minutes=30),
            )
        )
        assert {r[0] for r in core} == {"k2"}


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("qmark", "a = ? AND b IN (?, ?)"),
        ("format", "a = %s AND b IN (%s, %s)"),
        ("pyformat", "a = %s AND b IN (%s, %s)"),
        ("numeric", "a = :1 AND b IN (:2, :3)"),
        ("named", "a = :p0 AND b IN (:p1, :p2)"),
    ],
)
def test_placeholders_follow_the_driver_paramstyle(style: str, expected: str) -> None:
    assert _placeholders("a = ? AND b IN (?, ?)", style) == expected


def test_an_unknown_paramstyle_or_a_literal_percent_is_refused() -> None:
    with pytest.raises(ValueError):
        _placeholders("a = ?", "somethingelse")
    with pytest.raises(ValueError):
        _placeholders("a LIKE 'x%' AND b = ?", "format")


def test_one_column_per_placeholder() -> None:
    engine = create_engine("sqlite://")
    with pytest.raises(ValueError):
        DriverStatement(engine, "SELECT ? , ?", [advice_shown.c.advice_key])
    named = DriverStatement(engine, "SELECT ?", [advice_shown.c.advice_key])
    named.style = "named"
    assert named.params(["k"]) == {"p0": "k"}
