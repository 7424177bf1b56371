"""The case store: cases, their audit trail and consent records, in SQL.

Every write runs in its own transaction and is committed before the method returns, so a
caller that tells a worker "someone is coming" after ``open_case`` returns is telling the truth
even if the process dies the next instant.

``CaseStore`` gathers the parts, each in its own module: reading and the row-level steps
(``bot.cases.case_rows``), opening and the moves between statuses (``bot.cases.lifecycle``),
the audit trail and transcript (``bot.cases.audit_trail``), consent (``bot.cases.consent``),
what the conversation tells after opening (``bot.cases.case_details``), retention and erasure
(``bot.cases.retention``). What they keep and raise is in
``bot.cases.records``, exported here too.

Nothing here logs transcript text, summaries, phone numbers or chat ids: conversation ids are
masked with ``bot.runtime.privacy.mask_id`` and cases are named by their number.
"""
from __future__ import annotations

from typing import Optional

from bot.cases.audit_trail import AuditTrail
from bot.cases.case_details import CaseDetails
from bot.cases.consent import ConsentLog
from bot.cases.lifecycle import CaseLifecycle
from bot.cases.records import (
    ACKNOWLEDGED,
    ACTIVE_STATUSES,
    CLOSED,
    CONSENT_DECISIONS,
    CONSENT_STATES,
    CONTACT_PREFERENCES,
    EVENT_KINDS,
    OPEN,
    SEVERITY_RANK,
    TAKEN,
    Case,
    CaseError,
    CaseEvent,
    CaseNotFound,
    ConsentRecord,
    InvalidTransition,
    InvalidValue,
    format_case_number,
    parse_case_number,
)
from bot.cases.retention import Retention

__all__ = [
    "ACKNOWLEDGED",
    "ACTIVE_STATUSES",
    "CLOSED",
    "CONSENT_DECISIONS",
    "CONSENT_STATES",
    "CONTACT_PREFERENCES",
    "EVENT_KINDS",
    "OPEN",
    "SEVERITY_RANK",
    "TAKEN",
    "Case",
    "CaseError",
    "CaseEvent",
    "CaseNotFound",
    "CaseStore",
    "ConsentRecord",
    "InvalidTransition",
    "InvalidValue",
    "format_case_number",
    "parse_case_number",
]


class CaseStore(CaseLifecycle, AuditTrail, ConsentLog, CaseDetails, Retention):
    """Cases in a SQL database (``bot.cases.db.make_engine``); run ``migrate(engine)`` first.

    Methods are synchronous; async callers run them in a thread. ``clock`` returns the current
    time as an aware UTC datetime (tests pass their own).
    """

    @classmethod
    def connect(cls, url: Optional[str] = None, migrate: bool = True) -> CaseStore:
        """A store on ``url`` (default: DATABASE_URL or the SQLite file), migrated."""
        from bot.cases.db import make_engine
        from bot.cases.migrate import migrate as run_migrations

        engine = make_engine(url)
        if migrate:
            run_migrations(engine)
        return cls(engine)
