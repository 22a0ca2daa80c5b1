"""A validly signed token the replay store cannot record is a 503 (retry), never a 401.

Before: a PostgreSQL outage made every JWT call "Authentication failed", so the EHR saw a
credentials problem. Here the SQLite file is write-locked by another connection.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from flask import Flask

from cds_service import create_app
from tests.auth.test_guard import bearer, jwt_settings
from tests.auth.tokens import KeyPair
from tests.conftest import pinned_clock


def test_replay_store_down_is_503_with_retry_after(tmp_path: Path, ec384: KeyPair) -> None:
    db_file = tmp_path / "replay.sqlite3"
    settings = jwt_settings(
        tmp_path, ec384, database_url=f"sqlite:///{db_file}", db_busy_timeout_seconds=0.3
    )
    app: Flask = create_app(settings, clock=pinned_clock)
    client = app.test_client()
    other = sqlite3.connect(db_file, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        response = client.get("/cds-services", headers=bearer(ec384, "/cds-services"))
        assert time.monotonic() - started < 3.0  # generous: busy timeout 0.3 s
        assert response.status_code == 503
        assert response.headers["Retry-After"].isdigit()
        assert "WWW-Authenticate" not in response.headers
        other.execute("ROLLBACK")
        response = client.get("/cds-services", headers=bearer(ec384, "/cds-services"))
        assert response.status_code == 200
    finally:
        other.close()
        app.extensions["cds_runtime"].store.dispose()
