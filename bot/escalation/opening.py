"""Opening a case, committed before she is told; and openings that had to wait.

Escalation is on when ESCALATION_ENABLED is set and a valid rota (ROTA_FILE) is configured;
otherwise replies never say an officer is coming. Opening a case writes it, its first
notifications (the on-duty officer's) and the conversation's open-case flag in Redis; the
console process sends the notifications and escalates at the SLA.

A case that cannot be written (the store is locked or down) is not dropped: the opening goes to
the CASE_OPENINGS stream in Redis with the moment it was asked for, the caller still gets the
error (so she is not promised a person, only given the numbers), and `PendingOpenings` in the
console process opens it when the store answers again, dated from that moment, and alerts. The
channel pipeline queues there too when the action server failed on a critical message.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from functools import lru_cache
from typing import Optional

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from bot.cases.rota import Rota, load_rota
from bot.cases.store import Case, CaseStore, InvalidValue
from bot.escalation.notify import schedule_step
from bot.runtime import metrics
from bot.runtime.privacy import mask_id
from bot.runtime.redis_client import redis_client
from bot.runtime.settings import Settings
from channels.handoff import CASE_KEY, CASE_OPENINGS, case_opening
from channels.streams import DurableStream, Entry, StreamWorker

logger = logging.getLogger(__name__)


class Escalator:
    def __init__(self, store: CaseStore, rota: Rota, redis_url: Optional[str], case_ttl_seconds: int) -> None:
        self.store = store
        self.rota = rota
        self.redis = redis_client(redis_url, decode_responses=True) if redis_url else None
        self.case_ttl_seconds = case_ttl_seconds

    def open(self, conversation_id: str, channel: str, country: Optional[str], language: str, severity: str, *,
             consent: str, contact_preference: Optional[str] = None, contact_detail: Optional[str] = None) -> Case:
        asked_at = time.time()
        try:
            case = open_and_alert(self.store, self.rota, conversation_id, channel, country, language, severity,
                                  consent=consent, contact_preference=contact_preference, contact_detail=contact_detail)
        except (SQLAlchemyError, OSError) as error:
            self._defer(case_opening(conversation_id, channel, severity, country=country, language=language, at=asked_at,
                                     consent=consent, contact_preference=contact_preference, reason=type(error).__name__))
            raise
        if self.redis is not None:
            self.redis.set(CASE_KEY.format(conversation_id=conversation_id), str(case.id), ex=self.case_ttl_seconds)
        return case

    def _defer(self, opening: dict) -> None:
        if self.redis is None:
            logger.error("The case store failed and there is no Redis to keep the opening for later")
            return
        try:
            self.redis.xadd(CASE_OPENINGS, opening)
            logger.error("The case store failed; the case opening waits in Redis until it answers")
        except RedisError as error:
            logger.error("The case store and Redis both failed (%s); the case opening is lost", type(error).__name__)

    def record_consent(self, conversation_id: str, decision: str, method: Optional[str] = None,
                       contact_detail: Optional[str] = None) -> None:
        self.store.record_consent(conversation_id, decision, method, contact_detail)


def open_and_alert(store: CaseStore, rota: Rota, conversation_id: str, channel: str, country: Optional[str], language: str,
                   severity: str, *, consent: str, contact_preference: Optional[str] = None,
                   contact_detail: Optional[str] = None, opened_at: Optional[dt.datetime] = None) -> Case:
    """Open (or join) the conversation's case; a new one gets its first alerts at once."""
    case = store.open_case(
        conversation_id, channel, country, language, severity,
        consent=consent, contact_preference=contact_preference, contact_detail=contact_detail, opened_at=opened_at,
    )
    if case.new:
        metrics.case_opened(case.severity, case.country)
        officer = schedule_step(store, rota, case, 0)
        logger.info("Case %s for %s: alerting %s", case.number, mask_id(conversation_id), officer.id if officer else "nobody")
    return case


class PendingOpenings:
    """Opens the cases that waited in CASE_OPENINGS, as soon as the case store answers: dated
    from when they were asked for, alerting at once, never given up (retried with backoff)."""

    def __init__(self, store: CaseStore, rota: Rota, redis: aioredis.Redis, case_ttl_seconds: int) -> None:
        self.store = store
        self.rota = rota
        self.redis = redis
        self.case_ttl_seconds = case_ttl_seconds
        self.stream = DurableStream(redis, CASE_OPENINGS)

    def worker(self, consumer: str, claim_idle_seconds: float, retry_max_seconds: float = 30.0) -> StreamWorker:
        return StreamWorker(
            self.stream, consumer, self.handle, self.handle,
            order_key=lambda entry: "case-openings", claim_idle_seconds=claim_idle_seconds, concurrency=1,
            max_deliveries=10 ** 9, retry_max_seconds=retry_max_seconds,
        )

    async def handle(self, entry: Entry) -> None:
        opening = json.loads(entry.fields["opening"])
        asked_at = dt.datetime.fromtimestamp(float(opening["at"]), dt.timezone.utc)
        try:
            case = await asyncio.to_thread(
                open_and_alert, self.store, self.rota, opening["conversation_id"], opening["channel"], opening.get("country"),
                opening.get("language") or "vi", opening["severity"], consent=opening.get("consent") or "not_required",
                contact_preference=opening.get("contact_preference"), opened_at=asked_at,
            )
        except InvalidValue as error:  # it can never be opened: waiting longer would not help
            logger.error("A waiting case opening is invalid and was dropped: %s", error)
            await self.stream.finish(entry.id)
            return
        if case.new:
            await asyncio.to_thread(self.store.add_event, case.id, "opened_late", "bot",
                                    {"asked_at": asked_at.isoformat(), "reason": opening.get("reason") or ""})
            logger.warning("Case %s opened late (asked for at %s UTC)", case.number, f"{asked_at:%H:%M:%S}")
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(CASE_KEY.format(conversation_id=opening["conversation_id"]), str(case.id), ex=self.case_ttl_seconds)
            self.stream.finish_in(pipe, entry.id)
            await pipe.execute()


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
