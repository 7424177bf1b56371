"""Per-sender rate limit: a fixed window counter, and one notice per window when it is hit.

Two Redis commands on the client the pipeline holds; why no library: docs/architecture.md.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import redis.asyncio as aioredis

COUNT_KEY = "helpline:rate:{channel}:{who}:{window}"
NOTICE_KEY = "helpline:rate-notice:{channel}:{who}:{window}"


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    notify: bool  # over the limit and not yet told in this window


class RateLimiter:
    def __init__(self, redis: aioredis.Redis, channel: str, limit: int, window_seconds: int) -> None:
        self.redis = redis
        self.channel = channel
        self.limit = limit
        self.window_seconds = window_seconds

    async def check(self, address: str, now: float | None = None) -> RateDecision:
        window = int((time.time() if now is None else now) // self.window_seconds)
        who = hashlib.sha256(address.encode("utf-8")).hexdigest()[:20]
        key = COUNT_KEY.format(channel=self.channel, who=who, window=window)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.window_seconds * 2)
            count, _ = await pipe.execute()
        if count <= self.limit:
            return RateDecision(True, False)
        notice = NOTICE_KEY.format(channel=self.channel, who=who, window=window)
        first = await self.redis.set(notice, "1", nx=True, ex=self.window_seconds * 2)
        return RateDecision(False, bool(first))
