"""Forgetting: cases closed longer ago than the retention period, and everything about one
conversation when she asks for it to be erased. Only counts are logged."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Dict

from sqlalchemy import and_, delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

from bot.cases.case_rows import CaseRows
from bot.cases.records import CLOSED, InvalidValue
from bot.cases.schema import case_events, cases, consent_records, notifications
from bot.runtime.privacy import mask_id

log = logging.getLogger(__name__)


class Retention(CaseRows):
    """Purging old closed cases and erasing conversations."""

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

    def _delete_cases(self, connection: Connection, doomed: Select) -> Dict[str, int]:
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
