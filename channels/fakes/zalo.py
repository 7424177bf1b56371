"""Fake Zalo OA: the two endpoints the helpline calls, and Zalo's error bodies.

- POST /v3.0/oa/message/cs (channels/zalo.py): a consultation message, authorised by the
  `access_token` header; Zalo reports every error in the JSON `error` field of an HTTP 200;
- POST /v4/oa/access_token (channels/zalo_tokens.py): a refresh, with the app's `secret_key`
  header and a single-use refresh token that also ends the old access token.

The fake's URL replaces both https://openapi.zalo.me and https://oauth.zaloapp.com.
"""
from __future__ import annotations

import json
import logging
import secrets
from functools import partial
from typing import Any, Dict, Optional

from aiohttp import web

from channels.fakes.config import same_secret
from channels.fakes.server import Provider, answer, http_phrase, injected, record_of
from channels.fakes.state import FailureStyle, FakeState
from channels.segments import ZALO_MAX_CHARS

logger = logging.getLogger(__name__)

_MESSAGES = {
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
    """Zalo's error: {"error": code, "message": ...}, always sent with HTTP 200."""
    return {"error": code, "message": message or _MESSAGES.get(code, "Unknown error")}


def _oauth_error_body(code: int, message: str) -> Dict[str, Any]:
    """The OAuth server's error, which names it in error_name and error_description too."""
    return {"error": code, "message": message, "error_name": message, "error_description": message}


def _failure_body(status: int, code: Optional[int]) -> Any:
    if status != 200:  # a Zalo outage: a gateway page, not JSON
        return f"<html><body><h1>{status} {http_phrase(status)}</h1></body></html>"
    return zalo_error_body(code if code is not None else -32)


def _problem(payload: Any) -> Optional[str]:
    """Why Zalo would refuse this message (error -201), or None."""
    if not isinstance(payload, dict):
        return "Body is not valid JSON"
    if not _recipient(payload):
        return "user_id is invalid"
    message = payload.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    if not isinstance(text, str) or not text:
        return "message.text is empty"
    if len(text) > ZALO_MAX_CHARS:
        return f"message.text is longer than {ZALO_MAX_CHARS} characters"
    return None


def _recipient(payload: Any) -> Optional[str]:
    recipient = payload.get("recipient") if isinstance(payload, dict) else None
    user_id = recipient.get("user_id") if isinstance(recipient, dict) else None
    if isinstance(user_id, bool) or not isinstance(user_id, (str, int)) or user_id == "":
        return None
    return str(user_id)  # Zalo ids exceed 2**53: strings, though some clients send numbers


async def send_message(state: FakeState, request: web.Request) -> web.Response:
    record = record_of(request)
    record["endpoint"] = "message/cs"
    try:
        payload = json.loads(await request.text())
    except ValueError:
        payload = None
    user_id = _recipient(payload)
    record.update(params=payload if isinstance(payload, dict) else {}, to=user_id)

    if not state.is_zalo_access_token(request.headers.get("access_token", "")):
        return answer(request, zalo_error_body(-216), "rejected", error=-216)
    failure = state.take_failure("zalo", "message/cs", user_id)
    if failure is not None:
        return injected(request, failure)
    problem = _problem(payload)
    if problem is not None or user_id is None:
        return answer(request, zalo_error_body(-201, problem), "rejected", error=-201)

    message_id = secrets.token_hex(16)
    text = payload["message"]["text"]
    state.keep_sent("zalo", user_id, text, message_id, {})
    body = {"error": 0, "message": "Success", "data": {"message_id": message_id, "user_id": user_id}}
    return answer(request, body, "accepted")


async def refresh_access_token(state: FakeState, request: web.Request) -> web.Response:
    record = record_of(request)
    record["endpoint"] = "access_token"
    form = await request.post()
    app_id, grant_type, refresh_token = (str(form.get(name, "")) for name in ("app_id", "grant_type", "refresh_token"))
    record["params"] = {"app_id": app_id, "grant_type": grant_type}

    failure = state.take_failure("zalo", "access_token", None)
    if failure is not None:
        return injected(request, failure)
    config = state.config
    if app_id != config.zalo_app_id or not same_secret(request.headers.get("secret_key", ""), config.zalo_app_secret):
        return answer(request, _oauth_error_body(-14003, "Invalid app_id or secret_key"), "rejected", error=-14003)
    if grant_type != "refresh_token":
        body = _oauth_error_body(-14003, "The fake supports grant_type=refresh_token only")
        return answer(request, body, "rejected", error=-14003)
    refreshed = state.refresh_zalo_tokens(refresh_token)
    if refreshed is None:
        return answer(request, _oauth_error_body(-14014, "Invalid refresh token"), "rejected", error=-14014)
    tokens, number = refreshed
    logger.info("fake zalo: access token refreshed (refresh number %d)", number)
    return answer(request, tokens, "ok")


def add_routes(app: web.Application, state: FakeState) -> None:
    app.router.add_post("/v3.0/oa/message/cs", partial(send_message, state))
    app.router.add_post("/v4/oa/access_token", partial(refresh_access_token, state))


ZALO = Provider(
    name="zalo",
    path_prefixes=("/v3.0/", "/v4/"),
    failures=FailureStyle(
        send_endpoint="message/cs", default_status=200, error_body=_failure_body, error_field="error",
        text_type="text/html",
    ),
    add_routes=add_routes,
)
