"""Durable storage: feedback and issued cards (SQLite by default, any SQLAlchemy URL).

The tables are defined in `tables.py` and created by the migrations (`migrate.py`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select

from cds_service import migrate
from cds_service.dbengine import DEFAULT_BUSY_TIMEOUT_SECONDS, make_engine, write_problem
from cds_service.tables import feedback, issued_card, metadata

__all__ = ["DEFAULT_BUSY_TIMEOUT_SECONDS", "FeedbackStore", "make_engine", "metadata"]

# /readyz trusts a passed schema check this long, then reads the revision again: a schema that
# falls behind (a database restored from an old backup, a later release's migration downgraded
# past this code's head) turns replicas not ready within it, at one query per interval.
SCHEMA_RECHECK_SECONDS = 30.0

_CARD_COLUMNS = (
    "card_uuid",
    "rule_id",
    "indicator",
    "service_id",
    "catalogue_version",
    "issued_at",
)


def _storable(value: Any) -> Any:
    """A string PostgreSQL can store: NUL (which its text types refuse) becomes U+FFFD."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def _row(
    service_id: str, entry: Mapping[str, Any], now: datetime, rule_id: str | None
) -> dict[str, Any]:
    row = _raw_row(service_id, entry, now, rule_id)
    return {key: _storable(value) for key, value in row.items()}


def _raw_row(
    service_id: str, entry: Mapping[str, Any], now: datetime, rule_id: str | None
) -> dict[str, Any]:
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
        "rule_id": rule_id,
    }


class FeedbackStore:
    """Append-only feedback log; an entry is committed before the request is acknowledged."""

    def __init__(
        self,
        engine: Engine,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT_SECONDS,
        pool: Mapping[str, int] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``pool``: ``make_engine``'s pool_size and max_overflow for the second engine;
        ``monotonic``: the clock of the schema check's interval (tests set a fake one)."""
        self.engine = engine
        self.monotonic = monotonic
        self._schema_ok_until: float | None = None  # a passed check's expiry, on that clock
        # Run by dispose() first: the issued-card log's writer registers its flush here.
        self.before_dispose: list[Callable[[], object]] = []
        # Issued cards and the repeat guard's keys are indexes, not acknowledgements: on a SQLite
        # file they go through a second engine whose commits skip the fsync (one commit, no
        # PRAGMA toggling on the response path). Elsewhere they share the one engine.
        url = engine.url
        on_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
        self.log_engine = (
            make_engine(url, False, busy_timeout, **(pool or {})) if on_file else engine
        )

    def dispose(self) -> None:
        """Write what is queued for this store (the issued-card log, `ops/cardlog.py`), then
        close both engines' pooled connections."""
        for flush in self.before_dispose:
            flush()
        self.engine.dispose()
        if self.log_engine is not self.engine:
            self.log_engine.dispose()

    def add(self, service_id: str, entries: Iterable[Mapping[str, Any]]) -> int:
        """Store every entry in one transaction; return how many were stored."""
        return len(self.add_resolved(service_id, entries))

    def add_resolved(
        self,
        service_id: str,
        entries: Iterable[Mapping[str, Any]],
        now: datetime | None = None,
    ) -> list[tuple[str | None, str]]:
        """Store entries with the rule id of the card they name; return (rule id, outcome)s."""
        items = list(entries)
        if not items:
            return []
        now = now or datetime.now(UTC)
        uuids = sorted({_storable(str(e["card"])) for e in items})
        with self.engine.begin() as conn:
            found = conn.execute(
                select(issued_card.c.card_uuid, issued_card.c.rule_id).where(
                    issued_card.c.card_uuid.in_(uuids)
                )
            )
            rules = {uuid: rule for uuid, rule in found}
            rows = [_row(service_id, e, now, rules.get(_storable(str(e["card"])))) for e in items]
            conn.execute(insert(feedback), rows)
        return [(r["rule_id"], r["outcome"]) for r in rows]

    def record_cards(
        self, service_id: str, cards: list[Mapping[str, Any]], version: str, now: datetime
    ) -> int:
        """Remember issued cards now (one INSERT; nothing at all when there are none).

        Hook calls queue the same rows for a background writer instead (`ops/cardlog.py`).
        """
        rows = self.card_rows(service_id, cards, version, now)
        self.insert_card_rows(rows)
        return len(rows)

    @staticmethod
    def card_rows(
        service_id: str, cards: list[Mapping[str, Any]], version: str, now: datetime
    ) -> list[tuple[Any, ...]]:
        """issued_card rows (in _CARD_COLUMNS order) for the cards that have a uuid."""
        return [
            (
                card["uuid"],
                card["source"]["topic"]["code"],
                card["indicator"],
                service_id,
                version,
                now,
            )
            for card in cards
            if card.get("uuid")
        ]

    def insert_card_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """One commit for the rows. On a SQLite file it skips the fsync (`log_engine`): losing
        the last rows on power loss only makes feedback on those cards "unknown"; feedback
        stays fully synchronous."""
        if rows:
            with self.log_engine.begin() as conn:
                rows_by_column = [dict(zip(_CARD_COLUMNS, r, strict=True)) for r in rows]
                conn.execute(insert(issued_card), rows_by_column)

    def issued(self) -> list[dict[str, Any]]:
        """All issued cards, oldest first."""
        with self.engine.connect() as conn:
            result = conn.execute(select(issued_card).order_by(issued_card.c.issued_at))
            return [dict(r._mapping) for r in result]

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

    def schema_problem(self) -> str | None:
        """None when the schema is at (or ahead of) the code's migration head. A pass is
        remembered for SCHEMA_RECHECK_SECONDS; a problem is not, so the probe after `db upgrade`
        sees the fix."""
        now = self.monotonic()
        if self._schema_ok_until is not None and now < self._schema_ok_until:
            return None
        problem = migrate.schema_problem(self.engine)
        self._schema_ok_until = now + SCHEMA_RECHECK_SECONDS if problem is None else None
        return problem

    def writable(self) -> str | None:
        """None when a write could commit now, else why not (`dbengine.write_problem`)."""
        return write_problem(self.engine)
