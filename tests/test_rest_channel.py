"""The REST channel: the parser (every bad body is a 4xx with a reason, never a crash) and the
route served for real (the bot's replies in the answer, a 503 when the bot fails). It answers in
the request itself, with no provider and no queue, so the webhook harness has nothing to add."""
import json
import uuid

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sanic import Sanic

from bot.runtime.settings import Settings
from channels.core import MAX_BODY_BYTES, MAX_TEXT_CHARS, InputRejected
from channels.rest import OFF, OPEN, TOKEN, RestInput, access, parse_rest_body
from tests.channel_harness import StubBot
from tests.support.serving import serve_app


def body(**fields) -> bytes:
    return json.dumps(fields).encode("utf-8")


def test_a_valid_message_is_normalised_to_nfc():
    parsed = parse_rest_body(body(sender="a", message="cho\u0300 em"))
    assert parsed == {"sender": "a", "message": "chò em", "metadata": None}


def test_the_slash_is_kept_as_written_for_the_transcript():
    assert parse_rest_body(body(sender="a", message="/restart"))["message"] == "/restart"


@pytest.mark.parametrize(
    "raw, status",
    [
        (b"{not json", 400),
        (b"\xff\xfe\x00garbage", 400),
        (b"[1, 2]", 400),
        (body(sender="a"), 400),
        (body(sender="a", message=""), 400),
        (body(sender="a", message="   "), 400),
        (body(sender="a", message=42), 400),
        (body(sender="", message="hi"), 400),
        (body(sender=["a"], message="hi"), 400),
        (body(sender="a" * 500, message="hi"), 400),
        (body(sender="a", message="hi", metadata="x"), 400),
        (body(sender="a", message="x" * (MAX_TEXT_CHARS + 1)), 413),
        (b" " * (MAX_BODY_BYTES + 1), 413),
    ],
    ids=lambda value: value.decode("utf-8", "replace")[:30] if isinstance(value, bytes) else str(value),
)
def test_bad_bodies_are_rejected_with_a_client_error(raw, status):
    with pytest.raises(InputRejected) as rejected:
        parse_rest_body(raw)
    assert rejected.value.status == status
    assert rejected.value.reason


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=2000), json_values.map(lambda v: json.dumps(v).encode())))
def test_no_body_crashes_the_parser(raw):
    try:
        parsed = parse_rest_body(raw)
    except InputRejected as rejected:
        assert 400 <= rejected.status < 500
    else:
        assert isinstance(parsed["message"], str) and parsed["message"]


@pytest.mark.parametrize("raw, status, answer", [
    (body(sender="lan", message="xin chào"), 200, [{"recipient_id": "lan", "text": "you said: xin chào"}]),
    (body(sender="lan", message="boom"), 503, {"error": "the helpline could not process this message"}),
    (b"{not json", 400, {"error": "the body must be JSON in UTF-8"}),
], ids=["answered", "the bot fails", "broken JSON"])
async def test_the_route_answers_with_the_bots_replies(raw, status, answer):
    bot = StubBot()
    app = Sanic(f"rest_channel_test_{uuid.uuid4().hex}")
    app.blueprint(RestInput().blueprint(bot), url_prefix="/webhooks/rest")
    async with serve_app(app) as base_url, aiohttp.ClientSession() as http:
        async with http.post(f"{base_url}/webhooks/rest/webhook", data=raw) as response:
            assert (response.status, await response.json()) == (status, answer)
    assert [message.text for message in bot.seen] == ([] if status == 400 else [json.loads(raw)["message"]])



# --- who may use it ------------------------------------------------------------------------------


async def post(settings: Settings, headers=None):
    Sanic.test_mode = True
    app = Sanic(f"rest_access_{uuid.uuid4().hex[:8]}")
    bot = StubBot()
    app.blueprint(RestInput(settings).blueprint(bot), url_prefix="/webhooks/rest")
    async with serve_app(app) as base, aiohttp.ClientSession() as session:
        async with session.post(f"{base}/webhooks/rest/webhook", data=body(sender="a", message="xin chao"),
                                headers=headers or {}) as answer:
            return answer.status, await answer.json(), bot


@pytest.mark.parametrize("host, token, mode", [
    ("127.0.0.1", None, OPEN), ("::1", None, OPEN), ("localhost", None, OPEN),
    ("0.0.0.0", None, OFF), ("10.0.0.5", None, OFF),
    ("0.0.0.0", "s3cret-token", TOKEN), ("127.0.0.1", "s3cret-token", TOKEN),
])
def test_access_follows_where_rasa_listens_and_the_token(host, token, mode):
    assert access(Settings(host=host, rest_token=token)) == mode


async def test_on_an_exposed_interface_without_a_token_nothing_reaches_the_bot():
    status, answer, bot = await post(Settings(host="0.0.0.0"))
    assert status == 403 and "REST_CHANNEL_TOKEN" in answer["error"] and bot.seen == []


@pytest.mark.parametrize("header", [None, "Bearer wrong", "s3cret-token", "Bearer s3cret-token "])
async def test_with_a_token_only_the_right_bearer_gets_through(header):
    status, _, bot = await post(Settings(host="0.0.0.0", rest_token="s3cret-token"), {"Authorization": header} if header else None)
    assert status == 401 and bot.seen == []


async def test_the_right_bearer_is_answered():
    status, answer, bot = await post(Settings(host="0.0.0.0", rest_token="s3cret-token"), {"Authorization": "Bearer s3cret-token"})
    assert status == 200 and answer == [{"recipient_id": "a", "text": "you said: xin chao"}] and len(bot.seen) == 1
