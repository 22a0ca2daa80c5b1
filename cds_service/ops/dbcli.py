"""`cds-service db upgrade | current | downgrade`: the schema's migrations (cds_service.migrate).

Run before the service starts (the container's entry point, `make serve`, the Kubernetes Job
deploy/job-migrate.yaml), against the database the service uses: CDS_DATABASE_URL, or
--database-url. Messages name revisions only, never the URL (it can carry a password).

Exit status: 0 done; `current` 0 at head or ahead of it (a later release's revision, which
this code serves on and /readyz counts as ready), 1 behind; 1 on a database error, an unknown
revision, or a downgrade without --yes (a downgrade drops tables and the rows in them).
"""

from __future__ import annotations

import argparse
import sys

from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from cds_service import migrate
from cds_service.dbengine import make_engine
from cds_service.settings import Settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `db` command and its actions."""
    p = sub.add_parser("db", help="database schema: upgrade (run before serving), current")
    p.add_argument("action", choices=["upgrade", "current", "downgrade"])
    p.add_argument(
        "--revision", help="target revision (upgrade: default head; downgrade: required)"
    )
    p.add_argument("--database-url", help="default: CDS_DATABASE_URL or the SQLite default")
    p.add_argument(
        "--yes", action="store_true", help="downgrade: confirm dropping tables and their rows"
    )


def run(args: argparse.Namespace) -> int:
    """0 when done (`current`: 0 at or ahead of head, 1 behind), 1 on an error (module doc)."""
    if args.action == "downgrade" and not args.revision:
        raise ValueError("downgrade needs --revision (e.g. the previous release's, or base)")
    if args.action == "downgrade" and not args.yes:
        # Checked before connecting: nothing is touched without the confirmation.
        dropped = "every table" if args.revision == "base" else "what later revisions added"
        raise ValueError(
            f"downgrade to {args.revision} drops {dropped}, rows included: add --yes to confirm"
        )
    return _with_engine(args.database_url, args.action, args.revision)


def upgrade_configured() -> int:
    """`db upgrade` on CDS_DATABASE_URL (`serve --migrate`, the container's default command)."""
    return _with_engine(None, "upgrade", None)


def _with_engine(url: str | None, action: str, revision: str | None) -> int:
    settings = Settings.from_env()
    try:
        engine = make_engine(
            url or settings.database_url,
            busy_timeout=migrate.MIGRATION_LOCK_TIMEOUT_SECONDS,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
        )
    except (ArgumentError, ImportError) as exc:  # no dialect or driver for the URL's scheme
        missing = f": {exc.name}" if isinstance(exc, ImportError) and exc.name else ""
        kind = f"{type(exc).__name__}{missing}"
        print(f"error: no database driver for this URL ({kind})", file=sys.stderr)
        return 1
    try:
        before = migrate.current(engine)
        if action == "current":
            return _print_current(before)
        if action == "upgrade" and not revision and migrate.ahead(before):
            # A later release's schema (this image is older: a rollback): nothing to add.
            print(f"database schema: {before}, a later release's revision: left as it is")
            return 0
        if action == "upgrade":
            _upgrade(engine, revision or "head")
        else:
            migrate.downgrade(engine, revision or "base")
        print(f"database schema: {before or 'none'} -> {migrate.current(engine) or 'none'}")
        return 0
    except CommandError as exc:  # Alembic's: an unknown or out-of-range --revision
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        # Driver messages can carry the URL and its password: name the kind only.
        print(f"error: database unavailable ({type(exc).__name__})", file=sys.stderr)
        return 1
    finally:
        engine.dispose()


def _print_current(found: str | None) -> int:
    """The revision and the code's head; 0 at head or ahead (a later release's: ready), else 1."""
    head = migrate.head()
    if migrate.ahead(found):
        print(f"{found} (head {head}): ahead, a later release's schema (newer than this code)")
        return 0
    print(f"{found or 'none'} (head {head})")
    return 0 if found == head else 1


def _upgrade(engine: Engine, revision: str) -> None:
    """Two `db upgrade` runs on one SQLite file (two containers on a shared volume, a retried
    start) race: both read the old revision, and the loser's write fails ("database is locked"
    or a table that now exists). Its second run reads the winner's revision and has nothing
    left to do. PostgreSQL runs are serialised by the migrations' advisory lock instead."""
    try:
        migrate.upgrade(engine, revision)
    except SQLAlchemyError:
        if engine.url.get_backend_name() != "sqlite":
            raise
        migrate.upgrade(engine, revision)
