"""Durable storage: the feedback log (SQLite by default, any SQLAlchemy URL such as PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

metadata = MetaData()

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("service_id", String(200), nullable=False),
    Column("card_uuid", String(200), nullable=False, index=True),
    Column("outcome", String(20), nullable=False),
    Column("outcome_timestamp", String(64), nullable=False),
    Column("accepted_suggestions", Text, nullable=True),  # JSON list of suggestion uuids
    Column("override_system", String(500), nullable=True),
    Column("override_code", String(200), nullable=True),
    Column("override_display", String(500), nullable=True),
    Column("user_comment", Text, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL, full fsync and a busy timeout so workers can share it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, future=True)
    database = parsed.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30}, future=True)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged entry survives power loss
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def _row(service_id: str, entry: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    reason = entry.get("overrideReason") or {}
    coding = reason.get("reason") or {}
    accepted = entry.get("acceptedSuggestions")
    return {
        "service_id": service_id,
        "card_uuid": entry["card"],
        "outcome": entry["outcome"],
        "outcome_timestamp": entry["outcomeTimestamp"],
        "accepted_suggestions": (
            json.dumps([s.get("id") for s in accepted]) if isinstance(accepted, list) else None
        ),
        "override_system": coding.get("system"),
        "override_code": coding.get("code"),
        "override_display": coding.get("display"),
        "user_comment": reason.get("userComment"),
        "received_at": now,
    }


class FeedbackStore:
    """Append-only feedback log; an entry is committed before the request is acknowledged."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_schema(self) -> None:
        """Create missing tables (idempotent, safe when gunicorn workers race at start-up)."""
        try:
            metadata.create_all(self.engine)
        except SQLAlchemyError:
            if not inspect(self.engine).has_table(feedback.name):
                raise

    def add(self, service_id: str, entries: Iterable[Mapping[str, Any]]) -> int:
        """Store every entry in one transaction; return how many were stored."""
        now = datetime.now(UTC)
        rows = [_row(service_id, e, now) for e in entries]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(insert(feedback), rows)
        return len(rows)

    def count(self) -> int:
        """Number of stored entries."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(feedback)).scalar_one())

    def entries(self) -> list[dict[str, Any]]:
        """All stored entries, oldest first."""
        with self.engine.connect() as conn:
            result = conn.execute(select(feedback).order_by(feedback.c.id))
            return [dict(r._mapping) for r in result]

    def ping(self) -> bool:
        """True when the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
            return True
        except Exception:  # noqa: BLE001 - readiness probe: any failure means "not ready"
            return False
