"""What the fake provider tests share: the credentials the fake accepts, the addresses and texts
they send, and the two Zalo requests (a send and a token refresh) made with plain aiohttp."""
from __future__ import annotations

from channels.fakes import FakeConfig

CONFIG = FakeConfig()
PHONE = "+84912345678"
OTHER_PHONE = "+84987654321"
FROM = "+15005550006"
VIETNAMESE = "Xin chào, tôi cần giúp đỡ"
CHAT_ID = 987654321
ZALO_USER = "2468458835296197922"  # Zalo ids exceed 2**53: always strings


async def zalo_send(http, fake, text, token=None, user_id=ZALO_USER):
    async with http.post(
        f"{fake.url}/v3.0/oa/message/cs",
        headers={"access_token": token or fake.zalo_tokens[0] or "none"},
        json={"recipient": {"user_id": user_id}, "message": {"text": text}},
    ) as response:
        assert response.status == 200  # Zalo reports errors in the body, never the status
        return await response.json()


async def zalo_refresh(http, fake, refresh_token, secret=CONFIG.zalo_app_secret):
    async with http.post(
        f"{fake.url}/v4/oa/access_token",
        headers={"secret_key": secret},
        data={"refresh_token": refresh_token, "app_id": CONFIG.zalo_app_id, "grant_type": "refresh_token"},
    ) as response:
        assert response.status == 200
        return await response.json()
