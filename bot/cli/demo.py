"""Every channel without provider accounts: `make demo` runs the helpline against fake Twilio,
Telegram and Zalo APIs on localhost, and `python -m bot simulate` talks to it.

The demo values below are public on purpose: they only ever unlock the local fake.
"""
from __future__ import annotations

import os
from typing import Dict, MutableMapping

from channels.fakes import FakeConfig

DEMO_FLAG = "HELPLINE_DEMO_CHANNELS"
FAKE_PORT_VARIABLE = "FAKE_PROVIDERS_PORT"
DEFAULT_FAKE_PORT = 8099


def demo_enabled(environ: MutableMapping[str, str] = os.environ) -> bool:
    return environ.get(DEMO_FLAG, "").strip().lower() in ("1", "true", "yes")


def fake_port(environ: MutableMapping[str, str] = os.environ) -> int:
    return int(environ.get(FAKE_PORT_VARIABLE) or DEFAULT_FAKE_PORT)


def demo_environment(rasa_port: int, fake_url: str) -> Dict[str, str]:
    fake = FakeConfig()
    return {
        "HELPLINE_PUBLIC_URL": f"http://127.0.0.1:{rasa_port}",
        "TWILIO_ACCOUNT_SID": fake.twilio_account_sid,
        "TWILIO_AUTH_TOKEN": fake.twilio_auth_token,
        "TWILIO_FROM_NUMBER": "+15005550006",
        "TWILIO_API_BASE_URL": fake_url,
        "TELEGRAM_BOT_TOKEN": fake.telegram_token,
        "TELEGRAM_WEBHOOK_SECRET": "demo-telegram-webhook-secret",
        "TELEGRAM_API_BASE_URL": fake_url,
        "ZALO_APP_ID": fake.zalo_app_id,
        "ZALO_APP_SECRET": fake.zalo_app_secret,
        "ZALO_OA_SECRET_KEY": "demo-zalo-oa-secret-key",
        "ZALO_ACCESS_TOKEN": fake.zalo_access_token,
        "ZALO_REFRESH_TOKEN": fake.zalo_refresh_token,
        "ZALO_API_BASE_URL": fake_url,
        "ZALO_OAUTH_BASE_URL": fake_url,
    }


def apply_demo_environment(environ: MutableMapping[str, str] = os.environ) -> str:
    """Point every channel at the local fake (overriding real credentials); the fake's URL."""
    rasa_port = int(environ.get("RASA_PORT") or 5005)
    fake_url = f"http://127.0.0.1:{fake_port(environ)}"
    environ.update(demo_environment(rasa_port, fake_url))
    return fake_url
