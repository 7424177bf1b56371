"""Reading cases, and the row-level steps every part of the case store writes with.

``CaseRows`` holds the engine and the clock; ``bot.cases.store.CaseStore`` adds the moves
(``bot.cases.lifecycle``), the audit trail (``bot.cases.audit_trail``), consent
(``bot.cases.consent``) and retention (``bot.cases.retention``) on top of it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Union

from sqlalchemy import and_, select, update
from sqlalchemy import case as case_when
from sqlalchemy.engine import Connection, Engine

from bot.cases.db import utcnow
from bot.cases.records import (
    CLOSED,
    SEVERITY_RANK,
    Case,
    CaseEvent,
    CaseNotFound,
    check_value,
    format_case_number,
    read_case_number,
)
from bot.cases.schema import STATUSES, case_events, cases
from bot.understanding.severity import SEVERITIES


def _severity_order():
    return case_when(
        {severity: rank for severity, rank in SEVERITY_RANK.items()},
        value=cases.c.severity,
        else_=len(SEVERITIES),
    )


class CaseRows:
    """Cases in a SQL database (``bot.cases.db.make_engine``); run ``migrate(engine)`` first.

    Methods are synchronous; async callers run them in a thread. ``clock`` returns the current
    time as an aware UTC datetime (tests pass their own).
    """

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = utcnow):
        self.engine = engine
        self.clock = clock

    # --- reading --------------------------------------------------------------------------

    def get_case(self, case_id: int, with_events: bool = True) -> Case:
        with self.engine.connect() as connection:
            found = self._load(connection, case_id)
            if with_events:
                found.events = self._events(connection, case_id)
            return found

    def get_case_by_number(self, number: str, with_events: bool = True) -> Case:
        """The case named ``TW-0042`` (or ``42``); the country part must match when given."""
        read = read_case_number(number)
        if read is None:
            raise CaseNotFound(f"{number!r} is not a case number")
        prefix, case_id = read
        found = self.get_case(case_id, with_events=with_events)
        if prefix and prefix != found.number.split("-")[0]:
            raise CaseNotFound(f"no case {number.strip()}")
        return found

    def find_open_case(self, conversation_id: str) -> Optional[Case]:
        """The conversation's case that is not closed, if it has one."""
        with self.engine.connect() as connection:
            return self._find_open(connection, conversation_id)

    def list_cases(
        self,
        status: Union[None, str, Iterable[str]] = None,
        country: Optional[str] = None,
        conversation_id: Optional[str] = None,
        countries_visible: Optional[Iterable[str]] = None,
        limit: int = 500,
    ) -> List[Case]:
        """Cases, most severe first, then the longest waiting (oldest) first.

        ``status``: one status, several, or None for all. ``countries_visible``: None shows
        every case; a collection shows only cases in those countries (never one with no
        country: those go to the desk, which sees everything).
        """
        query = select(cases)
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            for one in wanted:
                check_value(one, STATUSES, "status")
            query = query.where(cases.c.status.in_(wanted))
        if country is not None:
            query = query.where(cases.c.country == country.upper())
        if conversation_id is not None:
            query = query.where(cases.c.conversation_id == conversation_id)
        if countries_visible is not None:
            visible = sorted({c.upper() for c in countries_visible})
            query = query.where(cases.c.country.in_(visible))
        query = query.order_by(_severity_order(), cases.c.created_at, cases.c.id).limit(limit)
        with self.engine.connect() as connection:
            return [self._case(row) for row in connection.execute(query).mappings()]

    # --- rows -----------------------------------------------------------------------------

    @staticmethod
    def _case(row: Mapping[str, Any]) -> Case:
        values = dict(row)
        values["number"] = values.pop("case_number") or format_case_number(values["id"], values["country"])
        return Case(**values)

    def _load(self, connection: Connection, case_id: int, lock: bool = False) -> Case:
        query = select(cases).where(cases.c.id == case_id)
        if lock:
            query = query.with_for_update()
        row = connection.execute(query).mappings().first()
        if row is None:
            raise CaseNotFound(f"no case with id {case_id}")
        return self._case(row)

    def _find_open(self, connection: Connection, conversation_id: str, lock: bool = False) -> Optional[Case]:
        query = select(cases).where(
            and_(cases.c.conversation_id == conversation_id, cases.c.status != CLOSED)
        )
        if lock:
            query = query.with_for_update()
        row = connection.execute(query).mappings().first()
        return self._case(row) if row is not None else None

    def _events(self, connection: Connection, case_id: int) -> List[CaseEvent]:
        query = select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.id)
        return [
            CaseEvent(**{**row, "detail": row["detail"] or {}})
            for row in connection.execute(query).mappings()
        ]

    def _event(
        self, connection: Connection, case_id: int, kind: str, actor: Optional[str], detail: Dict
    ) -> CaseEvent:
        now = self.clock()
        result = connection.execute(
            case_events.insert().values(
                case_id=case_id, kind=kind, actor=actor, detail=detail, created_at=now
            )
        )
        return CaseEvent(result.inserted_primary_key[0], case_id, kind, actor, detail, now)

    def _set(self, connection: Connection, case_id: int, **values: Any) -> None:
        values.setdefault("updated_at", self.clock())
        connection.execute(update(cases).where(cases.c.id == case_id).values(**values))

    def _touch(self, connection: Connection, case_id: int) -> None:
        self._set(connection, case_id)

    @staticmethod
    def _why_not(current: Case, move: str) -> str:
        holder = f" by {current.assigned_officer}" if current.assigned_officer else ""
        return f"cannot {move} case {current.number}: it is already {current.status}{holder}"
