"""The Telegram connector: authenticated webhooks, PTB's Update parsing, replies through the Bot
API (a fake on loopback), and the whole path through a real Sanic server and Redis."""
from __future__ import annotations

import asyncio
import copy
import json
import socket
import uuid
from types import SimpleNamespace
from typing import Any, Dict, List, Optional

import aiohttp
import pytest
import redis.asyncio as aioredis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sanic import Sanic
from sanic.compat import Header

import bot.__main__ as cli
from bot.replies.catalogue import render
from bot.runtime.settings import Settings, SettingsError
from channels.core import MAX_BODY_BYTES, InputRejected
from channels.fakes import FakeConfig, FakeProviders, telegram_error_body
from channels.inbox import Inbound
from channels.optout import OptOuts
from channels.outbox import OutboxItem, SendError
from channels.pipeline import Context
from channels.segments import TELEGRAM_MAX_UTF16_UNITS, utf16_units
from channels.telegram import (
    TelegramAdapter,
    TelegramInput,
    TelegramSender,
    set_webhook,
)
from tests.channel_server import StubBot

TOKEN = FakeConfig().telegram_token
SECRET = "test-secret_0123456789abcdefABCDEF"
CHAT = 123456789
PATH = "/webhooks/telegram/webhook"


def make_settings(**overrides: Any) -> Settings:
    values: Dict[str, Any] = dict(
        worker_name="telegram-test", claim_idle_seconds=1, rate_limit_messages=50, outbox_max_attempts=3,
    )
    values.update(overrides)
    return Settings(**values)


# --- real update shapes (Bot API docs) ---------------------------------------------------------

USER = {"id": CHAT, "is_bot": False, "first_name": "Lan", "last_name": "Nguyễn", "language_code": "vi"}
PRIVATE_CHAT = {"id": CHAT, "first_name": "Lan", "last_name": "Nguyễn", "type": "private"}
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Helpline", "username": "helpline_bot"}


def text_update(text: str, update_id: int = 745200001, chat: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 52, "from": USER, "chat": chat or PRIVATE_CHAT, "date": 1718000000, "text": text,
            **({"entities": [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]} if text.startswith("/") else {}),
        },
    }


def callback_update(data: str, update_id: int = 745200002, query_id: str = "4382bfdwdsb323b2d9") -> Dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": query_id,
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


def edited_update(update_id: int = 745200003) -> Dict[str, Any]:
    return {
        "update_id": update_id,
        "edited_message": {
            "message_id": 52, "from": USER, "chat": PRIVATE_CHAT, "date": 1718000000, "edit_date": 1718000030,
            "text": "xin chào, em cần giúp",
        },
    }


def photo_update(update_id: int = 745200004) -> Dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 54, "from": USER, "chat": PRIVATE_CHAT, "date": 1718000040,
            "photo": [
                {"file_id": "AgACAgUAAxkBAAIB", "file_unique_id": "AQADr7gxG", "file_size": 1283, "width": 90, "height": 67},
                {"file_id": "AgACAgUAAxkBAAIC", "file_unique_id": "AQADr7gxH", "file_size": 52331, "width": 800, "height": 600},
            ],
            "caption": "hộ chiếu của em",
        },
    }


def sticker_update(update_id: int = 745200005) -> Dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 55, "from": USER, "chat": PRIVATE_CHAT, "date": 1718000050,
            "sticker": {
                "file_id": "CAACAgIAAxkBAAIBZ", "file_unique_id": "AgADRQADr", "type": "regular",
                "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "😢",
            },
        },
    }


GROUP_CHAT = {"id": -1001234567890, "title": "Lao động Đài Loan", "type": "supergroup"}


def group_update(update_id: int = 745200006) -> Dict[str, Any]:
    update = text_update("có ai biết luật không", update_id, GROUP_CHAT)
    return update


def channel_post_update(update_id: int = 745200007) -> Dict[str, Any]:
    return {
        "update_id": update_id,
        "channel_post": {
            "message_id": 9, "sender_chat": {"id": -1009876543210, "title": "Tin tức", "type": "channel"},
            "chat": {"id": -1009876543210, "title": "Tin tức", "type": "channel"}, "date": 1718000060, "text": "tin mới",
        },
    }


def encode(update: Any) -> bytes:
    return json.dumps(update, ensure_ascii=False).encode("utf-8")


# --- read_webhook and receive without a server -------------------------------------------------


def fake_request(body: bytes = b"", secret: Optional[str] = SECRET, content_type: str = "application/json") -> Any:
    headers = {"content-type": content_type}
    if secret is not None:
        headers["x-telegram-bot-api-secret-token"] = secret
    return SimpleNamespace(headers=Header(headers), body=body, ctx=SimpleNamespace())


class AcceptingPipeline:
    def __init__(self) -> None:
        self.accepted: List[Inbound] = []

    async def accept(self, inbound: Inbound) -> bool:
        self.accepted.append(inbound)
        return True


@pytest.fixture
def connector() -> TelegramInput:
    return TelegramInput(TOKEN, SECRET, make_settings())


async def read(connector: TelegramInput, update: Any, **kwargs: Any) -> List[Inbound]:
    body = update if isinstance(update, bytes) else encode(update)
    return await connector.read_webhook(fake_request(body, **kwargs), body)


async def test_a_private_text_message_is_read_with_the_chat_as_address(connector):
    [inbound] = await read(connector, text_update("cho\u0300 em hỏi"))
    assert inbound.channel == "telegram"
    assert inbound.address == str(CHAT)
    assert inbound.message_id == "745200001"  # update_id: the dedupe id
    assert inbound.text == "chò em hỏi"  # NFC
    assert inbound.choice is None


async def test_start_is_a_greeting_and_other_commands_stay_text(connector):
    assert [i.text for i in await read(connector, text_update("/start"))] == ["xin chào"]
    assert [i.text for i in await read(connector, text_update("/start ref-abc"))] == ["xin chào"]
    assert [i.text for i in await read(connector, text_update("/restart"))] == ["/restart"]
    assert [i.text for i in await read(connector, text_update('/inform{"job":"x"}'))] == ['/inform{"job":"x"}']


async def test_a_button_press_is_the_index_of_the_choice(connector):
    request = fake_request(encode(callback_update("c1")))
    [inbound] = await connector.read_webhook(request, request.body)
    assert (inbound.choice, inbound.text, inbound.address, inbound.message_id) == (1, "", str(CHAT), "745200002")
    assert request.ctx.callback_query_id == "4382bfdwdsb323b2d9"  # answered after recording


@pytest.mark.parametrize("data", ['/inform{"x": 1}', "c1\n", "c", "c1234", "1", "c-1"])
async def test_a_button_press_with_unknown_data_is_ignored_but_still_answered(connector, data):
    request = fake_request(encode(callback_update(data)))
    assert await connector.read_webhook(request, request.body) == []
    assert request.ctx.callback_query_id == "4382bfdwdsb323b2d9"


@pytest.mark.parametrize("update", [photo_update(), sticker_update()], ids=["photo", "sticker"])
async def test_a_message_without_text_is_read_with_empty_text(connector, update):
    [inbound] = await read(connector, update)
    assert inbound.text == "" and inbound.choice is None and inbound.address == str(CHAT)


@pytest.mark.parametrize(
    "update",
    [edited_update(), group_update(), text_update("hi", chat={"id": -4001, "title": "g", "type": "group"}),
     channel_post_update(), {"update_id": 745200009}],
    ids=["edited", "supergroup", "group", "channel-post", "unknown"],
)
async def test_edits_groups_channels_and_other_updates_are_ignored(connector, update, caplog):
    caplog.set_level("INFO", logger="channels.telegram")
    assert await read(connector, update) == []
    assert "Ignored a Telegram" in caplog.text
    assert str(CHAT) not in caplog.text and "1234567890" not in caplog.text


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET[:-1], "tést"])
async def test_a_missing_or_forged_secret_is_403_before_anything_is_parsed(connector, secret):
    for body in (encode(text_update("hi")), b"{broken", b"\xff\xfe"):
        with pytest.raises(InputRejected) as rejected:
            await connector.read_webhook(fake_request(body, secret=secret), body)
        assert rejected.value.status == 403


@pytest.mark.parametrize(
    "body, status",
    [
        (b"{not json", 400),
        (b'{"update_id": 1, "message": {"text": "\xff\xfe"}}', 400),
        (b"\xff\xfe\x00garbage", 400),
        (b"", 400),
        (b"[1, 2]", 400),
        (b'"update"', 400),
        (b"[" * 20000 + b"]" * 20000, 400),
        (encode({"message": text_update("hi")["message"]}), 400),  # no update_id
        (encode({"update_id": "745200001"}), 400),
        (encode({"update_id": True}), 400),
        (encode({"update_id": 2 ** 70}), 400),
        (encode({"update_id": 1, "message": {"message_id": 1, "chat": PRIVATE_CHAT}}), 400),  # no date
        (encode({"update_id": 1, "message": {"message_id": 1, "date": 1718000000}}), 400),  # no chat
        (encode({"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": "1", "type": "private"}}}), 400),
        (encode({"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": PRIVATE_CHAT, "text": 42}}), 400),
        (encode({"update_id": 1, "message": "hi"}), 400),
        (encode({"update_id": 1, "callback_query": {"id": "q"}}), 400),
        (encode({"update_id": 1, "message": {"message_id": 1, "date": 10 ** 20, "chat": PRIVATE_CHAT}}), 400),
        (b" " * (MAX_BODY_BYTES + 1), 413),
        (b"{" + b" " * (1024 * 1024) + b"}", 413),  # 1 MB
    ],
)
async def test_bad_bodies_get_a_client_error(connector, body, status):
    connector.pipeline = AcceptingPipeline()  # type: ignore[assignment]
    answer = await connector.receive(fake_request(body))
    assert answer.status == status
    assert connector.pipeline.accepted == []


async def test_a_webhook_that_is_not_json_is_refused(connector):
    body = encode(text_update("hi"))
    answer = await connector.receive(fake_request(body, content_type="application/x-www-form-urlencoded"))
    assert answer.status == 415


def test_a_webhook_secret_telegram_would_refuse_stops_start_up():
    with pytest.raises(SettingsError, match="A-Z, a-z, 0-9, _ and -"):
        TelegramInput(TOKEN, "has spaces and é", make_settings())
    with pytest.raises(SettingsError, match="webhook_secret"):
        TelegramInput.from_credentials({"bot_token": TOKEN, "webhook_secret": ""})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)


def _mutated(base: Dict[str, Any], draw_value: Any, path: List[str], drop: bool) -> Dict[str, Any]:
    update = copy.deepcopy(base)
    node = update
    for key in path[:-1]:
        node = node[key]
    if drop:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = draw_value
    return update


@st.composite
def update_like(draw: Any) -> bytes:
    """Real updates with one field dropped or replaced by any JSON value."""
    base = draw(st.sampled_from([text_update("xin chào"), callback_update("c0"), photo_update(), group_update(), edited_update()]))
    paths = [["update_id"]]
    for top, value in base.items():
        if isinstance(value, dict):
            paths.append([top])
            for key, inner in value.items():
                paths.append([top, key])
                if isinstance(inner, dict):
                    paths.extend([top, key, k] for k in inner)
    update = _mutated(base, draw(json_values), draw(st.sampled_from(paths)), draw(st.booleans()))
    return encode(update)


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=2000), json_values.map(lambda v: json.dumps(v).encode()), update_like()))
def test_no_body_crashes_the_webhook_or_gets_a_5xx(raw):
    connector = TelegramInput(TOKEN, SECRET, make_settings())
    connector.pipeline = AcceptingPipeline()  # type: ignore[assignment]

    async def both():
        try:
            inbounds = await connector.read_webhook(fake_request(raw), raw)
        except InputRejected as rejected:
            assert 400 <= rejected.status < 500
        else:
            for inbound in inbounds:
                assert inbound.address and isinstance(inbound.address, str)
                assert isinstance(inbound.text, str) and inbound.message_id.lstrip("-").isdigit()
        answer = await connector.receive(fake_request(raw))
        assert answer.status == 200 or 400 <= answer.status < 500

    asyncio.run(both())


# --- the adapter -----------------------------------------------------------------------------


def test_long_replies_are_split_at_words_into_telegram_sized_parts():
    adapter = TelegramAdapter(TOKEN, make_settings())
    words = ["Người", "lao", "động", "cần", "gọi", "đường", "dây", "nóng", "😢"] * 1000
    text = " ".join(words)
    parts = adapter.parts(text, gsm7=True)  # gsm7 is ignored: diacritics are kept
    assert len(parts) > 1
    assert all(utf16_units(part) <= TELEGRAM_MAX_UTF16_UNITS for part in parts)
    assert " ".join(parts).split() == words
    assert adapter.parts("ngắn", gsm7=False) == ["ngắn"]


@pytest.fixture
async def redis(redis_client, redis_url):  # redis_client flushes the test database
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.close()


async def test_keywords_not_text_and_unblocking(redis):
    adapter = TelegramAdapter(TOKEN, make_settings())
    optouts = OptOuts(redis, "telegram")
    context = Context(optouts, "vi")
    assert await adapter.keyword(Inbound("telegram", "5", "1", ""), context) == [render("not_text", "vi")]
    assert await adapter.keyword(Inbound("telegram", "5", "2", "", choice=0), context) is None
    assert await adapter.keyword(Inbound("telegram", "5", "3", "/restart"), context) is None
    await optouts.add("5")  # a send got 403: she had blocked the bot
    assert await adapter.keyword(Inbound("telegram", "5", "4", "xin chào"), context) is None
    assert not await optouts.contains("5")  # she wrote again, so she unblocked it


# --- the sender against the fake Bot API -------------------------------------------------------


@pytest.fixture
async def fake():
    async with FakeProviders(FakeConfig()) as providers:
        yield providers


@pytest.fixture
async def sender(fake):
    sender = TelegramSender(TOKEN, make_settings(telegram_api_base_url=fake.url))
    await sender.start()
    yield sender
    await sender.close()


def item(text: str = "Bạn làm nghề gì?", buttons: Optional[List[Dict[str, str]]] = None, address: str = str(CHAT)) -> OutboxItem:
    return OutboxItem("telegram", address, "conv-1", text, buttons or [])


async def test_a_reply_with_buttons_is_an_inline_keyboard_of_choice_indexes(fake, sender):
    buttons = [
        {"title": "Giúp việc nhà", "payload": '/inform{"job": "giúp việc nhà, chăm sóc người già và trẻ em"}'},
        {"title": "Nhà máy", "payload": "nha may"},
    ]
    await sender.send(item(buttons=buttons))
    [sent] = fake.sent("telegram")
    assert (sent["to"], sent["text"]) == (str(CHAT), "Bạn làm nghề gì?")
    rows = sent["extra"]["reply_markup"]["inline_keyboard"]
    assert rows == [[{"text": "Giúp việc nhà", "callback_data": "c0"}], [{"text": "Nhà máy", "callback_data": "c1"}]]


async def test_a_plain_reply_has_no_keyboard(fake, sender):
    await sender.send(item("xin chào"))
    [sent] = fake.sent("telegram")
    assert sent["text"] == "xin chào" and "reply_markup" not in sent["extra"]


async def test_every_part_of_a_long_reply_is_accepted(fake, sender):
    adapter = TelegramAdapter(TOKEN, make_settings())
    parts = adapter.parts(" ".join(["đường dây nóng 24/7 🆘"] * 900), gsm7=False)
    for part in parts:
        await sender.send(item(part))
    assert [sent["text"] for sent in fake.sent("telegram")] == parts


async def test_flood_control_is_retryable_after_telegrams_delay(fake, sender):
    fake.fail("telegram", 429, telegram_error_body(429, retry_after=7))
    with pytest.raises(SendError) as failed:
        await sender.send(item())
    assert failed.value.retryable and not failed.value.opted_out
    assert failed.value.retry_after == 7


async def test_a_blocked_bot_opts_the_chat_out(fake, sender):
    fake.fail("telegram", 403)  # "Forbidden: bot was blocked by the user"
    with pytest.raises(SendError) as failed:
        await sender.send(item())
    assert failed.value.opted_out and not failed.value.retryable


@pytest.mark.parametrize("status, retryable", [(400, False), (500, True), (502, True)])
async def test_bad_requests_are_permanent_and_outages_retryable(fake, sender, status, retryable):
    fake.fail("telegram", status)
    with pytest.raises(SendError) as failed:
        await sender.send(item())
    assert failed.value.retryable is retryable and not failed.value.opted_out
    assert TOKEN not in failed.value.reason


async def test_an_unreachable_api_is_retryable_and_does_not_stop_start_up():
    sender = TelegramSender(TOKEN, make_settings(telegram_api_base_url="http://127.0.0.1:9"))
    await sender.start()  # logs a warning, does not raise
    try:
        with pytest.raises(SendError) as failed:
            await sender.send(item())
        assert failed.value.retryable
    finally:
        await sender.close()


async def test_a_wrong_token_dead_letters_without_showing_the_token(fake, caplog):
    wrong = "987654321:WrongTokenWrongTokenWrongToken_0000"
    sender = TelegramSender(wrong, make_settings(telegram_api_base_url=fake.url))
    await sender.start()
    try:
        with pytest.raises(SendError) as failed:
            await sender.send(item())
        assert not failed.value.retryable and wrong not in failed.value.reason
    finally:
        await sender.close()
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
    with FakeProviders(FakeConfig()) as fake:
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
    with FakeProviders(FakeConfig()) as fake:
        webhook_env(monkeypatch, fake.url, TELEGRAM_WEBHOOK_SECRET=secret)
        assert cli.main(["telegram", "set-webhook"]) == 2
        assert fake.state()["telegram"]["webhook"] == {}
    err = capsys.readouterr().err
    assert "TELEGRAM_WEBHOOK_SECRET must be 1 to 256 characters" in err and "token_urlsafe" in err


def test_set_webhook_with_a_rejected_token_does_not_print_it(monkeypatch, capsys):
    wrong = "987654321:WrongTokenWrongTokenWrongToken_0000"
    with FakeProviders(FakeConfig()) as fake:
        webhook_env(monkeypatch, fake.url, TELEGRAM_BOT_TOKEN=wrong)
        assert cli.main(["telegram", "set-webhook"]) == 2
    out = capsys.readouterr()
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in out.err
    assert wrong not in out.out + out.err


async def test_set_webhook_needs_an_https_public_url(fake):
    settings = make_settings(
        telegram_bot_token=TOKEN, telegram_webhook_secret=SECRET, public_url="http://helpline.example.org",
        telegram_api_base_url=fake.url,
    )
    with pytest.raises(SettingsError, match="https"):
        await set_webhook(settings)


# --- the whole path: a real Sanic server, Redis, the fake Bot API --------------------------------


StubRasa = StubBot


async def eventually(condition, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


class Server:
    def __init__(self, url: str, rasa: StubRasa, fake: FakeProviders, http: aiohttp.ClientSession) -> None:
        self.url = url
        self.rasa = rasa
        self.fake = fake
        self.http = http

    async def post(self, body: Any, secret: Optional[str] = SECRET, content_type: str = "application/json") -> int:
        data = body if isinstance(body, bytes) else encode(body)
        headers = {"Content-Type": content_type}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        async with self.http.post(self.url + PATH, data=data, headers=headers) as answer:
            if answer.status == 200:
                assert await answer.json() == {"ok": True}
            return answer.status

    def replies(self) -> List[str]:
        return [sent["text"] for sent in self.fake.sent("telegram")]

    async def replied(self, text: str) -> None:
        await eventually(lambda: text in self.replies())


@pytest.fixture
async def server(redis, redis_url, fake, monkeypatch):
    # Sanic 21.12 rewrites its HTTP parser at each app's start ("touchup"); only in test mode
    # does it keep the original, so that a second app in this process can start.
    monkeypatch.setattr(Sanic, "test_mode", True)
    rasa = StubRasa()
    connector = TelegramInput(
        TOKEN, SECRET, make_settings(redis_url=redis_url, telegram_api_base_url=fake.url),
    )
    app = Sanic(f"telegram_test_{uuid.uuid4().hex}")
    app.config.ACCESS_LOG = False
    app.blueprint(connector.blueprint(rasa), url_prefix="/webhooks/telegram")
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))  # a free loopback port, held from the start
    port = listening.getsockname()[1]
    asyncio_server = await app.create_server(sock=listening, return_asyncio_server=True)
    await asyncio_server.startup()
    await asyncio_server.before_start()
    await asyncio_server.after_start()
    async with aiohttp.ClientSession() as http:
        yield Server(f"http://127.0.0.1:{port}", rasa, fake, http)
    await asyncio_server.before_stop()
    for connection in list(asyncio_server.connections):
        connection.close_if_idle()
    await asyncio_server.close()
    await asyncio_server.after_stop()


async def test_a_signed_update_is_answered_at_the_fake_provider(server):
    assert await server.post(text_update("xin chào", 900001)) == 200
    await server.replied("you said: xin chào")
    [sent] = server.fake.sent("telegram")
    assert sent["to"] == str(CHAT)
    [message] = server.rasa.seen
    assert message.input_channel == "telegram" and message.sender_id != str(CHAT)  # no chat id in Rasa


async def test_the_same_update_three_times_is_answered_once(server):
    for _ in range(3):
        assert await server.post(text_update("em bị giữ hộ chiếu", 900002)) == 200
    assert await server.post(text_update("sau đó", 900003)) == 200  # same chat: answered after
    await server.replied("you said: sau đó")
    assert server.replies() == ["you said: em bị giữ hộ chiếu", "you said: sau đó"]
    assert [m.text for m in server.rasa.seen] == ["em bị giữ hộ chiếu", "sau đó"]


async def test_restart_reaches_rasa_as_text_and_start_as_a_greeting(server):
    assert await server.post(text_update("/restart", 900004)) == 200
    assert await server.post(text_update("/start", 900005)) == 200
    await server.replied("you said: xin chào")
    assert [m.text for m in server.rasa.seen] == ["/restart", "xin chào"]


async def test_a_forged_secret_is_403_and_nothing_is_recorded(server, redis):
    assert await server.post(text_update("giả mạo", 900006), secret="forged") == 403
    assert await server.post(text_update("giả mạo", 900006), secret=None) == 403
    assert await redis.keys("helpline:seen:*") == []
    assert await redis.xlen("helpline:inbox:telegram") == 0
    assert await server.post(text_update("thật", 900007)) == 200
    await server.replied("you said: thật")
    assert [m.text for m in server.rasa.seen] == ["thật"]  # the forged one never reached Rasa


async def test_a_button_press_sends_the_choice_and_is_answered(server):
    assert await server.post(text_update("menu", 900008)) == 200
    await eventually(lambda: server.replies() == ["Bạn làm nghề gì?"])
    assert await server.post(callback_update("c1", 900009, query_id="q-900009")) == 200
    await server.replied("you said: nha may")
    assert [m.text for m in server.rasa.seen] == ["menu", "nha may"]

    def answered() -> bool:
        return any(
            r["endpoint"] == "answerCallbackQuery" and r["params"].get("callback_query_id") == "q-900009"
            and r["status"] == 200
            for r in server.fake.requests("telegram")
        )

    await eventually(answered)


async def test_a_photo_gets_the_not_text_reply_without_rasa(server):
    assert await server.post(photo_update(900010)) == 200
    await server.replied(render("not_text", "vi"))
    assert server.rasa.seen == []


async def test_groups_and_edits_are_acknowledged_and_ignored(server, redis):
    assert await server.post(group_update(900011)) == 200
    assert await server.post(edited_update(900012)) == 200
    assert await redis.xlen("helpline:inbox:telegram") == 0
    assert await server.post(text_update("còn em", 900013)) == 200
    await server.replied("you said: còn em")
    assert server.replies() == ["you said: còn em"]


async def test_bad_bodies_over_http_get_4xx(server, redis):
    assert await server.post(b"{not json") == 400
    assert await server.post(b"\xff\xfe\x00") == 400
    assert await server.post(encode({"update_id": 1, "message": {"message_id": 1}})) == 400
    assert await server.post(b"{" + b" " * (1024 * 1024) + b"}") == 413
    assert await server.post(encode(text_update("hi", 900014)), content_type="text/plain") == 415
    assert await redis.xlen("helpline:inbox:telegram") == 0
