from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest
import redis
import redis.asyncio as aioredis

from bot.cli.run import embedded_redis_command
from channels.pipeline import ChannelPipeline
from tests.channel_harness import StubBot, waking_blocked_reads
from tests.support.echo_channel import EchoAdapter, pipeline_settings
from tests.support.serving import free_port


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis: REDIS_URL when set, else a private embedded server for this test run.

    Never a Redis that happens to run on the machine: the tests flush their database, and two
    runs sharing one would see each other's keys.
    """
    configured = os.environ.get("REDIS_URL")
    if configured:
        yield configured
        return
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        process = subprocess.Popen(embedded_redis_command(port, Path(data_dir)))
        url = f"redis://127.0.0.1:{port}/0"
        try:
            for _ in range(100):
                if _answers(url):
                    break
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(10)


@pytest.fixture
def redis_client(redis_url: str) -> redis.Redis:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    return client


@pytest.fixture
async def async_redis(redis_client, redis_url):  # redis_client flushes the test database
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.close()


@pytest.fixture
async def running(async_redis):
    """Starts echo-channel pipelines (tests/support/echo_channel.py) on the test Redis, each with
    a StubBot for Rasa and, when given, a Router; stops them all after the test."""
    pipelines = []

    async def start(router=None, **overrides):
        bot = StubBot()
        pipeline = ChannelPipeline(EchoAdapter(), async_redis, pipeline_settings(**overrides), router)
        await pipeline.start(bot)
        pipelines.append(pipeline)
        return pipeline, bot

    yield start
    await waking_blocked_reads(async_redis, asyncio.gather(*(pipeline.stop() for pipeline in pipelines)))
