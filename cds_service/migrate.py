"""The database schema is the Alembic migrations' (`cds_service/migrations`): upgrade, check.

`cds-service db upgrade` (ops/dbcli.py; the container and `make serve` run it before gunicorn,
the Kubernetes Job before the Deployment rolls) is the one way the schema is created or changed.
At start-up (`prepare`) a SQLite database is brought to head in-process, so a development or
test database needs no separate step; any other database is only checked, and a schema behind
the code's head makes /readyz answer 503 with the reason instead of failing hook calls.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# A migration may wait this long for a table lock held by running replicas (PostgreSQL
# lock_timeout, SQLite busy timeout): far longer than a hook call's, since it runs once.
MIGRATION_LOCK_TIMEOUT_SECONDS = 30.0


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic's configuration for the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


@functools.cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The revision this code needs."""
    found = _script().get_current_head()
    assert found is not None, "no migrations packaged"
    return found


def current(engine: Engine) -> str | None:
    """The database's revision; None when it has never been migrated (empty or pre-Alembic)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to `revision` (adopts a pre-Alembic database: see 0001)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Run the migrations down to `revision` ("base" drops every table)."""
    command.downgrade(alembic_config(engine), revision)


# How schema_problem's answers begin when the schema itself could not be looked at.
UNREACHABLE = "database unreachable"
UNREADABLE = "schema version unreadable"


def schema_problem(engine: Engine) -> str | None:
    """None when the database is at the code's head revision, else why not (for /readyz).
    Errors are named by their type only: a driver's message can quote the URL's password."""
    try:
        conn = engine.connect()
    except SQLAlchemyError as exc:
        return f"{UNREACHABLE} ({type(exc).__name__})"
    try:
        with conn:
            found = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        return f"{UNREADABLE} ({type(exc).__name__})"
    if found == head() or ahead(found):
        return None
    return f"database schema at {found or 'no revision'}, code needs {head()}: run db upgrade"


def startup_warning(problem: str) -> str:
    """The start-up log line for `prepare`'s problem: what is known, not always "behind"."""
    if problem.startswith(UNREACHABLE):
        return "database could not be reached: not ready until it can (/readyz 503)"
    if problem.startswith(UNREADABLE):
        return "database schema version could not be read: not ready (/readyz 503)"
    return "database schema behind the code: not ready until db upgrade runs (/readyz 503)"


def ahead(found: str | None) -> bool:
    """True when the database is at a revision these migrations do not know: a later release's.
    Migrations only add (README "Rolling upgrade order"), so this code still works on it, and a
    replica of the previous release (restarted, scaled out or rolled back to after the
    migration Job ran) must become ready rather than wait for a downgrade."""
    if found is None:
        return False
    try:
        return _script().get_revision(found) is None
    except CommandError:  # alembic: "Can't locate revision identified by ..."
        return True


def prepare(engine: Engine) -> str | None:
    """At start-up: SQLite is upgraded in-process; anything else is only checked.

    Gunicorn workers (or two processes on one file) may race: the loser's migration fails on a
    table the winner just created, and is fine if the database is at head by then (or after
    one more try, which adopts the winner's tables).
    """
    if engine.url.get_backend_name() != "sqlite":
        return schema_problem(engine)
    found = current(engine)
    if found == head() or ahead(found):
        return None
    for attempt in (1, 2):
        try:
            upgrade(engine)
            return None
        except SQLAlchemyError:
            if schema_problem(engine) is None:
                return None
            if attempt == 2:
                raise
    return schema_problem(engine)  # pragma: no cover - the loop returns or raises
