"""Claiming a notification before it is sent, so that it is sent once.

Several processes may run the Notifier over the same case store (two consoles, or an alerting
worker beside a console). Each reads the pending notifications, then claims the ones it will
send with one UPDATE per row whose WHERE clause holds only while nobody else has touched the row:
still pending, the same number of attempts as when it was read, and no live claim. The database
decides: on PostgreSQL the second UPDATE waits for the first and then finds its WHERE false; on
SQLite every write transaction holds the write lock (``BEGIN IMMEDIATE``). A row count of 1 means
the claim is this process's; 0 means another process has it, or has already sent it.

A claim lasts ``CLAIM_SECONDS``. Sending, or failing, ends it in the same UPDATE that records
the outcome, and only for the process that holds it. A process that dies between its claim and
that UPDATE leaves a claim that lapses: another process then takes the notification again. If
it died after the provider took the message, that one alert may go twice; no alert is lost.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
from typing import Iterable, List, Mapping

from sqlalchemy import and_, or_
from sqlalchemy.engine import Engine

from bot.cases.schema import notifications

PENDING = "pending"
CLAIM_SECONDS = 60  # longer than a provider takes to answer for one message; shorter than an SLA


def claimant_name() -> str:
    """Who holds a claim: this process, and a random part so two Notifiers never share one."""
    return f"{os.getpid()}-{secrets.token_hex(6)}"[:64]


def claim(engine: Engine, claimant: str, rows: Iterable[Mapping], now: dt.datetime,
          seconds: float = CLAIM_SECONDS) -> List[int]:
    """Claim these notification rows (as read: id and attempts); the ids this claimant got."""
    until = now + dt.timedelta(seconds=seconds)
    won: List[int] = []
    with engine.begin() as connection:
        for row in rows:
            result = connection.execute(
                notifications.update()
                .where(and_(
                    notifications.c.id == row["id"],
                    notifications.c.status == PENDING,
                    notifications.c.attempts == row["attempts"],
                    or_(notifications.c.claimed_until.is_(None), notifications.c.claimed_until <= now),
                ))
                .values(claimed_by=claimant, claimed_until=until)
            )
            if result.rowcount == 1:
                won.append(int(row["id"]))
    return won


def settle(engine: Engine, claimant: str, notification_ids: List[int], **values) -> int:
    """Record the outcome of claimed notifications and end the claim; only rows this claimant
    still holds are changed. Returns how many."""
    if not notification_ids:
        return 0
    with engine.begin() as connection:
        result = connection.execute(
            notifications.update()
            .where(and_(notifications.c.id.in_(notification_ids), notifications.c.claimed_by == claimant))
            .values(claimed_by=None, claimed_until=None, **values)
        )
    return int(result.rowcount)


def claimed_by_others(row: Mapping, claimant: str, now: dt.datetime) -> bool:
    """Whether a row as read is under someone else's live claim (not worth trying now)."""
    until = row.get("claimed_until")
    if until is None or row.get("claimed_by") == claimant:
        return False
    until = until if until.tzinfo is not None else until.replace(tzinfo=dt.timezone.utc)
    return until > now
