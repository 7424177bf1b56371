"""What the console's pages and its API share about a request: the session and who is signed in
with it, the page context, the CSRF check, error responses (an HTML page, or JSON under /api/),
and logging an unexpected error without its details.

Both blueprints (bot.console.views, bot.console.api), the middleware and the app import this
module; it imports none of them.
"""
from __future__ import annotations

import asyncio
import logging
import traceback
from typing import Dict, Mapping, Optional

from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse, html, json

from bot.cases.officers import OfficerAccount, UnknownOfficer
from bot.console.i18n import DEFAULT_LANGUAGE
from bot.console.pages import PageContext, error_page
from bot.console.security import Session

log = logging.getLogger("bot.console")

API_PREFIX = "/api/"
UNAVAILABLE_REASON = "the service is temporarily unavailable; try again"

_ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 408: "timeout", 413: "too_large"}
_ERROR_REASONS = {404: "no such resource", 405: "method not allowed", 413: "request body too large"}


# --- the session ----------------------------------------------------------------------------------


def session_cookie_name(secure: bool) -> str:
    # The __Host- prefix: the browser only accepts it Secure, for this host, on path /.
    return "__Host-hc_session" if secure else "hc_session"


def is_secure(request: Request) -> bool:
    return bool(request.app.ctx.always_secure or request.scheme == "https")


def ensure_session(request: Request) -> Session:
    """This visitor's session, an anonymous one (set on the response) when there is none."""
    if request.ctx.session is None:
        request.ctx.session = request.app.ctx.codec.new_session(None)
        request.ctx.new_session = request.ctx.session
    return request.ctx.session


async def session_officer(request: Request) -> Optional[OfficerAccount]:
    """The officer signed in with the session cookie: active, else None."""
    session: Optional[Session] = request.ctx.session
    if session is None or not session.authenticated:
        return None
    try:
        account = await asyncio.to_thread(request.app.ctx.officers.get, session.username)
    except UnknownOfficer:
        return None
    if not account.active:
        return None
    request.ctx.officer = account
    return account


def csrf_ok(request: Request, token: Optional[str]) -> bool:
    """Whether ``token`` is the CSRF token of this request's session."""
    return bool(request.app.ctx.codec.check_csrf(request.ctx.session, token))


def page_context(request: Request, officer: Optional[OfficerAccount] = None, path: Optional[str] = None,
                 names: Optional[Mapping[str, str]] = None) -> PageContext:
    # An error raised before the request middleware ran (no route matched) has no language or
    # session on the request yet.
    session = getattr(request.ctx, "session", None)
    return PageContext(
        lang=getattr(request.ctx, "lang", DEFAULT_LANGUAGE),
        path=path or request.path,
        now=request.app.ctx.store.clock(),
        officer=officer,
        csrf=request.app.ctx.codec.csrf_token(session) if session is not None else None,
        names=names,
    )


# --- errors ---------------------------------------------------------------------------------------


def error_page_response(request: Request, message_key: str, status: int, *,
                        officer: Optional[OfficerAccount] = None, title_key: str = "error_title",
                        retry: Optional[str] = None) -> HTTPResponse:
    """An error page in the officer's language; its language switch and links lead to ``retry``,
    else the queue."""
    ctx = page_context(request, officer, path=retry or "/queue")
    return html(error_page(ctx, ctx.t(title_key), ctx.t(message_key), retry=retry), status=status)


def error_json(status: int, code: str, reason: str, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    return json({"error": code, "reason": reason}, status=status, headers=headers)


def log_unexpected(error: BaseException, where: str) -> None:
    """The exception's type and where it happened, never its message: database errors carry
    their SQL parameters (message text, phone numbers)."""
    frames = "".join(traceback.format_tb(error.__traceback__)[-6:])
    log.error("Unexpected %s in %s (details withheld: they may hold personal data).\n%s",
              type(error).__name__, where, frames)


def on_error(request: Request, error: Exception) -> HTTPResponse:
    """The app's error handler: Sanic's own 4xx (no such route, a body too large) as a page or
    JSON; anything else is logged without detail and answered 503."""
    api = request.path.startswith(API_PREFIX)
    status = (getattr(error, "status_code", 500) or 500) if isinstance(error, SanicException) else 500
    if status < 500:
        if api:
            return error_json(status, _ERROR_CODES.get(status, "bad_request"), _ERROR_REASONS.get(status, "bad request"))
        return error_page_response(request, "not_found" if status == 404 else "bad_request", status)
    log_unexpected(error, f"{request.method} {request.path}")
    if api:
        return error_json(503, "unavailable", UNAVAILABLE_REASON)
    return error_page_response(request, "server_error", 503)
