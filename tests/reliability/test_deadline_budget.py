"""The hook deadline bounds the whole call: FHIR I/O stops early enough for its grace period
and the rules, and the repeat guard's database is not waited on when too little time is left."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from cds_service import create_app
from tests.conftest import FIXTURES, cards_for, load_fixture, make_settings, pinned_clock, post_hook

REMINDER = FIXTURES / "emollient-not-prescribed/emollient-cancelled-only-sign-in.json"
RULE = "emollient-not-prescribed"


def _twice(tmp_path: Path, **settings: Any) -> tuple[int, int]:
    app = create_app(make_settings(tmp_path, **settings), clock=pinned_clock)
    client = app.test_client()
    body = load_fixture(REMINDER)
    first = len(cards_for(post_hook(client, body), RULE))
    again = copy.deepcopy(body)
    again["hookInstance"] = "another-call-of-the-same-patient"
    second = len(cards_for(post_hook(client, again), RULE))
    app.extensions["cds_runtime"].store.dispose()
    return first, second


def test_the_once_per_patient_reminder_is_muted_on_the_next_call(tmp_path: Path) -> None:
    assert _twice(tmp_path) == (1, 0)


def test_without_time_for_the_database_the_guard_is_skipped_not_waited_on(tmp_path: Path) -> None:
    # A deadline shorter than the database's busy timeout: waiting on a lock could outlast it.
    assert _twice(tmp_path, hook_deadline_seconds=0.5, db_busy_timeout_seconds=1.0) == (1, 1)
