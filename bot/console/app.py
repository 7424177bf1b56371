"""The console's Sanic app: ``create_app(store, officers, actions, secret_key=...)`` puts it
together and holds no route of its own.

- Pages and forms (blueprint in bot.console.views), the JSON API (bot.console.api), the health
  check (bot.console.health).
- Middleware (bot.console.middleware): sessions, security headers, one log line per request.
- Errors (bot.console.request_helpers.on_error): a page or JSON, never a detail.
- Background jobs (notifications, SLA escalation, retention: bot.escalation.service) run as
  tasks of the server's loop from after_server_start until before_server_stop.
"""
from __future__ import annotations

import asyncio
import itertools
import time
from typing import Awaitable, Callable, Iterable, Mapping, Optional

from sanic import Sanic

from bot.cases.officers import OfficerStore
from bot.cases.store import CaseStore
from bot.console import api, health, views
from bot.console.middleware import after_request, before_request
from bot.console.operations import CaseActionsLike
from bot.console.policy import DEFAULT_SLA
from bot.console.reply_budget import ReplyBudgets
from bot.console.request_helpers import log, log_unexpected, on_error
from bot.console.security import SESSION_SECONDS, LoginThrottle, Revocations, SessionCodec
from bot.runtime.settings import Settings

MAX_REQUEST_BYTES = 256 * 1024

BackgroundJob = Callable[[Sanic], Awaitable[None]]

_names = itertools.count()


def create_app(
    store: CaseStore,
    officers: OfficerStore,
    actions: CaseActionsLike,
    *,
    secret_key: str,
    background: Iterable[BackgroundJob] = (),
    public_url: Optional[str] = None,
    redis=None,
    sla: Optional[Mapping[str, int]] = None,
    clock: Callable[[], float] = time.time,
    session_seconds: int = SESSION_SECONDS,
    name: Optional[str] = None,
    sms_max_segments: Optional[int] = None,
) -> Sanic:
    """The console app. ``actions``: a ``bot.escalation.case_actions.CaseActions`` (every case action
    goes through it). ``redis`` (redis.asyncio, optional): shares logouts and login lockouts
    between console processes. ``public_url``: where officers reach the console; an https URL
    makes cookies Secure. ``clock``: epoch seconds, for sessions and lockouts (tests move it).
    ``sms_max_segments``: the SMS cap replies are checked against (default SMS_MAX_SEGMENTS)."""
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
    if sms_max_segments is None:
        sms_max_segments = Settings().sms_max_segments
    ctx.budgets = ReplyBudgets(redis, sms_max_segments)
    ctx.public_url = public_url
    ctx.always_secure = bool(public_url and public_url.lower().startswith("https://"))
    ctx.background = list(background)
    ctx.tasks = []

    app.register_middleware(before_request, "request")
    app.register_middleware(after_request, "response")
    app.error_handler.add(Exception, on_error)
    for blueprint in (views.blueprint, api.blueprint, health.blueprint):
        app.blueprint(blueprint)
    app.register_listener(_start_background, "after_server_start")
    app.register_listener(_stop_background, "before_server_stop")
    return app


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
