"""Alembic environment: runs the packaged migrations on the engine `cds_service.migrate` passes.

Online only: the baseline revision inspects the database to adopt pre-Alembic tables, so
`--sql` (offline) scripts are not supported. Without an engine (the plain `alembic` command)
the URL comes from `sqlalchemy.url` or the service's own setting, CDS_DATABASE_URL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine, text

from cds_service.dbengine import make_engine
from cds_service.settings import Settings
from cds_service.tables import metadata

# Any fixed number: PostgreSQL serialises two `db upgrade` runs (two Jobs, a retried Pod).
ADVISORY_LOCK = 0x0CD5_ECCE


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
        context.run_migrations()


def _main() -> None:
    if context.is_offline_mode():
        raise SystemExit("offline (--sql) migrations are not supported; run them online")
    from cds_service.migrate import MIGRATION_LOCK_TIMEOUT_SECONDS

    given: Engine | None = context.config.attributes.get("engine")
    own = given is None
    if given is None:
        url = context.config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
        engine = make_engine(url, busy_timeout=MIGRATION_LOCK_TIMEOUT_SECONDS)
    else:
        engine = given
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        if own:
            engine.dispose()


_main()
