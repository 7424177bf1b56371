"""SMS over Twilio: its rows for the channel harness (webhooks signed with twilio's own
RequestValidator, replies at the fake Twilio REST API), the delivery status callback, and the
form parser under fuzzing."""
from __future__ import annotations

from typing import Dict, List, Optional
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from bot.replies.catalogue import render
from channels.core import InputRejected
from channels.segments import count_segments
from channels.twilio import EMPTY_TWIML, TwilioInput, parse_form
from tests.channel_harness import (
    FAKE,
    JOBS,
    PUBLIC_URL,
    channel,
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

WORKER = "+84900000123"
HELPLINE = "+15005550006"
WEBHOOK = "/webhooks/twilio/webhook"
STATUS = "/webhooks/twilio/status"
SEND = f"/2010-04-01/Accounts/{FAKE.twilio_account_sid}/Messages.json"
HOTLINE = "+84 981 84 84 84"


def sms(body: Optional[str] = "xin chao", sid: str = "SM" + "a" * 32, **fields: str) -> Dict[str, str]:
    """An incoming SMS as Twilio posts it; body None leaves Body out."""
    form = {
        "MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": FAKE.twilio_account_sid,
        "From": WORKER, "To": HELPLINE, "Body": body, "NumMedia": "0", "NumSegments": "1",
        "SmsStatus": "received", "ApiVersion": "2010-04-01", "FromCountry": "TW",
    }
    form.update(fields)
    return {name: value for name, value in form.items() if value is not None}


def without(form: Dict[str, str], name: str) -> Dict[str, str]:
    return {key: value for key, value in form.items() if key != name}


def signature(form: Dict[str, str], url: str, token: str = FAKE.twilio_auth_token) -> str:
    return RequestValidator(token).compute_signature(url, form)


def sign(path: str, body: bytes, how: Signature) -> Dict[str, str]:
    if how is Signature.UNSIGNED:
        return {}
    token = FAKE.twilio_auth_token if how is Signature.VALID else "not-the-auth-token"
    form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return {"X-Twilio-Signature": signature(form, PUBLIC_URL + path, token)}


def signed_as(form: Dict[str, str], url: str) -> Dict[str, str]:
    return {"X-Twilio-Signature": signature(form, url)}


TWILIO = Provider(
    name="twilio",
    address=WORKER,
    connector=lambda settings: TwilioInput(FAKE.twilio_account_sid, FAKE.twilio_auth_token, HELPLINE, settings),
    encode=lambda form: urlencode(form).encode("utf-8"),
    content_type="application/x-www-form-urlencoded",
    sign=sign,
    message=lambda text, number: sms(text, sid=f"SM{number:032d}"),
    acknowledgement=EMPTY_TWIML,
    acknowledgement_type="text/xml",
    secrets=(FAKE.twilio_auth_token,),
)


INCOMING = [
    Incoming("a signed SMS reaches the bot, and the reply goes out by the REST API",
             Webhook(sms("chu giu ho chieu cua em")),
             bot=Turn("chu giu ho chieu cua em", message_id="twilio:SM" + "a" * 32),
             reply="you said: chu giu ho chieu cua em"),
    Incoming("the text is NFC", Webhook(sms("cho\u0300 em")), bot=Turn("chò em"), reply="you said: chò em"),
    Incoming("/restart reaches the bot as text (Rasa's normaliser blanks the slash)",
             Webhook(sms("/restart")), bot=Turn("/restart"), reply="you said: /restart"),
    Incoming("a picture without text gets the text-only notice", Webhook(sms(None, NumMedia="1")),
             reply=render("not_text", "vi")),
    Incoming("HELP gets the hotline, not the bot", Webhook(sms("help")), reply=Containing(HOTLINE, "STOP")),
    Incoming("STOP opts her out, and nothing reaches her after", Webhook(sms("STOP")), opted_out=True),
    Incoming("any STOP word, in any case", Webhook(sms("unsubscribe")), opted_out=True),
    Incoming("Twilio's own OptOutType=STOP", Webhook(sms("Dừng lại", OptOutType="STOP")), opted_out=True),
    Incoming("START opts her back in, and is confirmed in her language", Webhook(sms("START")), opted_out_before=True,
             opted_out=False, reply=Containing("Da bat lai tin nhan", HOTLINE)),

    Incoming("no signature", Webhook(sms(), Signature.UNSIGNED), status=403),
    Incoming("a signature that is not one", Webhook(sms(), Signature.UNSIGNED, {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}),
             status=403),
    Incoming("signed with another auth token", Webhook(sms(), Signature.FORGED), status=403),
    Incoming("signed for the local URL, not the public one Twilio called",
             Webhook(sms(), Signature.UNSIGNED, signed_as(sms(), "http://127.0.0.1:5005" + WEBHOOK)), status=403),
    Incoming("signed for the status callback, not this path",
             Webhook(sms(), Signature.UNSIGNED, signed_as(sms(), PUBLIC_URL + STATUS)), status=403),
    Incoming("the text changed after signing",
             Webhook(sms("gui tien"), Signature.UNSIGNED, signed_as(sms("xin chao"), PUBLIC_URL + WEBHOOK)), status=403),

    Incoming("a body over 64 KB", Webhook(b"x" * (1024 * 1024)), status=413),
    Incoming("a form cut short", Webhook(b"MessageSid=SM1&From"), status=400),
    Incoming("bytes that are not UTF-8", Webhook(b"\xff\xfe=\x00"), status=400),
    Incoming("JSON instead of a form", Webhook(b'{"Body": "hi"}', content_type="application/json"), status=415),
    *(Incoming(f"a signed form without {name}", Webhook(without(sms(), name)), status=400)
      for name in ("MessageSid", "From", "Body")),
    # The same cleaning as every channel: bounded, no control characters, and a phone number for From.
    Incoming("a text of 60,000 characters", Webhook(sms("a" * 60_000)), status=413),
    Incoming("a text over 4,096 characters", Webhook(sms("cứu " * 1100)), status=413),
    Incoming("NUL and control characters are dropped from the text",
             Webhook(sms("cuu\x00 em\x07 voi")), bot=Turn("cuu em voi"), reply="you said: cuu em voi"),
    Incoming("a text of spaces and control characters only", Webhook(sms(" \x00\x01 ")), status=400),
    Incoming("a line break in From", Webhook(sms(From=WORKER + "\nX-Injected: 1")), status=400),
    Incoming("a From that is not a phone number", Webhook(sms(From="hello")), status=400),
    Incoming("a From without its +", Webhook(sms(From=WORKER.lstrip("+"))), status=400),
]


def sms_in(encoding: str, segments: int, starting: str = ""):
    def check(body: str) -> bool:
        counted = count_segments(body)
        return body.startswith(starting) and (counted.encoding, counted.segments) == (encoding, segments)
    return check


DANGER = ("Bạn đang gặp nguy hiểm. Mình ở đây với bạn. Gọi ngay cảnh sát Đài Loan: 110. "
          f"Đường dây nóng bảo hộ công dân 24/7: {HOTLINE}")
GREETING = [{"text": "Chào bạn"}]

OUTGOING = [
    Outgoing("a reply goes from the helpline's number, with the status callback", GREETING, said="xin chào",
             calls=[Call(SEND, {"To": WORKER, "From": HELPLINE, "Body": "Chào bạn", "StatusCallback": PUBLIC_URL + STATUS})]),
    Outgoing("she writes without diacritics: the reply is folded to GSM-7, one segment",
             [{"text": DANGER}], said="chu giu ho chieu cua em",
             calls=[Call(SEND, {"Body": sms_in("GSM-7", 1, "Ban dang gap nguy hiem. Minh o day voi ban.")})]),
    Outgoing("she writes with diacritics: the reply keeps them, in UCS-2", [{"text": DANGER}], said="chủ giữ hộ chiếu của em",
             calls=[Call(SEND, {"Body": DANGER})]),
    Outgoing("a reply longer than the cap is cut at a word", [{"text": "mot hai ba bon nam " * 100}],
             settings={"sms_max_segments": 2},
             calls=[Call(SEND, {"Body": lambda body: count_segments(body).segments == 2 and body.endswith("...")})]),
    Outgoing("buttons become numbered lines", [{"text": "Bạn làm nghề gì?", "buttons": JOBS}], said="xin chào",
             calls=[Call(SEND, {"Body": "Bạn làm nghề gì?\n1. Giúp việc nhà\n2. Nhà máy"})]),
    Outgoing("a throttled send is retried and arrives once", GREETING, said="xin chào", errors=[{"status": 429, "code": 20429}],
             calls=[Call(SEND, {"Body": "Chào bạn"}, "injected"), Call(SEND, {"Body": "Chào bạn"})]),
    Outgoing("a Twilio outage is retried", GREETING, said="xin chào", errors=[{"status": 503}],
             calls=[Call(SEND, {}, "injected"), Call(SEND, {"Body": "Chào bạn"})]),
    Outgoing("an invalid number is dead-lettered", GREETING, errors=[{"status": 400, "code": 21211}],
             outcome=Outcome.DEAD_LETTER, reason="Twilio 400 error 21211", calls=[Call(SEND, {}, "injected")]),
    Outgoing("error 21610 (she sent STOP to Twilio) opts her out", GREETING, errors=[{"status": 400, "code": 21610}],
             outcome=Outcome.OPTED_OUT, calls=[Call(SEND, {"To": WORKER}, "injected")]),
]


@pytest.mark.parametrize("row", row_ids(INCOMING))
async def test_incoming(row: Incoming, redis_client, redis_url, caplog):
    await check_incoming(TWILIO, row, redis_url, caplog)


@pytest.mark.parametrize("row", row_ids(OUTGOING))
async def test_outgoing(row: Outgoing, redis_client, redis_url, caplog):
    await check_outgoing(TWILIO, row, redis_url, caplog)


# --- what does not fit a row --------------------------------------------------------------------


async def test_delivery_status_callbacks_are_signed_recorded_and_21610_opts_out(redis_client, redis_url):
    sid = "SM" + "1" * 32
    form = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "21610", "To": WORKER,
            "From": HELPLINE, "AccountSid": FAKE.twilio_account_sid, "ApiVersion": "2010-04-01"}
    async with channel(TWILIO, redis_url) as twilio:
        assert (await twilio.post(Webhook(form, Signature.UNSIGNED, path="status"))).status == 403
        assert redis_client.hget(f"helpline:delivery:{sid}", "status") is None
        assert (await twilio.post(Webhook(form, path="status"))).status == 204
        assert redis_client.hget(f"helpline:delivery:{sid}", "status") == "undelivered"
        assert await twilio.pipeline.optouts.contains(WORKER)


class FormRequest:
    def __init__(self, content_type: str) -> None:
        self.headers = {"content-type": content_type}


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000), st.sampled_from(["application/x-www-form-urlencoded", "text/plain", ""]))
def test_no_body_crashes_the_form_parser(raw: bytes, content_type: str):
    try:
        form = parse_form(FormRequest(content_type), raw)  # type: ignore[arg-type]
    except InputRejected as rejected:
        assert 400 <= rejected.status < 500
    else:
        values: List[str] = list(form.values())
        assert all(isinstance(value, str) for value in values)
