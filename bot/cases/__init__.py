"""Escalation to consular duty officers: the case store, officer accounts and the duty rota.

- ``bot.cases.db``: where the store lives (DATABASE_URL or .run/cases.sqlite3), engines.
- ``bot.cases.schema``: the tables; ``bot.cases.migrate``: ``migrate(engine)`` (alembic, with the
  revisions in ``bot/cases/migrations``).
- ``bot.cases.store``: ``CaseStore`` (cases, audit trail, consent, retention, erasure), in parts:
  ``records``, ``case_rows``, ``lifecycle``, ``audit_trail``, ``consent``, ``retention``.
- ``bot.cases.officers`` / ``bot.cases.passwords``: accounts, scrypt hashes, API tokens.
- ``bot.cases.rota``: the duty rota (``load_rota``, ``on_duty``); its hours notation: ``duty_hours``.
- ``bot.cli.officers``: ``python -m bot officers``.
"""
from bot.cases.db import database_url, make_engine
from bot.cases.migrate import LATEST_VERSION, MigrationError, current_version, migrate
from bot.cases.officers import (
    OfficerAccount,
    OfficerError,
    OfficerStore,
    UnknownOfficer,
)
from bot.cases.rota import Officer, Rota, RotaError, load_rota, on_duty, parse_rota
from bot.cases.store import (
    Case,
    CaseError,
    CaseEvent,
    CaseNotFound,
    CaseStore,
    ConsentRecord,
    InvalidTransition,
    InvalidValue,
)

__all__ = [
    "Case",
    "CaseError",
    "CaseEvent",
    "CaseNotFound",
    "CaseStore",
    "ConsentRecord",
    "InvalidTransition",
    "InvalidValue",
    "LATEST_VERSION",
    "MigrationError",
    "Officer",
    "OfficerAccount",
    "OfficerError",
    "OfficerStore",
    "Rota",
    "RotaError",
    "UnknownOfficer",
    "current_version",
    "database_url",
    "load_rota",
    "make_engine",
    "migrate",
    "on_duty",
    "parse_rota",
]
