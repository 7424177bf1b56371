"""The background jobs the console process runs: alerting officers, writing case events from
the channels (and confirming acknowledgements to the officers who made them), opening the cases
that had to wait for the case store, telling the channels who the officers are, and purging old
closed cases.

The officer senders are started once and shared by the alerting and the case-events jobs. Every
kind of case has an SLA (``bot.cases.sla``). Several processes may run these jobs over one store:
notifications are claimed before they are sent (``bot.escalation.claims``)."""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, Dict, List, Optional

import redis.asyncio as aioredis

from bot.cases.rota import configured_rota, sla_seconds
from bot.cases.store import CaseStore
from bot.escalation.events import CaseEventWriter, Messenger
from bot.escalation.notify import Notifier, OfficerSender
from bot.escalation.opening import PendingOpenings
from bot.escalation.routing import ack_key, publish_officer_contacts
from bot.escalation.senders import officer_senders
from bot.runtime.settings import Settings

logger = logging.getLogger(__name__)

Job = Callable[[object], Awaitable[None]]
RETENTION_INTERVAL_SECONDS = 3600


async def purge_forever(store: CaseStore, days: int) -> None:
    while True:
        try:
            counts = await asyncio.to_thread(store.purge_closed_older_than, days)
            if any(counts.values()):
                logger.info("Retention: purged closed cases older than %d days: %s", days, counts)
        except Exception:
            logger.exception("Retention purge failed; next try in an hour")
        await asyncio.sleep(RETENTION_INTERVAL_SECONDS)


class SharedSenders:
    """The officer senders, started by the first job that needs them and closed after the last."""

    def __init__(self, senders: Dict[str, OfficerSender]) -> None:
        self.senders = senders
        self._users = 0
        self._lock: Optional[asyncio.Lock] = None

    async def acquire(self) -> Dict[str, OfficerSender]:
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if self._users == 0:
                for sender in self.senders.values():
                    await sender.start()
            self._users += 1
        return self.senders

    async def release(self) -> None:
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            self._users -= 1
            if self._users == 0:
                for sender in self.senders.values():
                    await sender.close()


def background_jobs(store: CaseStore, redis: Optional[aioredis.Redis], settings: Settings) -> List[Job]:
    rota = configured_rota()
    jobs: List[Job] = [lambda _app: purge_forever(store, settings.retention_days)]
    if rota is None or redis is None:
        logger.warning("No duty rota (ROTA_FILE) or no Redis: officers will not be alerted")
        return jobs

    shared = SharedSenders(officer_senders(settings))

    async def notify(_app) -> None:
        senders = await shared.acquire()
        try:
            console_url = settings.console_public_url or f"http://{settings.host}:{settings.console_port}"
            notifier = Notifier(
                store, rota, senders, sla_seconds=sla_seconds(settings, rota),
                max_attempts=settings.notify_max_attempts, console_url=console_url, ack_key=await ack_key(redis),
            )
            await notifier.run_forever()
        finally:
            await shared.release()

    async def write_case_events(_app) -> None:
        await publish_officer_contacts(redis, rota)
        senders = await shared.acquire()
        messengers: Dict[str, Messenger] = {channel: sender for channel, sender in senders.items() if isinstance(sender, Messenger)}
        workers = [
            CaseEventWriter(store, redis, rota, await ack_key(redis), messengers).worker("console", settings.claim_idle_seconds),
            PendingOpenings(store, rota, redis, settings.tracker_ttl_seconds).worker("console", settings.claim_idle_seconds),
        ]
        for worker in workers:
            worker.start()
        try:
            await asyncio.Event().wait()
        finally:
            for worker in workers:
                await worker.stop()
            await shared.release()

    return jobs + [notify, write_case_events]
