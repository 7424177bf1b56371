"""Opening a case and moving it between statuses.

Statuses and the moves between them::

    open ──acknowledge──▶ acknowledged ──take──▶ taken
      └──────────────────take──────────────────────┘
    open | acknowledged | taken ──close──▶ closed        (closed is final)
    open | acknowledged | taken ──reassign──▶ same status, another officer

A move that is not allowed raises ``InvalidTransition`` with the reason in words. The same
officer acknowledging or taking twice (a double-tapped button) is not an error and adds no
event. Severity only ever goes up (``raise_severity``; the safety net may raise, never lower).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, Optional

from sqlalchemy import update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.cases.case_rows import CaseRows
from bot.cases.records import (
    ACKNOWLEDGED,
    CHANNELS_PATTERN,
    CLOSED,
    CONSENT_STATES,
    CONTACT_PREFERENCES,
    COUNTRY_CODE,
    OPEN,
    SEVERITY_RANK,
    TAKEN,
    Case,
    CaseError,
    InvalidTransition,
    InvalidValue,
    check_value,
    format_case_number,
)
from bot.cases.schema import cases
from bot.runtime.privacy import mask_id
from bot.understanding.severity import SEVERITIES

log = logging.getLogger(__name__)


class CaseLifecycle(CaseRows):
    """Opening cases and the moves between statuses."""

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
        opened_at: Optional[dt.datetime] = None,
    ) -> Case:
        """The conversation's open case, created if it has none (then ``case.new`` is True).

        ``opened_at``: when the opening was asked for, for an opening done late (the case store
        was down); the case then counts its waiting time from that moment.

        An existing case is returned as it is, except that a higher ``severity`` raises it.
        Two processes opening a case for the same conversation at the same moment get the same
        case: the database refuses a second open one and the loser returns the winner's.
        """
        if not conversation_id:
            raise InvalidValue("conversation_id must not be empty")
        if not CHANNELS_PATTERN.match(channel or ""):
            raise InvalidValue(f"channel must be a short lower-case name, not {channel!r}")
        country = country.upper() if country else None
        if country is not None and not COUNTRY_CODE.match(country):
            raise InvalidValue(f"country must be an ISO 3166-1 alpha-2 code, not {country!r}")
        if not language or len(language) > 8:
            raise InvalidValue(f"language must be a short code like 'vi', not {language!r}")
        check_value(severity, SEVERITIES, "severity")
        check_value(consent, CONSENT_STATES, "consent")
        check_value(contact_preference, CONTACT_PREFERENCES, "contact_preference", optional=True)

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
                        opened_at=opened_at,
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
        now = values.pop("opened_at") or self.clock()
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

    # --- moves ----------------------------------------------------------------------------

    def acknowledge(self, case_id: int, officer: str, detail: Optional[Dict[str, Any]] = None) -> Case:
        """The officer has seen the alert (Telegram button, "OK TW-0042 <code>", the console);
        ``detail`` says how (channel, the group it was pressed in)."""
        with self.engine.begin() as connection:
            current = self._load(connection, case_id, lock=True)
            if current.status in (ACKNOWLEDGED, TAKEN) and current.assigned_officer == officer:
                return current  # a double-tapped button, or an ack after taking it
            if current.status != OPEN:
                raise InvalidTransition(self._why_not(current, "acknowledge"))
            now = self.clock()
            self._set(connection, case_id, status=ACKNOWLEDGED, assigned_officer=officer,
                      acknowledged_at=now)
            self._event(connection, case_id, "acknowledged", officer, dict(detail or {}))
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
        check_value(severity, SEVERITIES, "severity")
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
