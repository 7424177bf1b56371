"""The Zalo OA channel: signed webhooks (Zalo's documented mac), the CS message API against the fake
provider, single-use refresh tokens shared through Redis, and the whole path on a real server."""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
import uuid
from typing import Any, Dict, List, Optional

import aiohttp
import pytest
import redis.asyncio as aioredis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sanic import Sanic

from bot.replies.catalogue import render
from bot.runtime.settings import Settings, SettingsError
from channels.core import InputRejected
from channels.fakes import FakeConfig, FakeProviders
from channels.inbox import Inbound
from channels.outbox import DEAD_KEY, OutboxItem, SendError
from channels.zalo import (
    LOCK_KEY,
    TOKENS_KEY,
    ZaloAdapter,
    ZaloInput,
    ZaloSender,
    ZaloWebhook,
)
from tests.channel_server import StubBot
from tests.conftest import free_port

CONFIG = FakeConfig()
APP_ID = CONFIG.zalo_app_id
OA_SECRET_KEY = "test-oa-secret-key-not-the-app-secret"
USER_ID = "2468458835296197922"  # > 2**53: a float would make it ...7888
NOW_MS = 1_700_000_000_000


# --- signing, as Zalo documents it ------------------------------------------------------------


def documented_mac(app_id: str, data: str, timestamp: str, secret_key: str) -> str:
    """zalo-java-sdk MacUtils.buildMac: SHA-256 of appId + data + timeStamp + secretKey, hex;
    the header carries it as "mac=<hex>"."""
    return "mac=" + hashlib.sha256((app_id + data + timestamp + secret_key).encode("utf-8")).hexdigest()


def text_event(text: str = "xin chào", msg_id: Optional[str] = None, user_id: str = USER_ID,
               timestamp: Optional[str] = None, event_name: str = "user_send_text") -> Dict[str, Any]:
    """The documented payload of a user_send_text event."""
    return {
        "app_id": APP_ID,
        "user_id_by_app": "979122185046046317",
        "event_name": event_name,
        "timestamp": timestamp or str(int(time.time() * 1000)),
        "sender": {"id": user_id},
        "recipient": {"id": "579745863508352884"},
        "message": {"text": text, "msg_id": msg_id or uuid.uuid4().hex[:20]},
    }


def signed(event: Dict[str, Any], secret: str = OA_SECRET_KEY) -> tuple:
    # Zalo's own serialisation (spaces, unescaped UTF-8): the mac is over these exact bytes.
    data = json.dumps(event, ensure_ascii=False, indent=1)
    headers = {"X-ZEvent-Signature": documented_mac(APP_ID, data, str(event["timestamp"]), secret),
               "Content-Type": "application/json"}
    return data.encode("utf-8"), headers


def webhook(max_age: float = 24 * 3600) -> ZaloWebhook:
    return ZaloWebhook(APP_ID, OA_SECRET_KEY, max_age)


# --- the webhook parser -----------------------------------------------------------------------


def test_a_signed_text_event_becomes_one_inbound_message():
    event = text_event("Cho\u0300 em hỏi", msg_id="cb31dff1c39642cc1b83")
    body, headers = signed(event)
    [inbound] = webhook().read(body, headers)
    assert inbound.channel == "zalo"
    assert inbound.address == USER_ID
    assert inbound.message_id == "cb31dff1c39642cc1b83"
    assert inbound.text == "Chò em hỏi"  # NFC


def test_the_mac_is_over_the_exact_raw_body():
    event = text_event()
    body, headers = signed(event)
    reserialised = json.dumps(json.loads(body), separators=(",", ":")).encode()
    with pytest.raises(InputRejected) as rejected:
        webhook().read(reserialised, headers)
    assert rejected.value.status == 403


def test_the_timestamp_may_come_from_the_x_zevent_timestamp_header():
    event = text_event()
    data = json.dumps(event)
    header_timestamp = str(int(event["timestamp"]) + 7)
    headers = {"X-ZEvent-Signature": documented_mac(APP_ID, data, header_timestamp, OA_SECRET_KEY),
               "X-ZEvent-Timestamp": header_timestamp}
    [inbound] = webhook().read(data.encode(), headers)
    assert inbound.address == USER_ID


def test_big_numeric_ids_sent_as_json_numbers_stay_exact():
    timestamp = str(int(time.time() * 1000))
    data = (
        '{"app_id": %s, "event_name": "user_send_text", "timestamp": %s, '
        '"sender": {"id": 2468458835296197922}, "message": {"text": "hi", "msg_id": 9007199254740993123}}'
        % (APP_ID, timestamp)
    )
    headers = {"X-ZEvent-Signature": documented_mac(APP_ID, data, timestamp, OA_SECRET_KEY)}
    [inbound] = webhook().read(data.encode(), headers)
    assert inbound.address == "2468458835296197922"
    assert inbound.message_id == "9007199254740993123"


def test_an_id_sent_as_a_decimal_number_is_refused_not_rounded():
    timestamp = str(int(time.time() * 1000))
    data = ('{"event_name": "user_send_text", "timestamp": "%s", "sender": {"id": 2.468458835296197922e18}, '
            '"message": {"text": "hi", "msg_id": "m"}}' % timestamp)
    headers = {"X-ZEvent-Signature": documented_mac(APP_ID, data, timestamp, OA_SECRET_KEY)}
    with pytest.raises(InputRejected) as rejected:
        webhook().read(data.encode(), headers)
    assert rejected.value.status == 400


def forged_cases():
    event = text_event()
    body, headers = signed(event)
    yield "missing", body, {}
    yield "empty", body, {"X-ZEvent-Signature": ""}
    yield "wrong secret", body, signed(event, secret="someone-elses-key")[1]
    yield "app secret instead of OA secret", body, signed(event, secret=CONFIG.zalo_app_secret)[1]
    tampered = body.replace(USER_ID.encode(), b"1111111111111111111")
    yield "tampered body", tampered, headers
    other_app = dict(event, app_id="9999999999999999999")
    other_body = json.dumps(other_app).encode()
    # correctly signed with the other app's id, and with ours: neither is our app's event
    yield "other app", other_body, {"X-ZEvent-Signature": documented_mac("9999999999999999999", other_body.decode(), event["timestamp"], OA_SECRET_KEY)}
    yield "other app, our mac", other_body, {"X-ZEvent-Signature": documented_mac(APP_ID, other_body.decode(), event["timestamp"], OA_SECRET_KEY)}
    yield "hmac instead of sha256", body, {"X-ZEvent-Signature": "mac=" + hashlib.sha256(body).hexdigest()}
    yield "non-ascii header", body, {"X-ZEvent-Signature": "mac=ờ" * 10}


@pytest.mark.parametrize("case, body, headers", list(forged_cases()), ids=[c[0] for c in forged_cases()])
def test_a_missing_or_forged_signature_is_refused_with_403(case, body, headers):
    with pytest.raises(InputRejected) as rejected:
        webhook().read(body, headers)
    assert rejected.value.status == 403


def signed_raw(data: bytes, timestamp: str = str(NOW_MS)) -> Dict[str, str]:
    digest = hashlib.sha256(APP_ID.encode() + data + timestamp.encode() + OA_SECRET_KEY.encode()).hexdigest()
    return {"X-ZEvent-Signature": f"mac={digest}", "X-ZEvent-Timestamp": timestamp}


def without(event: Dict[str, Any], *path: str) -> Dict[str, Any]:
    event = json.loads(json.dumps(event))
    holder = event
    for key in path[:-1]:
        holder = holder[key]
    del holder[path[-1]]
    return event


@pytest.mark.parametrize(
    "data",
    [
        b'{"event_name": "user_send_text", "timestamp": "1',  # broken JSON
        b"\xff\xfe\x00{garbage",  # not UTF-8
        b"[1, 2, 3]",  # not an object
        b"NaN",
        b"[" * 60_000,  # nesting deeper than the parser's recursion
        b'{"timestamp": "1", "n": ' + b"9" * 5000 + b"}",  # longer than int() takes
        json.dumps(without(text_event(timestamp=str(NOW_MS)), "event_name")).encode(),
        json.dumps(without(text_event(timestamp=str(NOW_MS)), "sender")).encode(),
        json.dumps(without(text_event(timestamp=str(NOW_MS)), "sender", "id")).encode(),
        json.dumps(without(text_event(timestamp=str(NOW_MS)), "message", "msg_id")).encode(),
        json.dumps(without(text_event(timestamp=str(NOW_MS)), "message", "text")).encode(),
        json.dumps(text_event("   ", timestamp=str(NOW_MS))).encode(),
        json.dumps(dict(text_event(timestamp=str(NOW_MS)), sender={"id": True})).encode(),
        json.dumps(dict(text_event(timestamp=str(NOW_MS)), message={"text": 42, "msg_id": "m"})).encode(),
    ],
)
def test_bad_bodies_that_are_signed_get_a_client_error(data):
    with pytest.raises(InputRejected) as rejected:
        webhook().read(data, signed_raw(data), now=NOW_MS / 1000)
    assert 400 <= rejected.value.status < 500 and rejected.value.status != 403
    assert rejected.value.reason


def test_a_signed_timestamp_that_is_not_milliseconds_is_a_client_error():
    data = json.dumps(text_event(timestamp="yesterday")).encode()
    with pytest.raises(InputRejected) as rejected:
        webhook().read(data, signed_raw(data, "yesterday"), now=NOW_MS / 1000)
    assert rejected.value.status == 400


def test_the_slash_commands_stay_text():
    [inbound] = webhook().read(*signed(text_event("/restart")))
    assert inbound.text == "/restart"


@pytest.mark.parametrize("name", ["user_send_image", "user_send_sticker", "user_send_audio", "user_send_location"])
def test_other_things_she_sends_come_in_with_empty_text(name):
    event = text_event(event_name=name)
    event["message"] = {"msg_id": "media-1", "attachments": [{"type": "image", "payload": {"url": "https://x"}}]}
    [inbound] = webhook().read(*signed(event))
    assert inbound.text == "" and inbound.message_id == "media-1" and inbound.address == USER_ID


@pytest.mark.parametrize("name", ["follow", "unfollow", "user_received_message", "user_seen_message", "anonymous_send_text", "oa_send_text"])
def test_other_events_are_acknowledged_and_ignored(name, caplog):
    event = {"app_id": APP_ID, "event_name": name, "timestamp": str(int(time.time() * 1000)),
             "follower": {"id": USER_ID}, "sender": {"id": "579745863508352884"}, "recipient": {"id": USER_ID},
             "message": {"msg_id": "r1", "text": "private words"}}
    with caplog.at_level(logging.INFO, logger="channels.zalo"):
        assert webhook().read(*signed(event)) == []
    assert name in caplog.text
    assert USER_ID not in caplog.text and "private words" not in caplog.text


def test_an_event_older_than_the_window_is_ignored_but_zalo_retries_are_not():
    now = NOW_MS / 1000
    retry = text_event(timestamp=str(NOW_MS - 12 * 3600 * 1000))  # Zalo retries for up to ~12 h
    assert len(webhook().read(*signed(retry), now=now)) == 1
    replay = text_event(timestamp=str(NOW_MS - 25 * 3600 * 1000))
    assert webhook().read(*signed(replay), now=now) == []
    assert len(webhook(max_age=0).read(*signed(replay), now=now)) == 1  # 0 turns the window off


def test_the_window_must_stay_inside_the_dedupe_time():
    with pytest.raises(SettingsError):
        ZaloInput(APP_ID, "s", OA_SECRET_KEY, "a", "r", Settings(), max_event_age_seconds=48 * 3600)


def test_from_credentials_needs_every_key(monkeypatch):
    from bot.runtime.settings import CHANNEL_VARIABLES

    for variables in CHANNEL_VARIABLES.values():
        for variable in variables:
            monkeypatch.delenv(variable, raising=False)
    credentials = {"app_id": APP_ID, "app_secret": "s", "oa_secret_key": OA_SECRET_KEY, "access_token": "a", "refresh_token": "r"}
    channel = ZaloInput.from_credentials(credentials)
    assert channel.name() == "zalo" and channel.webhook.app_id == APP_ID
    with pytest.raises(SettingsError, match="oa_secret_key"):
        ZaloInput.from_credentials(dict(credentials, oa_secret_key=" "))


# --- fuzzing the parser -----------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
ids = st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.just(USER_ID), json_values)
events = st.fixed_dictionaries({}, optional={
    "app_id": st.one_of(st.just(APP_ID), st.just(int(APP_ID)), json_values),
    "event_name": st.one_of(st.sampled_from(["user_send_text", "user_send_image", "follow", "user_send_"]), json_values),
    "timestamp": st.one_of(st.just(str(NOW_MS)), st.just(NOW_MS), st.text(max_size=16), json_values),
    "sender": st.one_of(st.fixed_dictionaries({}, optional={"id": ids}), json_values),
    "message": st.one_of(st.fixed_dictionaries({}, optional={"text": st.one_of(st.text(), json_values), "msg_id": ids}), json_values),
})
bodies = st.one_of(
    st.binary(max_size=1000),
    json_values.map(lambda value: json.dumps(value).encode()),
    events.map(lambda event: json.dumps(event, ensure_ascii=False).encode("utf-8")),
    events.map(lambda event: json.dumps(event).encode("utf-8")[:-3]),
)


def sign_somehow(data: bytes, how: str) -> Dict[str, str]:
    if how == "none":
        return {}
    if how == "garbage":
        return {"X-ZEvent-Signature": "mac=" + "0" * 64}
    timestamp = str(NOW_MS)
    if how == "body":
        try:
            value = json.loads(data).get("timestamp")
            timestamp = value if isinstance(value, str) else timestamp
        except Exception:
            pass
        digest = hashlib.sha256(APP_ID.encode() + data + timestamp.encode() + OA_SECRET_KEY.encode()).hexdigest()
        return {"X-ZEvent-Signature": f"mac={digest}"}
    return signed_raw(data, timestamp)


@hypothesis_settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies, st.sampled_from(["none", "garbage", "body", "header"]))
def test_no_webhook_body_crashes_the_parser(data, how):
    try:
        inbounds = webhook().read(data, sign_somehow(data, how), now=NOW_MS / 1000)
    except InputRejected as rejected:
        assert 400 <= rejected.status < 500
    else:
        for inbound in inbounds:
            assert isinstance(inbound.address, str) and inbound.address
            assert isinstance(inbound.message_id, str) and inbound.message_id
            assert isinstance(inbound.text, str)


# --- the adapter ------------------------------------------------------------------------------


def test_replies_over_2000_characters_are_split_at_word_boundaries():
    adapter = ZaloAdapter(APP_ID, "s", "a", "r", Settings())
    words = [f"từ{index}" for index in range(900)]
    text = " ".join(words)
    assert len(text) > 2 * 2000
    parts = adapter.parts(text, gsm7=True)
    assert len(parts) == 3
    assert all(len(part) <= 2000 for part in parts)
    assert " ".join(parts).split(" ") == words  # no word cut, none lost
    assert adapter.parts("ngắn thôi", gsm7=False) == ["ngắn thôi"]


async def test_a_message_that_is_not_text_gets_the_text_only_notice():
    adapter = ZaloAdapter(APP_ID, "s", "a", "r", Settings())
    from channels.pipeline import Context

    image = Inbound("zalo", USER_ID, "m1", "")
    assert await adapter.keyword(image, Context(None, "vi")) == [render("not_text", "vi")]
    assert await adapter.keyword(Inbound("zalo", USER_ID, "m2", "chào"), Context(None, "vi")) is None


# --- the sender against the fake Zalo ---------------------------------------------------------


@pytest.fixture
async def fake():
    async with FakeProviders(FakeConfig(), port=0) as providers:
        yield providers


@pytest.fixture
async def zalo_senders(redis_client, redis_url, fake):
    """Make senders as separate processes would have them: each its own Redis client and HTTP
    session, all sharing one Redis and seeded from the same credentials."""
    made: List[ZaloSender] = []
    clients: List[aioredis.Redis] = []

    async def make(access_token: str = CONFIG.zalo_access_token, refresh_token: str = CONFIG.zalo_refresh_token) -> ZaloSender:
        client = aioredis.Redis.from_url(redis_url, decode_responses=True)
        clients.append(client)
        sender = ZaloSender(APP_ID, CONFIG.zalo_app_secret, access_token, refresh_token, zalo_settings(redis_url, fake), client)
        await sender.start()
        made.append(sender)
        return sender

    yield make
    for sender in made:
        await sender.close()
    for client in clients:
        await client.close()


def zalo_settings(redis_url: str, fake: FakeProviders, **overrides: Any) -> Settings:
    values: Dict[str, Any] = dict(
        redis_url=redis_url, zalo_api_base_url=fake.url, zalo_oauth_base_url=fake.url,
        worker_name=f"zalo-test-{uuid.uuid4().hex[:6]}", claim_idle_seconds=1, outbox_max_attempts=3,
    )
    values.update(overrides)
    return Settings(**values)


def item(text: str = "Chào bạn, mình có thể giúp gì?", address: str = USER_ID) -> OutboxItem:
    return OutboxItem("zalo", address, "zalo-conversation", text)


def refresh_calls(fake: FakeProviders) -> List[Dict[str, Any]]:
    return [r for r in fake.requests("zalo") if r["endpoint"] == "access_token"]


async def test_a_reply_reaches_zalo(zalo_senders, fake):
    sender = await zalo_senders()
    await sender.send(item("Chào bạn"))
    [sent] = fake.sent("zalo")
    assert sent["to"] == USER_ID and sent["text"] == "Chào bạn"
    [request] = [r for r in fake.requests("zalo") if r["endpoint"] == "message/cs"]
    assert request["params"] == {"recipient": {"user_id": USER_ID}, "message": {"text": "Chào bạn"}}
    assert fake.zalo_refreshes == 0


async def test_an_invalid_token_is_refreshed_and_the_reply_resent(zalo_senders, fake, redis_client):
    sender = await zalo_senders()
    fake.expire_zalo_token()  # the next send gets -216
    await sender.send(item("sau khi làm mới"))
    assert [m["text"] for m in fake.sent("zalo")] == ["sau khi làm mới"]
    assert fake.zalo_refreshes == 1
    access, refresh = fake.zalo_tokens
    stored = redis_client.hgetall(TOKENS_KEY)
    assert (stored["access_token"], stored["refresh_token"]) == (access, refresh)
    assert float(stored["expires_at"]) > time.time() + 24 * 3600  # expires_in "90000"
    [call] = refresh_calls(fake)
    assert call["params"] == {"app_id": APP_ID, "grant_type": "refresh_token"}


async def test_an_expired_token_error_220_is_refreshed_too(zalo_senders, fake):
    sender = await zalo_senders()
    fake.fail("zalo", code=-220)
    await sender.send(item())
    assert len(fake.sent("zalo")) == 1 and fake.zalo_refreshes == 1


async def test_two_processes_refreshing_at_once_use_the_single_use_token_once(zalo_senders, fake, redis_client):
    first, second = await zalo_senders(), await zalo_senders()
    stale = redis_client.hget(TOKENS_KEY, "access_token")
    fake.expire_zalo_token()
    # Both saw the same stale token and race to refresh it.
    a, b = await asyncio.gather(first.tokens.refresh(stale), second.tokens.refresh(stale))
    assert a.access_token == b.access_token == fake.zalo_tokens[0]
    assert fake.zalo_refreshes == 1
    assert len(refresh_calls(fake)) == 1
    # And two sends racing on an expired token.
    fake.expire_zalo_token()
    await asyncio.gather(first.send(item("một")), second.send(item("hai")))
    assert sorted(m["text"] for m in fake.sent("zalo")) == ["hai", "một"]
    assert fake.zalo_refreshes == 2
    assert all(call["outcome"] == "ok" for call in refresh_calls(fake))  # no burnt refresh token
    assert redis_client.hget(TOKENS_KEY, "refresh_token") == fake.zalo_tokens[1]


async def test_a_refresh_another_process_holds_is_waited_for_and_its_lock_left_alone(zalo_senders, fake, redis_client):
    sender = await zalo_senders()
    stale = redis_client.hget(TOKENS_KEY, "access_token")
    redis_client.set(LOCK_KEY, "another-process", px=60_000)
    waiting = asyncio.create_task(sender.tokens.refresh(stale))
    await asyncio.sleep(0)
    redis_client.hset(TOKENS_KEY, mapping={"access_token": "theirs", "refresh_token": "their-refresh"})
    tokens = await asyncio.wait_for(waiting, 30)
    assert tokens.access_token == "theirs"
    assert fake.zalo_refreshes == 0 and refresh_calls(fake) == []
    assert redis_client.get(LOCK_KEY) == "another-process"


async def test_tokens_close_to_expiry_are_refreshed_before_sending(zalo_senders, fake, redis_client):
    sender = await zalo_senders()
    redis_client.hset(TOKENS_KEY, "expires_at", repr(time.time() + 600))
    await sender.send(item())
    assert fake.zalo_refreshes == 1 and len(fake.sent("zalo")) == 1
    assert redis_client.hget(TOKENS_KEY, "access_token") == fake.zalo_tokens[0]


async def test_newer_tokens_in_redis_are_never_overwritten_by_the_credentials(zalo_senders, fake, redis_client):
    first = await zalo_senders()
    fake.expire_zalo_token()
    await first.send(item())
    newer = redis_client.hgetall(TOKENS_KEY)
    # A process started later from the same (now stale) credentials.
    later = await zalo_senders(CONFIG.zalo_access_token, CONFIG.zalo_refresh_token)
    assert redis_client.hgetall(TOKENS_KEY) == newer
    await later.send(item("vẫn gửi được"))
    assert fake.zalo_refreshes == 1 and fake.sent("zalo")[-1]["text"] == "vẫn gửi được"


async def test_a_failed_refresh_is_loud_retryable_and_leaks_no_token(zalo_senders, fake, caplog, redis_client):
    sender = await zalo_senders()
    fake.expire_zalo_token()
    fake.fail("zalo", code=-14014, method="access_token")
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(SendError) as failed:
            await sender.send(item("bí mật của cô ấy"))
    assert failed.value.retryable
    assert any(record.levelno >= logging.ERROR and "REFRESH FAILED" in record.getMessage() for record in caplog.records)
    for secret in (CONFIG.zalo_access_token, CONFIG.zalo_refresh_token, CONFIG.zalo_app_secret, USER_ID, "bí mật"):
        assert secret not in caplog.text
    # The refresh token was not spent: the next attempt refreshes and sends.
    await sender.send(item("lần sau"))
    assert [m["text"] for m in fake.sent("zalo")] == ["lần sau"]


async def test_no_token_or_user_id_or_text_is_logged_on_the_happy_path(zalo_senders, fake, caplog):
    with caplog.at_level(logging.DEBUG):
        sender = await zalo_senders()
        fake.expire_zalo_token()
        await sender.send(item("chuyện riêng"))
    access, refresh = fake.zalo_tokens
    for secret in (CONFIG.zalo_access_token, CONFIG.zalo_refresh_token, access, refresh, CONFIG.zalo_app_secret, USER_ID, "chuyện riêng"):
        assert secret not in caplog.text


@pytest.mark.parametrize("code, words", [(-230, "7 days"), (-232, "7 days"), (-213, "follow"), (-201, "-201")])
async def test_permanent_zalo_errors_are_not_retried(zalo_senders, fake, code, words):
    sender = await zalo_senders()
    fake.fail("zalo", code=code)
    with pytest.raises(SendError) as failed:
        await sender.send(item())
    assert not failed.value.retryable and not failed.value.opted_out
    assert words in failed.value.reason
    assert fake.sent("zalo") == [] and fake.zalo_refreshes == 0


@pytest.mark.parametrize("status, code", [(200, -32), (502, None), (503, None)])
async def test_rate_limits_and_outages_are_retried(zalo_senders, fake, status, code):
    sender = await zalo_senders()
    fake.fail("zalo", status=status, code=code)
    with pytest.raises(SendError) as failed:
        await sender.send(item())
    assert failed.value.retryable
    await sender.send(item("lần hai"))
    assert [m["text"] for m in fake.sent("zalo")] == ["lần hai"]


async def test_an_unreachable_zalo_is_retryable(redis_client, redis_url, fake):
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    sender = ZaloSender(APP_ID, CONFIG.zalo_app_secret, CONFIG.zalo_access_token, CONFIG.zalo_refresh_token,
                        zalo_settings(redis_url, fake, zalo_api_base_url=f"http://127.0.0.1:{free_port()}"), client)
    await sender.start()
    try:
        with pytest.raises(SendError) as failed:
            await sender.send(item())
        assert failed.value.retryable
    finally:
        await sender.close()
        await client.close()


async def test_every_part_of_a_long_reply_is_accepted_by_zalo(zalo_senders, fake):
    sender = await zalo_senders()
    text = ("Bạn có quyền giữ hộ chiếu của mình. " * 150).strip()
    parts = ZaloAdapter(APP_ID, "s", "a", "r", Settings()).parts(text, gsm7=False)
    assert len(parts) == 3
    for part in parts:
        await sender.send(item(part))
    sent = [m["text"] for m in fake.sent("zalo")]
    assert sent == parts and " ".join(sent) == text


# --- the whole path on a real server ----------------------------------------------------------


StubRasa = StubBot


@contextlib.asynccontextmanager
async def zalo_server(redis_url: str, fake: FakeProviders, rasa: StubRasa):
    channel = ZaloInput(APP_ID, CONFIG.zalo_app_secret, OA_SECRET_KEY, CONFIG.zalo_access_token,
                        CONFIG.zalo_refresh_token, zalo_settings(redis_url, fake))
    # Sanic 21.12 rewrites its HTTP methods once per process unless in test mode (sanic-testing's
    # setting), so a second app in the same process needs it.
    Sanic.test_mode = True
    app = Sanic(f"zalo_test_{uuid.uuid4().hex}")
    app.blueprint(channel.blueprint(rasa), url_prefix="/webhooks/zalo")  # as rasa's channel.register
    port = free_port()
    server = await app.create_server("127.0.0.1", port, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        async with aiohttp.ClientSession() as client:
            yield f"http://127.0.0.1:{port}/webhooks/zalo/webhook", client
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()


async def eventually(condition, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def post(client: aiohttp.ClientSession, url: str, body: bytes, headers: Dict[str, str]) -> int:
    async with client.post(url, data=body, headers=headers) as answer:
        await answer.read()
        return answer.status


async def test_on_a_real_server_a_signed_message_is_answered_once_and_forgeries_are_refused(redis_client, redis_url, fake):
    rasa = StubRasa()
    replies = lambda: [m["text"] for m in fake.sent("zalo")]  # noqa: E731
    async with zalo_server(redis_url, fake, rasa) as (url, client):
        # A signed message: the reply reaches the fake Zalo, addressed to her exact id.
        body, headers = signed(text_event("xin chào", msg_id="first"))
        assert await post(client, url, body, headers) == 200
        await eventually(lambda: replies() == ["you said: xin chào"])
        assert fake.sent("zalo")[0]["to"] == USER_ID
        assert rasa.seen[0].input_channel == "zalo" and USER_ID not in rasa.seen[0].sender_id

        # The same msg_id three times (Zalo retrying): one reply. The next message is the
        # barrier: one sender's messages are answered in order.
        body, headers = signed(text_event("lặp lại", msg_id="again"))
        assert [await post(client, url, body, headers) for _ in range(3)] == [200, 200, 200]
        body, headers = signed(text_event("/restart", msg_id="restart"))
        assert await post(client, url, body, headers) == 200
        await eventually(lambda: len(replies()) == 3)
        assert replies() == ["you said: xin chào", "you said: lặp lại", "you said: /restart"]
        assert [m.text for m in rasa.seen] == ["xin chào", "lặp lại", "/restart"]  # as text, not an intent

        # Forged and missing signatures: 403, nothing recorded, nothing answered.
        forged_event = text_event("giả mạo", msg_id="forged")
        forged_body, _ = signed(forged_event)
        _, wrong = signed(forged_event, secret="not-the-oa-key")
        assert await post(client, url, forged_body, wrong) == 403
        assert await post(client, url, forged_body, {"Content-Type": "application/json"}) == 403
        assert not redis_client.exists("helpline:seen:zalo:forged")

        # Bad bodies: 4xx, never 5xx.
        big = b'{"x": "' + b"a" * (1024 * 1024) + b'"}'
        assert await post(client, url, big, signed_raw(big)) == 413
        now_ms = str(int(time.time() * 1000))
        no_sender = json.dumps(without(text_event(timestamp=now_ms), "sender")).encode()
        for bad in (b"{broken", b"\xff\xfe\xfa", b"[]", no_sender):
            assert await post(client, url, bad, signed_raw(bad, now_ms)) == 400

        # Events that are not messages: 200 and ignored. A sticker gets the text-only notice.
        follow = {"app_id": APP_ID, "event_name": "follow", "timestamp": str(int(time.time() * 1000)),
                  "follower": {"id": USER_ID}, "oa_id": "579745863508352884"}
        assert await post(client, url, *signed(follow)) == 200
        sticker = text_event(event_name="user_send_sticker", msg_id="sticker")
        sticker["message"] = {"msg_id": "sticker", "attachments": [{"type": "sticker"}]}
        assert await post(client, url, *signed(sticker)) == 200
        await eventually(lambda: len(replies()) == 4)
        assert replies()[-1] == render("not_text", "vi")
        assert len(rasa.seen) == 3  # neither the forgeries nor the sticker reached Rasa


async def test_on_a_real_server_a_reply_outside_the_7_day_window_is_dead_lettered(redis_client, redis_url, fake):
    rasa = StubRasa()
    fake.fail("zalo", code=-230)
    async with zalo_server(redis_url, fake, rasa) as (url, client):
        assert await post(client, url, *signed(text_event("muộn rồi", msg_id="late"))) == 200
        await eventually(lambda: redis_client.llen(DEAD_KEY) == 1)
        [record] = [json.loads(raw) for raw in redis_client.lrange(DEAD_KEY, 0, -1)]
        assert "7 days" in record["reason"]
        assert json.loads(record["item"])["address"] == USER_ID
        assert fake.sent("zalo") == []
