"""The case store's tables, and versioned migrations without alembic.

``MIGRATIONS`` is an ordered list; step N brings the schema from version N-1 to N. Each step
defines the tables it creates as they were at that version (its own MetaData), so a later step
that alters a table never changes what an earlier step does. ``migrate(engine)`` applies the
missing steps in one transaction and records each in ``schema_version``. It is idempotent and
safe when several processes start at once: on PostgreSQL they queue on an advisory lock, on
SQLite on the write lock that ``BEGIN IMMEDIATE`` takes.

To change the schema: append a step (never edit a released one), update the runtime tables
below to match, and the test that compares the two will hold you to it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, List, Optional

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
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine

from bot.cases.db import UTCDateTime, utcnow

log = logging.getLogger(__name__)

#: Key of the PostgreSQL advisory lock that serialises migrations ("HELPCASE" in ASCII, 63 bits).
ADVISORY_LOCK_KEY = 0x48454C5043415345 & 0x7FFFFFFFFFFFFFFF

STATUSES = ("open", "acknowledged", "taken", "closed")


class MigrationError(RuntimeError):
    """The database cannot be brought to this code's schema; the message says why."""


# --- version 1 -------------------------------------------------------------------------------


def _tables_v1(metadata: MetaData) -> None:
    Table(
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
    Table(
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
    Table(
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
    Table(
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
    Table(
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
        Column("created_at", UTCDateTime, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
        Index("ix_notifications_due", "status", "due_at"),
        Index("ix_notifications_case", "case_id"),
    )


def _migration_1(connection: Connection) -> None:
    metadata = MetaData()
    _tables_v1(metadata)
    metadata.create_all(connection)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


MIGRATIONS: List[Migration] = [
    Migration(1, "cases, case events, officers, consent records, notifications", _migration_1),
]

LATEST_VERSION = MIGRATIONS[-1].version

# --- the tables as the code uses them (the latest version) ------------------------------------

metadata = MetaData()
_tables_v1(metadata)
cases = metadata.tables["cases"]
case_events = metadata.tables["case_events"]
officers = metadata.tables["officers"]
consent_records = metadata.tables["consent_records"]
notifications = metadata.tables["notifications"]

_version_metadata = MetaData()
schema_version = Table(
    "schema_version",
    _version_metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", String(200), nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
)


def current_version(connectable) -> int:
    """The schema version the database is at (0: never migrated)."""

    def read(connection: Connection) -> int:
        if not inspect(connection).has_table("schema_version"):
            return 0
        found = connection.execute(select(schema_version.c.version)).scalars().all()
        return max(found, default=0)

    if isinstance(connectable, Engine):
        with connectable.connect() as connection:
            return read(connection)
    return read(connectable)


def migrate(engine: Engine, target: Optional[int] = None) -> List[int]:
    """Bring the database to ``target`` (default: the latest version); returns the versions
    applied (empty when it was already there)."""
    target = LATEST_VERSION if target is None else target
    if engine.dialect.name not in ("sqlite", "postgresql"):
        raise MigrationError(f"unsupported database {engine.dialect.name!r}")
    applied: List[int] = []
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        # SQLite: BEGIN IMMEDIATE (bot.cases.db) already holds the write lock.
        schema_version.create(connection, checkfirst=True)
        version = current_version(connection)
        if version > LATEST_VERSION:
            raise MigrationError(
                f"the case database is at schema version {version}, newer than this code "
                f"({LATEST_VERSION}); run the newer code or restore a matching backup"
            )
        for step in MIGRATIONS:
            if version < step.version <= target:
                step.apply(connection)
                connection.execute(
                    schema_version.insert().values(
                        version=step.version, description=step.description, applied_at=utcnow()
                    )
                )
                applied.append(step.version)
    if applied:
        log.info("Case store schema migrated to version %s (applied %s).", applied[-1], applied)
    return applied
