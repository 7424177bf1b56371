"""A case's audit trail: events, officers' notes and the messages of the conversation (the
transcript). Events are only ever appended."""
from __future__ import annotations

from typing import Mapping, Optional

from bot.cases.case_rows import CaseRows
from bot.cases.records import (
    CLOSED,
    EVENT_KINDS,
    CaseEvent,
    InvalidTransition,
    InvalidValue,
    check_value,
)


class AuditTrail(CaseRows):
    """Appending to a case's audit trail."""

    def add_event(
        self, case_id: int, kind: str, actor: Optional[str] = None, detail: Optional[Mapping] = None
    ) -> CaseEvent:
        """Append to a case's audit trail (any kind in EVENT_KINDS; closed cases included,
        e.g. a late notification failure)."""
        check_value(kind, EVENT_KINDS, "event kind")
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
        self, case_id: int, direction: str, text: str, actor: Optional[str] = None, *, opening: bool = False
    ) -> CaseEvent:
        """A message of the conversation: ``in`` from the worker, ``out`` to her (from the
        bot or an officer, named by ``actor``). Closed cases take no more messages.
        ``opening``: her message that opened the case (marked in the transcript)."""
        check_value(direction, ("in", "out"), "direction")
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
                {"text": text, "opening": True} if opening else {"text": text},
            )
            self._touch(connection, case_id)
            return event
