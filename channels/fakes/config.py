"""The credentials the fake providers accept, the helpline variables that carry them, and how a
given credential is compared."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from typing import ClassVar, Dict, Mapping, Optional


@dataclass
class FakeConfig:
    """The credentials the fake accepts. The defaults are harmless test values."""

    twilio_account_sid: str = "AC" + "0123456789abcdef" * 2
    twilio_auth_token: str = "fake-twilio-auth-token-0123456789"
    telegram_token: str = "0:fake-telegram-token-for-local-tests"
    zalo_app_id: str = "1234567890123456789"
    zalo_app_secret: str = "fake-zalo-app-secret"
    zalo_access_token: str = "fake-zalo-access-token-0"
    zalo_refresh_token: str = "fake-zalo-refresh-token-0"

    # field name -> the helpline's environment variable for it (bot/runtime/settings.py)
    ENV_NAMES: ClassVar[Dict[str, str]] = {
        "twilio_account_sid": "TWILIO_ACCOUNT_SID",
        "twilio_auth_token": "TWILIO_AUTH_TOKEN",
        "telegram_token": "TELEGRAM_BOT_TOKEN",
        "zalo_app_id": "ZALO_APP_ID",
        "zalo_app_secret": "ZALO_APP_SECRET",
        "zalo_access_token": "ZALO_ACCESS_TOKEN",
        "zalo_refresh_token": "ZALO_REFRESH_TOKEN",
    }

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> FakeConfig:
        """The defaults, overridden by the helpline's own variables where they are set, so a
        helpline started from the same environment authenticates against the fake."""
        environ = os.environ if environ is None else environ
        values = {
            name: environ[variable].strip()
            for name, variable in cls.ENV_NAMES.items()
            if environ.get(variable, "").strip()
        }
        return cls(**values)


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of a credential, which copes with non-ASCII input."""
    return secrets.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape"))
