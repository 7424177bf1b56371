"""Fixtures for the console: a SQLite case store with a settable clock, officer accounts, a
fake CaseActions, and the console served for real on a loopback port."""
from __future__ import annotations

import asyncio
import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

import aiohttp
import pytest
from sanic import Sanic

from bot.cases import passwords
from bot.cases.db import make_engine
from bot.cases.officers import OfficerStore
from bot.cases.schema import migrate
from bot.cases.store import CaseStore
from bot.console.app import create_app
from tests.cases.conftest import Clock
from tests.channel_server import serve_app
from tests.conftest import free_port
from tests.console.fakes import FakeCaseActions

PASSWORD = "correct horse battery"
SECRET = "test-console-secret-0123456789-abcdefghijklmnop"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')

#: username -> (countries, role, display name)
OFFICERS = {
    "lan": ("TW", "officer", "Nguyễn Thị Lan"),
    "hoa": ("TW", "officer", "Trần Thu Hoà"),
    "minh": ("JP", "officer", "Lê Văn Minh"),
    "desk": ("", "desk", "Bàn trực Hà Nội"),
}


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch):
    """Cheap scrypt parameters: these tests need working logins, not a slow KDF."""
    monkeypatch.setattr(passwords, "SCRYPT_LOG_N", 10)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", None)


@dataclass
class Env:
    store: CaseStore
    officers: OfficerStore
    actions: FakeCaseActions
    clock: Clock
    tokens: Dict[str, str] = field(default_factory=dict)

    def epoch(self) -> float:
        return self.clock.now.timestamp()

    def open_case(self, conversation_id: str = "+886900000001", country: Optional[str] = "TW",
                  severity: str = "critical", channel: str = "twilio", language: str = "vi",
                  messages=(), **extra: Any):
        case = self.store.open_case(conversation_id, channel, country, language, severity, **extra)
        for direction, text, *actor in messages:
            self.store.record_message(case.id, direction, text, actor=actor[0] if actor else None)
        return case


@pytest.fixture
def env(tmp_path) -> Env:
    engine = make_engine(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    migrate(engine)
    clock = Clock(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone.utc))
    store = CaseStore(engine, clock=clock)
    officers = OfficerStore(engine, clock=clock)
    for username, (countries, role, name) in OFFICERS.items():
        officers.add(username, PASSWORD, countries, role, name)
    environment = Env(store, officers, FakeCaseActions(store), clock)
    environment.tokens = {username: officers.new_token(username) for username in OFFICERS}
    yield environment
    engine.dispose()


def build_app(env: Env, **options):
    Sanic.test_mode = True  # several apps in one process
    options.setdefault("secret_key", SECRET)
    actions = options.pop("actions", env.actions)
    return create_app(env.store, env.officers, actions, clock=env.epoch, **options)


serve = serve_app  # one way to serve a Sanic app in tests: tests/channel_server.py


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
    async with serve(build_app(env)) as base:
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


class ThreadedConsole:
    """The console in a thread with its own loop: for synchronous clients (Selenium, Hypothesis)."""

    def __init__(self, app):
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._server = None
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, name="console-server", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.app.config.KEEP_ALIVE = False
            self._server = self.loop.run_until_complete(
                self.app.create_server(host="127.0.0.1", port=self.port, return_asyncio_server=True)
            )
            self.loop.run_until_complete(self._server.startup())
            self.loop.run_until_complete(self._server.before_start())
            self.loop.run_until_complete(self._server.after_start())
        except BaseException as error:  # noqa: BLE001 - reported by start()
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()

    def start(self) -> "ThreadedConsole":
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        async def shutdown():
            await self._server.before_stop()
            self._server.close()
            await self._server.wait_closed()
            await self._server.after_stop()

        if self._server is not None:
            asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(30)
        self.loop.close()
