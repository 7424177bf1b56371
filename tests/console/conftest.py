"""Fixtures for the console: a SQLite case store with a settable clock, officer accounts, the test
Redis, and the console composed as `python -m bot console` composes it (bot.cli.console.console_app:
the real CaseActions over that store and Redis), served for real on a loopback port.

What the console does to a case is checked where the officer and the worker get it: the case's
status and events in the store, the handoff flag, and the messages queued on her channel.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional

import aiohttp
import pytest
import redis
from sanic import Sanic
from sqlalchemy.exc import OperationalError

from bot.cases import make_engine, migrate
from bot.cases.officers import OfficerStore
from bot.cases.store import Case, CaseStore
from bot.cli.console import connect_redis, console_app
from bot.replies.catalogue import render
from channels.handoff import HANDOFF_KEY
from channels.identity import ADDRESS_KEY
from channels.inbox import STREAM_KEY, Inbound
from tests.cases.conftest import Clock, fast_kdf  # noqa: F401 - fast_kdf: an autouse fixture, shared
from tests.support.serving import serve_app

PASSWORD = "correct horse battery"
SECRET = "test-console-secret-0123456789-abcdefghijklmnop"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
#: What CaseActions tells her (in Vietnamese) when an officer takes her case, and begins its
#: goodbye with when one closes it.
JOINED = render("officer_joined", "vi")
LEFT = render("officer_left", "vi")
#: Bounds a console that never comes up; not a timing anything is measured against.
STARTUP_SECONDS = 60

#: username -> (countries, role, display name)
OFFICERS = {
    "lan": ("TW", "officer", "Nguyễn Thị Lan"),
    "hoa": ("TW", "officer", "Trần Thu Hoà"),
    "minh": ("JP", "officer", "Lê Văn Minh"),
    "desk": ("", "desk", "Bàn trực Hà Nội"),
}


@dataclass
class Env:
    store: CaseStore
    officers: OfficerStore
    clock: Clock
    redis_url: str
    redis: redis.Redis  # synchronous, for the test's own look at what the console did
    tokens: Dict[str, str] = field(default_factory=dict, repr=False)

    def epoch(self) -> float:
        return self.clock.now.timestamp()

    def open_case(self, conversation_id: str = "+886900000001", country: Optional[str] = "TW",
                  severity: str = "critical", channel: str = "twilio", language: str = "vi",
                  messages=(), reachable: bool = True, **extra: Any) -> Case:
        """A case of a worker who wrote on ``channel``; ``reachable``: the channel knows her
        address (as it does while her conversation lasts), so officers' messages can reach her."""
        case = self.store.open_case(conversation_id, channel, country, language, severity, **extra)
        for direction, text, *actor in messages:
            self.store.record_message(case.id, direction, text, actor=actor[0] if actor else None)
        if reachable:
            self.redis.hset(ADDRESS_KEY.format(conversation_id=conversation_id),
                            mapping={"channel": channel, "address": conversation_id, "gsm7": 0})
        return case

    def sent_to(self, case: Case) -> List[str]:
        """What is queued for the worker of ``case`` on her channel, oldest first."""
        queued = [Inbound.load(fields["message"])
                  for _, fields in self.redis.xrange(STREAM_KEY.format(channel=case.channel))]
        return [message.text for message in queued
                if message.kind == "send" and message.address == case.conversation_id]

    def held(self, case: Case) -> bool:
        """Whether an officer holds her conversation (the bot stays out of it)."""
        return bool(self.redis.exists(HANDOFF_KEY.format(conversation_id=case.conversation_id)))

    def kinds(self, case: Case) -> List[str]:
        return [event.kind for event in self.store.get_case(case.id).events]


@pytest.fixture
def env(tmp_path, redis_url, redis_client) -> Iterator[Env]:
    engine = make_engine(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    migrate(engine)
    clock = Clock(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone.utc))
    store = CaseStore(engine, clock=clock)
    officers = OfficerStore(engine, clock=clock)
    for username, (countries, role, name) in OFFICERS.items():
        officers.add(username, PASSWORD, countries, role, name)
    environment = Env(store, officers, clock, redis_url, redis_client)
    environment.tokens = {username: officers.new_token(username) for username in OFFICERS}
    yield environment
    redis_client.close()
    engine.dispose()


def database_fails(*_args, **_kwargs):
    """The database refusing a statement: its message carries the statement's parameters."""
    raise OperationalError("UPDATE cases SET status=? WHERE conversation_id=? AND summary=?",
                           ("acknowledged", "+886900000001", "em bi danh"), Exception("database is locked"))


def build_app(env: Env, **options: Any) -> Sanic:
    """The console as the command composes it, on this test's store, clock and Redis."""
    options.setdefault("secret_key", SECRET)
    return console_app(env.store, env.officers, connect_redis(env.redis_url), clock=env.epoch, **options)


class Browser:
    """An aiohttp session with cookies, as an officer's browser would keep them."""

    def __init__(self, base: str):
        self.base = base
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf: Optional[str] = None

    async def close(self) -> None:
        await self.session.close()

    def _remember(self, body: str) -> None:
        found = CSRF_FIELD.search(body)
        if found:
            self.csrf = found.group(1)

    async def get(self, path: str, **options):
        async with self.session.get(self.base + path, allow_redirects=options.pop("allow_redirects", True),
                                    **options) as response:
            body = await response.text()
            self._remember(body)
            return response, body

    async def post(self, path: str, data: Optional[Dict[str, str]] = None, *, csrf: bool = True, **options):
        data = dict(data or {})
        if csrf and self.csrf:
            data.setdefault("csrf_token", self.csrf)
        async with self.session.post(self.base + path, data=data,
                                     allow_redirects=options.pop("allow_redirects", True), **options) as response:
            body = await response.text()
            self._remember(body)
            return response, body

    async def login(self, username: str, password: str = PASSWORD, **options):
        await self.get("/login")
        return await self.post("/login", {"username": username, "password": password}, **options)


@pytest.fixture
async def console(env):
    """The console served on a loopback port; yields its base URL."""
    async with serve_app(build_app(env)) as base:
        yield base


@pytest.fixture
async def browser_for(console):
    """``await browser_for("lan")``: a signed-in session for that officer."""
    opened = []

    async def make(username: Optional[str] = None) -> Browser:
        browser = Browser(console)
        opened.append(browser)
        if username:
            response, _ = await browser.login(username)
            assert response.status == 200 and response.url.path == "/queue", response.status
        return browser

    yield make
    for browser in opened:
        await browser.close()


class ServedInThread:
    """``serve_app`` in a thread with its own event loop, for synchronous clients (Selenium,
    Hypothesis): ``with ServedInThread(app) as server: ... server.base``."""

    def __init__(self, app: Sanic):
        self.app = app
        self.base = ""
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._stop: Optional[asyncio.Event] = None
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None
        # asyncio.run also ends the connections a browser left open before the loop closes.
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), name="console-server", daemon=True)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            async with serve_app(self.app) as base:
                self.base = base
                self._ready.set()
                await self._stop.wait()
        except BaseException as error:  # noqa: BLE001 - raised in the test's thread
            self._error = error
        finally:
            self._ready.set()

    def __enter__(self) -> ServedInThread:
        self._thread.start()
        if not self._ready.wait(STARTUP_SECONDS):
            raise AssertionError("the console did not start")
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # its loop has ended already (it failed)
                self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()
        if self._error is not None:
            raise self._error
