"""Alerting officers: the on-duty officer for her country first, the next in the chain at the SLA.

Notifications are rows in the case store (table `notifications`), so they survive restarts:
a case's first step is written in the same moment the case is opened; this loop sends what is
due, retries failures with backoff, records every attempt as a case event, and when nobody has
acknowledged within the SLA (2 minutes for critical, 15 for high by default) schedules the next
officer in the chain: backups, then the desk in Vietnam. A notification carries a summary only
(severity, country, language, channel, case number, link); the transcript stays in the console.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Dict, List, Optional, Protocol

from sqlalchemy import and_, func, select

from bot.cases.db import utcnow
from bot.cases.rota import Officer, Rota, on_duty
from bot.cases.schema import notifications
from bot.cases.store import Case, CaseNotFound, CaseStore
from bot.understanding.gazetteer import country_name

logger = logging.getLogger(__name__)

PENDING, SENT, FAILED, CANCELLED = "pending", "sent", "failed", "cancelled"
CHANNEL_ORDER = ("telegram", "sms")
DESK_REPEATS = 10  # a case nobody acknowledges keeps ringing the desk, but not forever


class NotifyError(Exception):
    def __init__(self, reason: str, retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class OfficerSender(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def notify(self, address: str, case: Case, text: str, link: Optional[str]) -> None: ...


def chain_for(rota: Rota, case: Case) -> List[Officer]:
    """Who is alerted for this case, in order; fixed by the moment the case was opened."""
    return on_duty(rota, case.country, case.created_at)


def schedule_step(store: CaseStore, rota: Rota, case: Case, step: int, now: Optional[dt.datetime] = None) -> Optional[Officer]:
    """Queue notifications for the `step`-th officer of the case's chain (one per contact
    channel). Past the end of the chain the desk is alerted again, each SLA, up to
    DESK_REPEATS times; then None."""
    chain = chain_for(rota, case)
    if step >= len(chain) + DESK_REPEATS:
        return None
    officer = chain[min(step, len(chain) - 1)]
    now = now or utcnow()
    rows = [
        dict(case_id=case.id, officer=officer.id, channel=channel, step=step, status=PENDING, attempts=0,
             due_at=now, created_at=now, updated_at=now)
        for channel in CHANNEL_ORDER if getattr(officer.contacts, channel)
    ]
    with store.engine.begin() as connection:
        already = connection.execute(
            select(func.count()).select_from(notifications).where(and_(notifications.c.case_id == case.id, notifications.c.step == step))
        ).scalar()
        if not already and rows:
            connection.execute(notifications.insert(), rows)
    return officer


def summary_text(case: Case, link: Optional[str]) -> str:
    urgency = {"critical": "🔴 KHẨN CẤP / CRITICAL", "high": "🟠 CẦN GIÚP / HIGH"}.get(case.severity, case.severity.upper())
    country = country_name(case.country, "vi") if case.country else "chưa rõ nước / country unknown"
    lines = [
        f"{urgency} {case.number}",
        f"{country} · {case.language} · {case.channel}",
        f"Nhận ca / Acknowledge: OK {case.number}",
    ]
    if link:
        lines.append(link)
    return "\n".join(lines)


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(2 ** attempts, 60))


class Notifier:
    def __init__(self, store: CaseStore, rota: Rota, senders: Dict[str, OfficerSender], *,
                 sla_seconds: Dict[str, int], max_attempts: int, console_url: Optional[str]) -> None:
        self.store = store
        self.rota = rota
        self.senders = senders
        self.sla_seconds = sla_seconds
        self.max_attempts = max_attempts
        self.console_url = console_url.rstrip("/") if console_url else None

    def link(self, case: Case) -> Optional[str]:
        return f"{self.console_url}/cases/{case.id}" if self.console_url else None

    async def run_forever(self, interval: float = 0.5) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is down: everything waits in it, nothing is lost
                logger.exception("Notification round failed; retrying")
            await asyncio.sleep(interval)

    async def run_once(self, now: Optional[dt.datetime] = None) -> None:
        now = now or utcnow()
        await asyncio.to_thread(self._escalate_overdue, now)
        for row in await asyncio.to_thread(self._due, now):
            await self._attempt(row, now)

    # --- sending ----------------------------------------------------------------------------

    def _due(self, now: dt.datetime):
        with self.store.engine.begin() as connection:
            return connection.execute(
                select(notifications).where(and_(notifications.c.status == PENDING, notifications.c.due_at <= now))
                .order_by(notifications.c.due_at).limit(50)
            ).mappings().all()

    async def _attempt(self, row, now: dt.datetime) -> None:
        try:
            case = await asyncio.to_thread(self.store.get_case, row["case_id"], False)
        except CaseNotFound:
            return  # purged or erased; its notifications went with it
        if case.status != "open":  # acknowledged, taken or closed meanwhile
            await asyncio.to_thread(self._update, row["id"], status=CANCELLED, updated_at=now)
            return
        detail = {"officer": row["officer"], "channel": row["channel"], "step": row["step"], "attempt": row["attempts"] + 1}
        try:
            officer = self.rota.get(row["officer"])
            address = getattr(officer.contacts, row["channel"])
            sender = self.senders.get(row["channel"])
            if sender is None or not address:
                raise NotifyError(f"the {row['channel']} channel is not configured", retryable=False)
            await sender.notify(address, case, summary_text(case, self.link(case)), self.link(case))
        except (NotifyError, KeyError) as error:
            reason = error.reason if isinstance(error, NotifyError) else "officer no longer in the rota"
            retry = isinstance(error, NotifyError) and error.retryable and row["attempts"] + 1 < self.max_attempts
            await asyncio.to_thread(
                self._update, row["id"], status=PENDING if retry else FAILED, attempts=row["attempts"] + 1,
                last_attempt_at=now, last_error=reason[:200], due_at=now + backoff(row["attempts"] + 1), updated_at=now,
            )
            await asyncio.to_thread(self.store.add_event, case.id, "notify_failed", "bot", {**detail, "error": reason[:200], "will_retry": retry})
            logger.warning("Notifying %s about %s by %s failed: %s", row["officer"], case.number, row["channel"], reason)
            return
        await asyncio.to_thread(
            self._update, row["id"], status=SENT, attempts=row["attempts"] + 1, last_attempt_at=now, updated_at=now,
        )
        await asyncio.to_thread(self.store.add_event, case.id, "notified", "bot", detail)
        logger.info("Notified %s about %s by %s", row["officer"], case.number, row["channel"])

    def _update(self, notification_id: int, **values) -> None:
        with self.store.engine.begin() as connection:
            connection.execute(notifications.update().where(notifications.c.id == notification_id).values(**values))

    # --- the SLA ----------------------------------------------------------------------------

    def _escalate_overdue(self, now: dt.datetime) -> None:
        """Open (unacknowledged) cases whose latest step has waited past the SLA: next step."""
        latest = (
            select(notifications.c.case_id, func.max(notifications.c.step).label("step"), func.max(notifications.c.created_at).label("since"))
            .group_by(notifications.c.case_id).subquery()
        )
        from bot.cases.schema import cases

        with self.store.engine.begin() as connection:
            rows = connection.execute(
                select(cases.c.id, cases.c.severity, latest.c.step, latest.c.since)
                .select_from(cases.join(latest, latest.c.case_id == cases.c.id))
                .where(cases.c.status == "open")
            ).all()
        for case_id, severity, step, since in rows:
            if since.tzinfo is None:
                since = since.replace(tzinfo=dt.timezone.utc)
            if now - since < dt.timedelta(seconds=self.sla_seconds.get(severity, self.sla_seconds["high"])):
                continue
            case = self.store.get_case(case_id, with_events=False)
            officer = schedule_step(self.store, self.rota, case, step + 1, now)
            if officer is not None:
                self.store.add_event(case.id, "reassigned", "bot", {"reason": "no acknowledgement within the SLA", "step": step + 1, "officer": officer.id})
                logger.warning("%s not acknowledged in time; alerting %s", case.number, officer.id)


