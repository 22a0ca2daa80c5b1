"""Retention: remove rows past their use, in small transactions, while the service runs.

- `issued_card` rows older than the retention period. Rows whose card has feedback are kept
  while that feedback is: the report reads the card's catalogue version through them.
- `auth_seen_token` rows past the token's `exp`: a replay of an expired token fails the
  `exp` check anyway.
- `advice_shown` (repeat guard) rows older than its window: they can no longer mute a card.
- `feedback` only when a feedback retention period is set (kept forever by default).

Each batch (1,000 rows by default) is its own transaction, followed by a short pause, so a
hook call waiting for SQLite's write lock waits one batch, not the whole purge; on
PostgreSQL only the rows being deleted are locked.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, Table, delete, exists, func, inspect, select
from sqlalchemy.sql import ColumnElement

from cds_service.auth.replay import seen_tokens
from cds_service.repeats import WINDOW, advice_shown
from cds_service.storage import feedback, issued_card

BATCH_SIZE = 1000
PAUSE_SECONDS = 0.05
_AGE = re.compile(r"^\s*(\d+)\s*([dhw]?)\s*$")
_UNITS = {"": "days", "d": "days", "h": "hours", "w": "weeks"}


def parse_age(text: str) -> timedelta:
    """'90d', '12h', '2w' or a plain number of days as a timedelta; ValueError otherwise."""
    match = _AGE.match(text.lower())
    if not match:
        raise ValueError(f"--older-than: expected e.g. 90d, 12h or 2w, not {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@dataclass(frozen=True)
class Target:
    """One table's rows to remove: what identifies a row, and which rows are past their use."""

    name: str
    table: Table
    key: ColumnElement[object]
    condition: ColumnElement[bool]


def targets(
    now: datetime, older_than: timedelta, feedback_older_than: timedelta | None
) -> list[Target]:
    """What one purge removes, given the time and the retention periods."""
    # Keep a card while feedback names it: the report reads its catalogue version through it.
    # Expired feedback goes first (below), which frees its cards in the same run.
    has_feedback = exists().where(feedback.c.card_uuid == issued_card.c.card_uuid)
    old_card = (issued_card.c.issued_at < now - older_than) & ~has_feedback
    out = [
        Target("issued cards", issued_card, issued_card.c.card_uuid, old_card),
        Target(
            "replay records",
            seen_tokens,
            seen_tokens.c.id,
            seen_tokens.c.expires_at < int(now.timestamp()),
        ),
        Target(
            "repeat-guard records",
            advice_shown,
            advice_shown.c.advice_key,
            advice_shown.c.shown_at < now - WINDOW,
        ),
    ]
    if feedback_older_than is not None:
        cutoff = now - feedback_older_than
        out.insert(0, Target("feedback", feedback, feedback.c.id, feedback.c.received_at < cutoff))
    return out


def purge(
    engine: Engine,
    *,
    older_than: timedelta,
    feedback_older_than: timedelta | None = None,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    pause: float = PAUSE_SECONDS,
    dry_run: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, int]:
    """Remove what is past its use; return how many rows per kind (or would, with dry_run)."""
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    now = now or datetime.now(UTC)
    present = set(inspect(engine).get_table_names())
    counts: dict[str, int] = {}
    for target in targets(now, older_than, feedback_older_than):
        if target.table.name not in present:
            continue  # e.g. no replay table: the service never ran with JWT auth
        if dry_run:
            with engine.connect() as conn:
                query = select(func.count()).select_from(target.table).where(target.condition)
                counts[target.name] = int(conn.execute(query).scalar_one())
            continue
        counts[target.name] = _delete_in_batches(engine, target, batch_size, pause, sleep)
    return counts


def _delete_in_batches(
    engine: Engine, target: Target, batch_size: int, pause: float, sleep: Callable[[float], None]
) -> int:
    total = 0
    while True:
        # DELETE ... LIMIT is not portable; a keyed sub-select is (SQLite and PostgreSQL).
        batch = select(target.key).where(target.condition).limit(batch_size).scalar_subquery()
        with engine.begin() as conn:
            removed = conn.execute(delete(target.table).where(target.key.in_(batch))).rowcount
        total += removed or 0
        if not removed or removed < batch_size:
            return total
        sleep(pause)  # let waiting hook calls take the write lock between batches
