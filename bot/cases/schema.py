"""The case store's tables, as the code uses them.

The database gets them from the alembic revisions in ``bot/cases/migrations`` (run by
``bot.cases.migrate.migrate``). To change the schema: change the tables here, then add a
revision (``python -m bot.cases.migrate revision --autogenerate -m "what changes"``) and read
what it wrote; tests/cases/test_schema.py fails until a migrated database matches these tables.
"""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from bot.cases.db import UTCDateTime

STATUSES = ("open", "acknowledged", "taken", "closed")

metadata = MetaData()

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_number", String(24), nullable=True, unique=True),
    Column("conversation_id", String(255), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("country", String(2), nullable=True),
    Column("language", String(8), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("assigned_officer", String(64), nullable=True),
    Column("consent", String(16), nullable=False),
    Column("contact_preference", String(16), nullable=True),
    Column("contact_detail", Text, nullable=True),
    Column("summary", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("acknowledged_at", UTCDateTime, nullable=True),
    Column("taken_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    CheckConstraint(
        "status IN ('open', 'acknowledged', 'taken', 'closed')", name="ck_cases_status"
    ),
    # One open (not closed) case per conversation, enforced by the database itself.
    Index(
        "uq_cases_open_conversation",
        "conversation_id",
        unique=True,
        sqlite_where=text("status <> 'closed'"),
        postgresql_where=text("status <> 'closed'"),
    ),
    Index("ix_cases_status_country", "status", "country"),
    Index("ix_cases_conversation", "conversation_id"),
    Index("ix_cases_closed_at", "closed_at"),
    # Case numbers are never reused, not even after a purge or an erasure.
    sqlite_autoincrement=True,
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(80), nullable=True),
    Column("detail", JSON, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_case_events_case", "case_id", "id"),
)

officers = Table(
    "officers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("countries", String(255), nullable=False),  # "TW,JP"; empty: none
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("token_hash", String(64), nullable=True, unique=True),
    Column("token_created_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("role IN ('officer', 'desk', 'admin')", name="ck_officers_role"),
)

consent_records = Table(
    "consent_records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(255), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="SET NULL"), nullable=True),
    Column("decision", String(16), nullable=False),
    Column("method", String(16), nullable=True),
    Column("actor", String(80), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_consent_records_conversation", "conversation_id"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("officer", String(64), nullable=False),  # rota id (= console username if any)
    Column("channel", String(16), nullable=False),  # telegram, sms
    Column("step", Integer, nullable=False),  # position in the escalation chain, from 0
    Column("status", String(16), nullable=False),  # pending, sent, failed, cancelled
    Column("attempts", Integer, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("last_attempt_at", UTCDateTime, nullable=True),
    Column("last_error", String(200), nullable=True),  # an error class, never content
    # The process sending it now, and when that claim lapses (a process that died); revision 0002.
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_notifications_due", "status", "due_at"),
    Index("ix_notifications_case", "case_id"),
)
