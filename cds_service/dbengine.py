"""The SQLAlchemy engine for the store: SQLite tuned for several workers, bounded waits."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

DEFAULT_BUSY_TIMEOUT_SECONDS = 1.0


def make_engine(
    url: str | URL, durable: bool = True, busy_timeout: float = DEFAULT_BUSY_TIMEOUT_SECONDS
) -> Engine:
    """Create the engine; SQLite gets WAL, full fsync and a busy timeout so workers can share it.

    ``durable=False`` (SQLite only): commits skip the fsync (``synchronous=NORMAL``; WAL stays
    consistent, only the last commits can be lost on power loss). ``busy_timeout`` bounds how
    long a statement waits for another process's lock, and a thread for a pooled connection:
    well under the hook deadline, so a locked database costs a call its repeat guard or a
    feedback POST a 503, never the deadline (`CDS_DB_BUSY_TIMEOUT_SECONDS`).
    """
    parsed = make_url(url)
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
            connect_args=connect_args,
            future=True,
        )
    database = parsed.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # In-memory databases use a pool of one connection per thread, which takes no pool_timeout.
    on_file = bool(database) and database != ":memory:" and "mode=memory" not in str(parsed)
    pool = {"pool_timeout": busy_timeout} if on_file else {}
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
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        try:
            free = shutil.disk_usage(Path(url.database).resolve().parent).free
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
