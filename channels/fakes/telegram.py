"""Fake Telegram Bot API: the methods the helpline calls through python-telegram-bot, and the
Bot API's error bodies.

- getMe: Bot.initialize(), when the channel and the officer alerts start;
- sendMessage: replies to workers and officer alerts, with inline keyboards;
- answerCallbackQuery: stops a pressed button's spinner;
- setWebhook and getWebhookInfo: `python -m bot telegram set-webhook`.

Bot(token, base_url=f"{fake.url}/bot") posts to /bot<token>/<method>, form-encoded with object
values as JSON text; JSON bodies are read too, for curl and tests.
"""
from __future__ import annotations

import json
import re
import zlib
from datetime import datetime, timezone
from functools import partial
from typing import Any, Callable, Dict, Optional, Tuple
from urllib.parse import urlsplit

from aiohttp import web

from channels.fakes.config import same_secret
from channels.fakes.server import Provider, answer, http_phrase, injected, record_of
from channels.fakes.state import FailureStyle, FakeState
from channels.segments import TELEGRAM_MAX_UTF16_UNITS, utf16_units

MAX_CALLBACK_DATA_BYTES = 64
WEBHOOK_PORTS = (443, 80, 88, 8443)
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_TOKEN_IN_PATH = re.compile(r"^/bot[^/]+")
# Parameters Telegram reads as JSON when they arrive form-encoded (PTB sends them so).
_JSON_PARAMS = {"reply_markup", "allowed_updates", "drop_pending_updates"}

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


def telegram_error_body(status: int, description: Optional[str] = None, retry_after: Optional[int] = None) -> Dict[str, Any]:
    """The Bot API's error: ok false, error_code, description; a 429 carries
    parameters.retry_after (5 s unless told)."""
    if status == 429 and retry_after is None:
        retry_after = 5
    if description is None:
        description = (
            f"Too Many Requests: retry after {retry_after}" if status == 429
            else _DEFAULT_DESCRIPTIONS.get(status, http_phrase(status))
        )
    body: Dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


class _BadRequest(Exception):
    """A call Telegram answers with a 400 and this description."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


# -- the methods: (state, params) -> (result, description or None) ------------------------------


def _bot_user(state: FakeState) -> Dict[str, Any]:
    prefix = state.config.telegram_token.split(":", 1)[0]
    return {
        "id": int(prefix) if prefix.isdigit() else 123456789, "is_bot": True,
        "first_name": "Helpline Fake Bot", "username": "helpline_fake_bot",
    }


def _chat(chat_id: Any) -> Dict[str, Any]:
    """The Chat object for an id: a user's (positive), a group's (negative) or a channel's (@name)."""
    if isinstance(chat_id, str):
        return {"id": -1001000000000 - zlib.crc32(chat_id.encode("utf-8")), "type": "channel", "username": chat_id[1:]}
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Test"}
    if str(chat_id).startswith("-100"):
        return {"id": chat_id, "type": "supergroup", "title": "Test group"}
    return {"id": chat_id, "type": "group", "title": "Test group"}


def _check_inline_keyboard(markup: Any) -> None:
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _BadRequest("Bad Request: can't parse reply keyboard markup JSON object")
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise _BadRequest("Bad Request: can't parse inline keyboard button: Text is not specified")
        if ("callback_data" in button) == ("url" in button):
            raise _BadRequest("Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise _BadRequest("Bad Request: BUTTON_DATA_INVALID")


def _get_me(state: FakeState, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
    user = _bot_user(state)
    user.update(can_join_groups=True, can_read_all_group_messages=False, supports_inline_queries=False)
    return user, None


def _send_message(state: FakeState, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
    chat_id, text, markup = params.get("chat_id"), params.get("text"), params.get("reply_markup")
    if chat_id is None or chat_id == "":
        raise _BadRequest("Bad Request: chat_id is empty")
    if not isinstance(chat_id, int) and not (isinstance(chat_id, str) and chat_id.startswith("@")):
        raise _BadRequest("Bad Request: chat not found")
    if not isinstance(text, str) or not text.strip():
        raise _BadRequest("Bad Request: message text is empty")
    if utf16_units(text) > TELEGRAM_MAX_UTF16_UNITS:
        raise _BadRequest("Bad Request: message is too long")
    if markup is not None:
        _check_inline_keyboard(markup)
    message_id = state.next_telegram_message_id()
    message: Dict[str, Any] = {
        "message_id": message_id, "from": _bot_user(state), "chat": _chat(chat_id),
        "date": int(datetime.now(timezone.utc).timestamp()), "text": text,
    }
    if markup is not None:
        message["reply_markup"] = markup
    extra = {key: value for key, value in params.items() if key not in ("chat_id", "text")}
    state.keep_sent("telegram", str(chat_id), text, message_id, extra)
    return message, None


def _answer_callback_query(state: FakeState, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
    if not params.get("callback_query_id"):
        raise _BadRequest("Bad Request: query is too old and response timeout expired or query ID is invalid")
    return True, None


def _set_webhook(state: FakeState, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
    url, secret, allowed = params.get("url"), params.get("secret_token"), params.get("allowed_updates")
    if not isinstance(url, str) or not url.startswith("https://"):
        raise _BadRequest("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    try:
        port = urlsplit(url).port or 443
    except ValueError:
        port = None
    if port not in WEBHOOK_PORTS:
        raise _BadRequest("Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    if secret is not None and not (isinstance(secret, str) and _SECRET_TOKEN.match(secret)):
        raise _BadRequest("Bad Request: secret token contains unallowed characters")
    if allowed is not None and not (isinstance(allowed, list) and all(isinstance(name, str) for name in allowed)):
        raise _BadRequest("Bad Request: can't parse allowed updates")
    state.set_telegram_webhook({
        "url": url, "secret_token": secret, "allowed_updates": allowed,
        "drop_pending_updates": bool(params.get("drop_pending_updates")),
    })
    return True, "Webhook was set"


def _get_webhook_info(state: FakeState, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
    webhook = state.telegram_webhook()
    info: Dict[str, Any] = {"url": webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}
    if webhook.get("allowed_updates") is not None:
        info["allowed_updates"] = webhook["allowed_updates"]
    return info, None


Method = Callable[[FakeState, Dict[str, Any]], Tuple[Any, Optional[str]]]
METHODS: Dict[str, Method] = {
    "getMe": _get_me,
    "sendMessage": _send_message,
    "answerCallbackQuery": _answer_callback_query,
    "setWebhook": _set_webhook,
    "getWebhookInfo": _get_webhook_info,
}
_METHOD_NAMES = {name.lower(): name for name in METHODS}  # Telegram ignores the case of a method


# -- the endpoint ------------------------------------------------------------------------------


def _coerce(key: str, value: Any) -> Any:
    """A parameter as Telegram reads it: a numeric chat_id is a number, object values are JSON."""
    if not isinstance(value, str):
        return value
    if key == "chat_id":
        return int(value) if re.fullmatch(r"-?\d+", value) else value
    if key in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _params(request: web.Request) -> Dict[str, Any]:
    """The call's parameters from a JSON or form body; a _BadRequest if the JSON is not an object."""
    if request.content_type == "application/json":
        try:
            body = json.loads(await request.text() or "{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise _BadRequest("Bad Request: can't parse JSON object")
    else:
        form = await request.post()
        body = {key: value for key, value in form.items() if isinstance(value, str)}
    return {key: _coerce(key, value) for key, value in body.items()}


async def call_method(state: FakeState, request: web.Request) -> web.Response:
    record = record_of(request)
    requested = request.match_info["method"]
    method = _METHOD_NAMES.get(requested.lower())
    record["endpoint"] = method or requested
    if not same_secret(request.match_info["token"], state.config.telegram_token):
        return answer(request, telegram_error_body(401), "rejected", 401, "Unauthorized")
    if method is None:
        return answer(request, telegram_error_body(404), "rejected", 404, "Not Found")
    try:
        params = await _params(request)
    except _BadRequest as error:
        return answer(request, telegram_error_body(400, error.description), "rejected", 400, error.description)
    chat_id = params.get("chat_id")
    record.update(params=params, to=None if chat_id is None else str(chat_id))

    failure = state.take_failure("telegram", method, record["to"])
    if failure is not None:
        return injected(request, failure)
    try:
        result, description = METHODS[method](state, params)
    except _BadRequest as error:
        return answer(request, telegram_error_body(400, error.description), "rejected", 400, error.description)
    body: Dict[str, Any] = {"ok": True, "result": result}
    if description:
        body["description"] = description
    return answer(request, body, "accepted" if method == "sendMessage" else "ok")


def add_routes(app: web.Application, state: FakeState) -> None:
    app.router.add_post("/bot{token}/{method}", partial(call_method, state))


TELEGRAM = Provider(
    name="telegram",
    path_prefixes=("/bot",),
    failures=FailureStyle(
        send_endpoint="sendMessage", default_status=500, error_body=lambda status, code: telegram_error_body(status),
        error_field="description",
    ),
    add_routes=add_routes,
    public_path=lambda path: _TOKEN_IN_PATH.sub("/bot<token>", path),
)
