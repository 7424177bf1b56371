"""The fake Zalo OA API (channels/fakes/zalo.py), driven by plain aiohttp: sends checked against
the current access token, errors reported in a 200, single-use refresh tokens (and the race
between two refreshes), an expired token, and queued failures."""
from __future__ import annotations

import asyncio

from tests.fakes.common import CONFIG, VIETNAMESE, ZALO_USER, zalo_refresh, zalo_send


async def test_zalo_send_succeeds_with_the_current_access_token(fake, http):
    body = await zalo_send(http, fake, VIETNAMESE, token=CONFIG.zalo_access_token)
    assert body["error"] == 0 and body["message"] == "Success"
    assert body["data"]["user_id"] == ZALO_USER
    assert isinstance(body["data"]["message_id"], str) and body["data"]["message_id"]
    [sent] = fake.sent("zalo")
    assert (sent["to"], sent["text"], sent["id"]) == (ZALO_USER, VIETNAMESE, body["data"]["message_id"])


async def test_zalo_wrong_token_and_bad_messages_are_errors_in_a_200(fake, http):
    assert await zalo_send(http, fake, "hi", token="wrong") == {"error": -216, "message": "Access token is invalid"}
    assert (await zalo_send(http, fake, "x" * 2001))["error"] == -201
    assert (await zalo_send(http, fake, "x" * 2000))["error"] == 0
    assert (await zalo_send(http, fake, "hi", user_id=""))["error"] == -201
    assert [r["error"] for r in fake.requests("zalo")] == [-216, -201, None, -201]
    assert len(fake.sent("zalo")) == 1


async def test_zalo_refresh_tokens_are_single_use(fake, http):
    old_access, old_refresh = fake.zalo_tokens

    tokens = await zalo_refresh(http, fake, old_refresh)

    assert set(tokens) == {"access_token", "refresh_token", "expires_in"}
    assert tokens["expires_in"] == "90000"  # a string, as Zalo sends it
    assert tokens["access_token"] != old_access and tokens["refresh_token"] != old_refresh
    assert (await zalo_send(http, fake, "old token", token=old_access))["error"] == -216
    assert (await zalo_send(http, fake, "new token", token=tokens["access_token"]))["error"] == 0

    reused = await zalo_refresh(http, fake, old_refresh)
    assert reused["error"] == -14014 and reused["message"] == "Invalid refresh token"
    assert (await zalo_send(http, fake, "still fine", token=tokens["access_token"]))["error"] == 0
    assert fake.zalo_refreshes == 1
    assert fake.zalo_tokens == (tokens["access_token"], tokens["refresh_token"])

    again = await zalo_refresh(http, fake, tokens["refresh_token"])
    assert again["refresh_token"] != tokens["refresh_token"] and fake.zalo_refreshes == 2


async def test_zalo_two_concurrent_refreshes_lose_the_race_exactly_once(fake, http):
    refresh = fake.zalo_tokens[1]
    results = await asyncio.gather(zalo_refresh(http, fake, refresh), zalo_refresh(http, fake, refresh))
    assert sorted("access_token" in result for result in results) == [False, True]
    assert [r.get("error") for r in results if "access_token" not in r] == [-14014]
    assert fake.zalo_refreshes == 1


async def test_zalo_refresh_checks_the_app_secret(fake, http):
    body = await zalo_refresh(http, fake, fake.zalo_tokens[1], secret="wrong")
    assert body["error"] == -14003 and "access_token" not in body
    assert fake.zalo_refreshes == 0 and fake.zalo_tokens == (CONFIG.zalo_access_token, CONFIG.zalo_refresh_token)


async def test_zalo_expired_token_is_recovered_by_a_refresh(fake, http):
    fake.expire_zalo_token()
    assert fake.zalo_tokens == (None, CONFIG.zalo_refresh_token)
    assert (await zalo_send(http, fake, "hi", token=CONFIG.zalo_access_token))["error"] == -216
    tokens = await zalo_refresh(http, fake, CONFIG.zalo_refresh_token)
    assert (await zalo_send(http, fake, "hi", token=tokens["access_token"]))["error"] == 0


async def test_zalo_queued_errors_are_200s_and_an_outage_is_a_gateway_page(fake, http):
    fake.fail("zalo", code=-230, to=ZALO_USER)
    body = await zalo_send(http, fake, "hi")
    assert body == {"error": -230, "message": "User has not interacted with the OA in the past 7 days"}
    assert (await zalo_send(http, fake, "hi"))["error"] == 0

    fake.fail("zalo", 502)
    async with http.post(
        f"{fake.url}/v3.0/oa/message/cs", headers={"access_token": fake.zalo_tokens[0]},
        json={"recipient": {"user_id": ZALO_USER}, "message": {"text": "hi"}},
    ) as response:
        assert response.status == 502 and response.content_type == "text/html"
    assert len(fake.sent("zalo")) == 1


async def test_zalo_queued_failure_can_target_the_refresh(fake, http):
    fake.fail("zalo", code=-14014, method="access_token")
    assert (await zalo_refresh(http, fake, CONFIG.zalo_refresh_token))["error"] == -14014
    assert "access_token" in await zalo_refresh(http, fake, CONFIG.zalo_refresh_token)
