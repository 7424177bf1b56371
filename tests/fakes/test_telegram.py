"""The fake Telegram Bot API (channels/fakes/telegram.py), driven by python-telegram-bot's Bot and
plain aiohttp: sending with inline keyboards, the webhook calls, Telegram's refusals and limits,
queued failures, and its JSON error shape."""
from __future__ import annotations

import datetime as dtm

import pytest
import telegram
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from channels.fakes import telegram_error_body
from tests.fakes.common import CHAT_ID, CONFIG, VIETNAMESE


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
