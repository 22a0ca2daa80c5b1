"""What the service says about its database: the start-up warning when it cannot be reached."""

from __future__ import annotations

import logging

import pytest

from cds_service import create_app, migrate
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
