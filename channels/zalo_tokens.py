"""The Zalo OA token pair, in Redis and shared by every process, refreshed by one at a time.

Refresh tokens are single-use: two processes refreshing with the same one would lose the pair
and an OA admin would have to authorise the app again. So a refresh happens only behind a Redis
lock (redis-py's own, which releases only what it holds), and whoever takes it first re-reads the tokens: when another process already refreshed,
its tokens are used. Tokens are seeded from credentials.yml only when Redis has none, never over
newer ones. Token values never reach the logs.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import redis.asyncio as aioredis
from redis.exceptions import LockError

from channels.outbox import SendError

logger = logging.getLogger(__name__)

TOKENS_KEY = "helpline:zalo:tokens"
LOCK_KEY = "helpline:zalo:tokens:lock"
LOCK_MILLISECONDS = 60_000  # longer than a refresh can take (REFRESH_TIMEOUT)
REFRESH_TIMEOUT = aiohttp.ClientTimeout(total=20)
REFRESH_AHEAD_SECONDS = 3600  # refresh when less than an hour remains

# Seeds the tokens from credentials.yml only when Redis has none: never over newer ones.
_SEED = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'access_token', ARGV[1], 'refresh_token', ARGV[2], 'expires_at', '0', 'seeded_from', ARGV[3])
return 1
"""


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: float  # Unix seconds; 0 when unknown (seeded from credentials.yml)

    def expiring(self, now: float) -> bool:
        return bool(self.expires_at) and self.expires_at - now < REFRESH_AHEAD_SECONDS


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def _scrub(text: str, *values: str) -> str:
    for value in values:
        if value:
            text = text.replace(value, "<token>")
    return text[:200]


class ZaloTokens:
    """The OA's token pair in Redis, shared by every process; refreshed by one at a time."""

    def __init__(self, redis: aioredis.Redis, session: aiohttp.ClientSession, app_id: str, app_secret: str,
                 oauth_base_url: str, lock_wait_seconds: float = LOCK_MILLISECONDS / 1000 + 5) -> None:
        self.redis = redis
        self.session = session
        self.app_id = app_id
        self.app_secret = app_secret
        self.url = f"{oauth_base_url.rstrip('/')}/v4/oa/access_token"
        self.lock_wait_seconds = lock_wait_seconds

    async def seed(self, access_token: str, refresh_token: str) -> None:
        seeded = await self.redis.eval(_SEED, 1, TOKENS_KEY, access_token, refresh_token, _fingerprint(refresh_token))
        if seeded:
            logger.info("Zalo tokens seeded in Redis from credentials.yml")
            return
        first = await self.redis.hget(TOKENS_KEY, "seeded_from")
        if first is not None and _decode(first) != _fingerprint(refresh_token):
            logger.warning(
                "The Zalo tokens in credentials.yml differ from those first seeded; the ones in Redis "
                "(%s) are used. After re-authorising the OA, delete that key so the new ones are seeded.",
                TOKENS_KEY,
            )

    async def load(self) -> Tokens:
        raw = {_decode(k): _decode(v) for k, v in (await self.redis.hgetall(TOKENS_KEY)).items()}
        if not raw.get("access_token") or not raw.get("refresh_token"):
            raise SendError("no Zalo tokens in Redis", retryable=True)
        try:
            expires_at = float(raw.get("expires_at") or 0)
        except ValueError:
            expires_at = 0.0
        return Tokens(raw["access_token"], raw["refresh_token"], expires_at)

    async def usable(self) -> Tokens:
        """The current tokens, refreshed first when less than an hour remains."""
        tokens = await self.load()
        if not tokens.expiring(time.time()):
            return tokens
        try:
            return await self.refresh(tokens.access_token)
        except SendError as error:  # the current token still has a little time: use it
            logger.warning("Proactive Zalo token refresh failed (%s); sending with the current token", error.reason)
            return await self.load()

    async def refresh(self, stale_access_token: str) -> Tokens:
        """New tokens in place of `stale_access_token`: refreshed here, or by whoever did first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lock_wait_seconds
        while True:
            lock = self.redis.lock(LOCK_KEY, timeout=LOCK_MILLISECONDS / 1000, blocking=False)
            if await lock.acquire():
                try:
                    tokens = await self.load()
                    if tokens.access_token != stale_access_token:
                        logger.info("Zalo tokens were already refreshed by another process")
                        return tokens
                    return await self._refresh(tokens)
                finally:
                    try:
                        await lock.release()
                    except LockError:  # it expired and another process holds it now: leave it
                        logger.warning("The Zalo token lock expired during a refresh")
            tokens = await self.load()
            if tokens.access_token != stale_access_token:
                return tokens
            if loop.time() > deadline:
                raise SendError("another process holds the Zalo token refresh lock", retryable=True)
            await asyncio.sleep(0.1)

    async def _refresh(self, tokens: Tokens) -> Tokens:
        """One call with the single-use refresh token; the caller holds the lock."""
        form = {"refresh_token": tokens.refresh_token, "app_id": self.app_id, "grant_type": "refresh_token"}
        try:
            async with self.session.post(self.url, data=form, headers={"secret_key": self.app_secret},
                                         timeout=REFRESH_TIMEOUT) as answer:
                status, raw = answer.status, await answer.text()
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            logger.error("ZALO TOKEN REFRESH FAILED: cannot reach Zalo OAuth (%s)", type(error).__name__)
            raise SendError("Zalo token refresh failed: OAuth server unreachable", retryable=True) from None
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        access = data.get("access_token") if isinstance(data, dict) else None
        refresh = data.get("refresh_token") if isinstance(data, dict) else None
        if status != 200 or not isinstance(access, str) or not access or not isinstance(refresh, str) or not refresh:
            code = data.get("error") if isinstance(data, dict) else None
            message = data.get("message") or data.get("error_description") if isinstance(data, dict) else None
            logger.error(
                "ZALO TOKEN REFRESH FAILED (HTTP %s, error %s: %s). Replies wait and retry; if the refresh "
                "token is no longer valid, an OA admin must authorise the app again.",
                status, code, _scrub(str(message or "no message"), tokens.refresh_token, tokens.access_token, self.app_secret),
            )
            raise SendError(f"Zalo token refresh failed (error {code})", retryable=True)
        try:
            lifetime = float(data.get("expires_in") or 0)
        except (TypeError, ValueError):
            lifetime = 0.0
        expires_at = time.time() + lifetime if lifetime > 0 else 0.0
        try:
            await self.redis.hset(TOKENS_KEY, mapping={
                "access_token": access, "refresh_token": refresh, "expires_at": repr(expires_at),
                "refreshed_at": repr(time.time()),
            })
        except Exception:
            # The old refresh token is spent: if this is lost, an OA admin must authorise again.
            logger.critical("ZALO TOKENS REFRESHED BUT NOT SAVED IN REDIS: the OA may need to be authorised again")
            raise
        logger.info("Zalo access token refreshed (valid %.0f h)", lifetime / 3600)
        return Tokens(access, refresh, expires_at)


def _decode(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
