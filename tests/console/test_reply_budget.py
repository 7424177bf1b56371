"""Replies that arrive whole: what a reply costs on her channel (the rules of channels.segments),
the preview the reply box asks for as the officer types, and the refusal, with the reason, of a
reply her channel would cut. Plus the small JSON endpoint the case page polls for live updates."""
from __future__ import annotations

import json
from typing import Optional

import aiohttp
import pytest

from bot.console.reply_budget import reply_budget
from channels.identity import ADDRESS_KEY
from channels.segments import GSM7, UCS2

#: 1,022 characters with diacritics: the reply that issue #16 saw cut to 609 over SMS.
LONG_VI = ("Chào chị, tôi là cán bộ lãnh sự. Chị hãy giữ điện thoại bên mình và nhắn cho tôi khi an toàn. " * 11)[:1022]


@pytest.fixture
async def api(console, env):
    session = aiohttp.ClientSession()

    async def call(method: str, path: str, body=None, as_user: Optional[str] = "lan"):
        headers = {"Authorization": f"Bearer {env.tokens[as_user]}"} if as_user else {}
        data = json.dumps(body) if body is not None else None
        async with session.request(method, console + path, data=data, headers=headers) as response:
            return response, json.loads(await response.text())

    yield call
    await session.close()


@pytest.mark.parametrize("text, gsm7, encoding, units, segments, limit, fits", [
    ("a" * 160, None, GSM7, 160, 1, 612, True),
    ("a" * 161, None, GSM7, 161, 2, 612, True),
    ("a" * 612, None, GSM7, 612, 4, 612, True),
    ("a" * 613, None, GSM7, 613, 5, 612, False),
    ("[]" * 80, None, GSM7, 320, 3, 612, True),  # extension characters cost two
    ("Chào chị", False, UCS2, 8, 1, 268, True),  # marks: UCS-2, 67 a segment
    ("ồ" * 269, False, UCS2, 269, 5, 268, False),
    ("ồ" * 269, True, GSM7, 269, 2, 612, True),  # she writes without marks: folded as the channel folds it
    ("Chào chị", None, UCS2, 8, 1, 268, True),  # unknown: as the pipeline decides, from the reply
])
def test_the_sms_budget_counts_as_the_channel_sends(text, gsm7, encoding, units, segments, limit, fits):
    budget = reply_budget(text, "twilio", gsm7=gsm7, max_segments=4)
    assert (budget.encoding, budget.units, budget.segments, budget.limit, budget.fits) == (
        encoding, units, segments, limit, fits)


def test_chat_channels_split_long_replies_so_only_the_reply_limit_counts():
    assert reply_budget("y" * 1600, "telegram", gsm7=None, max_segments=4).fits
    too_long = reply_budget("y" * 1601, "zalo", gsm7=None, max_segments=4)
    assert not too_long.fits and too_long.segments is None and too_long.limit == 1600


async def test_a_reply_that_would_be_cut_is_refused_with_the_reason_and_nothing_goes(api, env):
    case = env.open_case()  # SMS, she writes with diacritics (gsm7 0)
    env.store.take(case.id, "lan")
    response, payload = await api("POST", f"/api/cases/{case.id}/reply", {"text": LONG_VI})
    assert response.status == 400 and payload["error"] == "invalid_value"
    assert payload["reason"].startswith("Not sent: the reply needs 16 SMS segments (1022 UCS-2 characters)")
    assert "allows 4 (268 characters)" in payload["reason"] and "nothing is cut" in payload["reason"]
    assert env.sent_to(case) == [] and env.kinds(case) == ["created", "taken"]
    fits = LONG_VI[:268].strip()
    response, _ = await api("POST", f"/api/cases/{case.id}/reply", {"text": fits})
    assert response.status == 200 and env.sent_to(case)[-1] == fits  # whole


async def test_the_preview_counts_the_reply_being_typed_in_the_officers_words(api, env):
    case = env.open_case()
    response, payload = await api("POST", f"/api/cases/{case.id}/reply/preview", {"text": "Chào chị"})
    assert response.status == 200
    budget = payload["budget"]
    assert (budget["encoding"], budget["segments"], budget["max_segments"], budget["fits"]) == (UCS2, 1, 4, True)
    assert budget["summary"].startswith("8/268 ký tự · 1/4 tin SMS (UCS-2)") and budget["refusal"] is None
    env.redis.hset(ADDRESS_KEY.format(conversation_id=case.conversation_id), "gsm7", 1)  # she writes without marks
    _, payload = await api("POST", f"/api/cases/{case.id}/reply/preview", {"text": LONG_VI})
    assert payload["budget"]["encoding"] == GSM7 and payload["budget"]["segments"] == 7
    assert not payload["budget"]["fits"] and "7 tin SMS" in payload["budget"]["refusal"]
    _, payload = await api("POST", f"/api/cases/{case.id}/reply/preview", {})
    assert payload["budget"]["units"] == 0 and payload["budget"]["fits"]


@pytest.mark.parametrize("body, status", [({"text": 42}, 400), ({"text": "x" * 4001}, 400), ({"text": "a\u0000"}, 400)])
async def test_bad_preview_input_is_400(api, env, body, status):
    case = env.open_case()
    response, payload = await api("POST", f"/api/cases/{case.id}/reply/preview", body)
    assert response.status == status and payload["reason"]


async def test_the_preview_of_another_countrys_case_is_refused(api, env):
    japan = env.open_case("+81900000001", "JP")
    response, _ = await api("POST", f"/api/cases/{japan.id}/reply/preview", {"text": "x"})
    assert response.status == 403
    response, _ = await api("POST", "/api/cases/999/reply/preview", {"text": "x"})
    assert response.status == 404


async def test_updates_bring_her_new_messages_rendered_and_say_when_the_case_changed(api, env):
    case = env.open_case(messages=[("in", "cuu em")])
    _, first = await api("GET", f"/api/cases/{case.id}/updates?after=0")
    assert [m["kind"] for m in first["messages"]] == ["message_in"] and first["changed"] is True  # "created"
    last = first["last_event"]
    _, nothing = await api("GET", f"/api/cases/{case.id}/updates?after={last}")
    assert nothing["messages"] == [] and nothing["changed"] is False and nothing["last_event"] == last
    env.store.record_message(case.id, "in", "<b>em o tang 3</b>")
    _, new = await api("GET", f"/api/cases/{case.id}/updates?after={last}")
    [message] = new["messages"]
    assert "&lt;b&gt;em o tang 3&lt;/b&gt;" in message["html"] and "<b>" not in message["html"]
    assert new["changed"] is False and new["status"] == "open"
    env.store.acknowledge(case.id, "hoa")
    _, changed = await api("GET", f"/api/cases/{case.id}/updates?after={new['last_event']}")
    assert changed["changed"] is True and changed["status"] == "acknowledged"


@pytest.mark.parametrize("after", ["-1", "x", "1" * 13])
async def test_a_bad_updates_cursor_is_400(api, env, after):
    case = env.open_case()
    response, _ = await api("GET", f"/api/cases/{case.id}/updates?after={after}")
    assert response.status == 400
