"""Baseline: feedback, issued_card, advice_shown, service_secret, auth_seen_token.

Creates the schema on an empty database and adopts one created before Alembic (by
`create_all` at start-up): every missing table is created, a feedback table from before rule_id
gets the column, and missing indexes are added (the old ad-hoc ALTER TABLE added rule_id
without one). Tables and columns already there are left as they are, rows included.

The tables are spelled out here rather than imported from `cds_service.tables`: a migration
is a snapshot, and later revisions change the schema from this one.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

meta = sa.MetaData()
TABLES = (
    sa.Table(
        "feedback",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("service_id", sa.String(200), nullable=False),
        sa.Column("card_uuid", sa.String(200), nullable=False, index=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("outcome_timestamp", sa.String(64), nullable=False),
        sa.Column("accepted_suggestions", sa.Text, nullable=True),
        sa.Column("override_system", sa.String(500), nullable=True),
        sa.Column("override_code", sa.String(200), nullable=True),
        sa.Column("override_display", sa.String(500), nullable=True),
        sa.Column("user_comment", sa.Text, nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rule_id", sa.String(200), nullable=True, index=True),
    ),
    sa.Table(
        "issued_card",
        meta,
        sa.Column("card_uuid", sa.String(64), primary_key=True),
        sa.Column("rule_id", sa.String(200), nullable=False, index=True),
        sa.Column("indicator", sa.String(20), nullable=False),
        sa.Column("service_id", sa.String(200), nullable=False),
        sa.Column("catalogue_version", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False, index=True),
    ),
    sa.Table(
        "advice_shown",
        meta,
        sa.Column("advice_key", sa.String(64), primary_key=True),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False, index=True),
    ),
    sa.Table(
        "service_secret",
        meta,
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
    ),
    sa.Table(
        "auth_seen_token",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("iss", sa.String(512), nullable=False),
        sa.Column("jti", sa.String(255), nullable=False),
        sa.Column("expires_at", sa.Integer, nullable=False, index=True),
        sa.UniqueConstraint("iss", "jti", name="uq_auth_seen_token_iss_jti"),
    ),
)


def _adopt(bind: sa.Connection, table: sa.Table) -> None:
    """Bring a pre-Alembic table up to this revision: add nullable columns and indexes."""
    inspector = sa.inspect(bind)
    columns = {c["name"] for c in inspector.get_columns(table.name)}
    for column in table.columns:
        if column.name in columns:
            continue
        if not column.nullable:
            raise RuntimeError(
                f"{table.name}.{column.name} is missing and NOT NULL: cannot adopt this database"
            )
        op.add_column(table.name, sa.Column(column.name, column.type, nullable=True))
    indexes = {i["name"] for i in inspector.get_indexes(table.name)}
    for index in table.indexes:
        if index.name not in indexes:
            op.create_index(index.name, table.name, [c.name for c in index.columns])


def upgrade() -> None:
    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names())
    for table in TABLES:
        if table.name in present:
            _adopt(bind, table)
        else:
            table.create(bind)  # with its indexes


def downgrade() -> None:
    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names())
    for table in reversed(TABLES):
        if table.name in present:
            table.drop(bind)
