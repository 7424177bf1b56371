"""A real Sanic server on a loopback port with one connector mounted, as `rasa run` mounts it.

sanic-testing conflicts with python-telegram-bot's httpx, so connector tests talk HTTP to this.
`on_new_message` stands in for Rasa's agent.
"""
from __future__ import annotations

import asyncio
import itertools
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable, List

from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from tests.conftest import free_port

_names = itertools.count()


class StubBot:
    """Stands in for Rasa: answers "you said: <text>", offers two buttons on "menu", fails on
    "boom", and remembers every message it got."""

    def __init__(self) -> None:
        self.seen: List[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.seen.append(message)
        if message.text == "boom":
            raise RuntimeError("the model crashed")
        if message.text == "menu":
            await message.output_channel.send_text_with_buttons(
                message.sender_id, "Bạn làm nghề gì?",
                [{"title": "Giúp việc nhà", "payload": "giup viec nha"}, {"title": "Nhà máy", "payload": "nha may"}],
            )
            return
        await message.output_channel.send_text_message(message.sender_id, f"you said: {message.text}")


@asynccontextmanager
async def serve_app(app: Sanic) -> AsyncIterator[str]:
    """Serve a Sanic app on a loopback port in the running loop; yield its base URL."""
    app.config.KEEP_ALIVE = False
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
        await asyncio.sleep(0)


@asynccontextmanager
async def serve(connector, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> AsyncIterator[str]:
    """Mount `connector` at /webhooks/<name>/ as `rasa run` does and yield the base URL."""
    Sanic.test_mode = True  # else Sanic 21.12 cannot start a second app in one process
    app = Sanic(f"channel_test_{next(_names)}")
    app.blueprint(connector.blueprint(on_new_message), url_prefix=f"/webhooks/{connector.name()}")
    async with serve_app(app) as base:
        yield base


async def eventually(condition: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Poll a sync or async condition until it is truthy (a generous deadline, not a timing)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)
