"""The Alembic migrations own the schema: from empty, from a pre-Alembic database, and back.

Each test runs on SQLite and, with CDS_TEST_POSTGRES_URL set (`make test-postgres`, CI), on a
real PostgreSQL server in a schema of its own (tests/ops/conftest.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, Table, inspect, text

from cds_service import migrate
from cds_service.tables import advice_shown, feedback, issued_card, metadata, service_secret

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TABLES = {"feedback", "issued_card", "advice_shown", "service_secret", "auth_seen_token"}
# What create_all made before feedback.rule_id existed; the old code's ALTER TABLE added it.
OLD = MetaData()
Table("feedback", OLD, *(c._copy() for c in feedback.columns if c.name != "rule_id"))
OLD_ALTER = "ALTER TABLE feedback ADD COLUMN rule_id VARCHAR(200)"


def differences(engine: Engine) -> list[object]:
    """What autogenerate would change to make the database match the code's tables."""
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))


def indexes(engine: Engine, table: str) -> set[str]:
    return {i["name"] for i in inspect(engine).get_indexes(table)}


def test_upgrade_from_empty_creates_every_table_at_head(engine: Engine) -> None:
    assert migrate.current(engine) is None
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    assert set(metadata.tables) == TABLES  # the code queries nothing the migrations lack
    assert {"ix_feedback_rule_id", "ix_feedback_card_uuid"} <= indexes(engine, "feedback")
    migrate.upgrade(engine)  # at head: nothing to do
    assert migrate.current(engine) == migrate.head()


def test_the_migrated_schema_is_the_one_the_code_uses(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert differences(engine) == []


def test_compare_metadata_does_see_a_difference(engine: Engine) -> None:
    """The check above can fail: a table the migrations did not make is reported."""
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE service_secret"))
    assert [d[0] for d in differences(engine)] == ["add_table"]  # type: ignore[index]


@pytest.mark.parametrize("rule_id", ["missing", "added-without-index"])
def test_a_pre_alembic_database_is_adopted_with_its_rows(engine: Engine, rule_id: str) -> None:
    OLD.create_all(engine)
    with engine.begin() as conn:
        if rule_id == "added-without-index":
            conn.execute(text(OLD_ALTER))
        conn.execute(
            feedback.insert().values(
                id=1,
                service_id="s",
                card_uuid="old-card",
                outcome="accepted",
                outcome_timestamp="x",
                received_at=T0,
            )
        )
    # The old create_all made these; with auth off it never made auth_seen_token.
    metadata.create_all(engine, tables=[issued_card, advice_shown, service_secret])
    with engine.begin() as conn:
        conn.execute(
            issued_card.insert(),
            {
                "card_uuid": "old-card",
                "rule_id": "r",
                "indicator": "info",
                "service_id": "s",
                "catalogue_version": "v0",
                "issued_at": T0,
            },
        )
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert differences(engine) == []
    assert "ix_feedback_rule_id" in indexes(engine, "feedback")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT card_uuid, rule_id FROM feedback")).all()
        cards = conn.execute(text("SELECT card_uuid FROM issued_card")).all()
    assert [tuple(r) for r in rows] == [("old-card", None)]
    assert [tuple(c) for c in cards] == [("old-card",)]


def test_a_table_missing_a_required_column_is_not_adopted(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE service_secret (name VARCHAR(64) PRIMARY KEY)"))
    with pytest.raises(RuntimeError, match="service_secret.value is missing"):
        migrate.upgrade(engine)
    assert migrate.current(engine) is None


def test_downgrade_to_base_removes_the_tables_and_upgrade_restores_them(engine: Engine) -> None:
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    assert migrate.current(engine) is None
    assert not TABLES & set(inspect(engine).get_table_names())
    migrate.upgrade(engine)
    assert differences(engine) == []


def test_start_up_migrates_sqlite_but_only_checks_other_databases(engine: Engine) -> None:
    problem = migrate.prepare(engine)
    if engine.dialect.name == "sqlite":
        assert problem is None and migrate.current(engine) == migrate.head()
        return
    assert problem is not None and "run db upgrade" in problem
    assert not TABLES & set(inspect(engine).get_table_names())  # never migrated by the app
    migrate.upgrade(engine)
    assert migrate.prepare(engine) is None


def test_a_later_releases_schema_serves_this_code_and_is_not_migrated(engine: Engine) -> None:
    """The migration Job of release N+1 ran; a replica of this release starts (restart, scale
    out, rollback): ready, and at start-up nothing is upgraded or downgraded."""
    migrate.upgrade(engine)
    with engine.begin() as conn:  # what N+1's migration leaves: a revision this code lacks
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_later_release'"))
    assert migrate.schema_problem(engine) is None
    assert migrate.prepare(engine) is None
    assert migrate.current(engine) == "ffff_later_release"
    with engine.begin() as conn:  # no revision at all is behind the head: not ready
        conn.execute(text("DELETE FROM alembic_version"))
    assert "code needs" in (migrate.schema_problem(engine) or "")
