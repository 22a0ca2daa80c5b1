"""What the service says about its database: the start-up warning when it cannot be reached,
and /readyz noticing, within `SCHEMA_RECHECK_SECONDS`, a schema that fell behind."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import text

from cds_service import create_app, migrate, storage
from cds_service.dbengine import make_engine
from cds_service.storage import FeedbackStore
from tests.conftest import make_settings, pinned_clock

DOWN = "postgresql+psycopg://cds:s3cret-pw@127.0.0.1:1/cds"  # nothing listens on port 1


def test_start_up_with_the_database_down_says_unreachable_not_behind(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="cds_service.runtime")
    app = create_app(make_settings(None, database_url=DOWN), clock=pinned_clock)
    try:
        [record] = [r for r in caplog.records if r.name == "cds_service.runtime"]
        assert record.getMessage().startswith("database could not be reached")
        assert record.reason == "database unreachable (OperationalError)"  # type: ignore[attr-defined]
        assert "behind" not in record.getMessage()
        assert "s3cret" not in str(vars(record)) and "s3cret" not in caplog.text
        assert app.test_client().get("/readyz").status_code == 503
    finally:
        app.extensions["cds_runtime"].store.dispose()


def test_the_start_up_warning_names_what_is_known() -> None:
    assert "behind" in migrate.startup_warning("database schema at no revision, code needs x")
    unread = migrate.startup_warning("schema version unreadable (ProgrammingError)")
    assert "could not be read" in unread and "behind" not in unread


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_passed_schema_check_is_trusted_for_a_bounded_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'recheck.sqlite3'}")
    migrate.upgrade(engine)
    clock, reads = FakeClock(), []
    real = migrate.schema_problem
    monkeypatch.setattr(migrate, "schema_problem", lambda eng: reads.append(1) or real(eng))
    store = FeedbackStore(engine, monotonic=clock)
    try:
        assert store.schema_problem() is None and len(reads) == 1
        with engine.begin() as conn:  # restored from a backup older than this code's head
            conn.execute(text("DELETE FROM alembic_version"))
        clock.now += storage.SCHEMA_RECHECK_SECONDS - 0.1
        assert store.schema_problem() is None and len(reads) == 1  # cheap: no query yet
        clock.now += 0.1
        assert "code needs" in (store.schema_problem() or "") and len(reads) == 2
        assert store.schema_problem() is not None and len(reads) == 3  # a problem: every probe
        migrate.upgrade(engine)  # adopts the tables: at head again
        assert store.schema_problem() is None and len(reads) == 4  # the next probe sees it
    finally:
        store.dispose()


def test_readyz_turns_not_ready_when_the_schema_falls_behind(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path), clock=pinned_clock)
    store = app.extensions["cds_runtime"].store
    store.monotonic = clock = FakeClock()
    client = app.test_client()
    try:
        assert client.get("/readyz").status_code == 200
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM alembic_version"))
        assert client.get("/readyz").status_code == 200  # within the interval: remembered
        clock.now += storage.SCHEMA_RECHECK_SECONDS
        assert client.get("/readyz").status_code == 503
    finally:
        store.dispose()
