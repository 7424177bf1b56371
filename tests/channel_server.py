"""A real Sanic server on a loopback port with one connector mounted, as `rasa run` mounts it.

sanic-testing conflicts with python-telegram-bot's httpx, so connector tests talk HTTP to this.
`on_new_message` stands in for Rasa's agent.
"""
from __future__ import annotations

import itertools
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable, List

from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from tests.support.serving import serve_app
from tests.support.waiting import eventually  # noqa: F401  (re-exported for the connector tests)

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
async def serve(connector, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> AsyncIterator[str]:
    """Mount `connector` at /webhooks/<name>/ as `rasa run` does and yield the base URL."""
    app = Sanic(f"channel_test_{next(_names)}")
    app.blueprint(connector.blueprint(on_new_message), url_prefix=f"/webhooks/{connector.name()}")
    async with serve_app(app) as base:
        yield base
