"""Zalo OA: its rows for the channel harness (events signed with Zalo's documented mac, replies
at the fake CS message API), the single-use refresh tokens shared through Redis, the event
window, and the webhook parser under fuzzing."""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import uuid
from typing import Any, Dict, List, Optional

import pytest
import redis.asyncio as aioredis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.replies.catalogue import render
from bot.runtime.settings import Settings, SettingsError
from channels.core import InputRejected
from channels.fakes import FakeProviders
from channels.outbox import OutboxItem, SendError
from channels.zalo import LOCK_KEY, TOKENS_KEY, ZaloInput, ZaloSender, ZaloWebhook
from tests.channel_harness import (
    FAKE,
    JOBS,
    check_incoming,
    check_outgoing,
)
from tests.channel_rows import (
    Call,
    Containing,
    Incoming,
    Outcome,
    Outgoing,
    Provider,
    Signature,
    Turn,
    Webhook,
    row_ids,
)
from tests.support.serving import free_port

APP_ID = FAKE.zalo_app_id
OA_SECRET_KEY = "test-oa-secret-key-not-the-app-secret"
USER_ID = "2468458835296197922"  # > 2**53: a float would make it ...7888
NOW_MS = 1_700_000_000_000
SEND = "/v3.0/oa/message/cs"
REFRESH = "/v4/oa/access_token"
HOUR_MS = 3600 * 1000


# --- events and their mac, as Zalo documents them -----------------------------------------------


def documented_mac(data: bytes, timestamp: str, secret_key: str = OA_SECRET_KEY, app_id: str = APP_ID) -> str:
    """zalo-java-sdk MacUtils.buildMac: SHA-256 of appId + data + timeStamp + secretKey, in hex;
    the header carries it as "mac=<hex>"."""
    return "mac=" + hashlib.sha256(app_id.encode() + data + timestamp.encode() + secret_key.encode()).hexdigest()


def now_ms() -> str:
    return str(int(time.time() * 1000))


def text_event(text: str = "xin chào", msg_id: Optional[str] = None, user_id: str = USER_ID,
               timestamp: Optional[str] = None, event_name: str = "user_send_text") -> Dict[str, Any]:
    """The documented payload of a user_send_text event."""
    return {
        "app_id": APP_ID,
        "user_id_by_app": "979122185046046317",
        "event_name": event_name,
        "timestamp": timestamp or now_ms(),
        "sender": {"id": user_id},
        "recipient": {"id": "579745863508352884"},
        "message": {"text": text, "msg_id": msg_id or uuid.uuid4().hex[:20]},
    }


def media_event(name: str) -> Dict[str, Any]:
    return dict(text_event(event_name=name), message={"msg_id": "media-1", "attachments": [{"type": "image", "payload": {"url": "https://x"}}]})


def other_event(name: str) -> Dict[str, Any]:
    return {"app_id": APP_ID, "event_name": name, "timestamp": now_ms(), "follower": {"id": USER_ID},
            "sender": {"id": "579745863508352884"}, "recipient": {"id": USER_ID},
            "message": {"msg_id": "r1", "text": "private words"}}


def encode(event: Dict[str, Any]) -> bytes:
    # Zalo's own serialisation (spaces, unescaped UTF-8): the mac is over these exact bytes.
    return json.dumps(event, ensure_ascii=False, indent=1).encode("utf-8")


def body_timestamp(body: bytes) -> Optional[str]:
    try:
        value = json.loads(body).get("timestamp")
    except (ValueError, AttributeError, RecursionError):
        return None
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) else None


def sign(path: str, body: bytes, how: Signature) -> Dict[str, str]:
    """Signed with the body's timestamp; a body without one gets an X-ZEvent-Timestamp header."""
    if how is Signature.UNSIGNED:
        return {}
    key = OA_SECRET_KEY if how is Signature.VALID else "someone-elses-key"
    timestamp = body_timestamp(body)
    headers = {} if timestamp is not None else {"X-ZEvent-Timestamp": now_ms()}
    headers["X-ZEvent-Signature"] = documented_mac(body, timestamp or headers["X-ZEvent-Timestamp"], key)
    return headers


def mac_header(event_or_body: Any, timestamp: str, **mac: str) -> Dict[str, str]:
    body = event_or_body if isinstance(event_or_body, bytes) else encode(event_or_body)
    return {"X-ZEvent-Signature": documented_mac(body, timestamp, **mac)}


ZALO = Provider(
    name="zalo",
    address=USER_ID,
    connector=lambda settings: ZaloInput(APP_ID, FAKE.zalo_app_secret, OA_SECRET_KEY, FAKE.zalo_access_token,
                                         FAKE.zalo_refresh_token, settings),
    encode=encode,
    content_type="application/json",
    sign=sign,
    message=lambda text, number: text_event(text, msg_id=f"msg{number}"),
    acknowledgement='{"ok":true}',
    secrets=(FAKE.zalo_access_token, FAKE.zalo_refresh_token, FAKE.zalo_app_secret),
)


def without(event: Dict[str, Any], *path: str) -> Dict[str, Any]:
    event = json.loads(json.dumps(event))
    holder = event
    for key in path[:-1]:
        holder = holder[key]
    del holder[path[-1]]
    return event


def forgeries():
    event = text_event()
    stamp = event["timestamp"]
    other_app = encode(dict(event, app_id="9999999999999999999"))
    yield "missing", event, {}
    yield "empty", event, {"X-ZEvent-Signature": ""}
    yield "with another key", event, mac_header(event, stamp, secret_key="someone-elses-key")
    yield "with the app secret instead of the OA secret key", event, mac_header(event, stamp, secret_key=FAKE.zalo_app_secret)
    yield "for a body changed after", encode(event).replace(USER_ID.encode(), b"1111111111111111111"), mac_header(event, stamp)
    yield "for another app, with its id", other_app, mac_header(other_app, stamp, app_id="9999999999999999999")
    yield "for another app, with ours", other_app, mac_header(other_app, stamp)
    yield "as a bare SHA-256 of the body", event, {"X-ZEvent-Signature": "mac=" + hashlib.sha256(encode(event)).hexdigest()}
    yield "with characters that are not ASCII", event, {"X-ZEvent-Signature": "mac=" + "ờ" * 10}
    compact = json.dumps(event, separators=(",", ":")).encode()
    yield "over another serialisation of the same event", compact, mac_header(event, stamp)


def big_ids() -> bytes:
    return (f'{{"app_id": {APP_ID}, "event_name": "user_send_text", "timestamp": {now_ms()}, '
            '"sender": {"id": 2468458835296197922}, "message": {"text": "hi", "msg_id": 9007199254740993123}}').encode()


def header_timestamp() -> Webhook:
    event = text_event("giờ trong tiêu đề")
    later = str(int(event["timestamp"]) + 7)
    return Webhook(event, Signature.UNSIGNED, {**mac_header(event, later), "X-ZEvent-Timestamp": later})


NOT_TEXT = render("not_text", "vi")

INCOMING = [
    Incoming("a signed text message reaches the bot, in NFC, its msg_id the dedupe id",
             Webhook(text_event("Cho\u0300 em hỏi", msg_id="cb31dff1c39642cc1b83")),
             bot=Turn("Chò em hỏi", message_id="zalo:cb31dff1c39642cc1b83"), reply="you said: Chò em hỏi"),
    Incoming("the mac may use the X-ZEvent-Timestamp header", header_timestamp(),
             bot=Turn("giờ trong tiêu đề"), reply="you said: giờ trong tiêu đề"),
    Incoming("ids sent as JSON numbers longer than 2^53 stay exact", Webhook(big_ids()),
             bot=Turn("hi", message_id="zalo:9007199254740993123"), reply="you said: hi"),
    Incoming("/restart stays text", Webhook(text_event("/restart")), bot=Turn("/restart"), reply="you said: /restart"),
    *(Incoming(f"{name} gets the text-only notice", Webhook(media_event(name)), reply=NOT_TEXT)
      for name in ("user_send_image", "user_send_sticker", "user_send_audio", "user_send_location")),
    *(Incoming(f"the {name} event is acknowledged and ignored", Webhook(other_event(name)), recorded=False,
               logged=name, unlogged=("private words",))
      for name in ("follow", "unfollow", "user_received_message", "user_seen_message", "anonymous_send_text", "oa_send_text")),
    Incoming("an event Zalo retries 12 hours later is still taken",
             Webhook(text_event("muộn", timestamp=str(int(now_ms()) - 12 * HOUR_MS))), bot=Turn("muộn"), reply="you said: muộn"),
    Incoming("an event older than the 24-hour window is acknowledged and ignored",
             Webhook(text_event("phát lại", timestamp=str(int(now_ms()) - 25 * HOUR_MS))), recorded=False),

    *(Incoming(f"a mac {how}", Webhook(body, Signature.UNSIGNED, headers), status=403) for how, body, headers in forgeries()),

    Incoming("an id sent as a decimal number is refused, not rounded",
             Webhook(b'{"event_name": "user_send_text", "timestamp": "%s", "sender": {"id": 2.468458835296197922e18}, '
                     b'"message": {"text": "hi", "msg_id": "m"}}' % now_ms().encode()), status=400),
    Incoming("a signed timestamp that is not milliseconds", Webhook(text_event(timestamp="yesterday")), status=400),
    *(Incoming(f"a signed bad body: {what}", Webhook(body), status=400) for what, body in [
        ("broken JSON", b'{"event_name": "user_send_text", "timestamp": "1'),
        ("bytes that are not UTF-8", b"\xff\xfe\x00{garbage"),
        ("a list", b"[1, 2, 3]"),
        ("NaN", b"NaN"),
        ("nested deeper than the parser goes", b"[" * 60_000),
        ("a number longer than int() takes", b'{"timestamp": "1", "n": ' + b"9" * 5000 + b"}"),
        ("no event_name", encode(without(text_event(), "event_name"))),
        ("no sender", encode(without(text_event(), "sender"))),
        ("no sender id", encode(without(text_event(), "sender", "id"))),
        ("no msg_id", encode(without(text_event(), "message", "msg_id"))),
        ("a text event without text", encode(without(text_event(), "message", "text"))),
        ("only blanks", encode(text_event("   "))),
        ("a sender id that is a boolean", encode(dict(text_event(), sender={"id": True}))),
        ("a text that is a number", encode(dict(text_event(), message={"text": 42, "msg_id": "m"}))),
    ]),
    Incoming("a body of 1 MB", Webhook(b'{"x": "' + b"a" * (1024 * 1024) + b'"}'), status=413),
]


def zalo_send(text: Any) -> Call:
    return Call(SEND, {"recipient": {"user_id": USER_ID}, "message": {"text": text}})


GREETING = [{"text": "Chào bạn"}]
PASSPORT = ("Bạn có quyền giữ hộ chiếu của mình. " * 150).strip()
REFRESHED = Call(REFRESH, {"app_id": APP_ID, "grant_type": "refresh_token"}, "ok")
INJECTED = Call(SEND, {}, "injected")

OUTGOING = [
    Outgoing("a reply reaches her exact user id", GREETING, calls=[zalo_send("Chào bạn")]),
    Outgoing("buttons become numbered lines", [{"text": "Bạn làm nghề gì?", "buttons": JOBS}],
             calls=[zalo_send("Bạn làm nghề gì?\n1. Giúp việc nhà\n2. Nhà máy")]),
    Outgoing("a reply over 2000 characters is split at words, nothing lost", [{"text": PASSPORT}],
             calls=[zalo_send(lambda text: len(text) <= 2000)] * 3, texts=lambda texts: " ".join(texts) == PASSPORT),
    *(Outgoing(f"an access token refused with {code} is refreshed and the reply sent again", GREETING,
               errors=[{"code": code}], calls=[INJECTED, REFRESHED, zalo_send("Chào bạn")])
      for code in (-216, -220)),
    *(Outgoing(f"error {code} is dead-lettered: {why}", GREETING, errors=[{"code": code}], outcome=Outcome.DEAD_LETTER,
               reason=Containing(words), calls=[INJECTED])
      for code, words, why in [
          (-230, "7 days", "she has not written in 7 days"),
          (-232, "7 days", "she never wrote, or too long ago"),
          # Zalo's nearest to an opt-out: no opt-out is kept, and each later reply is tried again.
          (-213, "does not follow", "she unfollowed the OA"),
          (-201, "-201", "a bad request"),
      ]),
    Outgoing("Zalo's rate limit (-32) is retried", GREETING, errors=[{"code": -32}], calls=[INJECTED, zalo_send("Chào bạn")]),
    *(Outgoing(f"a Zalo outage (HTTP {status}) is retried", GREETING, errors=[{"status": status}],
               calls=[INJECTED, zalo_send("Chào bạn")])
      for status in (502, 503)),
]


@pytest.mark.parametrize("row", row_ids(INCOMING))
async def test_incoming(row: Incoming, redis_client, redis_url, caplog):
    await check_incoming(ZALO, row, redis_url, caplog)


@pytest.mark.parametrize("row", row_ids(OUTGOING))
async def test_outgoing(row: Outgoing, redis_client, redis_url, caplog):
    await check_outgoing(ZALO, row, redis_url, caplog)


# --- the event window and the connector's settings ----------------------------------------------


def test_the_event_window_can_be_turned_off():
    replay = encode(text_event(timestamp=str(NOW_MS - 25 * HOUR_MS)))
    assert ZaloWebhook(APP_ID, OA_SECRET_KEY).read(replay, sign("", replay, Signature.VALID), now=NOW_MS / 1000) == []
    assert len(ZaloWebhook(APP_ID, OA_SECRET_KEY, 0).read(replay, sign("", replay, Signature.VALID), now=NOW_MS / 1000)) == 1


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


# --- the tokens: single use, shared by every process ----------------------------------------------


@pytest.fixture
async def fake():
    async with FakeProviders(FAKE) as providers:
        yield providers


def zalo_settings(redis_url: str, api_url: str) -> Settings:
    return Settings(redis_url=redis_url, zalo_api_base_url=api_url, zalo_oauth_base_url=api_url)


@pytest.fixture
async def zalo_senders(redis_client, redis_url, fake):
    """Make senders as separate processes would have them: each its own Redis client and HTTP
    session, all sharing one Redis and seeded from the same credentials."""
    made: List[ZaloSender] = []
    clients: List[aioredis.Redis] = []

    async def make(api_url: Optional[str] = None) -> ZaloSender:
        client = aioredis.Redis.from_url(redis_url, decode_responses=True)
        clients.append(client)
        sender = ZaloSender(APP_ID, FAKE.zalo_app_secret, FAKE.zalo_access_token, FAKE.zalo_refresh_token,
                            zalo_settings(redis_url, api_url or fake.url), client)
        await sender.start()
        made.append(sender)
        return sender

    yield make
    for sender in made:
        await sender.close()
    for client in clients:
        await client.close()


def item(text: str = "Chào bạn, mình có thể giúp gì?") -> OutboxItem:
    return OutboxItem("zalo", USER_ID, "zalo-conversation", text)


def refresh_calls(fake: FakeProviders) -> List[Dict[str, Any]]:
    return [r for r in fake.requests("zalo") if r["endpoint"] == "access_token"]


async def test_refreshed_tokens_are_kept_in_redis_with_their_expiry(zalo_senders, fake, redis_client):
    sender = await zalo_senders()
    fake.expire_zalo_token()  # the next send gets -216
    await sender.send(item("sau khi làm mới"))
    assert [m["text"] for m in fake.sent("zalo")] == ["sau khi làm mới"] and fake.zalo_refreshes == 1
    stored = redis_client.hgetall(TOKENS_KEY)
    assert (stored["access_token"], stored["refresh_token"]) == fake.zalo_tokens
    assert float(stored["expires_at"]) > time.time() + 24 * 3600  # expires_in "90000"


async def test_two_processes_refreshing_at_once_use_the_single_use_token_once(zalo_senders, fake, redis_client):
    first, second = await zalo_senders(), await zalo_senders()
    stale = redis_client.hget(TOKENS_KEY, "access_token")
    fake.expire_zalo_token()
    # Both saw the same stale token and race to refresh it.
    a, b = await asyncio.gather(first.tokens.refresh(stale), second.tokens.refresh(stale))
    assert a.access_token == b.access_token == fake.zalo_tokens[0]
    assert fake.zalo_refreshes == 1 and len(refresh_calls(fake)) == 1
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
    await asyncio.sleep(0)  # it is waiting on the lock when the other process's tokens land
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
    later = await zalo_senders()  # a process started later from the same, now stale, credentials
    assert redis_client.hgetall(TOKENS_KEY) == newer
    await later.send(item("vẫn gửi được"))
    assert fake.zalo_refreshes == 1 and fake.sent("zalo")[-1]["text"] == "vẫn gửi được"


async def test_a_failed_refresh_is_loud_retryable_and_leaks_no_token(zalo_senders, fake, caplog):
    sender = await zalo_senders()
    fake.expire_zalo_token()
    fake.fail("zalo", code=-14014, method="access_token")
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(SendError) as failed:
            await sender.send(item("bí mật của cô ấy"))
    assert failed.value.retryable
    assert any(record.levelno >= logging.ERROR and "REFRESH FAILED" in record.getMessage() for record in caplog.records)
    for secret in (FAKE.zalo_access_token, FAKE.zalo_refresh_token, FAKE.zalo_app_secret, USER_ID, "bí mật"):
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
    for secret in (FAKE.zalo_access_token, FAKE.zalo_refresh_token, access, refresh, FAKE.zalo_app_secret, USER_ID, "chuyện riêng"):
        assert secret not in caplog.text


async def test_an_unreachable_zalo_is_retryable(zalo_senders):
    sender = await zalo_senders(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(SendError) as failed:
        await sender.send(item())
    assert failed.value.retryable


# --- the webhook parser under fuzzing -------------------------------------------------------------

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
signings = st.one_of(
    st.sampled_from([Signature.VALID, Signature.FORGED, Signature.UNSIGNED]).map(lambda how: lambda body: sign("", body, how)),
    st.just(lambda body: {"X-ZEvent-Signature": "mac=" + "0" * 64}),
    st.just(lambda body: {**mac_header(body, str(NOW_MS)), "X-ZEvent-Timestamp": str(NOW_MS)}),
)


@hypothesis_settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies, signings)
def test_no_webhook_body_crashes_the_parser(data, signing):
    try:
        inbounds = ZaloWebhook(APP_ID, OA_SECRET_KEY).read(data, signing(data), now=NOW_MS / 1000)
    except InputRejected as rejected:
        assert 400 <= rejected.status < 500
    else:
        for inbound in inbounds:
            assert isinstance(inbound.address, str) and inbound.address
            assert isinstance(inbound.message_id, str) and inbound.message_id
            assert isinstance(inbound.text, str)
