"""A real Sanic server on a loopback port, in the test's own event loop.

sanic-testing conflicts with python-telegram-bot's httpx, so connector and console tests talk
HTTP to this.
"""
from __future__ import annotations

import asyncio
import socket
from contextlib import asynccontextmanager
from typing import AsyncIterator

from sanic import Sanic


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def serve_app(app: Sanic) -> AsyncIterator[str]:
    """Serve a Sanic app on a loopback port in the running loop; yield its base URL."""
    Sanic.test_mode = True  # else Sanic 21.12 cannot start a second app in one process
    app.config.KEEP_ALIVE = False
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    assert server is not None
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
