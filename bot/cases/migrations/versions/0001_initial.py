"""The case store as the hand-written migrations left it: cases, events, officers, consent.

Tables cases, case_events, officers, consent_records and notifications. A database the
hand-written migrations brought to their version 1 has exactly this schema (the same DDL, on
SQLite and PostgreSQL); ``bot.cases.migrate`` stamps such a database at this revision instead of
running it.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

#: The store keeps aware UTC times (bot.cases.db.UTCDateTime); in the database they are this.
UTC_DATETIME = sa.DateTime(timezone=True)
OPEN_CASES = sa.text("status <> 'closed'")


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_number", sa.String(24), nullable=True, unique=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assigned_officer", sa.String(64), nullable=True),
        sa.Column("consent", sa.String(16), nullable=False),
        sa.Column("contact_preference", sa.String(16), nullable=True),
        sa.Column("contact_detail", sa.Text, nullable=True),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("acknowledged_at", UTC_DATETIME, nullable=True),
        sa.Column("taken_at", UTC_DATETIME, nullable=True),
        sa.Column("closed_at", UTC_DATETIME, nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'acknowledged', 'taken', 'closed')", name="ck_cases_status"
        ),
        # Case numbers are never reused, not even after a purge or an erasure.
        sqlite_autoincrement=True,
    )
    # One open (not closed) case per conversation, enforced by the database itself.
    op.create_index(
        "uq_cases_open_conversation", "cases", ["conversation_id"], unique=True,
        sqlite_where=OPEN_CASES, postgresql_where=OPEN_CASES,
    )
    op.create_index("ix_cases_status_country", "cases", ["status", "country"])
    op.create_index("ix_cases_conversation", "cases", ["conversation_id"])
    op.create_index("ix_cases_closed_at", "cases", ["closed_at"])

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(80), nullable=True),
        sa.Column("detail", sa.JSON, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
    )
    op.create_index("ix_case_events_case", "case_events", ["case_id", "id"])

    op.create_table(
        "officers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("countries", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("token_created_at", UTC_DATETIME, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("role IN ('officer', 'desk', 'admin')", name="ck_officers_role"),
    )

    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="SET NULL"), nullable=True),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("method", sa.String(16), nullable=True),
        sa.Column("actor", sa.String(80), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
    )
    op.create_index("ix_consent_records_conversation", "consent_records", ["conversation_id"])

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("officer", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("due_at", UTC_DATETIME, nullable=False),
        sa.Column("last_attempt_at", UTC_DATETIME, nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
    )
    op.create_index("ix_notifications_due", "notifications", ["status", "due_at"])
    op.create_index("ix_notifications_case", "notifications", ["case_id"])


def downgrade() -> None:
    for table in ("notifications", "consent_records", "officers", "case_events", "cases"):
        op.drop_table(table)
