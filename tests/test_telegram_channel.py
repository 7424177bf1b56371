"""Telegram: its rows for the channel harness (real Update JSON with the secret-token header,
replies at the fake Bot API), the set-webhook command, the sender's own errors, and the webhook
under fuzzing."""
from __future__ import annotations

import asyncio
import copy
import json
from types import SimpleNamespace
from typing import Any, Dict, List, Optional

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sanic.compat import Header

import bot.__main__ as cli
from bot.replies.catalogue import render
from bot.runtime.settings import Settings, SettingsError
from channels.core import MAX_BODY_BYTES, InputRejected
from channels.fakes import FakeProviders, telegram_error_body
from channels.inbox import Inbound
from channels.outbox import OutboxItem, SendError
from channels.segments import TELEGRAM_MAX_UTF16_UNITS, utf16_units
from channels.telegram import SECRET_HEADER, TelegramInput, TelegramSender, set_webhook
from tests.channel_harness import (
    FAKE,
    JOBS,
    check_incoming,
    check_outgoing,
)
from tests.channel_rows import (
    ABSENT,
    Call,
    Incoming,
    Outcome,
    Outgoing,
    Provider,
    Signature,
    Turn,
    Webhook,
    row_ids,
)

TOKEN = FAKE.telegram_token
SECRET = "test-secret_0123456789abcdefABCDEF"
CHAT = 123456789
SEND = "/bot<token>/sendMessage"
ANSWER = "/bot<token>/answerCallbackQuery"

# --- real update shapes (Bot API docs) ---------------------------------------------------------

USER = {"id": CHAT, "is_bot": False, "first_name": "Lan", "last_name": "Nguyễn", "language_code": "vi"}
PRIVATE_CHAT = {"id": CHAT, "first_name": "Lan", "last_name": "Nguyễn", "type": "private"}
GROUP_CHAT = {"id": -1001234567890, "title": "Lao động Đài Loan", "type": "supergroup"}
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Helpline", "username": "helpline_bot"}
QUERY_ID = "4382bfdwdsb323b2d9"


def text_update(text: str, update_id: int = 745200001, chat: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    entities = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}] if text.startswith("/") else []
    return {
        "update_id": update_id,
        "message": {
            "message_id": 52, "from": USER, "chat": chat or PRIVATE_CHAT, "date": 1718000000, "text": text,
            **({"entities": entities} if entities else {}),
        },
    }


def callback_update(data: str, update_id: int = 745200002) -> Dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": QUERY_ID,
            "from": USER,
            "message": {
                "message_id": 53, "from": BOT_USER, "chat": PRIVATE_CHAT, "date": 1718000005,
                "text": "Bạn làm nghề gì?",
                "reply_markup": {"inline_keyboard": [
                    [{"text": "Giúp việc nhà", "callback_data": "c0"}], [{"text": "Nhà máy", "callback_data": "c1"}],
                ]},
            },
            "chat_instance": "-8392758203948576",
            "data": data,
        },
    }


def edited_update() -> Dict[str, Any]:
    return {
        "update_id": 745200003,
        "edited_message": {
            "message_id": 52, "from": USER, "chat": PRIVATE_CHAT, "date": 1718000000, "edit_date": 1718000030,
            "text": "xin chào, em cần giúp",
        },
    }


def photo_update() -> Dict[str, Any]:
    return {
        "update_id": 745200004,
        "message": {
            "message_id": 54, "from": USER, "chat": PRIVATE_CHAT, "date": 1718000040,
            "photo": [
                {"file_id": "AgACAgUAAxkBAAIB", "file_unique_id": "AQADr7gxG", "file_size": 1283, "width": 90, "height": 67},
                {"file_id": "AgACAgUAAxkBAAIC", "file_unique_id": "AQADr7gxH", "file_size": 52331, "width": 800, "height": 600},
            ],
            "caption": "hộ chiếu của em",
        },
    }


def sticker_update() -> Dict[str, Any]:
    return {
        "update_id": 745200005,
        "message": {
            "message_id": 55, "from": USER, "chat": PRIVATE_CHAT, "date": 1718000050,
            "sticker": {
                "file_id": "CAACAgIAAxkBAAIBZ", "file_unique_id": "AgADRQADr", "type": "regular",
                "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "😢",
            },
        },
    }


def channel_post_update() -> Dict[str, Any]:
    return {
        "update_id": 745200007,
        "channel_post": {
            "message_id": 9, "sender_chat": {"id": -1009876543210, "title": "Tin tức", "type": "channel"},
            "chat": {"id": -1009876543210, "title": "Tin tức", "type": "channel"}, "date": 1718000060, "text": "tin mới",
        },
    }


def encode(update: Any) -> bytes:
    return json.dumps(update, ensure_ascii=False).encode("utf-8")


def sign(path: str, body: bytes, how: Signature) -> Dict[str, str]:
    secret = {Signature.VALID: SECRET, Signature.FORGED: "forged-secret"}.get(how)
    return {SECRET_HEADER: secret} if secret else {}


def with_secret(secret: str) -> Dict[str, str]:
    return {SECRET_HEADER: secret}


TELEGRAM = Provider(
    name="telegram",
    address=str(CHAT),
    connector=lambda settings: TelegramInput(TOKEN, SECRET, settings),
    encode=encode,
    content_type="application/json",
    sign=sign,
    message=text_update,
    acknowledgement='{"ok":true}',
    quiet_paths=("/bot<token>/getMe",),
    secrets=(TOKEN,),
)

@pytest.fixture(autouse=True)
def ptb_future_types(monkeypatch):
    # PTB 22 warns at every RetryAfter it makes unless its future type for retry_after (a
    # timedelta, which the connector takes as well) is chosen; the tests make warnings errors.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


ANSWERED = [Call(ANSWER, {"callback_query_id": QUERY_ID}, "ok")]
NOT_TEXT = render("not_text", "vi")
PRIVATE_MESSAGE = {"message_id": 1, "date": 1718000000, "chat": PRIVATE_CHAT}

INCOMING = [
    Incoming("a private text message reaches the bot, in NFC, its update_id the dedupe id",
             Webhook(text_update("cho\u0300 em hỏi")), bot=Turn("chò em hỏi", message_id="telegram:745200001"),
             reply="you said: chò em hỏi"),
    Incoming("/start is a greeting", Webhook(text_update("/start")), bot=Turn("xin chào"), reply="you said: xin chào"),
    Incoming("/start with a deep-link parameter is a greeting", Webhook(text_update("/start ref-abc")),
             bot=Turn("xin chào"), reply="you said: xin chào"),
    Incoming("/restart stays text", Webhook(text_update("/restart")), bot=Turn("/restart"), reply="you said: /restart"),
    Incoming("intent syntax stays text", Webhook(text_update('/inform{"job":"x"}')), bot=Turn('/inform{"job":"x"}'),
             reply='you said: /inform{"job":"x"}'),
    Incoming("a button press is the payload of the choice at its index, and is answered",
             Webhook(callback_update("c1")), offered=JOBS, bot=Turn("nha may"), reply="you said: nha may", calls=ANSWERED),
    Incoming("a button from choices that expired gets a notice", Webhook(callback_update("c1")),
             reply=render("choice_expired", "vi"), calls=ANSWERED),
    *(Incoming(f"a button press with unknown data {data!r} is ignored, and still answered",
               Webhook(callback_update(data)), offered=JOBS, recorded=False, calls=ANSWERED)
      for data in ('/inform{"x": 1}', "c1\n", "c", "c1234", "1", "c-1")),
    Incoming("a photo gets the text-only notice", Webhook(photo_update()), reply=NOT_TEXT),
    Incoming("a sticker gets the text-only notice", Webhook(sticker_update()), reply=NOT_TEXT),
    Incoming("writing again after blocking the bot opts her back in", Webhook(text_update("xin chào")),
             opted_out_before=True, opted_out=False, bot=Turn("xin chào"), reply="you said: xin chào"),
    *(Incoming(f"{kind} is acknowledged and ignored", Webhook(update), recorded=False,
               logged="Ignored a Telegram", unlogged=("1234567890",))
      for kind, update in [
          ("an edit", edited_update()),
          ("a supergroup message", text_update("có ai biết luật không", chat=GROUP_CHAT)),
          ("a group message", text_update("hi", chat={"id": -4001, "title": "g", "type": "group"})),
          ("a channel post", channel_post_update()),
          ("an unknown update", {"update_id": 745200009}),
      ]),

    Incoming("no secret", Webhook(text_update("hi"), Signature.UNSIGNED), status=403),
    Incoming("an empty secret", Webhook(text_update("hi"), Signature.UNSIGNED, with_secret("")), status=403),
    Incoming("a wrong secret", Webhook(text_update("hi"), Signature.FORGED), status=403),
    *(Incoming(f"a secret {how}", Webhook(text_update("hi"), Signature.UNSIGNED, with_secret(secret)), status=403)
      for how, secret in [("one character longer", SECRET + "x"), ("one character shorter", SECRET[:-1]),
                          ("that is not ASCII", "tést")]),
    Incoming("a forged secret is refused before broken JSON is parsed", Webhook(b"{broken", Signature.FORGED), status=403),
    Incoming("a forged secret is refused before bad bytes are parsed", Webhook(b"\xff\xfe", Signature.FORGED), status=403),

    *(Incoming(f"a bad body: {what}", Webhook(body), status=400) for what, body in [
        ("broken JSON", b"{not json"),
        ("bytes that are not UTF-8 in a string", b'{"update_id": 1, "message": {"text": "\xff\xfe"}}'),
        ("bytes that are not UTF-8", b"\xff\xfe\x00garbage"),
        ("empty", b""),
        ("a list", b"[1, 2]"),
        ("a string", b'"update"'),
        ("nested deeper than the parser goes", b"[" * 20000 + b"]" * 20000),
        ("no update_id", encode({"message": text_update("hi")["message"]})),
        ("a string update_id", encode({"update_id": "745200001"})),
        ("a boolean update_id", encode({"update_id": True})),
        ("an update_id over 64 bits", encode({"update_id": 2 ** 70})),
        ("a message without a date", encode({"update_id": 1, "message": {"message_id": 1, "chat": PRIVATE_CHAT}})),
        ("a message without a chat", encode({"update_id": 1, "message": {"message_id": 1, "date": 1718000000}})),
        ("a chat id that is a string", encode({"update_id": 1, "message": dict(PRIVATE_MESSAGE, chat={"id": "1", "type": "private"})})),
        ("a text that is a number", encode({"update_id": 1, "message": dict(PRIVATE_MESSAGE, text=42)})),
        ("a message that is a string", encode({"update_id": 1, "message": "hi"})),
        ("a callback query with only an id", encode({"update_id": 1, "callback_query": {"id": "q"}})),
        ("a date past any calendar", encode({"update_id": 1, "message": dict(PRIVATE_MESSAGE, date=10 ** 20)})),
    ]),
    Incoming("a body over 64 KB", Webhook(b" " * (MAX_BODY_BYTES + 1)), status=413),
    Incoming("a body of 1 MB", Webhook(b"{" + b" " * (1024 * 1024) + b"}"), status=413),
    Incoming("a form instead of JSON", Webhook(text_update("hi"), content_type="application/x-www-form-urlencoded"), status=415),
]


def within_telegram_limit(text: str) -> bool:
    return utf16_units(text) <= TELEGRAM_MAX_UTF16_UNITS


# An emoji is two UTF-16 units: 585 of these words fill a message, measured as Telegram measures.
LONG_WORDS = ["khẩn🆘"] * 1200

OUTGOING = [
    Outgoing("buttons are an inline keyboard whose data is the choice's index, never the payload",
             [{"text": "Bạn làm nghề gì?", "buttons": [
                 {"title": "Giúp việc nhà", "payload": '/inform{"job": "giúp việc nhà, chăm sóc người già và trẻ em"}'},
                 {"title": "Nhà máy", "payload": "nha may"}]}],
             calls=[Call(SEND, {"chat_id": CHAT, "text": "Bạn làm nghề gì?", "reply_markup": {"inline_keyboard": [
                 [{"text": "Giúp việc nhà", "callback_data": "c0"}], [{"text": "Nhà máy", "callback_data": "c1"}]]}})]),
    Outgoing("a plain reply has no keyboard, and keeps its diacritics", [{"text": "Chào bạn"}], said="xin chao",
             calls=[Call(SEND, {"chat_id": CHAT, "text": "Chào bạn", "reply_markup": ABSENT})]),
    Outgoing("a long reply is split at words into messages Telegram takes", [{"text": " ".join(LONG_WORDS)}],
             calls=[Call(SEND, {"text": within_telegram_limit})] * 3,
             texts=lambda texts: " ".join(texts).split() == LONG_WORDS),
    Outgoing("flood control is retried after Telegram's delay", [{"text": "Chào bạn"}],
             errors=[{"status": 429, "body": telegram_error_body(429, retry_after=1)}],
             calls=[Call(SEND, {}, "injected"), Call(SEND, {"text": "Chào bạn"})]),
    *(Outgoing(f"a Telegram {status} is retried", [{"text": "Chào bạn"}], errors=[{"status": status}],
               calls=[Call(SEND, {}, "injected"), Call(SEND, {"text": "Chào bạn"})])
      for status in (500, 502)),
    Outgoing("a bad request is dead-lettered, without the token", [{"text": "Chào bạn"}], errors=[{"status": 400}],
             outcome=Outcome.DEAD_LETTER, reason="Telegram 400: Chat not found", calls=[Call(SEND, {}, "injected")]),
    Outgoing("403, she blocked the bot: opted out", [{"text": "Chào bạn"}], errors=[{"status": 403}],
             outcome=Outcome.OPTED_OUT, calls=[Call(SEND, {"chat_id": CHAT}, "injected")]),
]


@pytest.mark.parametrize("row", row_ids(INCOMING))
async def test_incoming(row: Incoming, redis_client, redis_url, caplog):
    await check_incoming(TELEGRAM, row, redis_url, caplog)


@pytest.mark.parametrize("row", row_ids(OUTGOING))
async def test_outgoing(row: Outgoing, redis_client, redis_url, caplog):
    await check_outgoing(TELEGRAM, row, redis_url, caplog)


# --- the connector's settings ---------------------------------------------------------------------


def test_a_webhook_secret_telegram_would_refuse_stops_start_up():
    with pytest.raises(SettingsError, match="A-Z, a-z, 0-9, _ and -"):
        TelegramInput(TOKEN, "has spaces and é", Settings())
    with pytest.raises(SettingsError, match="webhook_secret"):
        TelegramInput.from_credentials({"bot_token": TOKEN, "webhook_secret": ""})


# --- the sender's own errors ----------------------------------------------------------------------


@pytest.fixture
async def fake():
    async with FakeProviders(FAKE) as providers:
        yield providers


def item() -> OutboxItem:
    return OutboxItem("telegram", str(CHAT), "conv-1", "Bạn làm nghề gì?")


async def send_once(token: str, api_url: str) -> SendError:
    sender = TelegramSender(token, Settings(telegram_api_base_url=api_url))
    await sender.start()  # an unreachable API or a wrong token logs, and does not stop start-up
    try:
        with pytest.raises(SendError) as failed:
            await sender.send(item())
        return failed.value
    finally:
        await sender.close()


async def test_flood_control_waits_as_long_as_telegram_says(fake):
    fake.fail("telegram", 429, telegram_error_body(429, retry_after=7))
    failed = await send_once(TOKEN, fake.url)
    assert failed.retryable and not failed.opted_out and failed.retry_after == 7


async def test_an_unreachable_api_is_retryable():
    assert (await send_once(TOKEN, "http://127.0.0.1:9")).retryable


async def test_a_wrong_token_is_permanent_and_never_shown(fake, caplog):
    wrong = "987654321:WrongTokenWrongTokenWrongToken_0000"
    failed = await send_once(wrong, fake.url)
    assert not failed.retryable and wrong not in failed.reason
    assert wrong not in caplog.text


# --- python -m bot telegram set-webhook --------------------------------------------------------


def webhook_env(monkeypatch, fake_url: str, **overrides: str) -> None:
    values = {
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "HELPLINE_PUBLIC_URL": "https://helpline.example.org/", "TELEGRAM_API_BASE_URL": fake_url,
    }
    values.update(overrides)
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "ZALO_APP_ID", "ZALO_APP_SECRET",
                 "ZALO_OA_SECRET_KEY", "ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_set_webhook_registers_url_secret_and_updates(monkeypatch, capsys):
    with FakeProviders(FAKE) as fake:
        webhook_env(monkeypatch, fake.url)
        assert cli.main(["telegram", "set-webhook"]) == 0
        hook = fake.state()["telegram"]["webhook"]
    assert hook["url"] == "https://helpline.example.org/webhooks/telegram/webhook"
    assert hook["secret_token"] == SECRET
    assert hook["allowed_updates"] == ["message", "callback_query"]
    assert hook["drop_pending_updates"] is False
    out = capsys.readouterr()
    assert "https://helpline.example.org/webhooks/telegram/webhook" in out.out
    assert TOKEN not in out.out + out.err and SECRET not in out.out + out.err


@pytest.mark.parametrize("secret", ["has space", "a" * 257, "dấu", "ends-with-newline\n"])
def test_set_webhook_explains_a_secret_telegram_would_refuse(monkeypatch, capsys, secret):
    with FakeProviders(FAKE) as fake:
        webhook_env(monkeypatch, fake.url, TELEGRAM_WEBHOOK_SECRET=secret)
        assert cli.main(["telegram", "set-webhook"]) == 2
        assert fake.state()["telegram"]["webhook"] == {}
    err = capsys.readouterr().err
    assert "TELEGRAM_WEBHOOK_SECRET must be 1 to 256 characters" in err and "token_urlsafe" in err


def test_set_webhook_with_a_rejected_token_does_not_print_it(monkeypatch, capsys):
    wrong = "987654321:WrongTokenWrongTokenWrongToken_0000"
    with FakeProviders(FAKE) as fake:
        webhook_env(monkeypatch, fake.url, TELEGRAM_BOT_TOKEN=wrong)
        assert cli.main(["telegram", "set-webhook"]) == 2
    out = capsys.readouterr()
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in out.err
    assert wrong not in out.out + out.err


async def test_set_webhook_needs_an_https_public_url(fake):
    settings = Settings(
        telegram_bot_token=TOKEN, telegram_webhook_secret=SECRET, public_url="http://helpline.example.org",
        telegram_api_base_url=fake.url,
    )
    with pytest.raises(SettingsError, match="https"):
        await set_webhook(settings)


# --- the webhook under fuzzing ----------------------------------------------------------------


class AcceptingPipeline:
    def __init__(self) -> None:
        self.accepted: List[Inbound] = []

    async def accept(self, inbound: Inbound) -> bool:
        self.accepted.append(inbound)
        return True


def secret_request(body: bytes) -> Any:
    headers = Header({"content-type": "application/json", SECRET_HEADER: SECRET})
    return SimpleNamespace(headers=headers, body=body, ctx=SimpleNamespace())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)


@st.composite
def update_like(draw: Any) -> bytes:
    """Real updates with one field dropped or replaced by any JSON value."""
    update = copy.deepcopy(draw(st.sampled_from([
        text_update("xin chào"), callback_update("c0"), photo_update(), text_update("hi", chat=GROUP_CHAT), edited_update(),
    ])))
    paths = [["update_id"]]
    for top, value in update.items():
        if isinstance(value, dict):
            paths.append([top])
            for key, inner in value.items():
                paths.append([top, key])
                if isinstance(inner, dict):
                    paths.extend([top, key, k] for k in inner)
    path = draw(st.sampled_from(paths))
    node = update
    for key in path[:-1]:
        node = node[key]
    if draw(st.booleans()):
        node.pop(path[-1], None)
    else:
        node[path[-1]] = draw(json_values)
    return encode(update)


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=2000), json_values.map(lambda v: json.dumps(v).encode()), update_like()))
def test_no_body_crashes_the_webhook_or_gets_a_5xx(raw: bytes):
    connector = TelegramInput(TOKEN, SECRET, Settings())
    connector.pipeline = AcceptingPipeline()  # type: ignore[assignment]

    async def both() -> None:
        try:
            inbounds = await connector.read_webhook(secret_request(raw), raw)
        except InputRejected as rejected:
            assert 400 <= rejected.status < 500
        else:
            for inbound in inbounds:
                assert inbound.address and isinstance(inbound.address, str)
                assert isinstance(inbound.text, str) and inbound.message_id.lstrip("-").isdigit()
        answer = await connector.receive(secret_request(raw))
        assert answer.status == 200 or 400 <= answer.status < 500

    asyncio.run(both())
