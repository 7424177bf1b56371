"""GET /health: whether the console can reach its case database (for load balancers and
`make run`); no sign-in, no detail beyond ok or unavailable."""
from __future__ import annotations

import asyncio
import logging

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json
from sqlalchemy import text

from bot.console import metrics_view

log = logging.getLogger("bot.console")

blueprint = Blueprint("console_health")


@blueprint.get("/health")
async def health(request: Request) -> HTTPResponse:
    def ping() -> None:
        with request.app.ctx.store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await asyncio.to_thread(ping)
    except Exception as error:  # noqa: BLE001 - any failure means unavailable
        log.warning("Health check: the case database does not answer (%s).", type(error).__name__)
        return json({"status": "unavailable"}, status=503)
    return json({"status": "ok"})


# GET /metrics (bot.console.metrics_view): Prometheus, for loopback or METRICS_TOKEN.
blueprint.add_route(metrics_view.metrics_endpoint, "/metrics", methods=["GET"], name="metrics")
