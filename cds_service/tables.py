"""Every table the service stores, in one MetaData: what the migrations build and check against.

The schema itself is created and changed only by the Alembic migrations
(`cds_service/migrations`, `cds_service.migrate`); these definitions are what the code queries,
and a test checks the migrated database matches them (`compare_metadata`, no differences).
Issued cards hold no patient data (uuid, rule id, indicator, service, catalogue version, time)
so feedback, which names only a card uuid, can be reported per rule.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

MAX_ISS_LENGTH = 512
MAX_JTI_LENGTH = 255

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
    # Resolved from issued_card when stored; NULL for a card uuid this service never issued.
    Column("rule_id", String(200), nullable=True, index=True),
)

issued_card = Table(
    "issued_card",
    metadata,
    Column("card_uuid", String(64), primary_key=True),
    Column("rule_id", String(200), nullable=False, index=True),
    Column("indicator", String(20), nullable=False),
    Column("service_id", String(200), nullable=False),
    Column("catalogue_version", String(64), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False, index=True),
)

# The repeat guard (repeats.py): HMAC keys of advice shown, and the per-database HMAC secret.
advice_shown = Table(
    "advice_shown",
    metadata,
    Column("advice_key", String(64), primary_key=True),
    Column("shown_at", DateTime(timezone=True), nullable=False, index=True),
)
service_secret = Table(
    "service_secret",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),
)

# Replay protection (auth/replay.py). The UNIQUE constraint is what makes a claim atomic across
# gunicorn workers and replicas: two concurrent INSERTs of one (iss, jti) cannot both commit.
seen_tokens = Table(
    "auth_seen_token",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("iss", String(MAX_ISS_LENGTH), nullable=False),
    Column("jti", String(MAX_JTI_LENGTH), nullable=False),
    Column("expires_at", Integer, nullable=False, index=True),
    UniqueConstraint("iss", "jti", name="uq_auth_seen_token_iss_jti"),
)
