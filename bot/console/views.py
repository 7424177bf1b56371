"""The console's pages, as a blueprint: login, logout, the queue, a case and its actions (plain
HTML forms, each with a CSRF token), and the static files they use."""
from __future__ import annotations

import asyncio
import math
import re
from pathlib import Path
from typing import Dict, Optional, Tuple
from urllib.parse import quote

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect

from bot.cases.officers import OfficerAccount
from bot.cases.store import (
    ACTIVE_STATUSES,
    CaseNotFound,
    InvalidTransition,
    InvalidValue,
)
from bot.console.case_page import case_page
from bot.console.operations import (
    ACTIONS,
    BadInput,
    Forbidden,
    load_case,
    perform,
    reassign_candidates,
)
from bot.console.pages import login_page, queue_page
from bot.console.policy import MAX_TEXT
from bot.console.request_helpers import (
    csrf_ok,
    ensure_session,
    error_page_response,
    log,
    page_context,
    session_cookie_name,
    session_officer,
)
from bot.runtime.privacy import mask_id

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Where a login may send the officer on: the queue or a case page (notification links).
_SAFE_NEXT = re.compile(r"^/(queue|cases/\d{1,12})$")
_SESSION_COOKIES = (session_cookie_name(True), session_cookie_name(False))

blueprint = Blueprint("console_pages")
blueprint.static("/static", str(STATIC_DIR), name="static")


def _see_other(location: str) -> HTTPResponse:
    return redirect(location, status=303)


def _to_login(request: Request) -> HTTPResponse:
    path = request.path if _SAFE_NEXT.match(request.path) else "/queue"
    had_cookie = any(name in request.cookies for name in _SESSION_COOKIES)
    expired = "&expired=1" if request.ctx.session is None and had_cookie else ""
    return _see_other(f"/login?next={quote(path)}{expired}")


def _form(request: Request, name: str) -> Optional[str]:
    value = request.form.get(name)
    return value if isinstance(value, str) else None


def _csrf_failed(request: Request, officer: Optional[OfficerAccount], retry: str = "/queue") -> HTTPResponse:
    """403 for a form without a valid CSRF token. Sets no cookie (see login_submit)."""
    return error_page_response(request, "csrf_failed", 403, officer=officer, retry=retry)


def _forbidden_case(request: Request, officer: OfficerAccount) -> HTTPResponse:
    return error_page_response(request, "forbidden_body", 403, officer=officer, title_key="forbidden_title")


def _not_found(request: Request, officer: OfficerAccount) -> HTTPResponse:
    return error_page_response(request, "not_found", 404, officer=officer)


async def _names(request: Request) -> Dict[str, str]:
    accounts = await asyncio.to_thread(request.app.ctx.officers.list)
    return {account.username: account.display_name for account in accounts}


@blueprint.get("/")
async def index(request: Request) -> HTTPResponse:
    return _see_other("/queue")


# --- login / logout -----------------------------------------------------------------------------


@blueprint.get("/login")
async def login_form(request: Request) -> HTTPResponse:
    if await session_officer(request) is not None:
        return _see_other("/queue")
    ensure_session(request)
    ctx = page_context(request)
    next_path = request.args.get("next", "")
    notice = None
    if request.args.get("bye"):
        notice = ctx.t("logged_out")
    elif request.args.get("expired"):
        notice = ctx.t("session_expired")
    return html(login_page(ctx, next_path=next_path if _SAFE_NEXT.match(next_path) else "", notice=notice))


@blueprint.post("/login")
async def login_submit(request: Request) -> HTTPResponse:
    app = request.app
    username = (_form(request, "username") or "").strip()[:64]
    password = _form(request, "password") or ""
    next_path = _form(request, "next") or ""
    next_path = next_path if _SAFE_NEXT.match(next_path) else ""
    if not csrf_ok(request, _form(request, "csrf_token")):
        # No new cookie here: a cross-site POST (which carries no cookie under SameSite=Lax)
        # must not replace a signed-in officer's session. The link reloads the form.
        return _csrf_failed(request, None, retry="/login")
    ctx = page_context(request)

    def locked(wait: float) -> HTTPResponse:
        seconds = max(1, math.ceil(wait))
        return html(login_page(ctx, username=username, next_path=next_path,
                               error=ctx.t("login_locked", seconds=seconds)),
                    status=429, headers={"Retry-After": str(seconds)})

    # The client behind a trusted proxy when Sanic is told of it (FORWARDED_SECRET, PROXIES_COUNT).
    address = request.remote_addr or request.ip or ""
    admission = await app.ctx.throttle.admit(username, address)
    if not admission.allowed:
        log.info("Console sign-in refused for %s: to wait %.0f s.", mask_id(username), admission.wait)
        return locked(admission.wait)
    account: Optional[OfficerAccount] = None
    if username and password and len(password) <= 1024:
        account = await asyncio.to_thread(app.ctx.officers.authenticate, username, password)
    if account is None:
        log.info("Console sign-in failed for %s.", mask_id(username))
        if admission.wait_if_wrong > 0:
            return locked(admission.wait_if_wrong)
        return html(login_page(ctx, username=username, next_path=next_path, error=ctx.t("login_failed")), status=401)

    await app.ctx.throttle.succeeded(username, address)
    old = request.ctx.session
    if old is not None:
        await app.ctx.revocations.revoke(old)
    session = app.ctx.codec.new_session(account.username)  # a new sid: no session fixation
    request.ctx.session = session
    request.ctx.new_session = session
    request.ctx.officer = account
    log.info("Officer %s signed in to the console.", account.username)
    return _see_other(next_path or "/queue")


@blueprint.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    officer = await session_officer(request)
    if not csrf_ok(request, _form(request, "csrf_token")):
        return _csrf_failed(request, officer)
    await request.app.ctx.revocations.revoke(request.ctx.session)
    request.ctx.clear_session = True
    if officer is not None:
        log.info("Officer %s signed out.", officer.username)
    return _see_other("/login?bye=1")


# --- queue and case -----------------------------------------------------------------------------


@blueprint.get("/queue")
async def queue(request: Request) -> HTTPResponse:
    officer = await session_officer(request)
    if officer is None:
        return _to_login(request)
    store = request.app.ctx.store
    cases = await asyncio.to_thread(
        store.list_cases, ACTIVE_STATUSES, None, None, officer.countries_visible()
    )
    ctx = page_context(request, officer, names=await _names(request))
    return html(queue_page(ctx, cases, request.app.ctx.sla))


async def _render_case(request: Request, officer: OfficerAccount, case_id: int, *, status: int = 200,
                       flash: Optional[str] = None, error: Optional[str] = None, reply_text: str = "",
                       confirm_close: bool = False) -> HTTPResponse:
    case = await load_case(request.app.ctx.store, officer, case_id)
    candidates = await reassign_candidates(request.app.ctx.officers, case)
    ctx = page_context(request, officer, path=f"/cases/{case.id}", names=await _names(request))
    return html(case_page(ctx, case, request.app.ctx.sla, candidates, flash=flash, error=error,
                          reply_text=reply_text, confirm_close=confirm_close), status=status)


@blueprint.get("/cases/<case_id:int>")
async def case_view(request: Request, case_id: int) -> HTTPResponse:
    officer = await session_officer(request)
    if officer is None:
        return _to_login(request)
    done = request.args.get("done")
    flash = page_context(request).t(f"done_{done}") if done in ACTIONS else None
    try:
        return await _render_case(request, officer, case_id, flash=flash)
    except Forbidden:
        log.warning("Officer %s was refused case id %d (another country).", officer.username, case_id)
        return _forbidden_case(request, officer)
    except CaseNotFound:
        return _not_found(request, officer)


@blueprint.post("/cases/<case_id:int>/<action:str>")
async def case_action(request: Request, case_id: int, action: str) -> HTTPResponse:
    officer = await session_officer(request)
    if not csrf_ok(request, _form(request, "csrf_token")):
        return _csrf_failed(request, officer)
    if officer is None:
        return _to_login(request)
    if action not in ACTIONS:
        return _not_found(request, officer)
    fields = {name: _form(request, name) for name in ("text", "reason", "to")}
    app = request.app
    try:
        if action == "close" and _form(request, "confirm") != "1":  # the confirmation step first
            return await _render_case(request, officer, case_id, confirm_close=True)
        await perform(app.ctx.store, app.ctx.officers, app.ctx.actions, officer, case_id, action, fields,
                      budgets=app.ctx.budgets)
    except Forbidden:
        log.warning("Officer %s was refused %s on case id %d (another country).", officer.username, action, case_id)
        return _forbidden_case(request, officer)
    except CaseNotFound:
        return _not_found(request, officer)
    except (BadInput, InvalidValue, InvalidTransition) as error:
        message, status = _refusal(request, error)
        keep = (fields.get("text") or "")[:MAX_TEXT] if action == "reply" else ""
        try:
            return await _render_case(request, officer, case_id, status=status, error=message, reply_text=keep)
        except CaseNotFound:
            return _not_found(request, officer)
    log.info("Officer %s: %s on case id %d.", officer.username, action, case_id)
    return _see_other(f"/cases/{case_id}?done={action}")


def _refusal(request: Request, error: Exception) -> Tuple[str, int]:
    """What the case page says about a refused action, and its status."""
    if isinstance(error, BadInput):
        return error.text(request.ctx.lang), 400
    t = page_context(request).t
    if isinstance(error, InvalidValue):
        return t("invalid_value", reason=str(error)), 400
    return t("invalid_transition", reason=str(error)), 409
