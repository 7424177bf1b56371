"""Her terms for unsolicited messages: an officer's message waits until she may safely get it.

The escalation side records her terms here (HOLD_KEY, a JSON value): nothing until she writes
again, and/or only within a daily window in her local time. The outbox asks `wait_seconds`
before sending anything she did not just ask for (an officer's message); the bot's replies to
her own messages go at once, since she is holding the phone. When she writes again, the pipeline
calls `she_wrote`, which lifts the "until she writes" hold (a window stays).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Optional
from zoneinfo import ZoneInfo

import redis.asyncio as aioredis

HOLD_KEY = "helpline:contact-hold:{conversation_id}"
HELD_ORIGINS = ("officer",)
RECHECK_SECONDS = 60  # held until she writes: look again this often
HOLD_TTL_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class Hold:
    until_she_writes: bool = False
    after: Optional[int] = None  # minutes after local midnight
    before: Optional[int] = None
    time_zone: str = "UTC"

    def dump(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def load(cls, raw: str) -> Hold:
        return cls(**json.loads(raw))

    def wait_seconds(self, now: dt.datetime) -> float:
        """0 when a message may go at `now` (aware); else how long to wait before asking again."""
        if self.until_she_writes:
            return float(RECHECK_SECONDS)
        if self.after is None and self.before is None:
            return 0.0
        local = now.astimezone(ZoneInfo(self.time_zone))
        minute = local.hour * 60 + local.minute
        start, end = self.after if self.after is not None else 0, self.before if self.before is not None else 24 * 60
        inside = start <= minute < end if start <= end else (minute >= start or minute < end)
        if inside:
            return 0.0
        return float(((start - minute) % (24 * 60)) * 60 - local.second)


def hold_key(conversation_id: str) -> str:
    return HOLD_KEY.format(conversation_id=conversation_id)


async def wait_seconds(redis: aioredis.Redis, conversation_id: str, origin: str, now: Optional[dt.datetime] = None) -> float:
    if origin not in HELD_ORIGINS:
        return 0.0
    raw = await redis.get(hold_key(conversation_id))
    if not raw:
        return 0.0
    return Hold.load(raw if isinstance(raw, str) else raw.decode()).wait_seconds(now or dt.datetime.now(dt.timezone.utc))


async def she_wrote(redis: aioredis.Redis, conversation_id: str) -> None:
    raw = await redis.get(hold_key(conversation_id))
    if not raw:
        return
    hold = Hold.load(raw if isinstance(raw, str) else raw.decode())
    if not hold.until_she_writes:
        return
    if hold.after is None and hold.before is None:
        await redis.delete(hold_key(conversation_id))
    else:
        await redis.set(hold_key(conversation_id), Hold(False, hold.after, hold.before, hold.time_zone).dump(), ex=HOLD_TTL_SECONDS)
