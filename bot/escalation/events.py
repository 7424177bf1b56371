"""Case events from the channels (the CASE_EVENTS stream) into the case store.

The Rasa process copies a conversation's messages here while it has an open case, and routes
officers' "OK TW-0042" and Acknowledge buttons here; the console process writes them to SQL.
A Redis stream with a consumer group, so nothing is lost when the console restarts.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Optional

import redis.asyncio as aioredis

from bot.cases.rota import Rota
from bot.cases.store import CaseError, CaseNotFound, CaseStore
from channels.handoff import CASE_EVENTS
from channels.streams import DurableStream, Entry, StreamWorker

logger = logging.getLogger(__name__)


class CaseEventWriter:
    def __init__(self, store: CaseStore, redis: aioredis.Redis, rota: Optional[Rota]) -> None:
        self.store = store
        self.redis = redis
        self.rota = rota
        self.stream = DurableStream(redis, CASE_EVENTS)

    def worker(self, consumer: str, claim_idle_seconds: float) -> StreamWorker:
        return StreamWorker(
            self.stream, consumer, self.handle, self.give_up,
            order_key=lambda entry: "case-events", claim_idle_seconds=claim_idle_seconds, concurrency=1,
        )

    async def handle(self, entry: Entry) -> None:
        event = json.loads(entry.fields["event"])
        kind = event["kind"]
        if kind in ("message_in", "message_out"):
            actor = "worker" if kind == "message_in" else "bot"
            try:
                await asyncio.to_thread(self.store.record_message, int(event["case_id"]), kind[len("message_"):], event["text"], actor)
            except CaseNotFound:
                pass  # erased or purged in between
        elif kind == "officer_ack":
            await self._acknowledge(event["officer"], str(event["case"]))
        elif kind == "erase":
            counts = await asyncio.to_thread(self.store.erase_conversation, event["conversation_id"])
            logger.info("Erased a conversation's cases on request: %s", counts)
        else:
            logger.warning("Unknown case event %r ignored", kind)
        await self.stream.finish(entry.id)

    async def _acknowledge(self, officer: str, reference: str) -> None:
        try:
            case = await asyncio.to_thread(self.store.get_case_by_number, reference, False)
        except (CaseNotFound, CaseError):
            logger.info("Officer %s acknowledged an unknown case %s", officer, reference)
            return
        if self.rota is not None and not may_acknowledge(self.rota, officer, case.country):
            logger.warning("Officer %s may not acknowledge %s (country %s)", officer, case.number, case.country)
            return
        try:
            await asyncio.to_thread(self.store.acknowledge, case.id, officer)
        except CaseError as error:
            logger.info("Acknowledgement of %s by %s refused: %s", case.number, officer, error)

    async def give_up(self, entry: Entry) -> None:
        logger.error("A case event could not be written after several tries; dropped (entry %s)", entry.id)


def may_acknowledge(rota: Rota, officer_id: str, country: Optional[str]) -> bool:
    """The desk, an officer of the case's country, or a backup of one."""
    try:
        officer = rota.get(officer_id)
    except KeyError:
        return False
    return officer.id == rota.desk.id or (country or "") in officer.countries or any(
        officer_id in other.backups for other in rota.officers if (country or "") in other.countries
    )
