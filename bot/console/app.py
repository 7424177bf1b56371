"""The console's Sanic app: ``create_app(store, officers, actions, secret_key=...)``.

- Pages for officers (bot.console.views): login, queue, case page, case actions as plain HTML
  forms, each with a CSRF token.
- A JSON API (bot.console.api) with bearer tokens, or the session cookie plus X-CSRF-Token.
- Security headers on every response; case pages are never cached.
- Background jobs (notifications, SLA escalation, retention: bot.escalation.service) run as
  tasks of the server's loop from after_server_start until before_server_stop.

No access log of Sanic's own (it would log query strings such as ?conversation_id=<phone>):
one line per request with the method, the path without its query, the status and the officer.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import time
import traceback
from pathlib import Path
from typing import Awaitable, Callable, Iterable, Mapping, Optional

from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse, html, json

from bot.cases.officers import OfficerAccount, OfficerStore, UnknownOfficer
from bot.cases.store import CaseStore
from bot.console.i18n import DEFAULT_LANGUAGE, LANG_COOKIE, pick_language, translate
from bot.console.pages import PageContext, error_page
from bot.console.policy import DEFAULT_SLA
from bot.console.security import (
    SESSION_SECONDS,
    LoginThrottle,
    Revocations,
    Session,
    SessionCodec,
)

log = logging.getLogger("bot.console")

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_REQUEST_BYTES = 256 * 1024

BackgroundJob = Callable[[Sanic], Awaitable[None]]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

_names = itertools.count()


def session_cookie_name(secure: bool) -> str:
    # The __Host- prefix: the browser only accepts it Secure, for this host, on path /.
    return "__Host-hc_session" if secure else "hc_session"


def create_app(
    store: CaseStore,
    officers: OfficerStore,
    actions,
    *,
    secret_key: str,
    background: Iterable[BackgroundJob] = (),
    public_url: Optional[str] = None,
    redis=None,
    sla: Optional[Mapping[str, int]] = None,
    clock: Callable[[], float] = time.time,
    session_seconds: int = SESSION_SECONDS,
    name: Optional[str] = None,
) -> Sanic:
    """The console app. ``actions``: a ``bot.escalation.case_actions.CaseActions`` (every case action
    goes through it). ``redis`` (redis.asyncio, optional): shares logouts and login lockouts
    between console processes. ``public_url``: where officers reach the console; an https URL
    makes cookies Secure. ``clock``: epoch seconds, for sessions and lockouts (tests move it)."""
    app = Sanic(name or f"helpline_console_{next(_names)}")
    app.config.ACCESS_LOG = False
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
    app.config.FALLBACK_ERROR_FORMAT = "json"

    ctx = app.ctx
    ctx.store = store
    ctx.officers = officers
    ctx.actions = actions
    ctx.codec = SessionCodec(secret_key, clock=clock, session_seconds=session_seconds)
    ctx.revocations = Revocations(redis, clock=clock)
    ctx.throttle = LoginThrottle(redis, clock=clock)
    ctx.sla = dict(DEFAULT_SLA if sla is None else sla)
    ctx.clock = clock
    ctx.public_url = public_url
    ctx.always_secure = bool(public_url and public_url.lower().startswith("https://"))
    ctx.background = list(background)
    ctx.tasks = []

    app.register_middleware(_before_request, "request")
    app.register_middleware(_after_request, "response")
    app.error_handler.add(Exception, _on_error)

    app.static("/static", str(STATIC_DIR), name="static")
    app.add_route(_health, "/health", methods=["GET"], name="health")

    from bot.console import api, views

    views.register(app)
    api.register(app)

    app.register_listener(_start_background, "after_server_start")
    app.register_listener(_stop_background, "before_server_stop")
    return app


# --- per request ------------------------------------------------------------------------------


def is_secure(request: Request) -> bool:
    return bool(request.app.ctx.always_secure or request.scheme == "https")


async def _before_request(request: Request) -> None:
    request.ctx.started = time.monotonic()
    request.ctx.officer = None
    request.ctx.new_session = None
    request.ctx.clear_session = False
    request.ctx.set_lang = None
    asked = request.args.get("lang")
    lang = pick_language(request.args, request.cookies) or DEFAULT_LANGUAGE
    request.ctx.lang = lang
    if asked == lang and request.cookies.get(LANG_COOKIE) != lang:
        request.ctx.set_lang = lang
    request.ctx.session = None
    cookie = request.cookies.get(session_cookie_name(is_secure(request)))
    session = request.app.ctx.codec.decode(cookie)
    if session is not None and await request.app.ctx.revocations.is_revoked(session):
        session = None
    request.ctx.session = session


async def _after_request(request: Request, response: HTTPResponse) -> None:
    headers = response.headers
    for header, value in SECURITY_HEADERS.items():
        headers.setdefault(header, value)
    if not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    ctx = getattr(request, "ctx", None)
    secure = is_secure(request)
    name = session_cookie_name(secure)
    if getattr(ctx, "new_session", None) is not None:
        session: Session = ctx.new_session
        response.cookies[name] = request.app.ctx.codec.encode(session)
        cookie = response.cookies[name]
        cookie["path"] = "/"
        cookie["httponly"] = True
        cookie["samesite"] = "Lax"
        cookie["max-age"] = max(1, int(session.expires_at - request.app.ctx.clock()))
        if secure:
            cookie["secure"] = True
    elif getattr(ctx, "clear_session", False):
        response.cookies[name] = ""
        cookie = response.cookies[name]
        cookie["path"] = "/"
        cookie["max-age"] = 0
        cookie["httponly"] = True
        cookie["samesite"] = "Lax"
        if secure:
            cookie["secure"] = True
    if getattr(ctx, "set_lang", None):
        response.cookies[LANG_COOKIE] = ctx.set_lang
        cookie = response.cookies[LANG_COOKIE]
        cookie["path"] = "/"
        cookie["max-age"] = 365 * 24 * 3600
        cookie["samesite"] = "Lax"
        cookie["httponly"] = True
        if secure:
            cookie["secure"] = True
    if not request.path.startswith("/static/") and request.path != "/health":
        officer = getattr(ctx, "officer", None)
        started = getattr(ctx, "started", None)
        log.info(
            "%s %s %d %s%s", request.method, request.path, response.status,
            officer.username if officer else "-",
            f" {1000 * (time.monotonic() - started):.0f}ms" if started else "",
        )


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


def page_context(request: Request, officer: Optional[OfficerAccount] = None, path: Optional[str] = None,
                 names: Optional[Mapping[str, str]] = None) -> PageContext:
    session = request.ctx.session
    return PageContext(
        lang=request.ctx.lang,
        path=path or request.path,
        now=request.app.ctx.store.clock(),
        officer=officer,
        csrf=request.app.ctx.codec.csrf_token(session) if session is not None else None,
        names=names,
    )


# --- errors -------------------------------------------------------------------------------------


def log_unexpected(error: BaseException, where: str) -> None:
    """The exception's type and where it happened, never its message: database errors carry
    their SQL parameters (message text, phone numbers)."""
    frames = "".join(traceback.format_tb(error.__traceback__)[-6:])
    log.error("Unexpected %s in %s (details withheld: they may hold personal data).\n%s",
              type(error).__name__, where, frames)


def _on_error(request: Request, error: Exception) -> HTTPResponse:
    if isinstance(error, SanicException):
        status = getattr(error, "status_code", 500) or 500
        if status < 500:
            if request.path.startswith("/api/"):
                return json({"error": _code(status), "reason": _reason(status)}, status=status)
            lang = getattr(getattr(request, "ctx", None), "lang", DEFAULT_LANGUAGE)
            ctx = PageContext(lang=lang, path="/queue", now=request.app.ctx.store.clock())
            key = "not_found" if status == 404 else "bad_request"
            return html(error_page(ctx, translate(lang, "error_title"), translate(lang, key)), status=status)
    log_unexpected(error, f"{request.method} {request.path}")
    if request.path.startswith("/api/"):
        return json({"error": "unavailable", "reason": "the service is temporarily unavailable; try again"},
                    status=503)
    lang = getattr(getattr(request, "ctx", None), "lang", DEFAULT_LANGUAGE)
    ctx = PageContext(lang=lang, path="/queue", now=request.app.ctx.store.clock())
    return html(error_page(ctx, translate(lang, "error_title"), translate(lang, "server_error")), status=503)


def _code(status: int) -> str:
    return {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 408: "timeout", 413: "too_large"}.get(status, "bad_request")


def _reason(status: int) -> str:
    return {404: "no such resource", 405: "method not allowed", 413: "request body too large"}.get(
        status, "bad request")


async def _health(request: Request) -> HTTPResponse:
    from sqlalchemy import text

    def ping() -> None:
        with request.app.ctx.store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await asyncio.to_thread(ping)
    except Exception as error:  # noqa: BLE001
        log.warning("Health check: the case database does not answer (%s).", type(error).__name__)
        return json({"status": "unavailable"}, status=503)
    return json({"status": "ok"})


# --- background jobs ----------------------------------------------------------------------------


async def _start_background(app: Sanic, _loop=None) -> None:
    for job in app.ctx.background:
        name = getattr(job, "__name__", None) or type(job).__name__
        task = asyncio.get_running_loop().create_task(job(app), name=f"console:{name}")
        task.add_done_callback(_job_ended)
        app.ctx.tasks.append(task)
    if app.ctx.tasks:
        log.info("Console background jobs started: %s.", ", ".join(t.get_name() for t in app.ctx.tasks))


def _job_ended(task: asyncio.Task) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log_unexpected(error, f"background job {task.get_name()}")
    else:
        log.info("Background job %s finished.", task.get_name())


async def _stop_background(app: Sanic, _loop=None) -> None:
    tasks, app.ctx.tasks = list(app.ctx.tasks), []
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
