"""What the console does around every request: before it, the officer's language and session
(signed cookie, not logged out); after it, the security headers, no caching of case pages, the
session and language cookies, and one log line.

No access log of Sanic's own (it would log query strings such as ?conversation_id=<phone>): one
line per request with the method, the path without its query, the status and the officer.
"""
from __future__ import annotations

import time

from sanic.request import Request
from sanic.response import BaseHTTPResponse

from bot.console.i18n import DEFAULT_LANGUAGE, LANG_COOKIE, pick_language
from bot.console.request_helpers import is_secure, log, session_cookie_name

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
LANG_COOKIE_SECONDS = 365 * 24 * 3600


async def before_request(request: Request) -> None:
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


async def after_request(request: Request, response: BaseHTTPResponse) -> None:
    static = request.path.startswith("/static/")
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    if not static:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    # Sanic's own errors (no route matched) skip the request middleware: nothing was set.
    new_session = getattr(request.ctx, "new_session", None)
    secure = is_secure(request)
    name = session_cookie_name(secure)
    if new_session is not None:
        max_age = max(1, int(new_session.expires_at - request.app.ctx.clock()))
        _set_cookie(response, name, request.app.ctx.codec.encode(new_session), max_age, secure)
    elif getattr(request.ctx, "clear_session", False):
        _set_cookie(response, name, "", 0, secure)
    set_lang = getattr(request.ctx, "set_lang", None)
    if set_lang:
        _set_cookie(response, LANG_COOKIE, set_lang, LANG_COOKIE_SECONDS, secure)
    if not static and request.path != "/health":
        officer = getattr(request.ctx, "officer", None)
        started = getattr(request.ctx, "started", None)
        log.info(
            "%s %s %d %s%s", request.method, request.path, response.status,
            officer.username if officer else "-",
            f" {1000 * (time.monotonic() - started):.0f}ms" if started else "",
        )


def _set_cookie(response: BaseHTTPResponse, name: str, value: str, max_age: int, secure: bool) -> None:
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["path"] = "/"
    cookie["max-age"] = max_age
    cookie["httponly"] = True
    cookie["samesite"] = "Lax"
    if secure:
        cookie["secure"] = True
