"""The duty officers' routing as injected into a channel pipeline: an officer's "OK <case>" is a
case event and never a bot turn; an open case gets a copy of both sides; a taken case keeps the
bot out. Without the router (the channel layer alone), all of it is just messages to the bot."""
from __future__ import annotations

import json
from typing import Dict, List

import pytest

from bot.escalation.routing import OFFICER_CONTACTS, EscalationRouter, contact_key, officer_ack_reference
from channels.handoff import CASE_EVENTS, CASE_KEY, HANDOFF_KEY
from channels.inbox import Inbound
from tests.support.echo_channel import echo_message
from tests.support.waiting import eventually

OFFICER = "+84900000201"


@pytest.fixture
def redis(async_redis):
    return async_redis


async def case_events(redis) -> List[Dict]:
    return [json.loads(fields["event"]) for _id, fields in await redis.xrange(CASE_EVENTS)]


async def test_an_officer_acknowledging_by_sms_reaches_the_case_not_the_bot(running, redis):
    pipeline, bot = await running(EscalationRouter(redis))
    await redis.hset(OFFICER_CONTACTS, contact_key("echo", OFFICER), "tw-officer")
    await pipeline.accept(echo_message("ok tw-0042", "a1", address=OFFICER))
    await pipeline.accept(echo_message("barrier", "a2", address=OFFICER))  # handled after the ack
    await eventually(lambda: bot.seen)
    assert [m.text for m in bot.seen] == ["barrier"]
    [event] = await case_events(redis)
    assert (event["kind"], event["officer"], event["case"]) == ("officer_ack", "tw-officer", "TW-0042")


async def test_a_worker_writing_ok_and_a_number_is_just_a_worker(running, redis):
    pipeline, bot = await running(EscalationRouter(redis))
    await redis.hset(OFFICER_CONTACTS, contact_key("echo", OFFICER), "tw-officer")
    await pipeline.accept(echo_message("ok 42", "w1"))
    await eventually(lambda: bot.seen)
    assert await case_events(redis) == []


async def test_without_the_router_the_channel_layer_knows_no_officers(running, redis):
    pipeline, bot = await running(None)
    await redis.hset(OFFICER_CONTACTS, contact_key("echo", OFFICER), "tw-officer")
    await pipeline.accept(echo_message("ok tw-0042", "b1", address=OFFICER))
    await eventually(lambda: bot.seen)
    assert bot.seen[0].text == "ok tw-0042" and await case_events(redis) == []


async def test_an_open_case_gets_a_copy_of_both_sides_and_a_handoff_keeps_the_bot_out(running, redis):
    pipeline, bot = await running(EscalationRouter(redis))
    conversation = await pipeline.identities.conversation_id("echo", echo_message("").address)
    await redis.set(CASE_KEY.format(conversation_id=conversation), "42")
    await pipeline.accept(echo_message("em so qua", "h1"))
    await eventually(lambda: pipeline.sender.sent)
    events = await case_events(redis)
    assert [(e["kind"], e["text"], e["case_id"]) for e in events] == [
        ("message_in", "em so qua", 42), ("message_out", "you said: em so qua", 42),
    ]
    await redis.set(HANDOFF_KEY.format(conversation_id=conversation), "1")
    await pipeline.accept(echo_message("/restart", "h2"))
    await eventually(lambda: _has_events(redis, 3))
    assert len(bot.seen) == 1 and len(pipeline.sender.sent) == 1  # the officer answers, not the bot
    assert (await case_events(redis))[-1]["text"] == "/restart"


async def _has_events(redis, count: int) -> bool:
    return len(await case_events(redis)) >= count


@pytest.mark.parametrize("text, callback, expected", [
    ("OK TW-0042", None, "TW-0042"),
    ("ok tw 42", None, "TW42"),
    ("ok #17", None, "17"),
    ("ok", None, None),
    ("ok chị, em cảm ơn", None, None),
    ("", "ack:TW-0007", "TW-0007"),
    ("", "ack:", None),
    ("", "choice:1", None),
])
def test_what_counts_as_an_acknowledgement(text, callback, expected):
    extra = {"callback_data": callback} if callback else {}
    assert officer_ack_reference(Inbound("telegram", "1", "m", text, extra=extra)) == expected
