"""FakeProviders: the fake Twilio, Telegram and Zalo APIs on loopback, started in the caller's
event loop or in a thread of their own, with the control operations as Python methods.

Point the helpline at it: TWILIO_API_BASE_URL, TELEGRAM_API_BASE_URL (without /bot),
ZALO_API_BASE_URL and ZALO_OAUTH_BASE_URL all = fake.url (see env()).
"""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web

from channels.fakes.config import FakeConfig
from channels.fakes.server import build_app
from channels.fakes.state import FakeState
from channels.fakes.telegram import TELEGRAM
from channels.fakes.twilio import TWILIO
from channels.fakes.zalo import ZALO

logger = logging.getLogger(__name__)

PROVIDERS = (TWILIO, TELEGRAM, ZALO)


class FakeProviders:
    """The fake, either inside a running loop::

        async with FakeProviders(FakeConfig(), port=0) as fake:
            ...  # fake.url, fake.sent(), fake.fail(...), fake.reset()

    or on its own loop in a daemon thread (synchronous tests, the command line)::

        with FakeProviders() as fake:  # or fake = FakeProviders().start_in_thread() ... fake.stop()
            ...
    """

    def __init__(self, config: Optional[FakeConfig] = None, port: int = 0, host: str = "127.0.0.1") -> None:
        self.config = config or FakeConfig()
        self.host = host
        self.port = port
        self._state = FakeState(self.config, {provider.name: provider.failures for provider in PROVIDERS})
        # The control operations, written once in FakeState and served by the control API too.
        self.sent = self._state.sent
        self.sent_since = self._state.sent_since
        self.requests = self._state.requests
        self.reset = self._state.reset
        self.fail = self._state.fail
        self.expire_zalo_token = self._state.expire_zalo_token
        self.state = self._state.snapshot
        self._runner: Optional[web.AppRunner] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None

    # -- addresses -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._runner is None:
            raise RuntimeError("the fake is not running")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def telegram_base_url(self) -> str:
        """What to pass as PTB's Bot(base_url=...): PTB appends the token, then /<method>."""
        return f"{self.url}/bot"

    def env(self) -> Dict[str, str]:
        """The helpline's variables that point it at this fake."""
        return {name: self.url for name in (
            "TWILIO_API_BASE_URL", "TELEGRAM_API_BASE_URL", "ZALO_API_BASE_URL", "ZALO_OAUTH_BASE_URL",
        )}

    @property
    def zalo_refreshes(self) -> int:
        refreshes: int = self.state()["zalo"]["refreshes"]
        return refreshes

    @property
    def zalo_tokens(self) -> Tuple[Optional[str], Optional[str]]:
        """The current (access token, refresh token); the access token is None once expired."""
        zalo = self.state()["zalo"]
        return zalo["access_token"], zalo["refresh_token"]

    # -- running inside the caller's loop ------------------------------------------------------

    async def start(self) -> FakeProviders:
        if self._runner is not None:
            raise RuntimeError("the fake is already running")
        # No access log: Telegram puts the bot token in the request path.
        runner = web.AppRunner(build_app(self._state, PROVIDERS), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]
        logger.info("fake providers listening on %s", self.url)
        return self

    async def close(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeProviders:
        return await self.start()

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    # -- running in a thread -------------------------------------------------------------------

    def start_in_thread(self, timeout: float = 30.0) -> FakeProviders:
        if self._thread is not None:
            raise RuntimeError("the fake is already running")
        ready = threading.Event()
        failure: List[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            try:
                loop.run_until_complete(self.start())
            except BaseException as error:  # noqa: BLE001 - handed to the caller of start_in_thread
                failure.append(error)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self.close())
                loop.close()

        self._thread = threading.Thread(target=run, name="fake-providers", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise RuntimeError("the fake providers did not start")
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]
        return self

    def stop(self, timeout: float = 30.0) -> None:
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = self._loop = None

    def __enter__(self) -> FakeProviders:
        return self.start_in_thread()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()
