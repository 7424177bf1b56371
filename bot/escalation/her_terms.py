"""Her terms, carried out: when and how she may be contacted, or her consent taken back.

The terms go on the open case (officers see them in the alert and on the case page) and to the
channels' contact hold (channels/contact_hold.py), which keeps an officer's message until she may
safely get it. Withdrawn consent closes a case opened on her consent; a case opened because she
was in immediate danger stays open for an officer to review, marked "do not contact".
"""
from __future__ import annotations

import logging
from typing import Optional

import pytz

from bot.cases.store import Case, CaseError
from bot.dialogue.contact_terms import ContactTerms
from bot.escalation.opening import Escalator
from channels.contact_hold import HOLD_TTL_SECONDS, Hold, hold_key
from channels.handoff import CASE_KEY

logger = logging.getLogger(__name__)


def time_zone_of(country: Optional[str]) -> str:
    zones = pytz.country_timezones.get((country or "").upper()) or []
    return zones[0] if zones else "UTC"


def record_terms(escalator: Escalator, conversation_id: str, terms: ContactTerms, country: Optional[str]) -> Optional[Case]:
    """Her terms on the open case (None when none is open) and on the channels' hold."""
    if escalator.redis is not None:
        if terms.hold or terms.after is not None or terms.before is not None:
            hold = Hold(terms.hold, terms.after, terms.before, time_zone_of(country))
            escalator.redis.set(hold_key(conversation_id), hold.dump(), ex=HOLD_TTL_SECONDS)
        else:
            escalator.redis.delete(hold_key(conversation_id))
    return escalator.store.record_contact_terms(conversation_id, terms.preference, terms.describe("en"))


def withdraw(escalator: Escalator, conversation_id: str) -> Optional[Case]:
    """Her consent taken back; the case closed unless it was opened for immediate danger."""
    escalator.store.record_consent(conversation_id, "withdrawn")
    case = escalator.store.find_open_case(conversation_id)
    if case is None:
        return None
    if case.severity == "critical":
        escalator.store.record_contact_terms(conversation_id, "hold", "consent withdrawn: do not contact", actor="worker")
        return case
    try:
        closed = escalator.store.close(case.id, "worker", "consent withdrawn")
    except CaseError:
        return case
    if escalator.redis is not None:
        escalator.redis.delete(CASE_KEY.format(conversation_id=conversation_id))
    return closed
