"""Asking Redis to rewrite its append-only file, so that what was deleted leaves the disk too.

Redis keeps every write command in its append-only file until the file is rewritten (by default
only once it has doubled past 64 MB): an erased conversation would stay on disk for weeks. A
rewrite already running refuses a second request, so this waits for it (a few seconds at most)
and asks again; a managed Redis that does not allow the command is said, not fatal.
"""
from __future__ import annotations

import asyncio
import logging

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

logger = logging.getLogger(__name__)
WAIT_SECONDS = 30.0


async def rewrite_append_only_file(redis: aioredis.Redis, wait_seconds: float = WAIT_SECONDS) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    while True:
        try:
            await redis.bgrewriteaof()
            return True
        except ResponseError as error:
            if "in progress" in str(error).lower() and loop.time() < deadline:
                await asyncio.sleep(0.2)
                continue
            logger.warning("Redis refused an append-only file rewrite: %s", str(error)[:120])
            return False
        except RedisError as error:
            logger.warning("Redis could not start an append-only file rewrite (%s)", type(error).__name__)
            return False
