"""Fixtures of the fake provider tests: a running FakeProviders on a free loopback port, and the
clients the helpline sends with pointed at it (twilio's async client, python-telegram-bot's Bot,
and an aiohttp session for Zalo and the control API)."""
from __future__ import annotations

import aiohttp
import pytest
import telegram
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from channels.fakes import FakeProviders
from tests.fakes.common import CONFIG


@pytest.fixture
async def fake():
    async with FakeProviders(CONFIG, port=0) as running:
        yield running


@pytest.fixture
async def twilio_client(fake, monkeypatch):
    # With an edge or region set, twilio rewrites the host name of every URL, the fake's too.
    monkeypatch.delenv("TWILIO_EDGE", raising=False)
    monkeypatch.delenv("TWILIO_REGION", raising=False)
    http = AsyncTwilioHttpClient()
    client = Client(CONFIG.twilio_account_sid, CONFIG.twilio_auth_token, http_client=http)
    client.api.base_url = fake.url
    yield client
    await http.close()


@pytest.fixture
async def bot(fake):
    async with telegram.Bot(CONFIG.telegram_token, base_url=fake.telegram_base_url) as running:
        yield running


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session
