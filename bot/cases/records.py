"""What the case store keeps, as the code sees it: cases, their events and consent records, the
values their fields may take, the errors the store raises, and case numbers (``TW-0042``).

Nothing here puts a conversation id, transcript text or a summary in a repr: conversation ids
are masked with ``bot.runtime.privacy.mask_id`` and cases are named by their number.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.cases.db import utcnow
from bot.cases.schema import STATUSES
from bot.runtime.privacy import mask_id
from bot.understanding.severity import SEVERITIES

#: Most urgent first; the order of the queue.
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}

OPEN, ACKNOWLEDGED, TAKEN, CLOSED = STATUSES
ACTIVE_STATUSES = (OPEN, ACKNOWLEDGED, TAKEN)

EVENT_KINDS = (
    "created",
    "notified",
    "notify_failed",
    "acknowledged",
    "ack_refused",
    "opened_late",
    "taken",
    "message_in",
    "message_out",
    "consent_given",
    "consent_declined",
    "consent_withdrawn",
    "contact_terms",
    "details_changed",
    "severity_changed",
    "reassigned",
    "note",
    "closed",
)

#: A case's consent state. ``not_required``: imminent danger, opened without asking (Polaris).
CONSENT_STATES = ("pending", "given", "declined", "not_required", "withdrawn")
#: How she wants to be contacted: in this chat, a call to this number, another safe number/time,
#: or not at all until she writes again (``hold``); ``contact_detail`` says the when and how.
CONTACT_PREFERENCES = ("chat", "call", "other", "hold")
CONSENT_DECISIONS = ("given", "declined", "withdrawn")
CHANNELS_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
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


def read_case_number(value: str) -> Optional[Tuple[Optional[str], int]]:
    """The country prefix (upper case; None when not given) and the case id in ``TW-0042``,
    ``tw 42``, ``#42`` or ``42``; None when it is not a case number."""
    match = _CASE_NUMBER.match(value or "")
    if not match:
        return None
    prefix = match.group(1)
    return (prefix.upper() if prefix else None), int(match.group(2))


def parse_case_number(value: str) -> Optional[int]:
    """The case id in ``TW-0042``, ``tw 42``, ``#42`` or ``42``; None when it is not one."""
    read = read_case_number(value)
    return read[1] if read else None


def check_value(value: Optional[str], allowed: Sequence[str], what: str, optional: bool = False) -> None:
    """InvalidValue unless ``value`` is one of ``allowed`` (or None, when ``optional``)."""
    if value is None and optional:
        return
    if value not in allowed:
        raise InvalidValue(f"{what} must be one of {', '.join(allowed)}, not {value!r}")

