"""Workers who said STOP (or blocked the bot) are never sent anything until they opt back in.

Stored as keyed hashes of the address, per channel, so the set reveals no number by itself.
"""
from __future__ import annotations

import hashlib

import redis.asyncio as aioredis

KEY = "helpline:optout:{channel}"


def _digest(address: str) -> str:
    return hashlib.sha256(f"optout\0{address}".encode()).hexdigest()


class OptOuts:
    def __init__(self, redis: aioredis.Redis, channel: str) -> None:
        self.redis = redis
        self.key = KEY.format(channel=channel)

    async def add(self, address: str) -> None:
        await self.redis.sadd(self.key, _digest(address))

    async def remove(self, address: str) -> None:
        await self.redis.srem(self.key, _digest(address))

    async def contains(self, address: str) -> bool:
        return bool(await self.redis.sismember(self.key, _digest(address)))
