"""Her answer to "may a consular officer contact you, and how?": a record of every answer, and
the open case's consent state and contact preference."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from sqlalchemy import select

from bot.cases.case_rows import CaseRows
from bot.cases.records import (
    CONSENT_DECISIONS,
    CONTACT_PREFERENCES,
    ConsentRecord,
    InvalidValue,
    check_value,
)
from bot.cases.schema import consent_records
from bot.runtime.privacy import mask_id

log = logging.getLogger(__name__)


class ConsentLog(CaseRows):
    """Consent records, and the consent of the conversation's open case."""

    def consent_records(self, conversation_id: str) -> List[ConsentRecord]:
        """Every answer the conversation gave, oldest first."""
        query = (
            select(consent_records)
            .where(consent_records.c.conversation_id == conversation_id)
            .order_by(consent_records.c.id)
        )
        with self.engine.connect() as connection:
            return [ConsentRecord(**row) for row in connection.execute(query).mappings()]

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
        check_value(decision, CONSENT_DECISIONS, "decision")
        check_value(method, CONTACT_PREFERENCES, "method", optional=True)
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
