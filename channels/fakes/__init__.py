"""Fake Twilio, Telegram and Zalo APIs on localhost, for tests, `make demo` and benchmarks."""
from channels.fakes.providers import (
    MAX_RECORDS,
    FakeConfig,
    FakeProviders,
    serve,
    sms_segments,
    telegram_error_body,
    twilio_error_body,
    zalo_error_body,
)

__all__ = [
    "MAX_RECORDS",
    "FakeConfig",
    "FakeProviders",
    "serve",
    "sms_segments",
    "telegram_error_body",
    "twilio_error_body",
    "zalo_error_body",
]
