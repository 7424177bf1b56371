"""A fake of the Twilio, Telegram Bot and Zalo OA APIs the helpline sends through.

One aiohttp.web application on loopback serves all three, so tests, staging and operators can run
the real connectors against it by pointing their base URLs at it:

- Twilio: ``twilio.rest.Client(sid, token, http_client=AsyncTwilioHttpClient())`` and then
  ``client.api.base_url = fake.url`` (the Api domain; the client appends ``/2010-04-01/...``).
- Telegram (python-telegram-bot 22): ``telegram.Bot(token, base_url=f"{fake.url}/bot")``; PTB
  appends the token to ``base_url`` and then ``/<method>``.
- Zalo: ``{fake.url}/v3.0/oa/message/cs`` and ``{fake.url}/v4/oa/access_token``, i.e. ``fake.url``
  replaces both ``https://openapi.zalo.me`` and ``https://oauth.zaloapp.com``.

The settings' variables (bot/runtime/settings.py) take the host root: TWILIO_API_BASE_URL,
TELEGRAM_API_BASE_URL (without ``/bot``), ZALO_API_BASE_URL and ZALO_OAUTH_BASE_URL all = fake.url.

A control API under ``/_fake/`` lists what was accepted (``GET /_fake/sent``), every request
(``GET /_fake/requests``), resets (``DELETE /_fake/sent``), queues injected failures
(``POST /_fake/fail``), expires the Zalo access token (``POST /_fake/expire_token``) and shows the
fake's state (``GET /_fake/state``). It has no authentication: bind it to loopback only.

Nothing here logs message text or recipients in clear (recipients go through bot.runtime.privacy.mask_id),
and the aiohttp access log is off because Telegram puts the bot token in the request path.
"""
from __future__ import annotations

import argparse
import asyncio
import binascii
import email.utils
import json
import logging
import math
import os
import re
import secrets
import signal
import sys
import threading
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any, Dict, List, Mapping, Optional, Tuple

from aiohttp import BasicAuth, web

from bot.runtime.privacy import mask_id

logger = logging.getLogger(__name__)

PROVIDERS = ("twilio", "telegram", "zalo")

TWILIO_MAX_BODY_CHARS = 1600
TELEGRAM_MAX_TEXT_UTF16 = 4096
TELEGRAM_MAX_CALLBACK_DATA_BYTES = 64
ZALO_MAX_TEXT_CHARS = 2000
ZALO_ACCESS_TOKEN_SECONDS = "90000"  # Zalo sends expires_in as a string
# A fake left running in staging keeps at most this many sent messages and requests (oldest go).
MAX_RECORDS = 10_000

TELEGRAM_METHODS = (
    "getMe", "sendMessage", "answerCallbackQuery", "setWebhook", "deleteWebhook", "getWebhookInfo",
    "sendChatAction",
)
_TELEGRAM_METHOD_BY_LOWER = {name.lower(): name for name in TELEGRAM_METHODS}
# Parameters that Telegram parses as JSON when they arrive form-encoded (PTB sends them so).
_TELEGRAM_JSON_PARAMS = {
    "reply_markup", "allowed_updates", "entities", "link_preview_options", "reply_parameters",
}
_TELEGRAM_SCALAR_PARAMS = {"max_connections", "drop_pending_updates", "show_alert", "cache_time"}

# The endpoint a failure rule applies to when it names none: each provider's send endpoint.
DEFAULT_FAIL_METHOD = {"twilio": "Messages", "telegram": "sendMessage", "zalo": "message/cs"}

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_CHANNEL_ADDRESS = re.compile(r"^[a-z]+:.+$")  # e.g. whatsapp:+84..., messenger:...
_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_TELEGRAM_TOKEN_PATH = re.compile(r"^/bot[^/]+")


@dataclass
class FakeConfig:
    """The credentials the fake accepts. The defaults are harmless test values."""

    twilio_account_sid: str = "AC" + "0123456789abcdef" * 2
    twilio_auth_token: str = "fake-twilio-auth-token-0123456789"
    telegram_token: str = "0:fake-telegram-token-for-local-tests"
    zalo_app_id: str = "1234567890123456789"
    zalo_app_secret: str = "fake-zalo-app-secret"
    zalo_access_token: str = "fake-zalo-access-token-0"
    zalo_refresh_token: str = "fake-zalo-refresh-token-0"

    # field name -> the helpline's environment variable for it (bot/runtime/settings.py)
    ENV_NAMES = {
        "twilio_account_sid": "TWILIO_ACCOUNT_SID",
        "twilio_auth_token": "TWILIO_AUTH_TOKEN",
        "telegram_token": "TELEGRAM_BOT_TOKEN",
        "zalo_app_id": "ZALO_APP_ID",
        "zalo_app_secret": "ZALO_APP_SECRET",
        "zalo_access_token": "ZALO_ACCESS_TOKEN",
        "zalo_refresh_token": "ZALO_REFRESH_TOKEN",
    }

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> FakeConfig:
        """The defaults, overridden by the helpline's own variables where they are set, so a
        helpline started from the same environment authenticates against the fake."""
        environ = os.environ if environ is None else environ
        values = {
            name: environ[variable].strip()
            for name, variable in cls.ENV_NAMES.items()
            if environ.get(variable, "").strip()
        }
        return cls(**values)


@dataclass
class _Failure:
    provider: str
    status: int
    body: Any
    to: Optional[str]
    method: str
    times: int

    def as_dict(self) -> Dict[str, Any]:
        return {
            "provider": self.provider, "status": self.status, "body": self.body, "to": self.to,
            "method": self.method, "times": self.times,
        }


@dataclass
class _State:
    config: FakeConfig
    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: List[Dict[str, Any]] = field(default_factory=list)
    requests: List[Dict[str, Any]] = field(default_factory=list)
    failures: List[_Failure] = field(default_factory=list)
    telegram_message_id: int = 0
    telegram_webhook: Dict[str, Any] = field(default_factory=dict)
    zalo_access_token: Optional[str] = None
    zalo_refresh_token: Optional[str] = None
    zalo_refreshes: int = 0

    def __post_init__(self) -> None:
        self.zalo_access_token = self.config.zalo_access_token
        self.zalo_refresh_token = self.config.zalo_refresh_token


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also copes with non-ASCII input."""
    return secrets.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------------------------------------
# Twilio


_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = set("^{}\\[~]|€\f")


def sms_segments(body: str) -> int:
    """Segments Twilio bills for `body`: GSM-7 (160, or 153 a part) if every character has a
    GSM-7 code, else UCS-2 (70, or 67 a part) counted in UTF-16 code units."""
    if all(char in _GSM7_BASIC or char in _GSM7_EXTENSION for char in body):
        units = sum(2 if char in _GSM7_EXTENSION else 1 for char in body)
        single, part = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if units <= single else math.ceil(units / part)


_TWILIO_ERRORS = {
    # code: (status, message)
    20003: (401, "Authenticate"),
    20404: (404, "The requested resource was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
    20503: (503, "Service Unavailable"),
    21211: (400, "Invalid 'To' Phone Number"),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' or 'MessagingServiceSid' parameter is required to send a message"),
    21604: (400, "A 'To' phone number is required."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit."),
}
_TWILIO_DEFAULT_CODE_BY_STATUS = {400: 21610, 401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}


def twilio_error_body(status: int, code: Optional[int] = None, message: Optional[str] = None) -> Dict[str, Any]:
    """Twilio's JSON error shape."""
    code = code if code is not None else _TWILIO_DEFAULT_CODE_BY_STATUS.get(status, status)
    if message is None:
        message = _TWILIO_ERRORS.get(code, (status, _phrase(status)))[1]
    body: Dict[str, Any] = {
        "code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    if code == 20003:
        body["detail"] = "Your AccountSid or AuthToken was incorrect."
    return body


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# ---------------------------------------------------------------------------------------------
# Telegram


_TELEGRAM_DEFAULT_DESCRIPTION = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: can't use getUpdates method while webhook is active; "
         "use deleteWebhook to delete the webhook first",
    429: "Too Many Requests: retry after 5",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


def telegram_error_body(
    status: int, description: Optional[str] = None, retry_after: Optional[int] = None
) -> Dict[str, Any]:
    """The Bot API's error shape; a 429 carries parameters.retry_after (5 s unless told)."""
    if status == 429 and retry_after is None:
        retry_after = 5
    if description is None:
        description = _TELEGRAM_DEFAULT_DESCRIPTION.get(status, _phrase(status))
        if status == 429:
            description = f"Too Many Requests: retry after {retry_after}"
    body: Dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------------------------------------
# Zalo


_ZALO_MESSAGES = {
    -32: "Exceed the rate limit",
    -201: "Parameters are invalid",
    -211: "Out of quota",
    -213: "User has not followed OA",
    -216: "Access token is invalid",
    -220: "Access token is expired or removed",
    -230: "User has not interacted with the OA in the past 7 days",
    -232: "User has not interacted with the OA, or the last interaction has expired",
    -14003: "Invalid parameter",
    -14014: "Invalid refresh token",
}


def zalo_error_body(code: int = -32, message: Optional[str] = None) -> Dict[str, Any]:
    """Zalo's error shape (always sent with HTTP 200)."""
    return {"error": code, "message": message or _ZALO_MESSAGES.get(code, "Unknown error")}


def _zalo_oauth_error(code: int, message: str) -> Dict[str, Any]:
    # The OAuth server's errors are reported with error_name/error_description by some
    # integrations; "message" is what the helpline's connector reads. All three are given.
    return {"error": code, "message": message, "error_name": message, "error_description": message}


# ---------------------------------------------------------------------------------------------
# The application


def default_failure_body(provider: str, status: int, code: Optional[int] = None) -> Any:
    if provider == "twilio":
        return twilio_error_body(status, code)
    if provider == "telegram":
        return telegram_error_body(status)
    if status != 200:  # a Zalo outage: a gateway page, not JSON
        return f"<html><body><h1>{status} {_phrase(status)}</h1></body></html>"
    return zalo_error_body(code if code is not None else -32)


def _json(data: Any, status: int = 200, headers: Optional[Dict[str, str]] = None) -> web.Response:
    return web.Response(
        text=json.dumps(data, ensure_ascii=False), status=status, content_type="application/json",
        headers=headers,
    )


def _failure_response(failure: _Failure) -> web.Response:
    if isinstance(failure.body, (dict, list)):
        return _json(failure.body, status=failure.status)
    content_type = "text/html" if failure.provider == "zalo" else "text/plain"
    return web.Response(text=str(failure.body), status=failure.status, content_type=content_type)


class _FakeApp:
    """The handlers, over one _State shared with FakeProviders' Python API."""

    def __init__(self, state: _State) -> None:
        self.state = state
        self.config = state.config

    def build(self) -> web.Application:
        app = web.Application(middlewares=[self._record_middleware])
        app.router.add_post("/2010-04-01/Accounts/{account_sid}/Messages.json", self.twilio_messages)
        app.router.add_route("*", "/bot{token}/{method}", self.telegram_method)
        app.router.add_post("/v3.0/oa/message/cs", self.zalo_send)
        app.router.add_post("/v4/oa/access_token", self.zalo_refresh)
        app.router.add_get("/_fake/health", self.control_health)
        app.router.add_get("/_fake/sent", self.control_sent)
        app.router.add_delete("/_fake/sent", self.control_reset)
        app.router.add_get("/_fake/requests", self.control_requests)
        app.router.add_post("/_fake/fail", self.control_fail)
        app.router.add_post("/_fake/expire_token", self.control_expire_token)
        app.router.add_get("/_fake/state", self.control_state)
        return app

    # -- bookkeeping ---------------------------------------------------------------------------

    @web.middleware
    async def _record_middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/_fake/"):
            return await handler(request)
        record: Dict[str, Any] = {
            "provider": _provider_for_path(request.path), "method": request.method,
            "path": _TELEGRAM_TOKEN_PATH.sub("/bot<token>", request.path), "endpoint": None,
            "to": None, "status": None, "outcome": None, "error": None, "params": {},
            "at": _iso(_now()),
        }
        request["fake_record"] = record
        try:
            response = await handler(request)
        except web.HTTPException as error:  # no route, wrong HTTP method
            record.update(status=error.status, outcome=record["outcome"] or "rejected",
                          error=record["error"] or error.reason)
            self._keep(record)
            raise
        except Exception:
            record.update(status=500, outcome="error")
            self._keep(record)
            raise
        if record["status"] is None:
            record.update(status=response.status, outcome=record["outcome"] or "ok")
        self._keep(record)
        return response

    def _keep(self, record: Dict[str, Any]) -> None:
        with self.state.lock:
            self.state.requests.append(record)
            del self.state.requests[:-MAX_RECORDS]

    def _take_failure(self, provider: str, endpoint: str, to: Optional[str]) -> Optional[_Failure]:
        with self.state.lock:
            for failure in self.state.failures:
                if failure.provider != provider:
                    continue
                if failure.method != "*" and failure.method.lower() != endpoint.lower():
                    continue
                if failure.to is not None and failure.to != to:
                    continue
                failure.times -= 1
                if failure.times <= 0:
                    self.state.failures.remove(failure)
                return failure
        return None

    def _finish(
        self, request: web.Request, response: web.Response, outcome: str, error: Any = None
    ) -> web.Response:
        record = request["fake_record"]
        record.update(status=response.status, outcome=outcome, error=error)
        if outcome != "accepted":
            logger.info(
                "fake %s %s: %s, HTTP %s%s", record["provider"], record["endpoint"], outcome,
                response.status, f" ({error})" if error is not None else "",
            )
        return response

    def _accept(self, provider: str, to: str, text: str, message_id: Any, extra: Dict[str, Any]) -> None:
        with self.state.lock:
            self.state.sent.append({
                "provider": provider, "to": to, "text": text, "at": _iso(_now()), "id": message_id,
                "extra": extra,
            })
            del self.state.sent[:-MAX_RECORDS]
        logger.info("fake %s: accepted message %s to %s (%d characters)", provider, message_id,
                    mask_id(to), len(text))

    # -- Twilio --------------------------------------------------------------------------------

    async def twilio_messages(self, request: web.Request) -> web.Response:
        record = request["fake_record"]
        record["endpoint"] = "Messages"
        form = await request.post()
        params = {key: form.get(key) for key in form.keys()}
        record["params"] = {key: value for key, value in params.items() if isinstance(value, str)}
        to = params.get("To")
        record["to"] = to
        account_sid = request.match_info["account_sid"]

        if not self._twilio_authorised(request.headers.get("Authorization")):
            body = twilio_error_body(401, 20003)
            return self._finish(request, _json(body, 401, {"WWW-Authenticate": 'Basic realm="Twilio API"'}),
                                "rejected", 20003)
        if account_sid != self.config.twilio_account_sid:
            body = twilio_error_body(404, 20404, f"The requested resource {request.path} was not found")
            return self._finish(request, _json(body, 404), "rejected", 20404)

        failure = self._take_failure("twilio", "Messages", to)
        if failure is not None:
            code = failure.body.get("code") if isinstance(failure.body, dict) else None
            return self._finish(request, _failure_response(failure), "injected", code)

        body_text = params.get("Body")
        from_ = params.get("From") or None
        service = params.get("MessagingServiceSid") or None
        problem: Optional[int] = None
        if not to:
            problem = 21604
        elif not (_E164.match(to) or _CHANNEL_ADDRESS.match(to)):
            problem = 21211
        elif not from_ and not service:
            problem = 21603
        elif not body_text and not params.get("MediaUrl"):
            problem = 21602
        elif body_text and len(body_text) > TWILIO_MAX_BODY_CHARS:
            problem = 21617
        if problem is not None:
            status = _TWILIO_ERRORS[problem][0]
            return self._finish(request, _json(twilio_error_body(status, problem), status), "rejected", problem)

        body_text = body_text or ""
        sid = "SM" + secrets.token_hex(16)
        created = email.utils.format_datetime(_now().replace(microsecond=0))
        uri = f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json"
        segments = str(sms_segments(body_text)) if body_text else "1"
        resource = {
            "account_sid": account_sid,
            "api_version": "2010-04-01",
            "body": body_text,
            "date_created": created,
            "date_sent": None,
            "date_updated": created,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": segments,
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            # Through a Messaging Service alone, Twilio first reports "accepted" and no sender.
            "status": "queued" if from_ else "accepted",
            "subresource_uris": {
                "media": uri.replace(".json", "/Media.json"),
                "feedback": uri.replace(".json", "/Feedback.json"),
            },
            "to": to,
            "uri": uri,
        }
        extra = {
            "from": from_, "messaging_service_sid": service,
            "status_callback": params.get("StatusCallback"), "num_segments": int(segments),
        }
        self._accept("twilio", to, body_text, sid, extra)
        return self._finish(request, _json(resource, 201), "accepted")

    def _twilio_authorised(self, header: Optional[str]) -> bool:
        if not header:
            return False
        try:
            auth = BasicAuth.decode(header)
        except (ValueError, binascii.Error):
            return False
        return _same(auth.login, self.config.twilio_account_sid) and _same(
            auth.password, self.config.twilio_auth_token
        )

    # -- Telegram ------------------------------------------------------------------------------

    async def telegram_method(self, request: web.Request) -> web.Response:
        record = request["fake_record"]
        requested = request.match_info["method"]
        method = _TELEGRAM_METHOD_BY_LOWER.get(requested.lower())
        record["endpoint"] = method or requested
        params = await _telegram_params(request)
        if params is None:
            body = telegram_error_body(400, "Bad Request: can't parse JSON object")
            return self._finish(request, _json(body, 400), "rejected", body["description"])
        record["params"] = params
        chat_id = params.get("chat_id")
        to = None if chat_id is None else str(chat_id)
        record["to"] = to

        if not _same(request.match_info["token"], self.config.telegram_token):
            return self._finish(request, _json(telegram_error_body(401), 401), "rejected", "Unauthorized")
        if method is None:
            return self._finish(request, _json(telegram_error_body(404), 404), "rejected", "Not Found")

        failure = self._take_failure("telegram", method, to)
        if failure is not None:
            description = failure.body.get("description") if isinstance(failure.body, dict) else None
            return self._finish(request, _failure_response(failure), "injected", description)

        handler = getattr(self, f"_telegram_{method}")
        try:
            result, description = handler(params)
        except _TelegramBadRequest as error:
            body = telegram_error_body(400, error.description)
            return self._finish(request, _json(body, 400), "rejected", error.description)
        body = {"ok": True, "result": result}
        if description:
            body["description"] = description
        return self._finish(request, _json(body), "accepted" if method == "sendMessage" else "ok")

    def _bot_user(self) -> Dict[str, Any]:
        prefix = self.config.telegram_token.split(":", 1)[0]
        return {
            "id": int(prefix) if prefix.isdigit() else 123456789,
            "is_bot": True,
            "first_name": "Helpline Fake Bot",
            "username": "helpline_fake_bot",
        }

    def _telegram_getMe(self, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
        user = self._bot_user()
        user.update(can_join_groups=True, can_read_all_group_messages=False, supports_inline_queries=False)
        return user, None

    def _telegram_sendMessage(self, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
        chat_id = params.get("chat_id")
        text = params.get("text")
        if chat_id is None or chat_id == "":
            raise _TelegramBadRequest("Bad Request: chat_id is empty")
        if not isinstance(chat_id, int) and not (isinstance(chat_id, str) and chat_id.startswith("@")):
            raise _TelegramBadRequest("Bad Request: chat not found")
        if not isinstance(text, str) or not text.strip():
            raise _TelegramBadRequest("Bad Request: message text is empty")
        if _utf16_len(text) > TELEGRAM_MAX_TEXT_UTF16:
            raise _TelegramBadRequest("Bad Request: message is too long")
        markup = params.get("reply_markup")
        if markup is not None:
            _check_reply_markup(markup)
        with self.state.lock:
            self.state.telegram_message_id += 1
            message_id = self.state.telegram_message_id
        message: Dict[str, Any] = {
            "message_id": message_id,
            "from": self._bot_user(),
            "chat": _telegram_chat(chat_id),
            "date": int(_now().timestamp()),
            "text": text,
        }
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes inline keyboards only
        extra = {
            key: value for key, value in params.items() if key not in ("chat_id", "text")
        }
        self._accept("telegram", str(chat_id), text, message_id, extra)
        return message, None

    def _telegram_answerCallbackQuery(self, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
        if not params.get("callback_query_id"):
            raise _TelegramBadRequest(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        return True, None

    def _telegram_sendChatAction(self, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
        if params.get("chat_id") in (None, ""):
            raise _TelegramBadRequest("Bad Request: chat_id is empty")
        return True, None

    def _telegram_setWebhook(self, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
        url = params.get("url") or ""
        if not url:
            return self._telegram_deleteWebhook(params)
        if not isinstance(url, str) or not url.startswith("https://"):
            raise _TelegramBadRequest("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        port = _url_port(url)
        if port not in (443, 80, 88, 8443):
            raise _TelegramBadRequest(
                "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        secret = params.get("secret_token")
        if secret is not None and not (isinstance(secret, str) and _TELEGRAM_SECRET.match(secret)):
            raise _TelegramBadRequest("Bad Request: secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if allowed is not None and not (isinstance(allowed, list) and all(isinstance(a, str) for a in allowed)):
            raise _TelegramBadRequest("Bad Request: can't parse allowed updates")
        with self.state.lock:
            self.state.telegram_webhook = {
                "url": url, "secret_token": secret, "allowed_updates": allowed,
                "max_connections": int(params.get("max_connections") or 40),
                "drop_pending_updates": bool(params.get("drop_pending_updates")),
            }
        return True, "Webhook was set"

    def _telegram_deleteWebhook(self, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
        with self.state.lock:
            had = bool(self.state.telegram_webhook.get("url"))
            self.state.telegram_webhook = {}
        return True, "Webhook was deleted" if had else "Webhook is already deleted"

    def _telegram_getWebhookInfo(self, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
        with self.state.lock:
            hook = dict(self.state.telegram_webhook)
        info: Dict[str, Any] = {
            "url": hook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0,
        }
        if hook.get("url"):
            info["max_connections"] = hook["max_connections"]
            if hook.get("allowed_updates") is not None:
                info["allowed_updates"] = hook["allowed_updates"]
        return info, None

    # -- Zalo ----------------------------------------------------------------------------------

    async def zalo_send(self, request: web.Request) -> web.Response:
        record = request["fake_record"]
        record["endpoint"] = "message/cs"
        try:
            payload = json.loads(await request.text())
        except ValueError:
            payload = None
        user_id = text = None
        if isinstance(payload, dict):
            recipient = payload.get("recipient")
            message = payload.get("message")
            if isinstance(recipient, dict) and isinstance(recipient.get("user_id"), (str, int)) \
                    and not isinstance(recipient.get("user_id"), bool):
                user_id = str(recipient["user_id"])
            if isinstance(message, dict):
                text = message.get("text")
            record["params"] = payload
        record["to"] = user_id

        token = request.headers.get("access_token")
        with self.state.lock:
            current = self.state.zalo_access_token
        if not token or current is None or not _same(token, current):
            return self._finish(request, _json(zalo_error_body(-216)), "rejected", -216)

        failure = self._take_failure("zalo", "message/cs", user_id)
        if failure is not None:
            code = failure.body.get("error") if isinstance(failure.body, dict) else None
            return self._finish(request, _failure_response(failure), "injected", code)

        if payload is None or not isinstance(payload, dict):
            return self._finish(request, _json(zalo_error_body(-201, "Body is not valid JSON")), "rejected", -201)
        if not user_id:
            return self._finish(request, _json(zalo_error_body(-201, "user_id is invalid")), "rejected", -201)
        if not isinstance(text, str) or not text:
            return self._finish(request, _json(zalo_error_body(-201, "message.text is empty")), "rejected", -201)
        if len(text) > ZALO_MAX_TEXT_CHARS:
            body = zalo_error_body(-201, f"message.text is longer than {ZALO_MAX_TEXT_CHARS} characters")
            return self._finish(request, _json(body), "rejected", -201)

        message_id = secrets.token_hex(16)
        self._accept("zalo", user_id, text, message_id, {})
        body = {"error": 0, "message": "Success", "data": {"message_id": message_id, "user_id": user_id}}
        return self._finish(request, _json(body), "accepted")

    async def zalo_refresh(self, request: web.Request) -> web.Response:
        record = request["fake_record"]
        record["endpoint"] = "access_token"
        form = await request.post()
        grant_type = form.get("grant_type")
        app_id = form.get("app_id")
        refresh_token = form.get("refresh_token")
        record["params"] = {"app_id": app_id, "grant_type": grant_type}

        failure = self._take_failure("zalo", "access_token", None)
        if failure is not None:
            code = failure.body.get("error") if isinstance(failure.body, dict) else None
            return self._finish(request, _failure_response(failure), "injected", code)

        secret_key = request.headers.get("secret_key") or ""
        secret_ok = _same(secret_key, self.config.zalo_app_secret)
        if app_id != self.config.zalo_app_id or not secret_ok:
            body = _zalo_oauth_error(-14003, "Invalid app_id or secret_key")
            return self._finish(request, _json(body), "rejected", -14003)
        if grant_type != "refresh_token":
            body = _zalo_oauth_error(-14003, "The fake supports grant_type=refresh_token only")
            return self._finish(request, _json(body), "rejected", -14003)
        with self.state.lock:
            current = self.state.zalo_refresh_token
            valid = bool(refresh_token) and current is not None and _same(
                str(refresh_token), current
            )
            if valid:
                # Single use: the old refresh token AND the old access token die here.
                self.state.zalo_refreshes += 1
                number = self.state.zalo_refreshes
                self.state.zalo_access_token = f"fake-zalo-access-{number}-{secrets.token_urlsafe(24)}"
                self.state.zalo_refresh_token = f"fake-zalo-refresh-{number}-{secrets.token_urlsafe(24)}"
                tokens = {
                    "access_token": self.state.zalo_access_token,
                    "refresh_token": self.state.zalo_refresh_token,
                    "expires_in": ZALO_ACCESS_TOKEN_SECONDS,
                }
        if not valid:
            body = _zalo_oauth_error(-14014, "Invalid refresh token")
            return self._finish(request, _json(body), "rejected", -14014)
        logger.info("fake zalo: access token refreshed (refresh number %d)", number)
        return self._finish(request, _json(tokens), "ok")

    # -- control API ---------------------------------------------------------------------------

    async def control_health(self, request: web.Request) -> web.Response:
        return _json({"ok": True, "providers": list(PROVIDERS)})

    async def control_sent(self, request: web.Request) -> web.Response:
        provider = request.query.get("provider")
        if provider is not None and provider not in PROVIDERS:
            return _json({"error": f"provider must be one of {', '.join(PROVIDERS)}"}, 400)
        return _json(self.sent(provider))

    async def control_requests(self, request: web.Request) -> web.Response:
        provider = request.query.get("provider")
        if provider is not None and provider not in PROVIDERS:
            return _json({"error": f"provider must be one of {', '.join(PROVIDERS)}"}, 400)
        return _json(self.requests(provider))

    async def control_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return _json({"ok": True})

    async def control_fail(self, request: web.Request) -> web.Response:
        try:
            spec = json.loads(await request.text())
        except ValueError:
            return _json({"error": "the body must be JSON"}, 400)
        if not isinstance(spec, dict):
            return _json({"error": "the body must be a JSON object"}, 400)
        unknown = set(spec) - {"provider", "to", "status", "body", "times", "code", "method"}
        if unknown:
            return _json({"error": f"unknown fields: {', '.join(sorted(unknown))}"}, 400)
        try:
            failure = self.fail(**spec)
        except (TypeError, ValueError) as error:
            return _json({"error": str(error)}, 400)
        return _json({"ok": True, "queued": failure.as_dict()})

    async def control_expire_token(self, request: web.Request) -> web.Response:
        self.expire_zalo_token()
        return _json({"ok": True})

    async def control_state(self, request: web.Request) -> web.Response:
        return _json(self.snapshot())

    # -- the Python API behind the control API -------------------------------------------------

    def sent(self, provider: Optional[str] = None) -> List[Dict[str, Any]]:
        with self.state.lock:
            return [json.loads(json.dumps(m)) for m in self.state.sent if provider in (None, m["provider"])]

    def requests(self, provider: Optional[str] = None) -> List[Dict[str, Any]]:
        with self.state.lock:
            return [
                json.loads(json.dumps(r, default=str))
                for r in self.state.requests
                if provider in (None, r["provider"])
            ]

    def reset(self) -> None:
        with self.state.lock:
            self.state.sent.clear()
            self.state.requests.clear()
            self.state.failures.clear()

    def fail(
        self,
        provider: str,
        status: Optional[int] = None,
        body: Any = None,
        to: Optional[Any] = None,
        times: int = 1,
        code: Optional[int] = None,
        method: Optional[str] = None,
    ) -> _Failure:
        if provider not in PROVIDERS:
            raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}")
        if status is None:
            status = 200 if provider == "zalo" else 500
        if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
            raise ValueError("status must be an HTTP status code (200-599)")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError("times must be a positive integer")
        if code is not None and (isinstance(code, bool) or not isinstance(code, int)):
            raise ValueError("code must be an integer")
        if method is not None and (not isinstance(method, str) or not method):
            raise ValueError("method must be a non-empty string")
        if to is not None and (isinstance(to, bool) or not isinstance(to, (str, int))):
            raise ValueError("to must be a string")
        if body is None:
            body = default_failure_body(provider, status, code)
        failure = _Failure(
            provider=provider, status=status, body=body, to=None if to is None else str(to),
            method=method or DEFAULT_FAIL_METHOD[provider], times=times,
        )
        with self.state.lock:
            self.state.failures.append(failure)
        return failure

    def expire_zalo_token(self) -> None:
        with self.state.lock:
            self.state.zalo_access_token = None

    def snapshot(self) -> Dict[str, Any]:
        with self.state.lock:
            return {
                "telegram": {"webhook": dict(self.state.telegram_webhook)},
                "zalo": {
                    "access_token": self.state.zalo_access_token,
                    "refresh_token": self.state.zalo_refresh_token,
                    "refreshes": self.state.zalo_refreshes,
                },
                "failures": [f.as_dict() for f in self.state.failures],
                "counts": {p: sum(1 for m in self.state.sent if m["provider"] == p) for p in PROVIDERS},
            }


class _TelegramBadRequest(Exception):
    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def _provider_for_path(path: str) -> str:
    if path.startswith("/2010-04-01/"):
        return "twilio"
    if path.startswith("/bot"):
        return "telegram"
    if path.startswith(("/v3.0/", "/v2.0/", "/v4/")):
        return "zalo"
    return "unknown"


def _url_port(url: str) -> Optional[int]:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        return parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None


def _telegram_chat(chat_id: Any) -> Dict[str, Any]:
    if isinstance(chat_id, str):  # "@channelusername"
        channel_id = -1001000000000 - zlib.crc32(chat_id.encode("utf-8"))
        return {"id": channel_id, "type": "channel", "username": chat_id[1:]}
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Test"}
    if str(chat_id).startswith("-100"):
        return {"id": chat_id, "type": "supergroup", "title": "Test group"}
    return {"id": chat_id, "type": "group", "title": "Test group"}


def _check_reply_markup(markup: Any) -> None:
    if not isinstance(markup, dict):
        raise _TelegramBadRequest("Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _TelegramBadRequest(
            "Bad Request: can't parse inline keyboard button: field \"inline_keyboard\" must be an Array of Arrays"
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _TelegramBadRequest(
                    "Bad Request: can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not (1 <= len(str(data).encode("utf-8")) <= TELEGRAM_MAX_CALLBACK_DATA_BYTES):
                raise _TelegramBadRequest("Bad Request: BUTTON_DATA_INVALID")


def _coerce_telegram_value(key: str, value: str) -> Any:
    if key == "chat_id":
        return int(value) if re.fullmatch(r"-?\d+", value) else value
    if key in _TELEGRAM_JSON_PARAMS or key in _TELEGRAM_SCALAR_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _telegram_params(request: web.Request) -> Optional[Dict[str, Any]]:
    """Bot API parameters from the query string and a JSON, form or multipart body, the way
    Telegram reads them (form values of object/array type are JSON text)."""
    params: Dict[str, Any] = {key: _coerce_telegram_value(key, value) for key, value in request.query.items()}
    if request.method not in ("POST", "PUT") or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = json.loads(await request.text() or "{}")
        except ValueError:
            return None
        if not isinstance(body, dict):
            return None
        for key, value in body.items():
            if key == "chat_id" and isinstance(value, str):
                value = _coerce_telegram_value(key, value)
            params[key] = value
        return params
    form = await request.post()
    for key in form.keys():
        value = form.get(key)
        if isinstance(value, str):
            params[key] = _coerce_telegram_value(key, value)
    return params


# ---------------------------------------------------------------------------------------------
# Lifecycle


class FakeProviders:
    """The fake, either inside a running loop::

        async with FakeProviders(FakeConfig(), port=0) as fake:
            ...  # fake.url, fake.sent(), fake.fail(...), fake.reset()

    or on its own loop in a daemon thread (synchronous tests, the CLI)::

        fake = FakeProviders().start_in_thread()
        try: ...
        finally: fake.stop()
    """

    def __init__(self, config: Optional[FakeConfig] = None, port: int = 0, host: str = "127.0.0.1") -> None:
        self.config = config or FakeConfig()
        self.host = host
        self.port = port
        self._state = _State(self.config)
        self._app = _FakeApp(self._state)
        self._runner: Optional[web.AppRunner] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None

    # -- addresses -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._runner is None:
            raise RuntimeError("the fake is not running")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def telegram_base_url(self) -> str:
        """What to pass as PTB's Bot(base_url=...): PTB appends the token, then /<method>."""
        return f"{self.url}/bot"

    def env(self) -> Dict[str, str]:
        """The helpline's variables that point it at this fake."""
        return {
            "TWILIO_API_BASE_URL": self.url,
            "TELEGRAM_API_BASE_URL": self.url,
            "ZALO_API_BASE_URL": self.url,
            "ZALO_OAUTH_BASE_URL": self.url,
        }

    # -- running inside the caller's loop ------------------------------------------------------

    async def start(self) -> FakeProviders:
        if self._runner is not None:
            raise RuntimeError("the fake is already running")
        runner = web.AppRunner(self._app.build(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]
        logger.info("fake providers listening on %s", self.url)
        return self

    async def close(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeProviders:
        return await self.start()

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    # -- running in a thread -------------------------------------------------------------------

    def start_in_thread(self, timeout: float = 30.0) -> FakeProviders:
        if self._thread is not None:
            raise RuntimeError("the fake is already running")
        ready = threading.Event()
        failure: List[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            try:
                loop.run_until_complete(self.start())
            except BaseException as error:  # reported to the caller of start_in_thread
                failure.append(error)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self.close())
                loop.close()

        self._thread = threading.Thread(target=run, name="fake-providers", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise RuntimeError("the fake providers did not start")
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]
        return self

    def stop(self, timeout: float = 30.0) -> None:
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = self._loop = None

    def __enter__(self) -> FakeProviders:
        return self.start_in_thread()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- the Python side of the control API ----------------------------------------------------

    def sent(self, provider: Optional[str] = None) -> List[Dict[str, Any]]:
        """Every accepted message, in order: {provider, to, text, at, id, extra}."""
        return self._app.sent(provider)

    def sent_since(self, start: int) -> List[Dict[str, Any]]:
        """The accepted messages from index `start` on, every provider's, without copying the
        rest: for pollers (the channel benchmark) that read the list many times a second.
        Raises LookupError when older records were dropped (the fake keeps 10,000)."""
        state = self._app.state
        with state.lock:
            if len(state.sent) >= MAX_RECORDS or len(state.sent) < start:
                raise LookupError(f"the fake provider dropped old messages (it keeps {MAX_RECORDS})")
            return list(state.sent[start:])

    def requests(self, provider: Optional[str] = None) -> List[Dict[str, Any]]:
        """Every provider request, accepted or not: {provider, method, path, endpoint, to, status,
        outcome (accepted|ok|rejected|injected), error, params, at}."""
        return self._app.requests(provider)

    def reset(self) -> None:
        """Forget sent messages, requests and queued failures (tokens and webhook stay)."""
        self._app.reset()

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
        """Queue an injected failure: the next `times` matching requests get `status` and `body`
        (a provider-shaped error by default; `code` picks the Twilio or Zalo error code). `to`
        limits it to one recipient, `method` to another endpoint than the send one
        (a Bot API method, "access_token" for Zalo's refresh, or "*")."""
        return self._app.fail(provider, status, body, to, times, code, method).as_dict()

    def expire_zalo_token(self) -> None:
        """Invalidate the current Zalo access token (the refresh token stays valid)."""
        self._app.expire_zalo_token()

    def state(self) -> Dict[str, Any]:
        """Telegram's webhook, Zalo's current tokens and refresh count, queued failures."""
        return self._app.snapshot()

    @property
    def zalo_refreshes(self) -> int:
        return self.state()["zalo"]["refreshes"]

    @property
    def zalo_tokens(self) -> Tuple[Optional[str], Optional[str]]:
        zalo = self.state()["zalo"]
        return zalo["access_token"], zalo["refresh_token"]


# ---------------------------------------------------------------------------------------------
# Command line


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def serve(host: str = "127.0.0.1", port: int = 8099, environ: Optional[Mapping[str, str]] = None) -> int:
    """`python -m bot fake-providers`: run in the foreground until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = FakeConfig.from_env(environ)
    if not _is_loopback(host):
        print(f"Warning: binding to {host}; the control API has no authentication.", file=sys.stderr)
    fake = FakeProviders(config, port=port, host=host)
    stopping = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stopping.set()

    # Handlers first: a Ctrl-C or SIGTERM that comes right after the URL is printed still stops
    # the fake cleanly instead of interrupting the main thread wherever it is.
    previous = {number: signal.signal(number, on_signal) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            fake.start_in_thread()
        except OSError as error:
            print(f"Cannot listen on {host}:{port}: {error.strerror or error}", file=sys.stderr)
            return 1
        try:
            source = os.environ if environ is None else environ
            lines = [
                f"Fake Twilio, Telegram and Zalo APIs on {fake.url} (control API: {fake.url}/_fake/sent)",
                "Point the helpline at it:",
                *(f"export {name}={value}" for name, value in fake.env().items()),
                "Credentials it accepts:",
            ]
            for name, variable in FakeConfig.ENV_NAMES.items():
                if source.get(variable, "").strip():
                    lines.append(f"# {variable}: taken from your environment")
                else:
                    lines.append(f"export {variable}={getattr(config, name)}")
            lines.append("Ctrl-C to stop.")
            print("\n".join(lines), flush=True)
            while not stopping.wait(0.5):
                pass
        finally:
            fake.stop()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    print("Fake providers stopped.", flush=True)
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot fake-providers", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8099, help="port (0 = any free one; default 8099)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    args = parser.parse_args(argv)
    return serve(args.host, args.port)


__all__ = [
    "FakeConfig", "FakeProviders", "main", "serve", "sms_segments", "telegram_error_body",
    "twilio_error_body", "zalo_error_body",
]

if __name__ == "__main__":
    sys.exit(main())
