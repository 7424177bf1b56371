"""Zalo Official Account: signed webhooks in, the customer-service message API out.

- Every webhook is checked before anything is acted on: `X-ZEvent-Signature` must be
  "mac=" + sha256_hex(app_id + raw body + timestamp + OA secret key), computed over the exact
  bytes received, with the configured App ID (an event naming another app is refused) and the
  body's `timestamp` (or an `X-ZEvent-Timestamp` header, when one is sent). Missing or forged
  → 403; broken JSON, bytes that are not UTF-8, missing fields → 400.
- Ids are numeric strings longer than 2^53: JSON is parsed so that no number ever becomes a
  float, and an id sent as a JSON number is kept as its exact digits.
- `user_send_text` goes to Rasa; the other `user_send_*` events (image, sticker, …) get the
  "text only" notice; every other event (follow, receipts, …) is acknowledged and ignored.
- Replay: a signed event is kept as long as its msg_id is remembered (DEDUPE_TTL_SECONDS, at
  least 48 h), so a replay within that time is a repeat delivery. Events older than
  `max_event_age_seconds` (24 h by default, below the dedupe time) are acknowledged and
  ignored, which closes the gap after the id is forgotten. Zalo's own retries resend the
  original timestamp for up to about 12 h, so they still arrive well inside the window.
- Replies: POST /v3.0/oa/message/cs with the `access_token` header; the JSON `error` field
  decides, not the HTTP status. Text over 2000 characters is split at word boundaries.
- Tokens (channels/zalo_tokens.py) live in Redis, seeded from credentials.yml only when Redis has none, refreshed when
  less than an hour remains or when Zalo says the access token is invalid (-216, -220).
  Refresh tokens are single-use, so a refresh happens only behind a Redis lock, and whoever
  takes the lock first re-reads the tokens: when another process already refreshed, its
  tokens are used. Token values, user ids and texts never reach the logs.
"""
from __future__ import annotations

import asyncio
import decimal
import hashlib
import hmac
import json
import logging
import re
import time
from typing import Any, Dict, List, Mapping, Optional

import aiohttp
import redis.asyncio as aioredis
from sanic.request import Request

from bot.replies.catalogue import render
from bot.runtime.privacy import mask_id
from bot.runtime.settings import Settings, SettingsError, load_settings
from channels.base import WebhookInput, required
from channels.core import InputRejected, clean_text
from channels.inbox import Inbound
from channels.outbox import OutboxItem, SendError
from channels.pipeline import Context
from channels.segments import ZALO_MAX_CHARS, split_words
from channels.zalo_tokens import (  # noqa: F401  (the tokens' API, re-exported)
    LOCK_KEY,
    REFRESH_AHEAD_SECONDS,
    TOKENS_KEY,
    Tokens,
    ZaloTokens,
    _scrub,
)

logger = logging.getLogger(__name__)

SEND_TIMEOUT = aiohttp.ClientTimeout(total=15)
DEFAULT_MAX_EVENT_AGE_SECONDS = 24 * 3600
MAX_ID_CHARS = 128

TOKEN_INVALID = {-216, -220}
RATE_LIMITED = -32
NOT_FOLLOWING = -213
OUTSIDE_WINDOW = {-230, -232}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EVENT_NAME = re.compile(r"^[a-z_]{1,64}$")

# --- the webhook ------------------------------------------------------------------------------


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_body(body: bytes) -> Dict[str, Any]:
    """The event as a JSON object. Integers stay exact ints, decimals become Decimal: no float."""
    try:
        event = json.loads(
            body.decode("utf-8"), parse_float=decimal.Decimal, parse_constant=_no_constant,
        )
    except UnicodeDecodeError:
        raise InputRejected(400, "the body is not UTF-8") from None
    except (ValueError, RecursionError):  # JSONDecodeError, a 5000-digit number, deep nesting
        raise InputRejected(400, "the body is not valid JSON") from None
    if not isinstance(event, dict):
        raise InputRejected(400, "the body must be a JSON object")
    return event


def id_string(value: Any, what: str) -> str:
    """An id as a string: a JSON string as sent, a JSON integer as its exact digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # int → str: exact, never through float
    if not isinstance(value, str) or not value.strip():
        raise InputRejected(400, f"the event has no valid {what}")
    value = value.strip()
    if len(value) > MAX_ID_CHARS or _CONTROL.search(value):
        raise InputRejected(400, f"the event's {what} is too long or has control characters")
    return value


def _timestamp_text(value: Any) -> Optional[str]:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value:
        return value
    return None


def zalo_mac(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """Zalo's X-ZEvent-Signature value: "mac=" + sha256_hex(appId + data + timeStamp + OASecretKey)."""
    digest = hashlib.sha256(app_id.encode("utf-8") + body + timestamp.encode("utf-8") + oa_secret_key.encode("utf-8"))
    return "mac=" + digest.hexdigest()


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8", errors="replace"))


def _event_seconds(timestamp: str) -> Optional[float]:
    """Zalo sends Unix milliseconds; a value that can only be seconds is taken as seconds."""
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 16:
        return None
    value = int(timestamp)
    return value / 1000 if value >= 10 ** 11 else float(value)


def _safe_event_name(value: Any) -> str:
    return value if isinstance(value, str) and _EVENT_NAME.match(value) else "unknown"


class ZaloWebhook:
    """Authenticates and reads one webhook; no I/O, so it can be fuzzed on its own."""

    def __init__(self, app_id: str, oa_secret_key: str, max_event_age_seconds: float = DEFAULT_MAX_EVENT_AGE_SECONDS) -> None:
        self.app_id = app_id
        self.oa_secret_key = oa_secret_key
        self.max_event_age_seconds = max_event_age_seconds

    def verify(self, body: bytes, event: Dict[str, Any], headers: Mapping[str, str]) -> str:
        """The timestamp that signed the body; InputRejected(403) when nothing does."""
        signature = (headers.get("x-zevent-signature") or "").strip()
        if not signature:
            raise InputRejected(403, "missing X-ZEvent-Signature")
        if not signature.lower().startswith("mac="):
            signature = "mac=" + signature  # some senders give the bare hex
        signature = "mac=" + signature[4:].lower()
        if "app_id" in event and id_string(event.get("app_id"), "app_id") != self.app_id:
            raise InputRejected(403, "the event is for another Zalo app")
        candidates = []
        for source, value in (("body", _timestamp_text(event.get("timestamp"))),
                              ("header", (headers.get("x-zevent-timestamp") or "").strip() or None)):
            if value is not None and value not in candidates:
                candidates.append(value)
                if _same(zalo_mac(self.app_id, body, value, self.oa_secret_key), signature):
                    logger.debug("Zalo signature matched with the %s timestamp", source)
                    return value
        if not candidates:
            raise InputRejected(400, "the event has no timestamp")
        raise InputRejected(403, "invalid X-ZEvent-Signature")

    def too_old(self, timestamp: str, now: float) -> bool:
        seconds = _event_seconds(timestamp)
        if seconds is None:
            raise InputRejected(400, "the event's timestamp is not Unix milliseconds")
        # Only the past is bounded: a timestamp ahead of our clock is clock skew, and Zalo's
        # signature means nobody else could have set it.
        return bool(self.max_event_age_seconds) and now - seconds > self.max_event_age_seconds

    def read(self, body: bytes, headers: Mapping[str, str], now: Optional[float] = None) -> List[Inbound]:
        headers = {str(name).lower(): value for name, value in headers.items()}
        if not (headers.get("x-zevent-signature") or "").strip():
            raise InputRejected(403, "missing X-ZEvent-Signature")
        event = parse_body(body)
        timestamp = self.verify(body, event, headers)
        # Authentic from here on.
        name = event.get("event_name")
        if not isinstance(name, str) or not name:
            raise InputRejected(400, "the event has no event_name")
        if self.too_old(timestamp, time.time() if now is None else now):
            logger.warning("Zalo event %s outside the %.0f s window acknowledged and ignored",
                           _safe_event_name(name), self.max_event_age_seconds)
            return []
        if not name.startswith("user_send_"):
            logger.info("Zalo event %s acknowledged and ignored", _safe_event_name(name))
            return []
        sender, message = event.get("sender"), event.get("message")
        if not isinstance(sender, dict):
            raise InputRejected(400, "the event has no sender")
        if not isinstance(message, dict):
            raise InputRejected(400, "the event has no message")
        address = id_string(sender.get("id"), "sender.id")
        message_id = id_string(message.get("msg_id"), "message.msg_id")
        text = clean_text(message.get("text")) if name == "user_send_text" else ""
        return [Inbound(ZaloInput.channel_name, address, message_id, text, extra={"event": _safe_event_name(name)})]


# --- sending ----------------------------------------------------------------------------------


class ZaloSender:
    def __init__(self, app_id: str, app_secret: str, access_token: str, refresh_token: str, settings: Settings,
                 redis: Optional[aioredis.Redis] = None) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.seed_access_token = access_token
        self.seed_refresh_token = refresh_token
        self.settings = settings
        self.url = f"{settings.zalo_api_base_url.rstrip('/')}/v3.0/oa/message/cs"
        self._given_redis = redis
        self.redis: Optional[aioredis.Redis] = None
        self.session: Optional[aiohttp.ClientSession] = None
        self.tokens: Optional[ZaloTokens] = None

    async def start(self) -> None:
        if self._given_redis is not None:
            self.redis = self._given_redis
        else:
            if not self.settings.redis_url:
                raise SettingsError("REDIS_URL is not set: the Zalo channel keeps its tokens in Redis.")
            self.redis = aioredis.Redis.from_url(
                self.settings.redis_url, decode_responses=True, socket_connect_timeout=5, socket_timeout=10,
            )
        self.session = aiohttp.ClientSession()
        self.tokens = ZaloTokens(self.redis, self.session, self.app_id, self.app_secret, self.settings.zalo_oauth_base_url)
        await self.tokens.seed(self.seed_access_token, self.seed_refresh_token)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None
        if self.redis is not None and self._given_redis is None:
            await self.redis.close()
        self.redis = None

    async def send(self, item: OutboxItem) -> None:
        assert self.tokens is not None, "start() first"
        tokens = await self.tokens.usable()
        code, message = await self._post(tokens.access_token, item)
        if code in TOKEN_INVALID:
            logger.info("Zalo rejected the access token (error %s); refreshing", code)
            tokens = await self.tokens.refresh(tokens.access_token)
            code, message = await self._post(tokens.access_token, item)
            if code in TOKEN_INVALID:
                raise SendError(f"Zalo error {code}: the access token is refused even after a refresh", retryable=True)
        if code == 0:
            logger.info("Zalo reply %s sent to %s", item.id, mask_id(item.address))
            return
        if code == RATE_LIMITED:
            raise SendError("Zalo error -32: rate limit", retryable=True)
        if code in OUTSIDE_WINDOW:
            raise SendError(
                f"Zalo error {code}: she has not written to the OA within 7 days, so consultation "
                "messages cannot reach her (only a template message could)", retryable=False,
            )
        if code == NOT_FOLLOWING:
            raise SendError("Zalo error -213: she does not follow the OA", retryable=False)
        raise SendError(f"Zalo error {code}: {message}", retryable=False)

    async def _post(self, access_token: str, item: OutboxItem) -> tuple:
        """(Zalo's error code, its message) for one send; SendError when there is no answer."""
        assert self.session is not None
        payload = {"recipient": {"user_id": item.address}, "message": {"text": item.text}}
        try:
            async with self.session.post(
                self.url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                headers={"access_token": access_token, "Content-Type": "application/json"}, timeout=SEND_TIMEOUT,
            ) as answer:
                status, raw = answer.status, await answer.text()
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            raise SendError(f"cannot reach Zalo ({type(error).__name__})", retryable=True) from None
        if status != 200:
            raise SendError(f"Zalo HTTP {status}", retryable=status >= 500 or status in (408, 429))
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        code = data.get("error") if isinstance(data, dict) else None
        if isinstance(code, str) and re.fullmatch(r"-?\d{1,9}", code.strip()):
            code = int(code)
        if not isinstance(code, int) or isinstance(code, bool):
            raise SendError("Zalo answered without an error code", retryable=True)
        message = data.get("message")
        return code, (message[:200] if isinstance(message, str) else "no message")


# --- the channel ------------------------------------------------------------------------------


class ZaloAdapter:
    name = "zalo"
    native_buttons = False

    def __init__(self, app_id: str, app_secret: str, access_token: str, refresh_token: str, settings: Settings,
                 redis: Optional[aioredis.Redis] = None) -> None:
        self.settings = settings
        self._sender = ZaloSender(app_id, app_secret, access_token, refresh_token, settings, redis)

    def sender(self) -> ZaloSender:
        return self._sender

    def parts(self, text: str, gsm7: bool) -> List[str]:
        return split_words(text, ZALO_MAX_CHARS)

    async def keyword(self, inbound: Inbound, context: Context) -> Optional[List[str]]:
        if not inbound.text.strip():  # image, sticker, voice …
            return [render("not_text", context.language)]
        return None


class ZaloInput(WebhookInput):
    channel_name = "zalo"

    def __init__(self, app_id: str, app_secret: str, oa_secret_key: str, access_token: str, refresh_token: str,
                 settings: Settings, max_event_age_seconds: float = DEFAULT_MAX_EVENT_AGE_SECONDS,
                 redis: Optional[aioredis.Redis] = None) -> None:
        if max_event_age_seconds and max_event_age_seconds > settings.dedupe_ttl_seconds - 3600:
            raise SettingsError(
                "credentials.yml: the zalo channel's max_event_age_seconds must be at least an hour "
                "below DEDUPE_TTL_SECONDS, or a replayed event could be taken as new."
            )
        super().__init__(ZaloAdapter(app_id, app_secret, access_token, refresh_token, settings, redis), settings)
        self.webhook = ZaloWebhook(app_id, oa_secret_key, max_event_age_seconds)

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> ZaloInput:
        values = required(credentials, "zalo", "app_id", "app_secret", "oa_secret_key", "access_token", "refresh_token")
        age = (credentials or {}).get("max_event_age_seconds")
        try:
            max_age = float(age) if age not in (None, "") else DEFAULT_MAX_EVENT_AGE_SECONDS
        except (TypeError, ValueError):
            raise SettingsError("credentials.yml: the zalo channel's max_event_age_seconds must be a number") from None
        app_id, app_secret, oa_secret_key, access_token, refresh_token = values
        return cls(app_id, app_secret, oa_secret_key, access_token, refresh_token, load_settings(), max_event_age_seconds=max_age)

    async def read_webhook(self, request: Request, body: bytes) -> List[Inbound]:
        return self.webhook.read(body, request.headers)
