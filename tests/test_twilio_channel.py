"""SMS over Twilio, end to end through a real server: requests signed with twilio's own
RequestValidator, replies arriving at a fake Twilio REST API on localhost."""
from __future__ import annotations

import asyncio
from typing import Dict, Optional
from urllib.parse import urlencode

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from twilio.request_validator import RequestValidator

from bot.runtime.settings import Settings
from channels.core import InputRejected
from channels.fakes import FakeConfig, FakeProviders
from channels.segments import count_segments
from channels.twilio import EMPTY_TWIML, TwilioInput, parse_form
from tests.channel_server import StubBot, eventually, serve

PUBLIC = "https://helpline.example.org"  # what Twilio calls; a proxy forwards to our port
FAKE = FakeConfig()
WORKER = "+84900000123"
HELPLINE = "+15005550006"


def connector(fake_url: str, redis_url: str, **overrides) -> TwilioInput:
    values = dict(
        redis_url=redis_url,
        public_url=PUBLIC, twilio_api_base_url=fake_url, worker_name="twilio-test", claim_idle_seconds=1,
        rate_limit_messages=50, sms_max_segments=4,
    )
    values.update(overrides)
    return TwilioInput(FAKE.twilio_account_sid, FAKE.twilio_auth_token, HELPLINE, Settings(**values))


def signed(form: Dict[str, str], path: str = "/webhooks/twilio/webhook", token: str = FAKE.twilio_auth_token):
    signature = RequestValidator(token).compute_signature(PUBLIC + path, form)
    return {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}


def sms(body: str, sid: str = "SM" + "a" * 32, sender: str = WORKER) -> Dict[str, str]:
    return {
        "MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": FAKE.twilio_account_sid,
        "From": sender, "To": HELPLINE, "Body": body, "NumMedia": "0", "NumSegments": "1",
        "SmsStatus": "received", "ApiVersion": "2010-04-01", "FromCountry": "TW",
    }


@pytest.fixture
async def fake():
    async with FakeProviders(FAKE, port=0) as providers:
        yield providers


@pytest.fixture
async def server(fake, redis_client, redis_url):  # redis_client: a clean test database
    bot = StubBot()
    twilio = connector(fake.url, redis_url)
    async with serve(twilio, bot) as base:
        yield base, bot, twilio


async def post(base: str, form: Dict[str, str], headers: Dict[str, str], path: str = "/webhooks/twilio/webhook",
               raw: Optional[bytes] = None):
    async with aiohttp.ClientSession() as session:
        async with session.post(base + path, data=raw if raw is not None else urlencode(form), headers=headers) as response:
            return response.status, await response.text(), response.headers.get("Content-Type", "")


async def test_a_signed_sms_is_acknowledged_with_empty_twiml_and_answered_by_rest(server, fake):
    base, bot, _ = server
    status, text, content_type = await post(base, sms("chu giu ho chieu cua em"), signed(sms("chu giu ho chieu cua em")))
    assert (status, text) == (200, EMPTY_TWIML) and content_type.startswith("text/xml")
    [reply] = await eventually(lambda: fake.sent("twilio"))
    assert reply["to"] == WORKER and reply["text"] == "you said: chu giu ho chieu cua em"
    assert bot.seen[0].input_channel == "twilio" and WORKER not in bot.seen[0].sender_id
    assert bot.seen[0].message_id == "twilio:SM" + "a" * 32


@pytest.mark.parametrize("headers", [
    {"Content-Type": "application/x-www-form-urlencoded"},  # no signature
    {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
])
async def test_a_forged_or_missing_signature_is_refused_and_nothing_is_processed(server, fake, headers, redis_client):
    base, bot, _ = server
    status, _, _ = await post(base, sms("xin chao"), headers)
    assert status == 403
    await asyncio.sleep(0.5)
    assert not bot.seen and not fake.sent()
    assert not redis_client.keys("helpline:seen:*")


async def test_a_signature_made_with_another_token_or_for_the_local_url_is_refused(server):
    base, bot, _ = server
    form = sms("xin chao")
    other_token = signed(form, token="not-the-auth-token")
    assert (await post(base, form, other_token))[0] == 403
    local = RequestValidator(FAKE.twilio_auth_token).compute_signature(base + "/webhooks/twilio/webhook", form)
    headers = {"X-Twilio-Signature": local, "Content-Type": "application/x-www-form-urlencoded"}
    assert (await post(base, form, headers))[0] == 403


async def test_the_same_message_sid_three_times_gets_one_reply(server, fake):
    base, bot, _ = server
    form = sms("xin chao", sid="SM" + "b" * 32)
    for _ in range(3):
        assert (await post(base, form, signed(form)))[0] == 200
    await eventually(lambda: fake.sent("twilio"))
    await asyncio.sleep(1.0)
    assert len(fake.sent("twilio")) == 1 and len(bot.seen) == 1


async def test_slash_restart_reaches_the_bot_as_text(server, fake):
    base, bot, _ = server
    form = sms("/restart", sid="SM" + "c" * 32)
    await post(base, form, signed(form))
    await eventually(lambda: bot.seen)
    assert bot.seen[0].text == "/restart"  # the NLU normaliser blanks the "/" for every channel


@pytest.mark.parametrize("raw, content_type, status", [
    (b"x" * (1024 * 1024), "application/x-www-form-urlencoded", 413),
    (b"MessageSid=SM1&From", "application/x-www-form-urlencoded", 400),
    (b"\xff\xfe=\x00", "application/x-www-form-urlencoded", 400),
    (b'{"Body": "hi"}', "application/json", 415),
])
async def test_bad_bodies_get_a_client_error(server, raw, content_type, status):
    base, bot, _ = server
    headers = {"X-Twilio-Signature": "c2ln", "Content-Type": content_type}
    assert (await post(base, {}, headers, raw=raw))[0] == status


@pytest.mark.parametrize("missing", ["MessageSid", "From", "Body"])
async def test_signed_forms_missing_a_field_get_400(server, missing):
    base, bot, _ = server
    form = {k: v for k, v in sms("xin chao", sid="SM" + "d" * 32).items() if k != missing}
    assert (await post(base, form, signed(form)))[0] == 400


async def test_stop_opts_out_start_opts_in_and_help_gives_the_hotline(server, fake):
    base, bot, twilio = server
    for index, word in enumerate(["help", "STOP", "START"]):
        form = sms(word, sid=f"SM{index:032d}")
        assert (await post(base, form, signed(form)))[0] == 200
        if word == "STOP":
            await eventually(lambda: twilio.pipeline.optouts.contains(WORKER))
        if word == "help":
            [help_reply] = await eventually(lambda: fake.sent("twilio"))
            assert "+84 981 84 84 84" in help_reply["text"] and "STOP" in help_reply["text"]
    await asyncio.sleep(0.5)
    assert not bot.seen  # none of the three keywords reached Rasa
    assert not await twilio.pipeline.optouts.contains(WORKER)


async def test_nothing_is_sent_to_a_number_that_stopped(server, fake):
    base, bot, twilio = server
    form = sms("STOP", sid="SM" + "e" * 32)
    await post(base, form, signed(form))
    await eventually(lambda: twilio.pipeline.optouts.contains(WORKER))
    fake.fail("twilio", 400, code=21610, to=WORKER)
    conversation = await twilio.pipeline.identities.conversation_id("twilio", WORKER)
    assert await twilio.pipeline.send_to_conversation(conversation, "Cán bộ lãnh sự đây.")
    await asyncio.sleep(1.0)
    assert not fake.sent("twilio")


async def test_error_21610_on_send_marks_the_number_opted_out(server, fake):
    base, bot, twilio = server
    fake.fail("twilio", 400, code=21610, to=WORKER)
    form = sms("xin chao", sid="SM" + "f" * 32)
    await post(base, form, signed(form))
    await eventually(lambda: twilio.pipeline.optouts.contains(WORKER))
    assert not fake.sent("twilio")


async def test_a_throttled_send_is_retried_and_arrives_once(server, fake):
    base, bot, _ = server
    fake.fail("twilio", 429, code=20429, to=WORKER)
    form = sms("xin chao", sid="SM" + "9" * 32)
    await post(base, form, signed(form))
    [reply] = await eventually(lambda: fake.sent("twilio"))
    assert reply["text"] == "you said: xin chao"


async def test_delivery_status_callbacks_are_signed_and_recorded(server, redis_client):
    base, bot, twilio = server
    path = "/webhooks/twilio/status"
    form = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "undelivered", "ErrorCode": "21610", "To": WORKER,
            "From": HELPLINE, "AccountSid": FAKE.twilio_account_sid, "ApiVersion": "2010-04-01"}
    assert (await post(base, form, {"Content-Type": "application/x-www-form-urlencoded"}, path=path))[0] == 403
    assert (await post(base, form, signed(form, path=path), path=path))[0] == 204
    assert redis_client.hget("helpline:delivery:SM" + "1" * 32, "status") == "undelivered"
    assert await twilio.pipeline.optouts.contains(WORKER)


async def test_unaccented_vietnamese_gets_gsm7_replies_and_accented_gets_ucs2(fake, redis_client, redis_url):
    class Answer:
        def __init__(self):
            self.seen = []

        async def __call__(self, message):
            self.seen.append(message)
            await message.output_channel.send_text_message(
                message.sender_id,
                "Bạn đang gặp nguy hiểm. Mình ở đây với bạn. Gọi ngay cảnh sát Đài Loan: 110. "
                "Đường dây nóng bảo hộ công dân 24/7: +84 981 84 84 84",
            )

    bot = Answer()
    twilio = connector(fake.url, redis_url)
    async with serve(twilio, bot) as base:
        unaccented = sms("chu giu ho chieu cua em", sid="SM" + "2" * 32, sender="+84900000001")
        accented = sms("chủ giữ hộ chiếu của em", sid="SM" + "3" * 32, sender="+84900000002")
        for form in (unaccented, accented):
            await post(base, form, signed(form))
        replies = await eventually(lambda: len(fake.sent("twilio")) == 2 and fake.sent("twilio"))
    by_number = {reply["to"]: reply["text"] for reply in replies}
    plain, marked = count_segments(by_number["+84900000001"]), count_segments(by_number["+84900000002"])
    assert by_number["+84900000001"].startswith("Ban dang gap nguy hiem. Minh o day voi ban.")
    assert (plain.encoding, plain.segments) == ("GSM-7", 1)
    assert (marked.encoding, marked.segments) == ("UCS-2", 2)


async def test_a_reply_longer_than_the_cap_is_cut_at_a_word(fake, redis_client, redis_url):
    class Verbose:
        async def __call__(self, message):
            await message.output_channel.send_text_message(message.sender_id, "mot hai ba bon nam " * 100)

    twilio = connector(fake.url, redis_url, sms_max_segments=2)
    async with serve(twilio, Verbose()) as base:
        form = sms("xin chao", sid="SM" + "4" * 32)
        await post(base, form, signed(form))
        [reply] = await eventually(lambda: fake.sent("twilio"))
    assert count_segments(reply["text"]).segments == 2 and reply["text"].endswith("...")


async def test_a_forged_request_signed_for_another_path_is_refused(server):
    base, bot, _ = server
    form = sms("xin chao")
    assert (await post(base, form, signed(form, path="/webhooks/twilio/status")))[0] == 403


class FakeRequest:
    def __init__(self, content_type: str) -> None:
        self.headers = {"content-type": content_type}


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000), st.sampled_from(["application/x-www-form-urlencoded", "text/plain", ""]))
def test_no_body_crashes_the_form_parser(raw, content_type):
    try:
        form = parse_form(FakeRequest(content_type), raw)
    except InputRejected as rejected:
        assert 400 <= rejected.status < 500
    else:
        assert all(isinstance(value, str) for value in form.values())
