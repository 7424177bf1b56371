"""Fake Twilio, Telegram and Zalo APIs on localhost, for tests, `make demo` and benchmarks.

config.py the credentials they accept, state.py what they remember (each control operation
written once), server.py the aiohttp app with its recording middleware and control API,
twilio.py, telegram.py and zalo.py each provider's endpoints and error bodies, facade.py
FakeProviders, and cli.py `python -m bot fake-providers`. Callers import from here.
"""
from channels.fakes.cli import serve
from channels.fakes.config import FakeConfig
from channels.fakes.facade import FakeProviders
from channels.fakes.state import MAX_RECORDS
from channels.fakes.telegram import telegram_error_body
from channels.fakes.twilio import twilio_error_body
from channels.fakes.zalo import zalo_error_body

__all__ = [
    "MAX_RECORDS",
    "FakeConfig",
    "FakeProviders",
    "serve",
    "telegram_error_body",
    "twilio_error_body",
    "zalo_error_body",
]
