"""The case store: cases, their audit trail and consent records, in SQL.

Every write runs in its own transaction and is committed before the method returns, so a
caller that tells a worker "someone is coming" after ``open_case`` returns is telling the truth
even if the process dies the next instant.

Statuses and the moves between them::

    open ──acknowledge──▶ acknowledged ──take──▶ taken
      └──────────────────take──────────────────────┘
    open | acknowledged | taken ──close──▶ closed        (closed is final)
    open | acknowledged | taken ──reassign──▶ same status, another officer

A move that is not allowed raises ``InvalidTransition`` with the reason in words. The same
officer acknowledging or taking twice (a double-tapped button) is not an error and adds no
event. Severity only ever goes up (``raise_severity``; the safety net may raise, never lower).

Nothing here logs transcript text, summaries, phone numbers or chat ids: conversation ids are
masked with ``bot.runtime.privacy.mask_id`` and cases are named by their number.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Union,
)

from sqlalchemy import and_, delete, select, update
from sqlalchemy import case as case_when
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.cases.db import utcnow
from bot.cases.schema import (
    STATUSES,
    case_events,
    cases,
    consent_records,
    notifications,
)
from bot.runtime.privacy import mask_id
from bot.understanding.severity import SEVERITIES

log = logging.getLogger(__name__)

#: Most urgent first; the order of the queue.
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}

OPEN, ACKNOWLEDGED, TAKEN, CLOSED = STATUSES
ACTIVE_STATUSES = (OPEN, ACKNOWLEDGED, TAKEN)

EVENT_KINDS = (
    "created",
    "notified",
    "notify_failed",
    "acknowledged",
    "taken",
    "message_in",
    "message_out",
    "consent_given",
    "consent_declined",
    "severity_changed",
    "reassigned",
    "note",
    "closed",
)

#: A case's consent state. ``not_required``: imminent danger, opened without asking (Polaris).
CONSENT_STATES = ("pending", "given", "declined", "not_required")
#: How she wants to be contacted: in this chat, a call to this number, another safe number/time.
CONTACT_PREFERENCES = ("chat", "call", "other")
CONSENT_DECISIONS = ("given", "declined")
CHANNELS_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CASE_NUMBER = re.compile(r"^\s*(?:([A-Za-z]{2})\s*-?\s*)?#?0*(\d{1,12})\s*$")
UNKNOWN_COUNTRY_PREFIX = "XX"


class CaseError(Exception):
    """Base of the case store's domain errors; the message is fit to show an officer."""


class CaseNotFound(CaseError, LookupError):
    pass


class InvalidTransition(CaseError):
    """The case is not in a state that allows this move."""


class InvalidValue(CaseError, ValueError):
    """An argument outside its allowed values."""


@dataclass
class CaseEvent:
    id: int
    case_id: int
    kind: str
    actor: Optional[str]
    detail: Dict[str, Any]
    created_at: dt.datetime

    def __repr__(self) -> str:  # the detail may hold a message: never in a repr
        return f"CaseEvent(id={self.id}, case_id={self.case_id}, kind={self.kind!r}, actor={self.actor!r})"


@dataclass
class Case:
    id: int
    number: str
    conversation_id: str
    channel: str
    country: Optional[str]
    language: str
    severity: str
    status: str
    assigned_officer: Optional[str]
    consent: str
    contact_preference: Optional[str]
    contact_detail: Optional[str]
    summary: Optional[str]
    created_at: dt.datetime
    updated_at: dt.datetime
    acknowledged_at: Optional[dt.datetime]
    taken_at: Optional[dt.datetime]
    closed_at: Optional[dt.datetime]
    events: List[CaseEvent] = field(default_factory=list)
    #: True when ``open_case`` created this case (notify officers), False when it was there.
    new: bool = False

    @property
    def is_active(self) -> bool:
        return self.status != CLOSED

    def waiting(self, now: Optional[dt.datetime] = None) -> dt.timedelta:
        """How long the case has been open (the queue's second sort key)."""
        return (now or utcnow()) - self.created_at

    def __repr__(self) -> str:  # no conversation id (a phone number on SMS), no content
        return (
            f"Case({self.number}, status={self.status!r}, severity={self.severity!r}, "
            f"country={self.country!r}, conversation={mask_id(self.conversation_id)})"
        )


@dataclass
class ConsentRecord:
    id: int
    conversation_id: str
    case_id: Optional[int]
    decision: str
    method: Optional[str]
    actor: Optional[str]
    created_at: dt.datetime

    def __repr__(self) -> str:
        return (
            f"ConsentRecord(id={self.id}, decision={self.decision!r}, method={self.method!r}, "
            f"conversation={mask_id(self.conversation_id)})"
        )


def format_case_number(case_id: int, country: Optional[str]) -> str:
    """``TW-0042``: the country (``XX`` when unknown) and the case's id, which is unique across
    countries and never reused, so "OK 42" and "OK TW-0042" name the same case."""
    return f"{country or UNKNOWN_COUNTRY_PREFIX}-{case_id:04d}"


def parse_case_number(value: str) -> Optional[int]:
    """The case id in ``TW-0042``, ``tw 42``, ``#42`` or ``42``; None when it is not one."""
    match = _CASE_NUMBER.match(value or "")
    return int(match.group(2)) if match else None


def _check(value: Optional[str], allowed: Sequence[str], what: str, optional: bool = False) -> None:
    if value is None and optional:
        return
    if value not in allowed:
        raise InvalidValue(f"{what} must be one of {', '.join(allowed)}, not {value!r}")


def _severity_order():
    return case_when(
        {severity: rank for severity, rank in SEVERITY_RANK.items()},
        value=cases.c.severity,
        else_=len(SEVERITIES),
    )


class CaseStore:
    """Cases in a SQL database (``bot.cases.db.make_engine``); run ``migrate(engine)`` first.

    Methods are synchronous; async callers run them in a thread. ``clock`` returns the current
    time as an aware UTC datetime (tests pass their own).
    """

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = utcnow):
        self.engine = engine
        self.clock = clock

    @classmethod
    def connect(cls, url: Optional[str] = None, migrate: bool = True) -> CaseStore:
        """A store on ``url`` (default: DATABASE_URL or the SQLite file), migrated."""
        from bot.cases.db import make_engine
        from bot.cases.schema import migrate as run_migrations

        engine = make_engine(url)
        if migrate:
            run_migrations(engine)
        return cls(engine)

    # --- reading --------------------------------------------------------------------------

    def get_case(self, case_id: int, with_events: bool = True) -> Case:
        with self.engine.connect() as connection:
            found = self._load(connection, case_id)
            if with_events:
                found.events = self._events(connection, case_id)
            return found

    def get_case_by_number(self, number: str, with_events: bool = True) -> Case:
        """The case named ``TW-0042`` (or ``42``); the country part must match when given."""
        case_id = parse_case_number(number)
        if case_id is None:
            raise CaseNotFound(f"{number!r} is not a case number")
        found = self.get_case(case_id, with_events=with_events)
        prefix = _CASE_NUMBER.match(number).group(1)
        if prefix and prefix.upper() != found.number.split("-")[0]:
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
                _check(one, STATUSES, "status")
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

    def consent_records(self, conversation_id: str) -> List[ConsentRecord]:
        query = (
            select(consent_records)
            .where(consent_records.c.conversation_id == conversation_id)
            .order_by(consent_records.c.id)
        )
        with self.engine.connect() as connection:
            return [ConsentRecord(**row) for row in connection.execute(query).mappings()]

    # --- opening and the audit trail ------------------------------------------------------

    def open_case(
        self,
        conversation_id: str,
        channel: str,
        country: Optional[str],
        language: str,
        severity: str,
        summary: Optional[str] = None,
        *,
        consent: str = "pending",
        contact_preference: Optional[str] = None,
        contact_detail: Optional[str] = None,
        actor: str = "bot",
    ) -> Case:
        """The conversation's open case, created if it has none (then ``case.new`` is True).

        An existing case is returned as it is, except that a higher ``severity`` raises it.
        Two processes opening a case for the same conversation at the same moment get the same
        case: the database refuses a second open one and the loser returns the winner's.
        """
        if not conversation_id:
            raise InvalidValue("conversation_id must not be empty")
        if not CHANNELS_PATTERN.match(channel or ""):
            raise InvalidValue(f"channel must be a short lower-case name, not {channel!r}")
        country = country.upper() if country else None
        if country is not None and not _COUNTRY.match(country):
            raise InvalidValue(f"country must be an ISO 3166-1 alpha-2 code, not {country!r}")
        if not language or len(language) > 8:
            raise InvalidValue(f"language must be a short code like 'vi', not {language!r}")
        _check(severity, SEVERITIES, "severity")
        _check(consent, CONSENT_STATES, "consent")
        _check(contact_preference, CONTACT_PREFERENCES, "contact_preference", optional=True)

        for _attempt in range(3):
            try:
                with self.engine.begin() as connection:
                    existing = self._find_open(connection, conversation_id, lock=True)
                    if existing is not None:
                        if SEVERITY_RANK[severity] < SEVERITY_RANK[existing.severity]:
                            self._raise(connection, existing, severity, actor)
                            existing = self._load(connection, existing.id)
                        return existing
                    created = self._insert_case(
                        connection,
                        conversation_id=conversation_id,
                        channel=channel,
                        country=country,
                        language=language,
                        severity=severity,
                        summary=summary,
                        consent=consent,
                        contact_preference=contact_preference,
                        contact_detail=contact_detail,
                        actor=actor,
                    )
            except IntegrityError:
                # Another process opened one between our look and our insert: use theirs.
                log.info("Case for %s opened concurrently; joining it.", mask_id(conversation_id))
                continue
            log.info(
                "Case %s opened: severity %s, country %s, channel %s, conversation %s.",
                created.number, created.severity, created.country or "unknown", created.channel,
                mask_id(conversation_id),
            )
            return created
        raise CaseError("could not open or find the conversation's case; try again")

    def _insert_case(self, connection: Connection, **values: Any) -> Case:
        now = self.clock()
        actor = values.pop("actor")
        result = connection.execute(
            cases.insert().values(
                status=OPEN, created_at=now, updated_at=now, **values
            )
        )
        case_id = result.inserted_primary_key[0]
        connection.execute(
            update(cases)
            .where(cases.c.id == case_id)
            .values(case_number=format_case_number(case_id, values["country"]))
        )
        self._event(
            connection,
            case_id,
            "created",
            actor,
            {"severity": values["severity"], "channel": values["channel"],
             "country": values["country"], "language": values["language"],
             "consent": values["consent"]},
        )
        created = self._load(connection, case_id)
        created.new = True
        return created

    def add_event(
        self, case_id: int, kind: str, actor: Optional[str] = None, detail: Optional[Mapping] = None
    ) -> CaseEvent:
        """Append to a case's audit trail (any kind in EVENT_KINDS; closed cases included,
        e.g. a late notification failure)."""
        _check(kind, EVENT_KINDS, "event kind")
        with self.engine.begin() as connection:
            self._load(connection, case_id, lock=True)
            event = self._event(connection, case_id, kind, actor, dict(detail or {}))
            self._touch(connection, case_id)
            return event

    def add_note(self, case_id: int, actor: str, text: str) -> CaseEvent:
        if not text or not text.strip():
            raise InvalidValue("a note must not be empty")
        return self.add_event(case_id, "note", actor, {"text": text})

    def record_message(
        self, case_id: int, direction: str, text: str, actor: Optional[str] = None
    ) -> CaseEvent:
        """A message of the conversation: ``in`` from the worker, ``out`` to her (from the
        bot or an officer, named by ``actor``). Closed cases take no more messages."""
        _check(direction, ("in", "out"), "direction")
        if text is None:
            raise InvalidValue("text must not be None")
        with self.engine.begin() as connection:
            current = self._load(connection, case_id, lock=True)
            if current.status == CLOSED:
                raise InvalidTransition(
                    f"case {current.number} is closed; open a new case for new messages"
                )
            event = self._event(
                connection,
                case_id,
                "message_in" if direction == "in" else "message_out",
                actor or ("worker" if direction == "in" else "bot"),
                {"text": text},
            )
            self._touch(connection, case_id)
            return event

    # --- transitions ----------------------------------------------------------------------

    def acknowledge(self, case_id: int, officer: str) -> Case:
        """The officer has seen the alert (Telegram button, "OK TW-0042", the console)."""
        with self.engine.begin() as connection:
            current = self._load(connection, case_id, lock=True)
            if current.status in (ACKNOWLEDGED, TAKEN) and current.assigned_officer == officer:
                return current  # a double-tapped button, or an ack after taking it
            if current.status != OPEN:
                raise InvalidTransition(self._why_not(current, "acknowledge"))
            now = self.clock()
            self._set(connection, case_id, status=ACKNOWLEDGED, assigned_officer=officer,
                      acknowledged_at=now)
            self._event(connection, case_id, "acknowledged", officer, {})
            updated = self._load(connection, case_id)
        log.info("Case %s acknowledged by %s.", updated.number, officer)
        return updated

    def take(self, case_id: int, officer: str) -> Case:
        """The officer takes over the conversation (the bot pauses for it)."""
        with self.engine.begin() as connection:
            current = self._load(connection, case_id, lock=True)
            if current.status == TAKEN and current.assigned_officer == officer:
                return current
            if current.status == CLOSED or current.status == TAKEN:
                raise InvalidTransition(self._why_not(current, "take"))
            if (
                current.status == ACKNOWLEDGED
                and current.assigned_officer
                and current.assigned_officer != officer
            ):
                raise InvalidTransition(
                    f"case {current.number} was acknowledged by {current.assigned_officer}; "
                    f"reassign it before taking it"
                )
            now = self.clock()
            values: Dict[str, Any] = {"status": TAKEN, "assigned_officer": officer, "taken_at": now}
            if current.acknowledged_at is None:
                values["acknowledged_at"] = now
            self._set(connection, case_id, **values)
            self._event(connection, case_id, "taken", officer, {"from_status": current.status})
            updated = self._load(connection, case_id)
        log.info("Case %s taken by %s.", updated.number, officer)
        return updated

    def reassign(self, case_id: int, to_officer: str, actor: str, reason: Optional[str] = None) -> Case:
        """Hand the case to another officer; the status stays as it is."""
        if not to_officer:
            raise InvalidValue("reassign to whom? the officer must not be empty")
        with self.engine.begin() as connection:
            current = self._load(connection, case_id, lock=True)
            if current.status == CLOSED:
                raise InvalidTransition(self._why_not(current, "reassign"))
            if current.assigned_officer == to_officer:
                raise InvalidTransition(f"case {current.number} is already with {to_officer}")
            self._set(connection, case_id, assigned_officer=to_officer)
            detail: Dict[str, Any] = {"from": current.assigned_officer, "to": to_officer}
            if reason:
                detail["reason"] = reason
            self._event(connection, case_id, "reassigned", actor, detail)
            updated = self._load(connection, case_id)
        log.info("Case %s reassigned to %s by %s.", updated.number, to_officer, actor)
        return updated

    def close(self, case_id: int, actor: str, reason: Optional[str] = None) -> Case:
        """Close the case (final): the bot resumes, a new message opens a new case."""
        with self.engine.begin() as connection:
            current = self._load(connection, case_id, lock=True)
            if current.status == CLOSED:
                raise InvalidTransition(self._why_not(current, "close"))
            self._set(connection, case_id, status=CLOSED, closed_at=self.clock())
            self._event(connection, case_id, "closed", actor,
                        {"from_status": current.status, **({"reason": reason} if reason else {})})
            updated = self._load(connection, case_id)
        log.info("Case %s closed by %s.", updated.number, actor)
        return updated

    def raise_severity(self, case_id: int, severity: str, actor: str = "bot") -> Case:
        """Raise the severity; an equal or lower one changes nothing (never lowered)."""
        _check(severity, SEVERITIES, "severity")
        with self.engine.begin() as connection:
            current = self._load(connection, case_id, lock=True)
            if current.status == CLOSED:
                raise InvalidTransition(self._why_not(current, "raise the severity of"))
            if SEVERITY_RANK[severity] >= SEVERITY_RANK[current.severity]:
                return current
            self._raise(connection, current, severity, actor)
            return self._load(connection, case_id)

    def _raise(self, connection: Connection, current: Case, severity: str, actor: str) -> None:
        self._set(connection, current.id, severity=severity)
        self._event(connection, current.id, "severity_changed", actor,
                    {"from": current.severity, "to": severity})
        log.info("Case %s severity raised from %s to %s.", current.number, current.severity, severity)

    # --- consent --------------------------------------------------------------------------

    def record_consent(
        self,
        conversation_id: str,
        decision: str,
        method: Optional[str] = None,
        contact_detail: Optional[str] = None,
        actor: str = "worker",
    ) -> ConsentRecord:
        """Log her answer to "may a consular officer contact you, and how?".

        Always a consent record; when the conversation has an open case, also the case's
        consent state and contact preference and a consent_given/consent_declined event. A
        decline opens nothing (the caller still gives referrals)."""
        _check(decision, CONSENT_DECISIONS, "decision")
        _check(method, CONTACT_PREFERENCES, "method", optional=True)
        if not conversation_id:
            raise InvalidValue("conversation_id must not be empty")
        with self.engine.begin() as connection:
            current = self._find_open(connection, conversation_id, lock=True)
            now = self.clock()
            result = connection.execute(
                consent_records.insert().values(
                    conversation_id=conversation_id,
                    case_id=current.id if current else None,
                    decision=decision,
                    method=method,
                    actor=actor,
                    created_at=now,
                )
            )
            record_id = result.inserted_primary_key[0]
            if current is not None:
                values: Dict[str, Any] = {"consent": decision}
                if decision == "given":
                    values["contact_preference"] = method
                    values["contact_detail"] = contact_detail
                self._set(connection, current.id, **values)
                self._event(connection, current.id, f"consent_{decision}", actor,
                            {"method": method} if method else {})
            row = connection.execute(
                select(consent_records).where(consent_records.c.id == record_id)
            ).mappings().one()
        log.info("Consent %s (%s) recorded for %s.", decision, method or "no method",
                 mask_id(conversation_id))
        return ConsentRecord(**row)

    # --- retention and erasure ------------------------------------------------------------

    def purge_closed_older_than(self, days: int) -> Dict[str, int]:
        """Delete cases closed more than ``days`` ago with their events (the transcripts) and
        notifications, and consent records as old whose conversation has no case left.
        Returns the counts; logs counts only."""
        if days < 0:
            raise InvalidValue("days must not be negative")
        cutoff = self.clock() - dt.timedelta(days=days)
        with self.engine.begin() as connection:
            doomed = select(cases.c.id).where(
                and_(cases.c.status == CLOSED, cases.c.closed_at < cutoff)
            )
            counts = self._delete_cases(connection, doomed)
            remaining = select(cases.c.conversation_id)
            counts["consent_records"] = connection.execute(
                delete(consent_records).where(
                    and_(
                        consent_records.c.created_at < cutoff,
                        consent_records.c.conversation_id.not_in(remaining),
                    )
                )
            ).rowcount
        log.info(
            "Retention: purged %(cases)d closed cases, %(events)d events, %(notifications)d "
            "notifications, %(consent_records)d consent records.", counts,
        )
        return counts

    def erase_conversation(self, conversation_id: str) -> Dict[str, int]:
        """Erase everything kept about one conversation (her "XOA"/"DELETE"), open cases
        included. Returns the counts; logs counts and the masked id only."""
        with self.engine.begin() as connection:
            doomed = select(cases.c.id).where(cases.c.conversation_id == conversation_id)
            counts = self._delete_cases(connection, doomed)
            counts["consent_records"] = connection.execute(
                delete(consent_records).where(consent_records.c.conversation_id == conversation_id)
            ).rowcount
        log.info(
            "Erasure of %s: %d cases, %d events, %d notifications, %d consent records deleted.",
            mask_id(conversation_id), counts["cases"], counts["events"], counts["notifications"],
            counts["consent_records"],
        )
        return counts

    def _delete_cases(self, connection: Connection, doomed) -> Dict[str, int]:
        ids = list(connection.execute(doomed).scalars())
        counts = {"cases": 0, "events": 0, "notifications": 0}
        for start in range(0, len(ids), 500):  # bounded IN lists
            chunk = ids[start:start + 500]
            counts["events"] += connection.execute(
                delete(case_events).where(case_events.c.case_id.in_(chunk))
            ).rowcount
            counts["notifications"] += connection.execute(
                delete(notifications).where(notifications.c.case_id.in_(chunk))
            ).rowcount
            connection.execute(
                update(consent_records).where(consent_records.c.case_id.in_(chunk)).values(case_id=None)
            )
            counts["cases"] += connection.execute(delete(cases).where(cases.c.id.in_(chunk))).rowcount
        return counts

    # --- helpers --------------------------------------------------------------------------

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
