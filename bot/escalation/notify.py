"""Alerting officers: the on-duty officer for her country first, the next in the chain at the SLA.

Notifications are rows in the case store (table `notifications`), so they survive restarts:
a case's first step is written in the same moment the case is opened; this loop sends what is
due and records every attempt as a case event. When nobody has acknowledged within the SLA (2
minutes for critical, 15 for high and for a request for a person by default; bot.cases.sla) it
schedules the next officer in the chain: backups, then the desk in Vietnam. A notification
carries a summary only (severity, country, language, channel, case number, the code that
acknowledges it by SMS, link; bot.escalation.alert_texts); the transcript stays in the console.

Nothing is sent twice by two processes: a notification is claimed before it is sent
(bot.escalation.claims), and a claim left by a process that died lapses after `claim_seconds`.
The SLA step is queued under a lock on the case's row, so two processes reaching the SLA
together queue it once.

A provider outage delays an alert, never drops one: a send that fails for a reason that may pass
(network, 429, 5xx) is retried with backoff (2 s doubling to a minute) until it goes, the case is
acknowledged, or the case is handed to the next step. Alerts are grouped per officer and channel:
one message lists every case waiting for that officer, so retries after an outage are one message,
not one per case; and an officer gets at most one message per SLA step (`group_seconds`) unless a
case is new to them.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Dict, List, Optional, Protocol, Sequence, Tuple

from sqlalchemy import and_, func, select

from bot.cases.db import utcnow
from bot.cases.rota import Officer, Rota, on_duty
from bot.cases.schema import cases, notifications
from bot.cases.store import SEVERITY_RANK, Case, CaseNotFound, CaseStore
from bot.escalation.alert_texts import digest_text, summary_text
from bot.escalation.claims import CLAIM_SECONDS, claim, claimant_name, claimed_by_others, settle
from bot.escalation.routing import ack_code
from bot.runtime import metrics

logger = logging.getLogger(__name__)

PENDING, SENT, FAILED, CANCELLED = "pending", "sent", "failed", "cancelled"
CHANNEL_ORDER = ("telegram", "sms")
DESK_REPEATS = 10  # a case nobody acknowledges keeps ringing the desk, but not forever
MAX_LISTED = 8  # cases in one grouped alert; the others wait for the next one
__all__ = ["Notifier", "NotifyError", "OfficerSender", "schedule_step", "summary_text", "digest_text"]


class NotifyError(Exception):
    def __init__(self, reason: str, retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class OfficerSender(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def notify(self, address: str, cases: Sequence[Case], text: str, link: Optional[str]) -> None:
        """One message about `cases` (one or several waiting for this officer)."""


def chain_for(rota: Rota, case: Case) -> List[Officer]:
    """Who is alerted for this case, in order; fixed by the moment the case was opened."""
    return on_duty(rota, case.country, case.created_at)


def schedule_step(store: CaseStore, rota: Rota, case: Case, step: int, now: Optional[dt.datetime] = None) -> Optional[Officer]:
    """Queue notifications for the `step`-th officer of the case's chain (one per contact
    channel). Past the end of the chain the desk is alerted again, each SLA, up to
    DESK_REPEATS times; then None."""
    officer, _queued = _schedule(store, rota, case, step, now)
    return officer


def _schedule(store: CaseStore, rota: Rota, case: Case, step: int, now: Optional[dt.datetime]) -> Tuple[Optional[Officer], bool]:
    """schedule_step, and whether this call queued the step (False: someone already had). The
    case's row is locked first, so two processes reaching the SLA together queue it once."""
    chain = chain_for(rota, case)
    if step >= len(chain) + DESK_REPEATS:
        return None, False
    officer = chain[min(step, len(chain) - 1)]
    now = now or utcnow()
    rows = [
        dict(case_id=case.id, officer=officer.id, channel=channel, step=step, status=PENDING, attempts=0,
             due_at=now, created_at=now, updated_at=now)
        for channel in CHANNEL_ORDER if getattr(officer.contacts, channel)
    ]
    with store.engine.begin() as connection:
        # PostgreSQL: FOR UPDATE; SQLite: the transaction already holds the write lock.
        connection.execute(select(cases.c.id).where(cases.c.id == case.id).with_for_update())
        already = connection.execute(
            select(func.count()).select_from(notifications).where(and_(notifications.c.case_id == case.id, notifications.c.step == step))
        ).scalar()
        if already or not rows:
            return officer, False
        # Handed to the next step: the earlier steps' alerts still waiting stop retrying.
        connection.execute(
            notifications.update()
            .where(and_(notifications.c.case_id == case.id, notifications.c.step < step, notifications.c.status == PENDING))
            .values(status=CANCELLED, last_error="handed to the next step", updated_at=now)
        )
        connection.execute(notifications.insert(), rows)
    return officer, True


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(2 ** attempts, 60))


Group = Tuple[str, str]  # officer, channel


class Notifier:
    def __init__(self, store: CaseStore, rota: Rota, senders: Dict[str, OfficerSender], *,
                 sla_seconds: Dict[str, int], max_attempts: int, console_url: Optional[str],
                 ack_key: bytes = b"", group_seconds: Optional[float] = None,
                 claim_seconds: float = CLAIM_SECONDS) -> None:
        self.store = store
        self.rota = rota
        self.senders = senders
        self.sla_seconds = sla_seconds
        # Whose claims are whose (bot.escalation.claims): one name per Notifier.
        self.claimant = claimant_name()
        self.claim_seconds = claim_seconds
        # Attempts after which a failing alert is logged as an error (it is still retried).
        self.max_attempts = max_attempts
        self.console_url = console_url.rstrip("/") if console_url else None
        self.ack_key = ack_key
        self.group_seconds = group_seconds if group_seconds is not None else min(sla_seconds.values())
        self._last_sent: Dict[Group, dt.datetime] = {}

    def link(self, case: Case) -> Optional[str]:
        return f"{self.console_url}/cases/{case.id}" if self.console_url else None

    def sla_for(self, severity: str) -> int:
        """Every case has an SLA: a severity without its own (a request for a person, "none",
        when the settings give none) takes the high one's."""
        return self.sla_seconds.get(severity) or self.sla_seconds.get("high") or max(self.sla_seconds.values())

    def code(self, case: Case, officer: str) -> str:
        return ack_code(self.ack_key, case.number, officer) if self.ack_key else ""

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
        for group, rows in (await asyncio.to_thread(self._waiting, now)).items():
            await self._attempt(group, rows, now)

    # --- sending ----------------------------------------------------------------------------

    def _waiting(self, now: dt.datetime) -> Dict[Group, list]:
        """Every pending notification of each officer and channel that has one due."""
        with self.store.engine.begin() as connection:
            pending = connection.execute(
                select(notifications).where(notifications.c.status == PENDING).order_by(notifications.c.due_at).limit(1000)
            ).mappings().all()
        groups: Dict[Group, list] = {}
        for row in pending:
            if claimed_by_others(row, self.claimant, now):
                continue  # another process is sending it
            groups.setdefault((row["officer"], row["channel"]), []).append(row)
        return {group: rows for group, rows in groups.items() if any(_aware(row["due_at"]) <= now for row in rows)}

    async def _attempt(self, group: Group, rows: list, now: dt.datetime) -> None:
        officer_id, channel = group
        waiting: List[Tuple[dict, Case]] = []
        for row in rows:
            try:
                case = await asyncio.to_thread(self.store.get_case, row["case_id"], False)
            except CaseNotFound:
                continue  # purged or erased; its notifications went with it
            if case.status != "open":  # acknowledged, taken or closed meanwhile
                await asyncio.to_thread(self._update, [row["id"]], status=CANCELLED, updated_at=now)
                continue
            waiting.append((row, case))
        if not waiting or not self._may_send(group, waiting, now):
            return
        waiting.sort(key=lambda pair: (SEVERITY_RANK[pair[1].severity], pair[1].created_at))
        waiting = waiting[:MAX_LISTED]
        # Claimed before it is sent: another process that read the same rows gets none of them.
        won = set(await asyncio.to_thread(claim, self.store.engine, self.claimant, [row for row, _ in waiting], now, self.claim_seconds))
        waiting = [(row, case) for row, case in waiting if row["id"] in won]
        if not waiting:
            return
        await self._send(group, waiting, now)

    async def _send(self, group: Group, waiting: List[Tuple[dict, Case]], now: dt.datetime) -> None:
        officer_id, channel = group
        listed = [case for _row, case in waiting]
        try:
            officer = self.rota.get(officer_id)
            address = getattr(officer.contacts, channel)
            sender = self.senders.get(channel)
            if sender is None or not address:
                raise NotifyError(f"the {channel} channel is not configured", retryable=False)
            if len(listed) == 1:
                text = summary_text(listed[0], self.link(listed[0]), self.code(listed[0], officer_id), now)
            else:
                codes = {case.id: self.code(case, officer_id) for case in listed}
                text = digest_text(listed, codes, f"{self.console_url}/cases" if self.console_url else None, now)
            await sender.notify(address, listed, text, self.link(listed[0]) if len(listed) == 1 else None)
        except (NotifyError, KeyError) as error:
            await self._failed(group, waiting, error, now)
            return
        except BaseException:
            # Neither sent nor refused (a bug, or cancelled): the claim is given back at once.
            await asyncio.to_thread(settle, self.store.engine, self.claimant, [row["id"] for row, _ in waiting])
            raise
        self._last_sent[group] = now
        metrics.alerts(channel, "sent", len(waiting))
        for row, case in waiting:
            await asyncio.to_thread(settle, self.store.engine, self.claimant, [row["id"]], status=SENT,
                                    attempts=row["attempts"] + 1, last_attempt_at=now, updated_at=now)
            detail = {"officer": officer_id, "channel": channel, "step": row["step"], "attempt": row["attempts"] + 1}
            if len(listed) > 1:
                detail["grouped_with"] = len(listed) - 1
            await asyncio.to_thread(self.store.add_event, case.id, "notified", "bot", detail)
        logger.info("Notified %s about %s by %s", officer_id, ", ".join(case.number for case in listed), channel)

    def _may_send(self, group: Group, waiting: List[Tuple[dict, Case]], now: dt.datetime) -> bool:
        """Now, when a case is new to this officer; else once per SLA step (retries, the desk's
        repeats), so that many cases and many retries stay one message."""
        last = self._last_sent.get(group)
        if last is None or (now - last).total_seconds() >= self.group_seconds:
            return True
        return any(row["attempts"] == 0 and row["step"] < len(chain_for(self.rota, case)) for row, case in waiting)

    async def _failed(self, group: Group, waiting: List[Tuple[dict, Case]], error: Exception, now: dt.datetime) -> None:
        officer_id, channel = group
        reason = error.reason if isinstance(error, NotifyError) else "officer no longer in the rota"
        retryable = isinstance(error, NotifyError) and error.retryable
        metrics.alert_failed(channel, retryable, len(waiting))
        for row, case in waiting:
            attempts = row["attempts"] + 1
            await asyncio.to_thread(
                settle, self.store.engine, self.claimant, [row["id"]], status=PENDING if retryable else FAILED, attempts=attempts,
                last_attempt_at=now, last_error=reason[:200], due_at=now + backoff(attempts), updated_at=now,
            )
            detail = {"officer": officer_id, "channel": channel, "step": row["step"], "attempt": attempts,
                      "error": reason[:200], "will_retry": retryable}
            await asyncio.to_thread(self.store.add_event, case.id, "notify_failed", "bot", detail)
        level = logging.ERROR if not retryable or max(row["attempts"] for row, _ in waiting) + 1 >= self.max_attempts else logging.WARNING
        logger.log(level, "Notifying %s by %s failed (%s)%s", officer_id, channel, reason, "; retrying" if retryable else "")

    def _update(self, notification_ids: List[int], **values) -> None:
        with self.store.engine.begin() as connection:
            connection.execute(notifications.update().where(notifications.c.id.in_(notification_ids)).values(**values))

    # --- the SLA ----------------------------------------------------------------------------

    def _escalate_overdue(self, now: dt.datetime) -> None:
        """Open (unacknowledged) cases whose latest step has waited past the SLA: next step."""
        latest = (
            select(notifications.c.case_id, func.max(notifications.c.step).label("step"), func.max(notifications.c.created_at).label("since"))
            .group_by(notifications.c.case_id).subquery()
        )
        with self.store.engine.begin() as connection:
            rows = connection.execute(
                select(cases.c.id, cases.c.severity, latest.c.step, latest.c.since)
                .select_from(cases.join(latest, latest.c.case_id == cases.c.id))
                .where(cases.c.status == "open")
            ).all()
        for case_id, severity, step, since in rows:
            if now - _aware(since) < dt.timedelta(seconds=self.sla_for(severity)):
                continue
            case = self.store.get_case(case_id, with_events=False)
            officer, queued = _schedule(self.store, self.rota, case, step + 1, now)
            if officer is not None and queued:
                self.store.add_event(case.id, "reassigned", "bot", {"reason": "no acknowledgement within the SLA", "step": step + 1, "officer": officer.id})
                logger.warning("%s not acknowledged in time; alerting %s", case.number, officer.id)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)
