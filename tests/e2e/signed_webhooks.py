"""Signed provider webhooks for the e2e stack (the same builders `python -m bot simulate` uses)."""
from __future__ import annotations

import zlib

from channels.fakes import FakeConfig
from channels.simulate import BUILDERS, Secrets

PUBLIC_URL = "https://helpline.example.org"
FAKE = FakeConfig()
SECRETS = Secrets(
    public_url=PUBLIC_URL,
    twilio_auth_token=FAKE.twilio_auth_token,
    twilio_account_sid=FAKE.twilio_account_sid,
    twilio_number="+15005550006",
    telegram_secret="e2e-telegram-secret_0123456789",
    zalo_app_id=FAKE.zalo_app_id,
    zalo_oa_secret_key="e2e-zalo-oa-secret-key",
)


class _Signers:
    def address(self, channel: str, tag: str) -> str:
        number = zlib.crc32(tag.encode()) % 10_000_000
        return {"twilio": f"+849{number:08d}", "telegram": str(700_000_000 + number), "zalo": str(8_000_000_000_000_000_000 + number)}[channel]

    def message(self, channel: str, address: str, text: str, message_id: str):
        return BUILDERS[channel](SECRETS, address, text, message_id)

    def forged(self, channel: str, address: str, text: str, message_id: str):
        return BUILDERS[channel](SECRETS, address, text, message_id, forged=True)

    def __getitem__(self, channel: str):
        return lambda webhook: webhook


SIGNERS = _Signers()
