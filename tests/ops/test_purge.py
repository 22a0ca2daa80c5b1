"""`purge`: rows past their use go, in batches, feedback stays unless a setting says otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, insert, select

from cds_service import migrate
from cds_service.auth.replay import seen_tokens
from cds_service.ops import purge as p
from cds_service.ops.cli import main
from cds_service.repeats import advice_shown
from cds_service.storage import FeedbackStore, feedback, issued_card, make_engine

CARD_COLUMNS = ("card_uuid", "rule_id", "indicator", "service_id", "catalogue_version", "issued_at")
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
OLD, RECENT = NOW - timedelta(days=100), NOW - timedelta(days=10)


def card_rows(prefix: str, n: int, when: datetime) -> list[tuple[Any, ...]]:
    return [(f"{prefix}-{i}", "emollient-not-prescribed", "info", "s", "v", when) for i in range(n)]


def seed(engine: Engine, old_cards: int = 2500) -> FeedbackStore:
    store = FeedbackStore(engine)
    migrate.upgrade(engine)
    store.insert_card_rows(card_rows("old", old_cards, OLD) + card_rows("new", 10, RECENT))
    store.insert_card_rows(card_rows("answered", 1, OLD))
    entry = {"card": "answered-0", "outcome": "accepted", "outcomeTimestamp": OLD.isoformat()}
    store.add_resolved("s", [entry], now=OLD)
    store.add_resolved("s", [{**entry, "card": "new-0"}], now=RECENT)
    with engine.begin() as conn:
        stamp = int(NOW.timestamp())
        conn.execute(
            insert(seen_tokens),
            [
                {"iss": "i", "jti": "expired", "expires_at": stamp - 1},
                {"iss": "i", "jti": "live", "expires_at": stamp + 300},
            ],
        )
        conn.execute(
            insert(advice_shown),
            [
                {"advice_key": "stale", "shown_at": NOW - timedelta(hours=13)},
                {"advice_key": "fresh", "shown_at": NOW - timedelta(hours=1)},
            ],
        )
    return store


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def keys(engine: Engine, column: Any) -> set[Any]:
    with engine.connect() as conn:
        return set(conn.execute(select(column)).scalars())


def test_rows_past_their_use_go_and_feedback_stays(engine: Engine) -> None:
    seed(engine)
    counts = p.purge(engine, older_than=timedelta(days=90), now=NOW, pause=0)
    assert counts == {
        "issued cards": 2500,
        "replay records": 1,
        "repeat-guard records": 1,
    }
    assert keys(engine, seen_tokens.c.jti) == {"live"}
    assert keys(engine, advice_shown.c.advice_key) == {"fresh"}
    left = keys(engine, issued_card.c.card_uuid)
    assert left == {f"new-{i}" for i in range(10)} | {"answered-0"}  # answered: still reported
    assert count(engine, feedback) == 2


def test_feedback_goes_only_with_its_own_setting_and_frees_its_card(engine: Engine) -> None:
    seed(engine, old_cards=3)
    counts = p.purge(
        engine,
        older_than=timedelta(days=90),
        feedback_older_than=timedelta(days=30),
        now=NOW,
        pause=0,
    )
    assert counts["feedback"] == 1 and counts["issued cards"] == 4
    assert keys(engine, feedback.c.card_uuid) == {"new-0"}
    assert "answered-0" not in keys(engine, issued_card.c.card_uuid)


def test_each_batch_is_its_own_commit_and_the_lock_is_free_between(engine: Engine) -> None:
    seed(engine)
    commits: list[int] = []
    event.listen(engine, "commit", lambda conn: commits.append(1))
    writes = []

    def meanwhile(_seconds: float) -> None:
        # A hook call's write between batches gets the lock at once: on SQLite a second
        # connection that does not wait (busy_timeout 0) would fail if a batch still held it.
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout=0")
            row = card_rows(f"during-{len(writes)}", 1, NOW)[0]
            conn.execute(insert(issued_card), [dict(zip(CARD_COLUMNS, row, strict=True))])
            conn.commit()
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout=30000")
                conn.commit()
        writes.append(1)

    counts = p.purge(
        engine, older_than=timedelta(days=90), now=NOW, batch_size=1000, sleep=meanwhile
    )
    assert counts["issued cards"] == 2500
    assert len(writes) == 2  # after the two full batches; the third (500) ends the loop
    assert len(commits) >= 3  # 1000 + 1000 + 500, each committed on its own
    assert {"during-0-0", "during-1-0"} <= keys(engine, issued_card.c.card_uuid)


def test_dry_run_counts_and_removes_nothing(engine: Engine) -> None:
    seed(engine, old_cards=5)
    counts = p.purge(engine, older_than=timedelta(days=90), now=NOW, dry_run=True)
    assert counts["issued cards"] == 5 and counts["replay records"] == 1
    assert count(engine, issued_card) == 16


def test_missing_tables_are_skipped(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert p.purge(engine, older_than=timedelta(days=1), now=NOW) == {}
    engine.dispose()


@pytest.mark.parametrize(
    ("text", "age"),
    [("90d", timedelta(days=90)), ("12h", timedelta(hours=12)), ("2w", timedelta(weeks=2)),
     ("30", timedelta(days=30))],
)  # fmt: skip
def test_ages_are_read_in_days_hours_or_weeks(text: str, age: timedelta) -> None:
    assert p.parse_age(text) == age


@pytest.mark.parametrize("text", ["90 days", "-1d", "1.5d", ""])
def test_an_unreadable_age_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="older-than"):
        p.parse_age(text)


def test_cli_uses_the_retention_setting_and_says_feedback_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = make_engine(url)
    store = FeedbackStore(engine)
    migrate.upgrade(engine)
    now = datetime.now(UTC)
    store.insert_card_rows(
        card_rows("d40", 2, now - timedelta(days=40)) + card_rows("d10", 1, now - timedelta(10))
    )
    engine.dispose()
    store.dispose()
    monkeypatch.setenv("CDS_RETENTION_DAYS", "30")
    assert main(["purge", "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert "removed 2 issued cards" in out and "feedback kept" in out
    assert main(["purge", "--database-url", url, "--older-than", "5d", "--dry-run"]) == 0
    assert "would remove 1 issued cards" in capsys.readouterr().out
    assert main(["purge", "--database-url", url, "--older-than", "0d"]) == 1
