"""Opening a case from the dialogue (the action server), committed before she is told.

Escalation is on when ESCALATION_ENABLED is set and a valid rota (ROTA_FILE) is configured;
otherwise replies never say an officer is coming. Opening a case writes it, its first
notifications (the on-duty officer's) and the conversation's open-case flag in Redis; the
console process sends the notifications and escalates at the SLA.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Optional

from bot.cases.rota import Rota, load_rota
from bot.cases.store import Case, CaseStore
from bot.escalation.notify import schedule_step
from bot.runtime.privacy import mask_id
from bot.runtime.redis_client import redis_client
from bot.runtime.settings import Settings
from channels.handoff import CASE_KEY

logger = logging.getLogger(__name__)


class Escalator:
    def __init__(self, store: CaseStore, rota: Rota, redis_url: Optional[str], case_ttl_seconds: int) -> None:
        self.store = store
        self.rota = rota
        self.redis = redis_client(redis_url, decode_responses=True) if redis_url else None
        self.case_ttl_seconds = case_ttl_seconds

    def open(self, conversation_id: str, channel: str, country: Optional[str], language: str, severity: str, *,
             consent: str, contact_preference: Optional[str] = None, contact_detail: Optional[str] = None) -> Case:
        case = self.store.open_case(
            conversation_id, channel, country, language, severity,
            consent=consent, contact_preference=contact_preference, contact_detail=contact_detail,
        )
        if case.new:
            officer = schedule_step(self.store, self.rota, case, 0)
            logger.info("Case %s for %s: alerting %s", case.number, mask_id(conversation_id), officer.id if officer else "nobody")
        if self.redis is not None:
            self.redis.set(CASE_KEY.format(conversation_id=conversation_id), str(case.id), ex=self.case_ttl_seconds)
        return case

    def record_consent(self, conversation_id: str, decision: str, method: Optional[str] = None) -> None:
        self.store.record_consent(conversation_id, decision, method)


@lru_cache(maxsize=1)
def escalator() -> Optional[Escalator]:
    """This process's escalator, or None when escalation is not configured."""
    settings = Settings()
    rota_file = settings.rota_file
    if not settings.escalation_enabled or not rota_file:
        return None
    store = CaseStore.connect()
    return Escalator(store, load_rota(rota_file), settings.redis_url, settings.tracker_ttl_seconds)


def channel_of(conversation_id: str, metadata: Optional[dict]) -> str:
    channel = (metadata or {}).get("channel")
    if channel:
        return str(channel)
    prefix = conversation_id.split("-", 1)[0]
    return prefix if prefix in ("twilio", "telegram", "zalo") else "rest"
