"""The background jobs the console process runs: alerting officers, writing case events from
the channels, opening the cases that had to wait for the case store, telling the channels who the
officers are, and purging old closed cases."""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, List, Optional

import redis.asyncio as aioredis

from bot.cases.rota import configured_rota
from bot.cases.store import CaseStore
from bot.escalation.events import CaseEventWriter
from bot.escalation.notify import Notifier
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


def background_jobs(store: CaseStore, redis: Optional[aioredis.Redis], settings: Settings) -> List[Job]:
    rota = configured_rota()
    jobs: List[Job] = [lambda _app: purge_forever(store, settings.retention_days)]
    if rota is None or redis is None:
        logger.warning("No duty rota (ROTA_FILE) or no Redis: officers will not be alerted")
        return jobs

    async def notify(_app) -> None:
        senders = officer_senders(settings)
        for sender in senders.values():
            await sender.start()
        console_url = settings.console_public_url or f"http://{settings.host}:{settings.console_port}"
        notifier = Notifier(
            store, rota, senders,
            sla_seconds={"critical": settings.sla_critical_seconds, "high": settings.sla_high_seconds},
            max_attempts=settings.notify_max_attempts, console_url=console_url, ack_key=await ack_key(redis),
        )
        try:
            await notifier.run_forever()
        finally:
            for sender in senders.values():
                await sender.close()

    async def write_case_events(_app) -> None:
        await publish_officer_contacts(redis, rota)
        workers = [
            CaseEventWriter(store, redis, rota, await ack_key(redis)).worker("console", settings.claim_idle_seconds),
            PendingOpenings(store, rota, redis, settings.tracker_ttl_seconds).worker("console", settings.claim_idle_seconds),
        ]
        for worker in workers:
            worker.start()
        try:
            await asyncio.Event().wait()
        finally:
            for worker in workers:
                await worker.stop()

    return jobs + [notify, write_case_events]
