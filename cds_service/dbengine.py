"""The SQLAlchemy engine for the store: SQLite tuned for several workers, bounded waits."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_BUSY_TIMEOUT_SECONDS = 1.0
DEFAULT_POOL_SIZE = 5  # SQLAlchemy's own defaults
DEFAULT_MAX_OVERFLOW = 10


class DatabaseUrlError(ValueError):
    """CDS_DATABASE_URL (or --database-url) cannot be parsed; the message names no part of it."""


def parse_url(url: str | URL) -> URL:
    """The URL parsed; a malformed one raises DatabaseUrlError without its text. SQLAlchemy's
    own errors quote pieces of it: an unencoded '@' or ':' in a password ends up in the
    "port", and `int()` prints that port (the password's tail) back."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise DatabaseUrlError(
            "the database URL is malformed (percent-encode '@', ':' and '/' in the password)"
        ) from None


def sqlite_file(url: URL) -> Path | None:
    """The file a SQLite URL opens, or None in memory. A ``file:`` URI (``?uri=true``) names
    its file after the scheme and before the query: not a path relative to the directory."""
    database = url.database
    if not database or database == ":memory:" or url.query.get("mode") == "memory":
        return None
    if url.query.get("uri") == "true" and database.startswith("file:"):
        path = unquote(urlsplit(database).path)
        return Path(path) if path and path != ":memory:" else None
    return Path(database)


def make_engine(
    url: str | URL,
    durable: bool = True,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT_SECONDS,
    pool_size: int = DEFAULT_POOL_SIZE,
    max_overflow: int = DEFAULT_MAX_OVERFLOW,
) -> Engine:
    """Create the engine; SQLite gets WAL, full fsync and a busy timeout so workers can share it.

    ``durable=False`` (SQLite only): commits skip the fsync (``synchronous=NORMAL``; WAL stays
    consistent, only the last commits can be lost on power loss). ``busy_timeout`` bounds how
    long a statement waits for another process's lock, and a thread for a pooled connection:
    well under the hook deadline, so a locked database costs a call its repeat guard or a
    feedback POST a 503, never the deadline (`CDS_DB_BUSY_TIMEOUT_SECONDS`). ``pool_size`` and
    ``max_overflow`` size the connection pool of PostgreSQL and SQLite files (`CDS_DB_POOL_SIZE`,
    `CDS_DB_MAX_OVERFLOW`); in-memory SQLite keeps one connection per thread.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql":
            # libpq's connect_timeout is whole seconds (at least 2); lock_timeout bounds waits
            # on row locks the way busy_timeout does on SQLite.
            lock_ms = max(1, int(busy_timeout * 1000))
            connect_args = {
                "connect_timeout": max(2, math.ceil(busy_timeout)),
                "options": f"-c lock_timeout={lock_ms}",
            }
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_timeout=busy_timeout,
            pool_size=pool_size,
            max_overflow=max_overflow,
            connect_args=connect_args,
            future=True,
        )
    path = sqlite_file(parsed)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # In-memory databases use a pool of one connection per thread, which takes no pool settings.
    pool = (
        {"pool_timeout": busy_timeout, "pool_size": pool_size, "max_overflow": max_overflow}
        if path is not None
        else {}
    )
    engine = create_engine(url, connect_args={"timeout": busy_timeout}, future=True, **pool)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={max(1, int(busy_timeout * 1000))}")
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged entry survives power loss
        cursor.execute("PRAGMA synchronous=FULL" if durable else "PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


MIN_FREE_BYTES = 16 * 1024 * 1024  # below it a SQLite file counts as full: feedback would fail


def write_problem(engine: Engine) -> str | None:
    """None when a write could commit now, else why not (for /readyz and its log line).

    The probe takes the write lock (an INSERT into the repeat guard's `service_secret`, rolled
    back), so a database locked by another process, read-only or down fails it within the busy
    timeout. A rolled-back write never reaches the disk, so on a SQLite file the free space is
    checked as well.
    """
    path = sqlite_file(engine.url) if engine.url.get_backend_name() == "sqlite" else None
    if path is not None:
        try:
            free = shutil.disk_usage(path.resolve().parent).free
        except OSError:
            return "database directory unreadable"
        if free < MIN_FREE_BYTES:
            return "disk full"
    try:
        with engine.connect() as conn, conn.begin() as transaction:
            conn.execute(
                text("INSERT INTO service_secret (name, value) VALUES ('readiness-probe', '')")
            )
            transaction.rollback()
        return None
    except Exception as exc:  # noqa: BLE001 - readiness probe: any failure means "not ready"
        return type(exc).__name__
