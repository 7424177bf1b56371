"""The fake Twilio (channels/fakes/twilio.py), driven by twilio's async client and plain aiohttp:
the message resource and its segment count, the credential and account checks, the form errors
in Twilio's shape, and queued failures."""
from __future__ import annotations

import datetime as dtm

import aiohttp
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from channels.segments import count_segments
from tests.fakes.common import CONFIG, FROM, OTHER_PHONE, PHONE, VIETNAMESE


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
