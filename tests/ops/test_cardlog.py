"""The issued-card log is written off the response path, and nothing queued is lost."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from cds_service import migrate
from cds_service.ops import cardlog
from cds_service.storage import FeedbackStore, make_engine
from tests.conftest import cards_for, load_fixture, post_hook

FIXTURE = "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
RULE = "tcs-potent-on-sensitive-site"


def _store(app: Flask) -> FeedbackStore:
    store: FeedbackStore = app.extensions["cds_runtime"].store
    return store


def test_the_background_writer_commits_the_cards_without_a_flush(
    app: Flask, client: FlaskClient
) -> None:
    cards = post_hook(client, load_fixture(FIXTURE)).get_json()["cards"]
    deadline = time.monotonic() + 5
    while len(_store(app).issued()) < len(cards) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert {r["card_uuid"] for r in _store(app).issued()} == {c["uuid"] for c in cards}


def test_feedback_right_after_the_answer_is_resolved_to_its_rule(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cardlog, "INTERVAL", 60.0)  # the writer would wait a minute
    card = cards_for(post_hook(client, load_fixture(FIXTURE)), RULE)[0]
    feedback = {"feedback": [{"card": card["uuid"], "outcome": "overridden",
                              "outcomeTimestamp": "2026-11-22T12:00:00Z"}]}  # fmt: skip
    response = client.post(f"/cds-services/{_service(app)}/feedback", json=feedback)
    assert response.status_code == 200, response.get_json()
    with _store(app).engine.connect() as conn:
        rules = [r[0] for r in conn.execute(text("SELECT rule_id FROM feedback"))]
    assert rules == [RULE]


def _service(app: Flask) -> str:
    return "eczema-order-sign"


def test_a_broken_database_costs_the_log_not_the_cards(app: Flask, client: FlaskClient) -> None:
    store = _store(app)
    store.log_engine.dispose()
    with store.log_engine.begin() as conn:
        conn.execute(text("DROP TABLE issued_card"))
    response = post_hook(client, load_fixture(FIXTURE))
    assert response.status_code == 200 and cards_for(response, RULE)
    before = _failures(app)
    cardlog.flush_issued(store)
    assert _failures(app) == before + len(response.get_json()["cards"])


def test_a_full_queue_refuses_rows_without_blocking(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cardlog, "MAX_QUEUED", 0)
    before = _failures(app)
    response = post_hook(client, load_fixture(FIXTURE))
    assert response.status_code == 200
    assert _failures(app) == before + len(response.get_json()["cards"])


def _failures(app: Flask) -> float:
    value: Any = app.extensions["cds_metrics"].card_log_failures._value.get()
    return float(value)


def test_rows_queued_at_a_normal_exit_are_written(tmp_path: Path) -> None:
    """A worker that exits (SIGTERM from gunicorn ends in sys.exit) flushes its queue."""
    url = f"sqlite:///{tmp_path / 'exit.sqlite3'}"
    migrate.upgrade(FeedbackStore(make_engine(url)).engine)
    script = f"""
import datetime, sys
from cds_service.ops import cardlog
from cds_service.storage import FeedbackStore, make_engine
cardlog.INTERVAL = 60.0
store = FeedbackStore(make_engine({url!r}))
card = {{"uuid": "u-exit", "indicator": "info", "source": {{"topic": {{"code": "r"}}}}}}
now = datetime.datetime(2026, 11, 22, tzinfo=datetime.UTC)
cardlog.writer_for(store).add(store.card_rows("svc", [card], "v", now))
sys.exit(0)
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert [r["card_uuid"] for r in FeedbackStore(make_engine(url)).issued()] == ["u-exit"]


def test_closing_the_store_writes_what_is_queued_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store closed within the writer's interval (a test's throw-away database, a shutdown)
    gets its queued rows before its connections go: none written later to a removed file."""
    monkeypatch.setattr(cardlog, "INTERVAL", 60.0)  # the writer would wait a minute
    url = f"sqlite:///{tmp_path / 'cards.sqlite3'}"
    store = FeedbackStore(make_engine(url))
    migrate.upgrade(store.engine)
    card = {"uuid": "c-1", "indicator": "warning", "source": {"topic": {"code": RULE}}}
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    cardlog.writer_for(store).add(store.card_rows("svc", [card], "v", now))
    store.dispose()
    reopened = FeedbackStore(make_engine(url))
    assert [r["card_uuid"] for r in reopened.issued()] == ["c-1"]
    reopened.dispose()
