"""Another process holds the SQLite write lock: nothing waits past the busy timeout.

Before: the busy timeout was 30 s, gunicorn's worker timeout; feedback got gunicorn's HTML 500
after 30.2 s and a hook call took 30.2 s against a 2.5 s deadline. Now: hooks answer (without
the repeat guard's write), feedback is a 503 with Retry-After and stores nothing, /readyz is 503.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cds_service import create_app
from cds_service.storage import FeedbackStore, make_engine
from tests.conftest import cards_for, load_fixture, make_settings, pinned_clock

BUSY = 0.3
BOUND = 3.0  # generous: the busy timeout is 0.3 s, the hook deadline 2.5 s
SELECT_FIXTURE = "tcs-incomplete-prescription/order-select-incomplete-selected-in.json"
FEEDBACK = {
    "feedback": [
        {
            "card": "9368d37b-283f-44a0-93ea-547cebab93ed",
            "outcome": "overridden",
            "outcomeTimestamp": "2026-11-22T12:00:00Z",
        }
    ]
}


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "locked.sqlite3"


@pytest.fixture
def app(tmp_path: Path, db_file: Path) -> Iterator[Flask]:
    settings = make_settings(
        tmp_path, database_url=f"sqlite:///{db_file}", db_busy_timeout_seconds=BUSY
    )
    application = create_app(settings, clock=pinned_clock)
    yield application
    application.extensions["cds_runtime"].store.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@contextmanager
def write_locked(path: Path) -> Iterator[None]:
    """Hold the database's write lock from another connection, as another process would."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN EXCLUSIVE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


def timed(call):  # noqa: ANN001, ANN201
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_feedback_is_503_with_retry_after_and_nothing_stored(
    client: FlaskClient, app: Flask, db_file: Path
) -> None:
    url = "/cds-services/eczema-order-sign/feedback"
    with write_locked(db_file):
        response, seconds = timed(lambda: client.post(url, json=FEEDBACK))
    assert response.status_code == 503, response.data
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json()["resourceType"] == "OperationOutcome"
    assert "stored" not in response.get_json()
    assert seconds < BOUND
    assert app.extensions["cds_runtime"].store.count() == 0
    assert client.post(url, json=FEEDBACK).get_json() == {"stored": 1}  # lock gone: stored


def test_readyz_fails_while_the_store_cannot_write(client: FlaskClient, db_file: Path) -> None:
    assert client.get("/readyz").status_code == 200
    with write_locked(db_file):
        response, seconds = timed(lambda: client.get("/readyz"))
    assert response.status_code == 503 and seconds < BOUND
    assert client.get("/readyz").status_code == 200


def test_a_read_only_database_is_not_writable(
    app: Flask, db_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app.extensions["cds_runtime"].store.writable() is None
    cwd = tmp_path / "cwd"  # the file: URI once made a directory named "file:" here
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    url = f"sqlite:///file:{db_file}?mode=ro&uri=true"
    read_only = FeedbackStore(make_engine(url, busy_timeout=BUSY))
    try:
        assert read_only.ping()  # it answers reads...
        # ...but feedback could not be stored: the write is refused, not the directory unread
        assert read_only.writable() == "OperationalError"
    finally:
        read_only.dispose()
    assert list(cwd.iterdir()) == []


def test_hooks_answer_without_the_repeat_guard_while_locked(
    client: FlaskClient, db_file: Path
) -> None:
    select = load_fixture(SELECT_FIXTURE)
    with write_locked(db_file):
        for _ in range(3):  # order-select writes the repeat guard's keys: it cannot, so it skips
            response, seconds = timed(
                lambda: client.post("/cds-services/eczema-order-select", json=select)
            )
            assert response.status_code == 200 and seconds < BOUND
            assert len(cards_for(response, "tcs-incomplete-prescription")) == 1
