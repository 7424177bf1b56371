"""What the fake providers remember: every request, the messages they accepted, the failures
queued for them, Telegram's webhook and Zalo's tokens.

Each control operation (sent, requests, reset, fail, expire the Zalo token, state) is written
here once: the HTTP control API (server.py) and FakeProviders (facade.py) both call it. The
handlers run on the fake's event loop while tests and the command line read from other threads,
so one lock guards everything.
"""
from __future__ import annotations

import json
import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from bot.runtime.privacy import mask_id
from channels.fakes.config import FakeConfig, same_secret

logger = logging.getLogger(__name__)

# A fake left running in staging keeps at most this many sent messages and requests (oldest go).
MAX_RECORDS = 10_000
ZALO_ACCESS_TOKEN_SECONDS = "90000"  # Zalo sends expires_in as a string


@dataclass(frozen=True)
class FailureStyle:
    """What a provider's injected failure looks like where `fail` is not told."""

    send_endpoint: str  # the endpoint a failure hits unless it names another
    default_status: int
    error_body: Callable[[int, Optional[int]], Any]  # (HTTP status, provider error code) -> body
    error_field: str  # the body field the request log keeps as the error
    text_type: str = "text/plain"  # the content type of a body given as text


@dataclass
class Failure:
    """A queued failure: the next `times` requests it matches get `status` and `body`."""

    provider: str
    status: int
    body: Any
    to: Optional[str]
    method: str
    times: int
    style: FailureStyle = field(repr=False)

    def matches(self, provider: str, endpoint: str, to: Optional[str]) -> bool:
        method_matches = self.method == "*" or self.method.lower() == endpoint.lower()
        return self.provider == provider and method_matches and self.to in (None, to)

    @property
    def error(self) -> Any:
        """What the request log keeps as the error: the provider's error code or description."""
        return self.body.get(self.style.error_field) if isinstance(self.body, dict) else None

    def as_dict(self) -> Dict[str, Any]:
        return {
            "provider": self.provider, "status": self.status, "body": self.body, "to": self.to,
            "method": self.method, "times": self.times,
        }


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class FakeState:
    """The fake's memory, shared by its HTTP handlers, its control API and FakeProviders."""

    def __init__(self, config: FakeConfig, styles: Mapping[str, FailureStyle]) -> None:
        self.config = config
        self.styles = dict(styles)
        self.providers = tuple(self.styles)
        self._lock = threading.Lock()
        self._sent: List[Dict[str, Any]] = []
        self._requests: List[Dict[str, Any]] = []
        self._failures: List[Failure] = []
        self._telegram_message_id = 0
        self._telegram_webhook: Dict[str, Any] = {}
        self._zalo_access_token: Optional[str] = config.zalo_access_token
        self._zalo_refresh_token: Optional[str] = config.zalo_refresh_token
        self._zalo_refreshes = 0

    # -- control operations --------------------------------------------------------------------

    def sent(self, provider: Optional[str] = None) -> List[Dict[str, Any]]:
        """Every accepted message, in order: {provider, to, text, at, id, extra}."""
        return self._copies(self._sent, provider)

    def sent_since(self, start: int) -> List[Dict[str, Any]]:
        """The accepted messages from index `start` on, every provider's, without copying the
        rest: for pollers (the channel benchmark) that read the list many times a second.
        Raises LookupError when older records may have been dropped."""
        with self._lock:
            if len(self._sent) >= MAX_RECORDS or len(self._sent) < start:
                raise LookupError(f"the fake provider dropped old messages (it keeps {MAX_RECORDS})")
            return list(self._sent[start:])

    def requests(self, provider: Optional[str] = None) -> List[Dict[str, Any]]:
        """Every provider request, accepted or not: {provider, method, path, endpoint, to, status,
        outcome (accepted|ok|rejected|injected|error), error, params, at}."""
        return self._copies(self._requests, provider)

    def reset(self) -> None:
        """Forget sent messages, requests and queued failures (tokens and webhook stay)."""
        with self._lock:
            self._sent.clear()
            self._requests.clear()
            self._failures.clear()

    def fail(
        self,
        provider: str,
        status: Optional[int] = None,
        body: Any = None,
        *,
        to: Optional[Any] = None,
        times: int = 1,
        code: Optional[int] = None,
        method: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Queue a failure: the next `times` matching requests get `status` and `body` (the
        provider's error shape by default; `code` picks the Twilio or Zalo error code). `to`
        limits it to one recipient, `method` to another endpoint than the send one (a Bot API
        method, "access_token" for Zalo's refresh, or "*"). Raises ValueError on a bad rule."""
        style = self._style(provider)
        status = style.default_status if status is None else status
        if not _is_int(status) or not 200 <= status <= 599:
            raise ValueError("status must be an HTTP status code (200-599)")
        if not _is_int(times) or times < 1:
            raise ValueError("times must be a positive integer")
        if code is not None and not _is_int(code):
            raise ValueError("code must be an integer")
        if method is not None and (not isinstance(method, str) or not method):
            raise ValueError("method must be a non-empty string")
        if to is not None and (isinstance(to, bool) or not isinstance(to, (str, int))):
            raise ValueError("to must be a string")
        failure = Failure(
            provider=provider, status=status, body=style.error_body(status, code) if body is None else body,
            to=None if to is None else str(to), method=method or style.send_endpoint, times=times, style=style,
        )
        with self._lock:
            self._failures.append(failure)
        return failure.as_dict()

    def expire_zalo_token(self) -> None:
        """Invalidate the current Zalo access token (the refresh token stays valid)."""
        with self._lock:
            self._zalo_access_token = None

    def snapshot(self) -> Dict[str, Any]:
        """Telegram's webhook, Zalo's current tokens and refresh count, queued failures and how
        many messages each provider accepted."""
        with self._lock:
            return {
                "telegram": {"webhook": dict(self._telegram_webhook)},
                "zalo": {
                    "access_token": self._zalo_access_token,
                    "refresh_token": self._zalo_refresh_token,
                    "refreshes": self._zalo_refreshes,
                },
                "failures": [failure.as_dict() for failure in self._failures],
                "counts": {name: sum(m["provider"] == name for m in self._sent) for name in self.providers},
            }

    # -- what the provider handlers record and consult -----------------------------------------

    def keep_request(self, record: Dict[str, Any]) -> None:
        with self._lock:
            self._requests.append(record)
            del self._requests[:-MAX_RECORDS]

    def keep_sent(self, provider: str, to: str, text: str, message_id: Any, extra: Dict[str, Any]) -> None:
        with self._lock:
            self._sent.append({
                "provider": provider, "to": to, "text": text, "at": now_iso(), "id": message_id, "extra": extra,
            })
            del self._sent[:-MAX_RECORDS]
        logger.info("fake %s: accepted message %s to %s (%d characters)", provider, message_id, mask_id(to), len(text))

    def take_failure(self, provider: str, endpoint: str, to: Optional[str]) -> Optional[Failure]:
        """The first queued failure for this request, used up once; None if none matches."""
        with self._lock:
            for failure in self._failures:
                if failure.matches(provider, endpoint, to):
                    failure.times -= 1
                    if failure.times <= 0:
                        self._failures.remove(failure)
                    return failure
        return None

    def next_telegram_message_id(self) -> int:
        with self._lock:
            self._telegram_message_id += 1
            return self._telegram_message_id

    def set_telegram_webhook(self, webhook: Dict[str, Any]) -> None:
        with self._lock:
            self._telegram_webhook = dict(webhook)

    def telegram_webhook(self) -> Dict[str, Any]:
        with self._lock:
            return dict(self._telegram_webhook)

    def is_zalo_access_token(self, token: str) -> bool:
        with self._lock:
            current = self._zalo_access_token
        return bool(token) and current is not None and same_secret(token, current)

    def refresh_zalo_tokens(self, refresh_token: str) -> Optional[Tuple[Dict[str, str], int]]:
        """New tokens and the refresh's number, or None for a wrong or spent refresh token.
        Single use, as at Zalo: the old refresh token AND the old access token die here."""
        with self._lock:
            current = self._zalo_refresh_token
            if not refresh_token or current is None or not same_secret(refresh_token, current):
                return None
            self._zalo_refreshes += 1
            number = self._zalo_refreshes
            self._zalo_access_token = f"fake-zalo-access-{number}-{secrets.token_urlsafe(24)}"
            self._zalo_refresh_token = f"fake-zalo-refresh-{number}-{secrets.token_urlsafe(24)}"
            tokens = {
                "access_token": self._zalo_access_token,
                "refresh_token": self._zalo_refresh_token,
                "expires_in": ZALO_ACCESS_TOKEN_SECONDS,
            }
        return tokens, number

    # -- helpers -------------------------------------------------------------------------------

    def _style(self, provider: Any) -> FailureStyle:
        if not isinstance(provider, str) or provider not in self.styles:
            raise ValueError(f"provider must be one of {', '.join(self.providers)}")
        return self.styles[provider]

    def _copies(self, records: List[Dict[str, Any]], provider: Optional[str]) -> List[Dict[str, Any]]:
        """Deep copies of the records (of one provider if named), safe to keep and change."""
        if provider is not None:
            self._style(provider)
        with self._lock:
            chosen = [record for record in records if provider in (None, record["provider"])]
            return json.loads(json.dumps(chosen, default=str))
