"""What the conversation tells after the case opened: her country (the case follows it) and her
terms for being contacted, each change an event in the case's trail."""
from __future__ import annotations

import logging
from typing import Optional, Tuple

from bot.cases.case_rows import CaseRows
from bot.cases.records import (
    CONTACT_PREFERENCES,
    COUNTRY_CODE,
    Case,
    InvalidValue,
    check_value,
)
from bot.runtime.privacy import mask_id

log = logging.getLogger(__name__)


class CaseDetails(CaseRows):
    def change_country(self, conversation_id: str, country: str, actor: str = "bot") -> Tuple[Optional[Case], bool]:
        """The open case with its country set to ``country``; True when that changed it."""
        country = (country or "").upper()
        if not COUNTRY_CODE.match(country):
            raise InvalidValue(f"country must be an ISO 3166-1 alpha-2 code, not {country!r}")
        with self.engine.begin() as connection:
            current = self._find_open(connection, conversation_id, lock=True)
            if current is None or current.country == country:
                return current, False
            self._set(connection, current.id, country=country)
            self._event(connection, current.id, "details_changed", actor, {"country": {"from": current.country, "to": country}})
            updated = self._load(connection, current.id)
        log.info("Case %s now in %s (was %s).", updated.number, country, current.country or "unknown")
        return updated, True

    def record_contact_terms(self, conversation_id: str, preference: str, detail: Optional[str],
                             actor: str = "worker") -> Optional[Case]:
        """Her terms on the open case (None when there is none: the caller keeps them for later)."""
        check_value(preference, CONTACT_PREFERENCES, "preference")
        with self.engine.begin() as connection:
            current = self._find_open(connection, conversation_id, lock=True)
            if current is None:
                return None
            self._set(connection, current.id, contact_preference=preference, contact_detail=detail)
            self._event(connection, current.id, "contact_terms", actor, {"preference": preference, **({"detail": detail} if detail else {})})
            updated = self._load(connection, current.id)
        log.info("Case %s: contact terms %s for %s.", updated.number, preference, mask_id(conversation_id))
        return updated
