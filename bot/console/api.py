"""The console's JSON API, as a blueprint under /api.

    GET  /api/cases?status=&country=&conversation_id=&limit=
    GET  /api/cases/{id}                       (with its events)
    GET  /api/cases/{id}/updates?after=<event id>   (what is new: her messages, status; polled by the page)
    POST /api/cases/{id}/ack|take|reply|close|reassign|note
         bodies: {"text": ...} (reply, note), {"reason": ...} (close, reassign), {"to": ...} (reassign)
    POST /api/cases/{id}/reply/preview   {"text": ...}: what the reply costs on her channel
         (SMS segments, characters left, whether it fits); a reply that does not fit is refused
         by POST .../reply with 400 and the reason

Authentication: ``Authorization: Bearer <token>`` (``python -m bot officers token <username>``),
or the console's session cookie, which must then carry ``X-CSRF-Token`` on every POST.
Errors are JSON ``{"error": <code>, "reason": <words>}``: 400 bad input, 401 no or a bad
token, 403 another country's case (or a bad CSRF token), 404 no such case, 409 a move the case's
state does not allow, 503 anything unexpected (no detail).
"""
from __future__ import annotations

import asyncio
import json as jsonlib
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.cases.officers import OfficerAccount
from bot.cases.schema import STATUSES
from bot.cases.store import CaseNotFound, InvalidTransition, InvalidValue
from bot.console.i18n import translate
from bot.console.live import case_updates_json
from bot.console.operations import (
    ACTIONS,
    BadInput,
    Forbidden,
    case_json,
    load_case,
    optional_text,
    perform,
    required_text,
)
from bot.console.policy import MAX_TEXT
from bot.console.request_helpers import (
    UNAVAILABLE_REASON,
    csrf_ok,
    error_json,
    log,
    log_unexpected,
    session_officer,
)

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
MAX_LIMIT = 500


class ApiError(Exception):
    def __init__(self, status: int, code: str, reason: str, headers: Optional[Dict[str, str]] = None):
        super().__init__(reason)
        self.status, self.code, self.reason, self.headers = status, code, reason, headers or {}


blueprint = Blueprint("console_api", url_prefix="/api")


async def _authenticate(request: Request, *, unsafe: bool) -> OfficerAccount:
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > 256:
            raise ApiError(401, "unauthorized", "send 'Authorization: Bearer <token>'",
                           {"WWW-Authenticate": 'Bearer realm="helpline-console"'})
        account = await asyncio.to_thread(request.app.ctx.officers.by_token, token)
        if account is None:
            raise ApiError(401, "unauthorized", "the token is not valid (revoked, replaced or disabled account)",
                           {"WWW-Authenticate": 'Bearer realm="helpline-console", error="invalid_token"'})
        request.ctx.officer = account
        return account
    account = await session_officer(request)
    if account is None:
        raise ApiError(401, "unauthorized", "sign in, or send 'Authorization: Bearer <token>'",
                       {"WWW-Authenticate": 'Bearer realm="helpline-console"'})
    if unsafe and not csrf_ok(request, request.headers.get("x-csrf-token")):
        raise ApiError(403, "csrf", "a session-cookie request must carry the X-CSRF-Token header")
    return account


async def _guarded(request: Request, handler: Callable[..., Awaitable[HTTPResponse]], *args: Any) -> HTTPResponse:
    """The handler's response, or the JSON error for what it raised."""
    try:
        return await handler(request, *args)
    except ApiError as error:
        return error_json(error.status, error.code, error.reason, error.headers)
    except Forbidden:
        officer = request.ctx.officer
        log.warning("API: officer %s refused a case or country they do not cover.", officer.username if officer else "-")
        return error_json(403, "forbidden", "you do not cover this case's country")
    except CaseNotFound:
        return error_json(404, "not_found", "no such case")
    except BadInput as error:
        return error_json(400, "invalid_value", error.text("en"))
    except InvalidValue as error:
        return error_json(400, "invalid_value", str(error))
    except InvalidTransition as error:
        return error_json(409, "invalid_transition", str(error))
    except Exception as error:  # noqa: BLE001 - never a 500 with details
        log_unexpected(error, f"API {request.method} {request.path}")
        return error_json(503, "unavailable", UNAVAILABLE_REASON)


# --- handlers -----------------------------------------------------------------------------------


@blueprint.get("/cases")
async def list_cases(request: Request) -> HTTPResponse:
    return await _guarded(request, _list_cases)


async def _list_cases(request: Request) -> HTTPResponse:
    officer = await _authenticate(request, unsafe=False)
    status, country, conversation_id, limit = _list_filters(request)
    visible = officer.countries_visible()
    if country is not None and not officer.can_see(country):
        raise Forbidden()
    store = request.app.ctx.store
    cases = await asyncio.to_thread(store.list_cases, status, country, conversation_id, visible, limit)
    now = store.clock()
    return json({"cases": [case_json(case, request.app.ctx.sla, now) for case in cases]})


def _list_filters(request: Request) -> Tuple[Any, Optional[str], Optional[str], int]:
    args = request.args
    status: Any = None
    raw_status = args.get("status")
    if raw_status:
        wanted = [part.strip() for part in raw_status.split(",") if part.strip()]
        bad = [part for part in wanted if part not in STATUSES]
        if bad or not wanted:
            raise ApiError(400, "invalid_value", f"status must be one or more of {', '.join(STATUSES)}")
        status = wanted
    country = args.get("country") or None
    if country is not None:
        if not _COUNTRY.match(country):
            raise ApiError(400, "invalid_value", "country must be an ISO 3166-1 alpha-2 code such as TW")
        country = country.upper()
    conversation_id = args.get("conversation_id") or None
    if conversation_id is not None:
        try:
            conversation_id = required_text(conversation_id, 256)
        except BadInput:
            raise ApiError(400, "invalid_value", "conversation_id must be 1 to 256 characters") from None
    raw_limit = args.get("limit")
    limit = MAX_LIMIT
    if raw_limit:
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
            raise ApiError(400, "invalid_value", f"limit must be a number from 1 to {MAX_LIMIT}")
        limit = int(raw_limit)
    return status, country, conversation_id, limit


@blueprint.get("/cases/<case_id:int>")
async def get_case(request: Request, case_id: int) -> HTTPResponse:
    return await _guarded(request, _get_case, case_id)


async def _get_case(request: Request, case_id: int) -> HTTPResponse:
    officer = await _authenticate(request, unsafe=False)
    store = request.app.ctx.store
    case = await load_case(store, officer, case_id, with_events=True)
    return json({"case": case_json(case, request.app.ctx.sla, store.clock(), with_events=True)})


@blueprint.post("/cases/<case_id:int>/<action:str>")
async def case_action(request: Request, case_id: int, action: str) -> HTTPResponse:
    return await _guarded(request, _case_action, case_id, action)


async def _case_action(request: Request, case_id: int, action: str) -> HTTPResponse:
    officer = await _authenticate(request, unsafe=True)
    if action not in ACTIONS:
        raise ApiError(404, "not_found", f"no action {action[:32]!r}; use one of {', '.join(ACTIONS)}")
    body = _json_body(request)
    app = request.app
    case = await perform(app.ctx.store, app.ctx.officers, app.ctx.actions, officer, case_id, action, body,
                         budgets=app.ctx.budgets)
    log.info("API: officer %s: %s on case id %d.", officer.username, action, case_id)
    return json({"case": case_json(case, app.ctx.sla, app.ctx.store.clock())})


@blueprint.post("/cases/<case_id:int>/reply/preview")
async def reply_preview(request: Request, case_id: int) -> HTTPResponse:
    return await _guarded(request, _reply_preview, case_id)


async def _reply_preview(request: Request, case_id: int) -> HTTPResponse:
    """The budget of a reply being typed; nothing is sent, stored or logged."""
    officer = await _authenticate(request, unsafe=True)
    text = optional_text(_json_body(request).get("text"), MAX_TEXT) or ""
    case = await load_case(request.app.ctx.store, officer, case_id, with_events=False)
    budget = await request.app.ctx.budgets.of(case, text)
    lang = getattr(request.ctx, "lang", "vi")
    return json({"budget": budget.as_json(lambda key, **values: translate(lang, key, **values))})


@blueprint.get("/cases/<case_id:int>/updates")
async def case_updates(request: Request, case_id: int) -> HTTPResponse:
    return await _guarded(request, _case_updates, case_id)


async def _case_updates(request: Request, case_id: int) -> HTTPResponse:
    officer = await _authenticate(request, unsafe=False)
    raw = request.args.get("after") or "0"
    if not raw.isdigit() or len(raw) > 12:
        raise ApiError(400, "invalid_value", "after must be an event id (a whole number)")
    case = await load_case(request.app.ctx.store, officer, case_id, with_events=True)
    updates = await case_updates_json(request, case, int(raw))
    return json(updates)


def _json_body(request: Request) -> Dict[str, Any]:
    raw = request.body or b""
    if not raw.strip():
        return {}
    try:
        body = jsonlib.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "bad_json", "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", "the body must be a JSON object")
    return body
