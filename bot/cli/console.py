"""python -m bot console: serve the officer console on HELPLINE_HOST:CONSOLE_PORT.

    python -m bot console [--host 127.0.0.1] [--port 5080]

Reads the case database (DATABASE_URL, else the SQLite file in HELPLINE_STATE_DIR), Redis
(REDIS_URL: logouts, lockouts, and the escalation service's handoffs and deliveries) and
CONSOLE_SECRET_KEY, which signs sessions. Unset outside production, a key is generated once and
kept in $HELPLINE_STATE_DIR/console-secret (0600). Production (HELPLINE_ENV=production, an https
CONSOLE_PUBLIC_URL, or a host other than loopback) must set it: the console refuses to start.

Officer accounts: python -m bot officers add <username> --countries TW.
Exit 2 on configuration errors (the reason on stderr), 1 when the database cannot be used.
"""
from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional

from pydantic import BaseSettings, SecretStr

if TYPE_CHECKING:  # the command imports its heavy dependencies only once it runs
    import redis.asyncio as aioredis
    from sanic import Sanic

    from bot.cases.officers import OfficerStore
    from bot.cases.store import CaseStore

PROG = "python -m bot console"


class ConsoleSettings(BaseSettings):
    """What only the console reads (the rest is bot.runtime.settings.Settings): CONSOLE_SECRET_KEY
    and HELPLINE_ENV (field names match the variables, case-insensitively)."""

    console_secret_key: Optional[SecretStr] = None
    helpline_env: str = ""

    class Config:
        env_file = ".env"
        env_file_encoding = "utf-8"
        case_sensitive = False


def is_production(environment: str, host: str, public_url: Optional[str]) -> bool:
    if environment.strip().lower() in ("production", "prod"):
        return True
    if public_url and public_url.strip().lower().startswith("https://"):
        return True
    if host in ("localhost", ""):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a host name other than localhost: reachable by others


def connect_redis(url: Optional[str]) -> Optional[aioredis.Redis]:
    """The console's Redis client (None without REDIS_URL): connects on first use."""
    if not url:
        return None
    import redis.asyncio as aioredis

    from bot.runtime.redis_client import CONNECT_TIMEOUT_SECONDS, SOCKET_TIMEOUT_SECONDS

    return aioredis.Redis.from_url(
        url, decode_responses=True, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=SOCKET_TIMEOUT_SECONDS, health_check_interval=30,
    )


def console_app(store: CaseStore, officers: OfficerStore, redis: Optional[aioredis.Redis], **options: Any) -> Sanic:
    """The console as this command serves it: every case action through CaseActions (which hands
    her conversation over and queues replies on her channel through ``redis``), and logouts and
    lockouts kept in the same Redis. The client closes when the server stops. ``options``: the
    keyword arguments of bot.console.app.create_app."""
    from bot.console.app import create_app
    from bot.escalation.case_actions import CaseActions

    app = create_app(store, officers, CaseActions(store, redis), redis=redis, **options)
    if redis is not None:
        async def close_redis(_app: Sanic, _loop: Any = None) -> None:
            await redis.close()

        app.register_listener(close_redis, "after_server_stop")
    return app


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description="Serve the officer console and its JSON API.")
    parser.add_argument("--host", default=None, help="address to bind (default HELPLINE_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default CONSOLE_PORT, 5080)")
    args = parser.parse_args(argv or [])
    return serve(args.host, args.port)


def _rota_or_none(settings):
    """The rota for the SLA timers; an invalid one is reported by the alerting job, not here."""
    from bot.cases.rota import RotaError, configured_rota

    try:
        return configured_rota(settings)
    except (RotaError, OSError):
        return None


def serve(host: Optional[str] = None, port: Optional[int] = None) -> int:
    """Serve the console until SIGINT/SIGTERM; the exit code."""
    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.cases import MigrationError
    from bot.cases.db import database_url, describe_url
    from bot.cases.officers import OfficerStore
    from bot.cases.rota import sla_seconds
    from bot.cases.store import CaseStore
    from bot.cli.run import port_is_free
    from bot.console.security import SecretKeyError, resolve_secret_key
    from bot.escalation.service import background_jobs
    from bot.runtime.settings import Settings
    from bot.runtime.validation_errors import describe

    try:
        settings = Settings()
        console_settings = ConsoleSettings()
    except ValidationError as error:
        print(f"console: invalid configuration: {describe(error, upper=True)}", file=sys.stderr)
        return 2
    host = host or settings.host
    port = port if port is not None else settings.console_port
    public_url = settings.console_public_url
    configured = console_settings.console_secret_key
    try:
        secret_key = resolve_secret_key(
            configured.get_secret_value() if configured is not None else None,
            Path(settings.state_dir),
            is_production(console_settings.helpline_env, host, public_url),
            announce=lambda line: print(line, flush=True),
        )
    except SecretKeyError as error:
        print(f"console: cannot start: {error}", file=sys.stderr)
        return 2
    if not port_is_free(host if host != "0.0.0.0" else "127.0.0.1", port):
        print(f"console: cannot start: port {port} (CONSOLE_PORT) is already in use on {host}.", file=sys.stderr)
        return 2

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    url = database_url()
    try:
        store = CaseStore.connect(url)
        officers = OfficerStore(store.engine)
        accounts = officers.list()
    except (SQLAlchemyError, MigrationError) as error:
        reason = getattr(error, "orig", None) or error
        print(f"console: the case database {describe_url(url)} cannot be used: {type(reason).__name__}",
              file=sys.stderr)
        return 1
    redis = connect_redis(settings.redis_url)
    if redis is None:
        print("Console: REDIS_URL is not set; logouts and lockouts are kept in this process only, and "
              "officers' replies cannot reach workers (they are kept in the case, marked not delivered).",
              file=sys.stderr, flush=True)
    app = console_app(store, officers, redis, secret_key=secret_key,
                      background=list(background_jobs(store, redis, settings)), public_url=public_url,
                      sla=sla_seconds(settings, _rota_or_none(settings)),
                      name="helpline_console")
    for name in ("sanic.root", "sanic.error", "sanic.access"):  # Sanic prints these itself
        logging.getLogger(name).propagate = False
    shown = public_url or f"http://{host if host != '0.0.0.0' else '127.0.0.1'}:{port}"
    print(f"Officer console on {shown} (case database {describe_url(url)}).", flush=True)
    if not accounts:
        print("No officer accounts yet: python -m bot officers add <username> --countries TW", flush=True)
    app.run(host=host, port=port, access_log=False, motd=False, workers=1)
    return 0
