"""The fake provider APIs (channels/fakes/), driven by the clients the helpline sends with:
twilio's async client, python-telegram-bot's Bot, and plain aiohttp for Zalo. Only what the
helpline relies on: the credential checks, the messages recorded, queued failures, the
providers' error shapes, and a control API that answers as FakeProviders does."""
from __future__ import annotations

import asyncio
import datetime as dtm
import json
import logging
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest
import telegram
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from channels.fakes import FakeConfig, FakeProviders, telegram_error_body, twilio_error_body, zalo_error_body
from channels.segments import count_segments

CONFIG = FakeConfig()
PHONE = "+84912345678"
OTHER_PHONE = "+84987654321"
FROM = "+15005550006"
VIETNAMESE = "Xin chào, tôi cần giúp đỡ"
CHAT_ID = 987654321
ZALO_USER = "2468458835296197922"  # Zalo ids exceed 2**53: always strings


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


# ---------------------------------------------------------------------------------------------
# Twilio


async def test_twilio_async_client_sends_and_parses_the_message_resource(fake, twilio_client):
    message = await twilio_client.messages.create_async(
        to=PHONE, from_=FROM, body=VIETNAMESE, status_callback="https://example.org/webhooks/twilio/status"
    )

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert message.status == "queued"
    assert (message.to, message.from_, message.body) == (PHONE, FROM, VIETNAMESE)
    assert message.account_sid == CONFIG.twilio_account_sid
    assert isinstance(message.date_created, dtm.datetime)
    assert message.uri == f"/2010-04-01/Accounts/{CONFIG.twilio_account_sid}/Messages/{message.sid}.json"
    [sent] = fake.sent("twilio")
    assert (sent["provider"], sent["to"], sent["text"], sent["id"]) == ("twilio", PHONE, VIETNAMESE, message.sid)
    assert sent["extra"]["from"] == FROM
    assert sent["extra"]["status_callback"] == "https://example.org/webhooks/twilio/status"


@pytest.mark.parametrize(
    "body, segments",
    [
        # 306 septets, but "{" (ESC + code) would straddle segments one and two: 3, not 2.
        ("a" * 152 + "{" + "a" * 152, 3),
        (VIETNAMESE * 3, 2),  # 75 UTF-16 units: UCS-2, 67 a segment
        ("a" * 160, 1),
    ],
)
async def test_twilio_counts_segments_as_the_helpline_does(fake, twilio_client, body, segments):
    assert count_segments(body).segments == segments
    message = await twilio_client.messages.create_async(to=PHONE, from_=FROM, body=body)
    assert message.num_segments == str(segments)
    assert fake.sent("twilio")[0]["extra"]["num_segments"] == segments


async def test_twilio_wrong_credentials_are_a_401_with_code_20003(fake, monkeypatch):
    monkeypatch.delenv("TWILIO_EDGE", raising=False)
    monkeypatch.delenv("TWILIO_REGION", raising=False)
    async with AsyncTwilioHttpClient() as http:
        client = Client(CONFIG.twilio_account_sid, "wrong-token", http_client=http)
        client.api.base_url = fake.url
        with pytest.raises(TwilioRestException) as raised:
            await client.messages.create_async(to=PHONE, from_=FROM, body="hello")
    assert (raised.value.status, raised.value.code) == (401, 20003)
    assert fake.sent() == []
    [request] = fake.requests("twilio")
    assert (request["status"], request["outcome"], request["error"]) == (401, "rejected", 20003)


async def test_twilio_another_account_in_the_path_is_not_found(fake, http):
    url = f"{fake.url}/2010-04-01/Accounts/AC{'f' * 32}/Messages.json"
    auth = aiohttp.BasicAuth(CONFIG.twilio_account_sid, CONFIG.twilio_auth_token)
    async with http.post(url, data={"To": PHONE, "From": FROM, "Body": "hi"}, auth=auth) as response:
        assert response.status == 404
        assert (await response.json())["code"] == 20404
    assert fake.sent() == []


@pytest.mark.parametrize(
    "form, code",
    [
        ({"From": FROM, "Body": "hi"}, 21604),
        ({"To": "0912345678", "From": FROM, "Body": "hi"}, 21211),
        ({"To": PHONE, "Body": "hi"}, 21603),
        ({"To": PHONE, "From": FROM}, 21602),
        ({"To": PHONE, "From": FROM, "Body": "x" * 1601}, 21617),
    ],
)
async def test_twilio_refuses_a_form_with_twilios_error_code_and_shape(fake, http, form, code):
    url = f"{fake.url}/2010-04-01/Accounts/{CONFIG.twilio_account_sid}/Messages.json"
    auth = aiohttp.BasicAuth(CONFIG.twilio_account_sid, CONFIG.twilio_auth_token)
    async with http.post(url, data=form, auth=auth) as response:
        body = await response.json()
    assert response.status == 400
    assert set(body) == {"code", "message", "more_info", "status"}
    assert (body["code"], body["status"]) == (code, 400)
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert fake.sent() == []


async def test_twilio_accepts_1600_characters(fake, twilio_client):
    await twilio_client.messages.create_async(to=PHONE, from_=FROM, body="x" * 1600)
    assert len(fake.sent("twilio")) == 1


async def test_twilio_queued_failure_hits_only_its_recipient_and_only_once(fake, twilio_client):
    fake.fail("twilio", 400, code=21610, to=PHONE)

    await twilio_client.messages.create_async(to=OTHER_PHONE, from_=FROM, body="one")
    with pytest.raises(TwilioRestException) as raised:
        await twilio_client.messages.create_async(to=PHONE, from_=FROM, body="two")
    await twilio_client.messages.create_async(to=PHONE, from_=FROM, body="three")

    assert (raised.value.status, raised.value.code) == (400, 21610)
    assert [m["text"] for m in fake.sent("twilio")] == ["one", "three"]
    assert [(r["outcome"], r["error"]) for r in fake.requests("twilio")] == [
        ("accepted", None), ("injected", 21610), ("accepted", None)
    ]


async def test_twilio_queued_429_keeps_failing_for_times_requests(fake, twilio_client):
    fake.fail("twilio", 429, times=2)
    for _ in range(2):
        with pytest.raises(TwilioRestException) as raised:
            await twilio_client.messages.create_async(to=PHONE, from_=FROM, body="hi")
        assert (raised.value.status, raised.value.code) == (429, 20429)
    await twilio_client.messages.create_async(to=PHONE, from_=FROM, body="hi")
    assert len(fake.sent("twilio")) == 1


# ---------------------------------------------------------------------------------------------
# Telegram


async def test_ptb_bot_initializes_and_sends_through_the_fake(fake, bot):
    assert bot.username == "helpline_fake_bot"
    assert bot.id == int(CONFIG.telegram_token.split(":")[0])

    first = await bot.send_message(chat_id=CHAT_ID, text=VIETNAMESE)
    second = await bot.send_message(chat_id=str(CHAT_ID), text="lần hai")  # officer addresses are strings

    assert isinstance(first, telegram.Message)
    assert first.chat.id == CHAT_ID and first.chat.type == "private"
    assert first.text == VIETNAMESE
    assert isinstance(first.date, dtm.datetime)
    assert second.message_id > first.message_id
    assert [(m["to"], m["text"], m["id"]) for m in fake.sent("telegram")] == [
        (str(CHAT_ID), VIETNAMESE, first.message_id),
        (str(CHAT_ID), "lần hai", second.message_id),
    ]


async def test_ptb_inline_keyboards_round_trip_and_long_callback_data_is_refused(fake, bot):
    alert = telegram.InlineKeyboardMarkup([[
        telegram.InlineKeyboardButton("Nhận ca / Acknowledge", callback_data="ack:42"),
        telegram.InlineKeyboardButton("Mở / Open", url="https://console.example.org/cases/42"),
    ]])
    message = await bot.send_message(chat_id=CHAT_ID, text="Ca mới", reply_markup=alert)
    assert message.reply_markup.inline_keyboard[0][0].callback_data == "ack:42"
    assert message.reply_markup.inline_keyboard[0][1].url == "https://console.example.org/cases/42"
    assert fake.sent("telegram")[0]["extra"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Nhận ca / Acknowledge"

    too_long = '/inform{"need":"' + "x" * 60 + '"}'  # Rasa payloads can pass Telegram's 64 bytes
    keyboard = telegram.InlineKeyboardMarkup([[telegram.InlineKeyboardButton("x", callback_data=too_long)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(chat_id=CHAT_ID, text="?", reply_markup=keyboard)
    assert len(fake.sent("telegram")) == 1


async def test_ptb_answer_callback_query_and_the_set_webhook_command_calls(fake, bot):
    assert await bot.answer_callback_query("4382bfdwdsb323b2d9") is True
    assert await bot.set_webhook(
        "https://helpline.example.org/webhooks/telegram/webhook", secret_token="s3cret_Token-1",
        allowed_updates=["message", "callback_query"], drop_pending_updates=False,
    ) is True

    info = await bot.get_webhook_info()
    assert info.url == "https://helpline.example.org/webhooks/telegram/webhook"
    assert tuple(info.allowed_updates) == ("message", "callback_query")
    assert info.pending_update_count == 0
    assert fake.state()["telegram"]["webhook"] == {
        "url": "https://helpline.example.org/webhooks/telegram/webhook", "secret_token": "s3cret_Token-1",
        "allowed_updates": ["message", "callback_query"], "drop_pending_updates": False,
    }
    answered = [r for r in fake.requests("telegram") if r["endpoint"] == "answerCallbackQuery"]
    assert answered[0]["params"]["callback_query_id"] == "4382bfdwdsb323b2d9"
    assert [r["endpoint"] for r in fake.requests("telegram")] == [
        "getMe", "answerCallbackQuery", "setWebhook", "getWebhookInfo"
    ]
    assert fake.sent() == []  # none of these is a message


@pytest.mark.parametrize(
    "url, secret, problem",
    [
        ("http://helpline.example.org/hook", None, "(?i)https url"),
        ("https://helpline.example.org:5005/hook", None, "ports 80, 88, 443 or 8443"),
        ("https://helpline.example.org/hook", "not allowed!", "unallowed characters"),
    ],
)
async def test_ptb_set_webhook_is_refused_where_telegram_would_refuse_it(fake, bot, url, secret, problem):
    with pytest.raises(BadRequest, match=problem):
        await bot.set_webhook(url, secret_token=secret)
    assert fake.state()["telegram"]["webhook"] == {}


async def test_ptb_gets_forbidden_for_a_blocked_user_and_retry_after_for_flood(fake, bot, monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22's future type for retry_after
    fake.fail("telegram", 403, to=CHAT_ID)
    fake.fail("telegram", 429, telegram_error_body(429, retry_after=7))

    with pytest.raises(RetryAfter) as flood:  # the 429 names no chat: the next send takes it
        await bot.send_message(chat_id=CHAT_ID + 1, text="other chat")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(chat_id=CHAT_ID, text="blocked")
    assert flood.value.retry_after == dtm.timedelta(seconds=7)

    await bot.send_message(chat_id=CHAT_ID, text="after")
    assert [m["text"] for m in fake.sent("telegram")] == ["after"]


async def test_ptb_queued_failure_can_target_another_method(fake, bot):
    fake.fail("telegram", 400, telegram_error_body(400, "Bad Request: query is too old"), method="answerCallbackQuery")
    await bot.send_message(chat_id=CHAT_ID, text="not affected")
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("old")
    assert [m["text"] for m in fake.sent("telegram")] == ["not affected"]


async def test_ptb_text_limit_is_4096_utf16_units(fake, bot):
    await bot.send_message(chat_id=CHAT_ID, text="a" * 4096)
    await bot.send_message(chat_id=CHAT_ID, text="😀" * 2048)  # 2 UTF-16 units each
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(chat_id=CHAT_ID, text="a" * 4097)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(chat_id=CHAT_ID, text="😀" * 2049)
    assert len(fake.sent("telegram")) == 2


async def test_ptb_wrong_token_is_invalid_token_and_is_not_recorded(fake):
    wrong = telegram.Bot("111:wrong-token", base_url=fake.telegram_base_url)
    with pytest.raises(InvalidToken):
        await wrong.initialize()
    await wrong.shutdown()
    [request] = fake.requests("telegram")
    assert request["status"] == 401 and "wrong-token" not in request["path"]


async def test_telegram_json_bodies_and_the_error_shape(fake, http):
    base = f"{fake.url}/bot{CONFIG.telegram_token}"
    async with http.post(f"{base}/sendMessage", json={"chat_id": CHAT_ID, "text": "json"}) as response:
        body = await response.json()
    assert body["ok"] is True and body["result"]["chat"] == {"id": CHAT_ID, "type": "private", "first_name": "Test"}

    async with http.post(f"{fake.url}/bot999:nope/sendMessage", json={"chat_id": 1, "text": "x"}) as response:
        assert response.status == 401
        assert await response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    async with http.post(f"{base}/sendMessage", json={"chat_id": CHAT_ID, "text": "x" * 4097}) as response:
        assert response.status == 400
        assert await response.json() == {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
    async with http.post(f"{base}/sendMessage", json=[CHAT_ID, "not an object"]) as response:
        assert response.status == 400
    async with http.post(f"{base}/sendChatAction", json={"chat_id": CHAT_ID}) as response:  # the helpline never calls it
        assert response.status == 404
    assert [m["text"] for m in fake.sent()] == ["json"]


# ---------------------------------------------------------------------------------------------
# Zalo


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


# ---------------------------------------------------------------------------------------------
# Error bodies


def test_error_bodies_have_the_providers_documented_shapes():
    assert twilio_error_body(400, 21610) == {
        "code": 21610, "message": "Attempt to send to unsubscribed recipient",
        "more_info": "https://www.twilio.com/docs/errors/21610", "status": 400,
    }
    assert twilio_error_body(429)["code"] == 20429
    assert telegram_error_body(403) == {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    assert telegram_error_body(429) == {
        "ok": False, "error_code": 429, "description": "Too Many Requests: retry after 5", "parameters": {"retry_after": 5},
    }
    assert zalo_error_body(-216) == {"error": -216, "message": "Access token is invalid"}


# ---------------------------------------------------------------------------------------------
# Control API


async def get_json(http, url, **params):
    async with http.get(url, params=params) as response:
        return response.status, await response.json()


async def test_control_api_and_facade_give_the_same_answers(fake, http, twilio_client, bot):
    await twilio_client.messages.create_async(to=PHONE, from_=FROM, body="sms")
    await bot.send_message(chat_id=CHAT_ID, text="tg")
    await zalo_send(http, fake, "zalo")
    await zalo_send(http, fake, "rejected", token="wrong")
    fake.fail("telegram", 403, to=CHAT_ID)

    assert await get_json(http, f"{fake.url}/_fake/sent") == (200, fake.sent())
    assert [(m["provider"], m["text"]) for m in fake.sent()] == [("twilio", "sms"), ("telegram", "tg"), ("zalo", "zalo")]
    assert all(set(m) == {"provider", "to", "text", "at", "id", "extra"} for m in fake.sent())
    assert await get_json(http, f"{fake.url}/_fake/sent", provider="telegram") == (200, fake.sent("telegram"))
    assert await get_json(http, f"{fake.url}/_fake/requests", provider="zalo") == (200, fake.requests("zalo"))
    assert [r["outcome"] for r in fake.requests("zalo")] == ["accepted", "rejected"]
    assert await get_json(http, f"{fake.url}/_fake/state") == (200, fake.state())
    assert fake.state()["counts"] == {"twilio": 1, "telegram": 1, "zalo": 1}

    status, refused = await get_json(http, f"{fake.url}/_fake/sent", provider="fax")
    with pytest.raises(ValueError) as raised:
        fake.sent("fax")
    assert (status, refused) == (400, {"error": str(raised.value)})


async def test_control_api_queues_failures_as_the_facade_does(fake, http):
    rule = {"provider": "twilio", "to": PHONE, "status": 400, "code": 21610, "times": 2}
    async with http.post(f"{fake.url}/_fake/fail", json=rule) as response:
        assert response.status == 200
        queued = (await response.json())["queued"]
    assert queued == fake.fail(**rule)
    assert fake.state()["failures"] == [queued, queued]

    for bad in ({"provider": "fax"}, {"provider": "twilio", "times": 0}, {"provider": "twilio", "status": 99},
                {"provider": "twilio", "colour": "red"}, {"status": 500}, ["twilio"]):
        async with http.post(f"{fake.url}/_fake/fail", json=bad) as response:
            assert response.status == 400, bad
            assert (await response.json())["error"]
    with pytest.raises(ValueError):
        fake.fail("twilio", times=0)
    assert len(fake.state()["failures"]) == 2


async def test_control_api_resets_and_expires_the_zalo_token(fake, http):
    await zalo_send(http, fake, "before")
    async with http.post(f"{fake.url}/_fake/expire_token") as response:
        assert response.status == 200
    assert fake.zalo_tokens[0] is None
    assert (await zalo_send(http, fake, "hi", token=CONFIG.zalo_access_token))["error"] == -216

    async with http.delete(f"{fake.url}/_fake/sent") as response:
        assert response.status == 200
    assert fake.sent() == [] and fake.requests() == []


async def test_nothing_logged_carries_text_or_recipients(fake, http, twilio_client, bot, caplog):
    caplog.set_level(logging.DEBUG, logger="channels.fakes")
    secret_text = "Tôi bị giữ hộ chiếu ở Đài Loan"
    await twilio_client.messages.create_async(to=PHONE, from_=FROM, body=secret_text)
    await bot.send_message(chat_id=CHAT_ID, text=secret_text)
    await zalo_send(http, fake, secret_text)
    await zalo_send(http, fake, secret_text, token="wrong")
    await zalo_refresh(http, fake, fake.zalo_tokens[1])
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("channels.fakes"))
    assert logged.count("accepted message") == 3 and "rejected" in logged and "refreshed" in logged
    for clear in (secret_text, PHONE, PHONE[1:], str(CHAT_ID), ZALO_USER, CONFIG.telegram_token):
        assert clear not in logged


# ---------------------------------------------------------------------------------------------
# Thread mode and the command line


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, json.loads(response.read())


def _telegram_send(url: str, text: str) -> urllib.request.Request:
    return urllib.request.Request(
        f"{url}/bot{CONFIG.telegram_token}/sendMessage", data=json.dumps({"chat_id": CHAT_ID, "text": text}).encode(),
        headers={"Content-Type": "application/json"},
    )


def test_start_in_thread_serves_synchronous_callers_and_stops():
    fake = FakeProviders(CONFIG, port=0).start_in_thread()
    try:
        url = fake.url
        with urllib.request.urlopen(_telegram_send(url, "sync"), timeout=10) as response:
            assert json.loads(response.read())["result"]["text"] == "sync"
        assert [m["text"] for m in fake.sent()] == ["sync"]
        fake.fail("telegram", 403)
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(_telegram_send(url, "blocked"), timeout=10)
        assert raised.value.code == 403
        assert json.loads(raised.value.read())["description"] == "Forbidden: bot was blocked by the user"
        raised.value.close()
        assert _get(f"{url}/_fake/health") == (200, {"ok": True, "providers": ["twilio", "telegram", "zalo"]})
    finally:
        fake.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/_fake/health", timeout=10)


def test_sync_context_manager_and_env():
    with FakeProviders(port=0) as fake:
        assert fake.url.startswith("http://127.0.0.1:")
        assert fake.env() == {
            "TWILIO_API_BASE_URL": fake.url, "TELEGRAM_API_BASE_URL": fake.url,
            "ZALO_API_BASE_URL": fake.url, "ZALO_OAUTH_BASE_URL": fake.url,
        }
        assert fake.telegram_base_url == f"{fake.url}/bot"
    with pytest.raises(RuntimeError):
        fake.url  # noqa: B018 - not running any more


def test_sent_since_reads_only_the_new_records():
    with FakeProviders(CONFIG, port=0) as fake:
        for text in ("one", "two"):
            urllib.request.urlopen(_telegram_send(fake.url, text), timeout=10).close()
        assert [m["text"] for m in fake.sent_since(1)] == ["two"]
        assert fake.sent_since(2) == []
        with pytest.raises(LookupError):
            fake.sent_since(3)


def test_config_takes_the_helplines_own_variables():
    config = FakeConfig.from_env({"TWILIO_AUTH_TOKEN": "from-env", "ZALO_APP_ID": " 42 ", "TELEGRAM_BOT_TOKEN": ""})
    assert config.twilio_auth_token == "from-env" and config.zalo_app_id == "42"
    assert config.telegram_token == FakeConfig().telegram_token


def test_cli_prints_the_base_urls_and_serves_until_interrupted():
    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if k not in FakeConfig.ENV_NAMES.values()}
    env["PYTHONPATH"] = str(root)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "fake-providers", "--port", "0"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert process.stdout is not None
    try:
        lines = []
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("Ctrl-C"):
                break
        exports = dict(line[len("export "):].split("=", 1) for line in lines if line.startswith("export "))
        base = exports["TWILIO_API_BASE_URL"]
        assert base.startswith("http://127.0.0.1:") and not base.endswith(":0")
        for name in ("TELEGRAM_API_BASE_URL", "ZALO_API_BASE_URL", "ZALO_OAUTH_BASE_URL"):
            assert exports[name] == base
        assert exports["TWILIO_ACCOUNT_SID"] == CONFIG.twilio_account_sid
        assert _get(f"{base}/_fake/health")[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
