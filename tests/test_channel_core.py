"""The shared channel core against a real Redis, through an echo channel: what comes in is kept
and answered once, within the rate limit, and never to someone who opted out; what goes out is
retried or dead-lettered, never lost. Each provider's table (tests/test_*_channel.py) checks
only its own end of this: its ids, its signatures, its error codes."""
from __future__ import annotations

import json
from typing import List

import pytest

from channels.handoff import CASE_EVENTS
from channels.outbox import DEAD_KEY, SendError, dead_letters, replay_dead_letters
from channels.pipeline import ChannelPipeline
from tests.channel_harness import StubBot, drained
from tests.support.echo_channel import ADDRESS, EchoAdapter, echo_message, pipeline_settings
from tests.support.waiting import eventually

HOTLINE = "+84 981 84 84 84"


@pytest.fixture
def redis(async_redis):
    return async_redis


def texts(pipeline: ChannelPipeline) -> List[str]:
    return [item.text for item in pipeline.sender.sent]


async def settled(pipeline: ChannelPipeline) -> None:
    """Everything recorded has been answered, and every reply sent, given up or dropped."""
    await eventually(lambda: drained(pipeline.redis, pipeline.channel))


async def test_a_message_is_answered_through_the_outbox(running):
    pipeline, _ = await running()
    assert await pipeline.accept(echo_message("xin chao"))
    await eventually(lambda: pipeline.sender.sent)
    assert texts(pipeline) == ["you said: xin chao"]
    assert pipeline.sender.sent[0].address == ADDRESS


async def test_rasa_never_sees_the_phone_number(running):
    pipeline, bot = await running()
    await pipeline.accept(echo_message("xin chao"))
    await eventually(lambda: bot.seen)
    conversation = bot.seen[0].sender_id
    assert ADDRESS.lstrip("+") not in conversation and conversation.startswith("echo-")
    await pipeline.accept(echo_message("lan nua", "m2"))
    await eventually(lambda: len(bot.seen) == 2)
    assert bot.seen[1].sender_id == conversation  # the same number is the same conversation


async def test_a_repeat_delivery_is_answered_once(running):
    pipeline, bot = await running()
    assert [await pipeline.accept(echo_message("xin chao", "same-id")) for _ in range(3)] == [True, False, False]
    await pipeline.accept(echo_message("barrier", "after"))  # her next message: answered after the first
    await eventually(lambda: "you said: barrier" in texts(pipeline))
    assert texts(pipeline) == ["you said: xin chao", "you said: barrier"]
    assert [message.text for message in bot.seen] == ["xin chao", "barrier"]


async def test_the_dedupe_key_is_kept_at_least_48_hours(running, redis):
    pipeline, _ = await running()
    await pipeline.accept(echo_message("xin chao", "kept"))
    assert await redis.ttl("helpline:seen:echo:kept") >= 48 * 3600 - 5


async def test_a_message_recorded_while_no_worker_runs_is_answered_on_start(redis):
    # The webhook recorded it, then the process died before Rasa answered.
    first = ChannelPipeline(EchoAdapter(), redis, pipeline_settings())
    assert await first.accept(echo_message("ban con do khong"))
    second = ChannelPipeline(EchoAdapter(), redis, pipeline_settings())
    await second.start(StubBot())
    try:
        await eventually(lambda: second.sender.sent)
        assert texts(second) == ["you said: ban con do khong"]
    finally:
        await second.stop()


async def test_an_entry_another_process_left_pending_is_claimed(redis):
    crashed = ChannelPipeline(EchoAdapter(), redis, pipeline_settings(worker_name="crashed"))
    await crashed.inbox.stream.ensure_group()
    await crashed.accept(echo_message("help", "p1"))
    # The crashed process read it (so it is pending for that consumer) and never finished.
    assert await crashed.inbox.stream.read_new("crashed", 10, 100)
    survivor = ChannelPipeline(EchoAdapter(), redis, pipeline_settings(worker_name="survivor"))
    await survivor.start(StubBot())
    try:
        await eventually(lambda: survivor.sender.sent)
        assert texts(survivor) == ["you said: help"]
        assert await survivor.inbox.stream.pending_count() == 0
    finally:
        await survivor.stop()


async def test_one_senders_messages_are_answered_in_order(running):
    pipeline, _ = await running()
    for index in range(5):
        await pipeline.accept(echo_message(f"tin {index}", f"o{index}"))
    await eventually(lambda: len(pipeline.sender.sent) == 5)
    assert texts(pipeline) == [f"you said: tin {index}" for index in range(5)]


async def test_over_the_rate_limit_she_gets_one_short_notice_then_silence(running):
    pipeline, bot = await running(rate_limit_messages=2)
    for index in range(5):
        await pipeline.accept(echo_message(f"tin {index}", f"r{index}"))
    await settled(pipeline)
    sent = texts(pipeline)
    assert sent[:2] == ["you said: tin 0", "you said: tin 1"]
    assert len(sent) == 3 and "1 phút" in sent[2] and HOTLINE in sent[2]
    assert len(bot.seen) == 2


async def test_a_flood_of_stickers_is_rate_limited_too(running):
    pipeline, bot = await running(rate_limit_messages=2)
    for index in range(5):
        await pipeline.accept(echo_message("", f"st{index}"))
    await settled(pipeline)
    # The echo channel answers nothing to a sticker; the third one is over the limit: one notice.
    [notice] = texts(pipeline)
    assert "1 phút" in notice and not bot.seen


async def test_buttons_become_numbered_choices_and_the_number_is_the_payload(running):
    pipeline, bot = await running()
    await pipeline.accept(echo_message("menu", "b1"))
    await eventually(lambda: pipeline.sender.sent)
    assert texts(pipeline) == ["Bạn làm nghề gì?\n1. Giúp việc nhà\n2. Nhà máy"]
    await pipeline.accept(echo_message("2", "b2"))
    await eventually(lambda: len(bot.seen) == 2)
    assert bot.seen[1].text == "nha may"


async def test_a_message_rasa_fails_on_every_time_gets_the_hotline(running):
    pipeline, bot = await running()
    await pipeline.accept(echo_message("boom", "x1"))
    await eventually(lambda: pipeline.sender.sent, timeout=30)
    assert HOTLINE in pipeline.sender.sent[0].text
    assert len(bot.seen) == 3  # three tries, then the fallback instead of a fourth
    assert await pipeline.inbox.stream.pending_count() == 0


async def test_retryable_send_errors_are_retried_then_sent(running):
    pipeline, _ = await running()
    pipeline.sender.failures = [SendError("429", retryable=True, retry_after=0.1)]
    await pipeline.accept(echo_message("xin chao", "t1"))
    await eventually(lambda: pipeline.sender.sent)
    assert pipeline.sender.sent[0].attempt == 1


async def test_permanent_failures_are_dead_lettered_and_can_be_replayed(running, redis):
    pipeline, _ = await running()
    pipeline.sender.failures = [SendError("21211 invalid number", retryable=False)]
    await pipeline.accept(echo_message("xin chao", "d1"))
    await eventually(lambda: dead_letters(redis))
    [letter] = await dead_letters(redis)
    assert letter["reason"] == "21211 invalid number"
    assert await replay_dead_letters(redis) == 1
    await eventually(lambda: pipeline.sender.sent)
    assert texts(pipeline) == ["you said: xin chao"]
    assert await redis.llen(DEAD_KEY) == 0


async def test_retries_give_up_into_the_dead_letters(running, redis):
    pipeline, _ = await running(outbox_max_attempts=2)
    pipeline.sender.failures = [SendError("503", retryable=True, retry_after=0.05)] * 2
    await pipeline.accept(echo_message("xin chao", "g1"))
    await eventually(lambda: dead_letters(redis))
    assert [letter["reason"] for letter in await dead_letters(redis)] == ["503"]
    assert not pipeline.sender.sent


async def test_after_stop_nothing_is_sent_to_her(running):
    pipeline, bot = await running()
    await pipeline.accept(echo_message("STOP", "s1"))
    await eventually(lambda: pipeline.optouts.contains(ADDRESS))
    # An officer's message queued later: the sender would take it, but it is never handed over.
    conversation = await pipeline.identities.conversation_id("echo", ADDRESS)
    assert await pipeline.send_to_conversation(conversation, "Chào chị, tôi là cán bộ lãnh sự.")
    await settled(pipeline)
    assert pipeline.sender.sent == [] and bot.seen == []


async def test_opted_out_by_the_provider_the_address_gets_nothing_more(running):
    pipeline, _ = await running()
    pipeline.sender.failures = [SendError("blocked", retryable=False, opted_out=True)]
    await pipeline.accept(echo_message("xin chao", "o1"))
    await eventually(lambda: pipeline.optouts.contains(ADDRESS))
    conversation = await pipeline.identities.conversation_id("echo", ADDRESS)
    assert await pipeline.send_to_conversation(conversation, "Chào chị.")
    await settled(pipeline)
    assert pipeline.sender.sent == []


async def test_officer_messages_reach_the_conversation_address(running):
    pipeline, bot = await running()
    await pipeline.accept(echo_message("xin chao", "c1"))
    await eventually(lambda: pipeline.sender.sent)
    assert await pipeline.send_to_conversation(bot.seen[0].sender_id, "Tôi là cán bộ lãnh sự.")
    await eventually(lambda: len(pipeline.sender.sent) == 2)
    assert (pipeline.sender.sent[1].origin, pipeline.sender.sent[1].address) == ("officer", ADDRESS)
    assert not await pipeline.send_to_conversation("echo-unknown", "hello")


# --- erasure: "XOA" twice -----------------------------------------------------------------------


async def case_events(redis) -> List[dict]:
    return [json.loads(fields["event"]) for _id, fields in await redis.xrange(CASE_EVENTS)]


async def test_xoa_twice_erases_the_conversation_after_confirming(running, redis):
    pipeline, bot = await running()
    await pipeline.accept(echo_message("xin chao", "e1"))
    await eventually(lambda: pipeline.sender.sent)
    conversation = bot.seen[0].sender_id
    await redis.set(f"helpline:tracker:{conversation}", "{}")
    await pipeline.accept(echo_message("XOA", "e2"))
    await eventually(lambda: len(pipeline.sender.sent) == 2)
    assert "XOA lần nữa" in texts(pipeline)[1]
    assert await redis.exists(f"helpline:tracker:{conversation}")
    await pipeline.accept(echo_message("xóa", "e3"))
    await eventually(lambda: len(pipeline.sender.sent) == 3)
    assert "Đã xóa" in texts(pipeline)[2]
    assert not await redis.exists(f"helpline:tracker:{conversation}")
    assert [e["kind"] for e in await case_events(redis)] == ["erase"]
    assert len(bot.seen) == 1


async def test_anything_else_after_xoa_keeps_everything(running, redis):
    pipeline, bot = await running()
    await pipeline.accept(echo_message("DELETE", "k1"))
    await eventually(lambda: pipeline.sender.sent)
    await pipeline.accept(echo_message("no, keep it", "k2"))
    await eventually(lambda: bot.seen)
    await pipeline.accept(echo_message("DELETE", "k3"))
    await eventually(lambda: len(pipeline.sender.sent) == 3)
    assert "DELETE again" in texts(pipeline)[2]  # asked again, nothing erased
    assert await case_events(redis) == []
