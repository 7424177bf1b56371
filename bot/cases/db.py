"""Where the case store lives, and engines that behave the same on SQLite and PostgreSQL.

``DATABASE_URL`` (environment or .env) names a PostgreSQL database for several processes or
machines; unset, the store is a SQLite file in the state directory (``HELPLINE_STATE_DIR``,
default ``.run``): ``.run/cases.sqlite3``, created (with any folder it needs) readable by its
owner only.

SQLite transactions start with ``BEGIN IMMEDIATE``: a transaction takes the write lock when it
starts, never half-way through, so two processes never deadlock or read a stale row and then
write from it; they queue behind each other for up to ``SQLITE_BUSY_SECONDS``.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.types import DateTime, TypeDecorator

from bot.runtime.settings import Settings, normalise_database_url

SQLITE_FILE = "cases.sqlite3"
SQLITE_BUSY_SECONDS = 30
#: The SQLite file holds transcripts: its owner alone may read it, or list its folder.
PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700


def database_url(settings: Optional[Settings] = None) -> str:
    """DATABASE_URL (checked and normalised by Settings), else the SQLite file in the state
    directory."""
    settings = settings or Settings()
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{Path(settings.state_dir) / SQLITE_FILE}"


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: Optional[str] = None) -> Engine:
    """An engine for the case store: ``url``, else DATABASE_URL, else the SQLite file."""
    try:
        url = normalise_database_url(url or database_url())
    except ValueError as error:
        raise ValueError(f"DATABASE_URL: {error}") from None
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, future=True, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        _create_private_file(Path(parsed.database))
    engine = create_engine(
        url,
        future=True,
        connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False},
    )
    _sqlite_transactions(engine)
    return engine


def _create_private_file(path: Path) -> None:
    """Create the SQLite file, and the folders it needs, readable by this user only (SQLite
    gives its journal files the database file's mode). An existing file is left as it is."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_FOLDER_MODE)
        except FileExistsError:  # another process made it first
            pass
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        pass


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
