"""The fake's aiohttp application: each provider's routes behind a middleware that records every
request, the replies handlers finish a request with, and the control API under /_fake/.

The control API has no authentication: bind the fake to loopback only. Its routes call the
same FakeState operations as FakeProviders, so both always give the same answers.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, Optional, Sequence, Tuple

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from channels.fakes.state import Failure, FailureStyle, FakeState, now_iso

logger = logging.getLogger(__name__)

_RECORD = "fake_record"
_FAIL_FIELDS = {"provider", "to", "status", "body", "times", "code", "method"}


def _as_is(path: str) -> str:
    return path


@dataclass(frozen=True)
class Provider:
    """One faked provider: the paths it serves, how its failures look, and its routes."""

    name: str
    path_prefixes: Tuple[str, ...]
    failures: FailureStyle
    add_routes: Callable[[web.Application, FakeState], None]
    # The path as recorded: Telegram's carries the bot token, which must not be kept.
    public_path: Callable[[str], str] = _as_is


# -- replies -----------------------------------------------------------------------------------


def http_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def json_response(data: Any, status: int = 200, headers: Optional[Dict[str, str]] = None) -> web.Response:
    return web.Response(
        text=json.dumps(data, ensure_ascii=False), status=status, content_type="application/json", headers=headers,
    )


def record_of(request: web.Request) -> Dict[str, Any]:
    """The request's entry in the log, for the handler to fill in (endpoint, to, params)."""
    record: Dict[str, Any] = request[_RECORD]
    return record


def finish(request: web.Request, response: web.Response, outcome: str, error: Any = None) -> web.Response:
    """Record how the request ended (accepted, ok, rejected or injected) and return `response`."""
    record = record_of(request)
    record.update(status=response.status, outcome=outcome, error=error)
    if outcome != "accepted":
        logger.info(
            "fake %s %s: %s, HTTP %s%s", record["provider"], record["endpoint"], outcome, response.status,
            f" ({error})" if error is not None else "",
        )
    return response


def answer(
    request: web.Request, body: Any, outcome: str, status: int = 200, error: Any = None,
    headers: Optional[Dict[str, str]] = None,
) -> web.Response:
    """A JSON reply, recorded with its outcome."""
    return finish(request, json_response(body, status, headers), outcome, error)


def injected(request: web.Request, failure: Failure) -> web.Response:
    """The reply a queued failure asked for."""
    if isinstance(failure.body, (dict, list)):
        response = json_response(failure.body, failure.status)
    else:
        response = web.Response(text=str(failure.body), status=failure.status, content_type=failure.style.text_type)
    return finish(request, response, "injected", failure.error)


# -- the application ---------------------------------------------------------------------------


def build_app(state: FakeState, providers: Sequence[Provider]) -> web.Application:
    app = web.Application(middlewares=[_recording(state, providers)])
    for provider in providers:
        provider.add_routes(app, state)
    _add_control_routes(app, state)
    return app


def _recording(state: FakeState, providers: Sequence[Provider]) -> Middleware:
    @web.middleware
    async def record_request(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/_fake/"):
            return await handler(request)
        provider = next((p for p in providers if request.path.startswith(p.path_prefixes)), None)
        record: Dict[str, Any] = {
            "provider": provider.name if provider else "unknown", "method": request.method,
            "path": provider.public_path(request.path) if provider else request.path, "endpoint": None,
            "to": None, "status": None, "outcome": None, "error": None, "params": {}, "at": now_iso(),
        }
        request[_RECORD] = record
        try:
            response = await handler(request)
        except web.HTTPException as error:  # no such route, or a method the route does not take
            _settle(record, error.status, "rejected", error.reason)
            raise
        except Exception:
            _settle(record, 500, "error", None)
            raise
        else:
            _settle(record, response.status, "ok", None)
            return response
        finally:
            state.keep_request(record)

    return record_request


def _settle(record: Dict[str, Any], status: int, outcome: str, error: Any) -> None:
    """Fill in how a request ended where its handler did not (finish() was not called)."""
    if record["status"] is None:
        record.update(status=status, outcome=outcome, error=error)


# -- the control API ---------------------------------------------------------------------------


def _add_control_routes(app: web.Application, state: FakeState) -> None:
    def control(operation: Callable[[web.Request], Awaitable[Any]]) -> Handler:
        """A route answering with the operation's result as JSON; a ValueError is a 400."""

        async def handle(request: web.Request) -> web.StreamResponse:
            try:
                return json_response(await operation(request))
            except ValueError as error:
                return json_response({"error": str(error)}, 400)

        return handle

    async def health(request: web.Request) -> Any:
        return {"ok": True, "providers": list(state.providers)}

    async def sent(request: web.Request) -> Any:
        return state.sent(request.query.get("provider"))

    async def requests(request: web.Request) -> Any:
        return state.requests(request.query.get("provider"))

    async def reset(request: web.Request) -> Any:
        state.reset()
        return {"ok": True}

    async def fail(request: web.Request) -> Any:
        try:
            rule = json.loads(await request.text())
        except ValueError:
            raise ValueError("the body must be JSON") from None
        if not isinstance(rule, dict):
            raise ValueError("the body must be a JSON object")
        unknown = set(rule) - _FAIL_FIELDS
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        if "provider" not in rule:
            raise ValueError("provider is required")
        return {"ok": True, "queued": state.fail(**rule)}

    async def expire_token(request: web.Request) -> Any:
        state.expire_zalo_token()
        return {"ok": True}

    async def snapshot(request: web.Request) -> Any:
        return state.snapshot()

    app.router.add_get("/_fake/health", control(health))
    app.router.add_get("/_fake/sent", control(sent))
    app.router.add_delete("/_fake/sent", control(reset))
    app.router.add_get("/_fake/requests", control(requests))
    app.router.add_post("/_fake/fail", control(fail))
    app.router.add_post("/_fake/expire_token", control(expire_token))
    app.router.add_get("/_fake/state", control(snapshot))
