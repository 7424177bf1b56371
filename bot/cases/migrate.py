"""Bringing a case database to this code's schema: alembic, run from the code.

The revisions are in ``bot/cases/migrations/versions``; no alembic.ini is needed. ``migrate``
runs the missing ones in one transaction. It is idempotent and safe when several processes
start at once: on PostgreSQL they queue on an advisory lock, on SQLite on the write lock that
``BEGIN IMMEDIATE`` takes (``bot.cases.db``).

A database made by the hand-written migrations that came before alembic (a ``schema_version``
table, one row per version applied) is adopted: stamped at the revision with the same schema,
and its ``schema_version`` table dropped, in the same transaction.

Authors of revisions run alembic's own commands with ``python -m bot.cases.migrations``.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Union

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)
# alembic announces each of its plugins at INFO on every start; what a migration did is ours to say.
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SUPPORTED_DIALECTS = ("sqlite", "postgresql")

#: Key of the PostgreSQL advisory lock that serialises migrations ("HELPCASE" in ASCII, 63 bits).
ADVISORY_LOCK_KEY = 0x48454C5043415345 & 0x7FFFFFFFFFFFFFFF

#: The hand-written migrations' versions, and the alembic revision with the same schema.
LEGACY_VERSION_TABLE = "schema_version"
LEGACY_REVISIONS: Dict[int, str] = {1: "0001"}


class MigrationError(RuntimeError):
    """The database cannot be brought to this code's schema; the message says why."""


def alembic_config(connection: Optional[Connection] = None) -> Config:
    """alembic's configuration for the case store; with ``connection``, migrations run on it
    (inside its transaction) instead of a connection of their own."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def _head() -> str:
    head = _scripts().get_current_head()
    if head is None:
        raise MigrationError(f"no alembic revisions in {MIGRATIONS_DIR}")
    return head


#: The revision this code's tables match.
LATEST_VERSION = _head()


def include_name(name: Optional[str], type_: str, _parent_names: object) -> bool:
    """What autogenerate compares with the code's tables: not SQLite's own bookkeeping
    (``sqlite_sequence``, kept for AUTOINCREMENT)."""
    return not (type_ == "table" and name is not None and name.startswith("sqlite_"))


def current_version(connectable: Union[Engine, Connection]) -> Optional[str]:
    """The revision the database is at; None when it has never been migrated."""
    if isinstance(connectable, Engine):
        with connectable.connect() as connection:
            return current_version(connection)
    legacy = _legacy_version(connectable)
    if legacy is not None:
        return LEGACY_REVISIONS.get(legacy)
    return MigrationContext.configure(connectable).get_current_revision()


def migrate(engine: Engine) -> List[str]:
    """Bring the database to the latest revision; returns the revisions applied, oldest first
    (empty when it was already there)."""
    if engine.dialect.name not in SUPPORTED_DIALECTS:
        raise MigrationError(f"unsupported database {engine.dialect.name!r}")
    with engine.begin() as connection:
        prepare(connection)
        current = MigrationContext.configure(connection).get_current_revision()
        pending = [script.revision for script in _scripts().iterate_revisions("head", current)]
        pending.reverse()
        if pending:
            command.upgrade(alembic_config(connection), "head")
    if pending:
        log.info("Case store schema migrated to revision %s (applied %s).", pending[-1], pending)
    return pending


def prepare(connection: Connection) -> None:
    """Before alembic runs, inside its transaction: take the migration lock, adopt a database
    from before alembic, and refuse one newer than this code."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    # SQLite: BEGIN IMMEDIATE (bot.cases.db) already holds the write lock.
    _adopt_legacy(connection)
    scripts = _scripts()
    for revision in MigrationContext.configure(connection).get_current_heads():
        try:
            scripts.get_revision(revision)
        except CommandError:
            raise MigrationError(
                f"the case database is at schema revision {revision!r}, newer than this code "
                f"({LATEST_VERSION}); run the newer code or restore a matching backup"
            ) from None


def _legacy_version(connection: Connection) -> Optional[int]:
    """The hand-written migrations' version (0: none applied); None when there is no trace of
    them."""
    if not inspect(connection).has_table(LEGACY_VERSION_TABLE):
        return None
    found = connection.execute(text(f"SELECT MAX(version) FROM {LEGACY_VERSION_TABLE}")).scalar()
    return found or 0


def _adopt_legacy(connection: Connection) -> None:
    version = _legacy_version(connection)
    if version is None:
        return
    if version and version not in LEGACY_REVISIONS:
        raise MigrationError(
            f"the case database is at hand-written schema version {version}, which this code "
            f"does not know (it knows {', '.join(map(str, LEGACY_REVISIONS))}); run the code that "
            f"made it or restore a matching backup"
        )
    if version:
        MigrationContext.configure(connection).stamp(_scripts(), LEGACY_REVISIONS[version])
    connection.execute(text(f"DROP TABLE {LEGACY_VERSION_TABLE}"))
    log.info(
        "Case store: schema version %s from before alembic adopted as revision %s.",
        version, LEGACY_REVISIONS.get(version, "none"),
    )

