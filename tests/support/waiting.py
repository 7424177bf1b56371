"""Waiting for something that happens in another task, thread or process.

A deadline is generous on purpose: it bounds a hung test, it is not a timing being asserted. To
show that something did NOT happen, send a barrier (a later message that must be handled after
it) and assert once the barrier is through; never sleep and then assert nothing.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any, Callable


async def eventually(condition: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05) -> Any:
    """Poll a sync or async condition in the running loop until it is truthy; return its value."""
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
        await asyncio.sleep(interval)


def wait_until(condition: Callable[[], Any], timeout: float = 60.0, interval: float = 0.1) -> Any:
    """The same for code outside an event loop (end-to-end tests, benchmarks)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)
