"""Where the case store lives, and engines that behave the same on SQLite and PostgreSQL.

``DATABASE_URL`` (environment or .env) names a PostgreSQL database for several processes or
machines; unset, the store is a SQLite file in the state directory (``HELPLINE_STATE_DIR``,
default ``.run``): ``.run/cases.sqlite3``.

SQLite transactions start with ``BEGIN IMMEDIATE``: a transaction takes the write lock when it
starts, never half-way through, so two processes never deadlock or read a stale row and then
write from it; they queue behind each other for up to ``SQLITE_BUSY_SECONDS``.
"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.types import DateTime, TypeDecorator

from bot.runtime.settings import Settings

SQLITE_FILE = "cases.sqlite3"
SQLITE_BUSY_SECONDS = 30


def database_url(settings: Optional[Settings] = None) -> str:
    settings = settings or Settings()
    if settings.database_url and settings.database_url.strip():
        url = settings.database_url.strip()
        # Heroku-style and bare "postgres://" URLs mean psycopg2.
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        return url
    return f"sqlite:///{Path(settings.state_dir) / SQLITE_FILE}"


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: Optional[str] = None) -> Engine:
    """An engine for the case store: ``url``, else DATABASE_URL, else the SQLite file."""
    url = url or database_url()
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            future=True,
            connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False},
        )
        _sqlite_transactions(engine)
        return engine
    if backend == "postgresql":
        return create_engine(url, future=True, pool_pre_ping=True)
    raise ValueError(
        f"DATABASE_URL: the case store runs on PostgreSQL or SQLite, not {backend!r} "
        f"({describe_url(url)})"
    )


def _sqlite_transactions(engine: Engine) -> None:
    # pysqlite's own transaction handling starts transactions late and never for DDL; take it
    # over (the recipe in SQLAlchemy's SQLite documentation), with BEGIN IMMEDIATE.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_SECONDS * 1000}")
        _use_wal(cursor)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):  # pragma: no cover - exercised by every test
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _use_wal(cursor) -> None:
    """Write-ahead logging (readers never wait for the writer). The mode is kept in the file,
    so only the first connection to a new file switches it; switching takes an exclusive lock
    that SQLite does not wait for, so two processes starting at once retry here."""
    import sqlite3

    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode")
            if cursor.fetchone()[0].lower() in ("wal", "memory"):
                return
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on both databases (SQLite keeps no
    zone: it stores naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the case store keeps aware UTC times only")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)
