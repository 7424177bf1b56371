"""The shared channel core against a real Redis: what comes in is kept, answered once, and what
goes out is retried or dead-lettered, never lost."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import pytest
import redis.asyncio as aioredis

from bot.runtime.settings import Settings
from channels.inbox import Inbound
from channels.outbox import (
    DEAD_KEY,
    OutboxItem,
    SendError,
    dead_letters,
    replay_dead_letters,
)
from channels.pipeline import ChannelPipeline, Context
from channels.segments import split_words
from tests.channel_server import StubBot


class RecordingSender:
    def __init__(self) -> None:
        self.sent: List[OutboxItem] = []
        self.failures: List[SendError] = []

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def send(self, item: OutboxItem) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(item)


class EchoAdapter:
    name = "echo"
    native_buttons = False

    def __init__(self) -> None:
        self._sender = RecordingSender()

    def sender(self) -> RecordingSender:
        return self._sender

    def parts(self, text: str, gsm7: bool) -> List[str]:
        return split_words(text, 200)

    async def keyword(self, inbound: Inbound, context: Context) -> Optional[List[str]]:
        if inbound.text == "STOP":
            await context.optouts.add(inbound.address)
            return []
        return None


def settings(**overrides: Any) -> Settings:
    values: Dict[str, Any] = dict(claim_idle_seconds=1, rate_limit_messages=5, rate_limit_window_seconds=60, outbox_max_attempts=3, worker_name="test")
    values.update(overrides)
    return Settings(**values)


async def eventually(condition, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def eventually_async(condition, timeout: float = 10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := await condition()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)
    return value


@pytest.fixture
async def redis(redis_client, redis_url):  # redis_client flushes the test database
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.close()


@pytest.fixture
async def running(redis):
    pipelines: List[ChannelPipeline] = []

    async def start(**overrides: Any):
        bot = StubBot()
        pipeline = ChannelPipeline(EchoAdapter(), redis, settings(**overrides))
        await pipeline.start(bot)
        pipelines.append(pipeline)
        return pipeline, bot

    yield start
    for pipeline in pipelines:
        await pipeline.stop()


def message(text: str, message_id: str = "m1", address: str = "+84900000001") -> Inbound:
    return Inbound("echo", address, message_id, text)


async def test_a_message_is_answered_through_the_outbox(running):
    pipeline, bot = await running()
    assert await pipeline.accept(message("xin chao"))
    sent = pipeline.sender.sent
    await eventually(lambda: sent)
    assert [item.text for item in sent] == ["you said: xin chao"]
    assert sent[0].address == "+84900000001"


async def test_rasa_never_sees_the_phone_number(running):
    pipeline, bot = await running()
    await pipeline.accept(message("xin chao"))
    await eventually(lambda: bot.seen)
    conversation = bot.seen[0].sender_id
    assert "84900000001" not in conversation and conversation.startswith("echo-")
    # and the same number is the same conversation next time
    await pipeline.accept(message("lan nua", "m2"))
    await eventually(lambda: len(bot.seen) == 2)
    assert bot.seen[1].sender_id == conversation


async def test_repeat_deliveries_of_one_provider_id_are_answered_once(running):
    pipeline, bot = await running()
    results = [await pipeline.accept(message("xin chao", "same-id")) for _ in range(3)]
    assert results == [True, False, False]
    await eventually(lambda: pipeline.sender.sent)
    await asyncio.sleep(0.5)
    assert len(bot.seen) == 1 and len(pipeline.sender.sent) == 1


async def test_the_dedupe_key_is_kept_at_least_48_hours(running, redis):
    pipeline, _ = await running()
    await pipeline.accept(message("xin chao", "kept"))
    assert await redis.ttl("helpline:seen:echo:kept") >= 48 * 3600 - 5


async def test_a_message_recorded_while_no_worker_runs_is_answered_on_start(redis):
    # The webhook recorded it, then the process died before Rasa answered.
    first = ChannelPipeline(EchoAdapter(), redis, settings())
    assert await first.accept(message("ban con do khong"))
    bot = StubBot()
    second = ChannelPipeline(EchoAdapter(), redis, settings())
    await second.start(bot)
    try:
        await eventually(lambda: second.sender.sent)
        assert [item.text for item in second.sender.sent] == ["you said: ban con do khong"]
    finally:
        await second.stop()


async def test_an_entry_another_process_left_pending_is_claimed(redis):
    crashed = ChannelPipeline(EchoAdapter(), redis, settings(worker_name="crashed"))
    await crashed.inbox.stream.ensure_group()
    await crashed.accept(message("help", "p1"))
    # The crashed process read it (so it is pending for that consumer) and never finished.
    assert await crashed.inbox.stream.read_new("crashed", 10, 100)
    pipeline = ChannelPipeline(EchoAdapter(), redis, settings(worker_name="survivor"))
    await pipeline.start(StubBot())
    try:
        await eventually(lambda: pipeline.sender.sent)
        assert [item.text for item in pipeline.sender.sent] == ["you said: help"]
        assert await pipeline.inbox.stream.pending_count() == 0
    finally:
        await pipeline.stop()


async def test_one_senders_messages_are_answered_in_order(running):
    pipeline, bot = await running()
    for index in range(5):
        await pipeline.accept(message(f"tin {index}", f"o{index}"))
    await eventually(lambda: len(pipeline.sender.sent) == 5)
    assert [item.text for item in pipeline.sender.sent] == [f"you said: tin {index}" for index in range(5)]


async def test_over_the_rate_limit_she_gets_one_short_notice_not_silence(running):
    pipeline, bot = await running(rate_limit_messages=2)
    for index in range(5):
        await pipeline.accept(message(f"tin {index}", f"r{index}"))
    await eventually(lambda: len(pipeline.sender.sent) == 3)
    await asyncio.sleep(0.5)
    texts = [item.text for item in pipeline.sender.sent]
    assert texts[:2] == ["you said: tin 0", "you said: tin 1"]
    assert len(texts) == 3 and "1 phút" in texts[2] and "+84 981 84 84 84" in texts[2]
    assert len(bot.seen) == 2


async def test_long_replies_are_split_and_buttons_become_numbered_choices(running):
    pipeline, bot = await running()
    await pipeline.accept(message("menu", "b1"))
    await eventually(lambda: pipeline.sender.sent)
    text = "\n".join(item.text for item in pipeline.sender.sent)
    assert "1. Giúp việc nhà" in text and "2. Nhà máy" in text
    # Answering with the number sends the button's payload to Rasa.
    await pipeline.accept(message("2", "b2"))
    await eventually(lambda: len(bot.seen) == 2)
    assert bot.seen[1].text == "nha may"


async def test_a_message_rasa_fails_on_every_time_gets_the_hotline(running):
    pipeline, bot = await running()
    await pipeline.accept(message("boom", "x1"))
    await eventually(lambda: pipeline.sender.sent, timeout=30)
    assert "+84 981 84 84 84" in pipeline.sender.sent[0].text
    assert len(bot.seen) == 3  # three tries, then the fallback instead of a fourth
    assert await pipeline.inbox.stream.pending_count() == 0


async def test_retryable_send_errors_are_retried_then_sent(running):
    pipeline, _ = await running()
    pipeline.sender.failures = [SendError("429", retryable=True, retry_after=0.1)]
    await pipeline.accept(message("xin chao", "t1"))
    await eventually(lambda: pipeline.sender.sent)
    assert pipeline.sender.sent[0].attempt == 1


async def test_permanent_failures_are_dead_lettered_and_can_be_replayed(running, redis):
    pipeline, _ = await running()
    pipeline.sender.failures = [SendError("21211 invalid number", retryable=False)]
    await pipeline.accept(message("xin chao", "d1"))
    await eventually_async(lambda: dead_letters(redis))
    [letter] = await dead_letters(redis)
    assert letter["reason"] == "21211 invalid number"
    assert await replay_dead_letters(redis) == 1
    await eventually(lambda: pipeline.sender.sent)
    assert pipeline.sender.sent[0].text == "you said: xin chao"
    assert await redis.llen(DEAD_KEY) == 0


async def test_retries_give_up_into_the_dead_letters(running, redis):
    pipeline, _ = await running(outbox_max_attempts=2)
    pipeline.sender.failures = [SendError("503", retryable=True, retry_after=0.05)] * 2
    await pipeline.accept(message("xin chao", "g1"))
    await eventually_async(lambda: dead_letters(redis))
    assert [letter["reason"] for letter in await dead_letters(redis)] == ["503"]
    assert not pipeline.sender.sent


async def test_after_stop_nothing_is_sent_to_her(running):
    pipeline, bot = await running()
    await pipeline.accept(message("STOP", "s1"))
    await eventually_async(lambda: pipeline.optouts.contains("+84900000001"))
    assert not bot.seen and not pipeline.sender.sent
    assert await pipeline.optouts.contains("+84900000001")
    # An officer's message queued later is not sent either.
    conversation = await pipeline.identities.conversation_id("echo", "+84900000001")
    assert await pipeline.send_to_conversation(conversation, "Chào chị, tôi là cán bộ lãnh sự.")
    await asyncio.sleep(0.5)
    assert not pipeline.sender.sent


async def test_opted_out_by_the_provider_marks_the_address(running):
    pipeline, _ = await running()
    pipeline.sender.failures = [SendError("blocked", retryable=False, opted_out=True)]
    await pipeline.accept(message("xin chao", "o1"))
    await eventually_async(lambda: pipeline.optouts.contains("+84900000001"))
    assert await pipeline.optouts.contains("+84900000001")


async def test_officer_messages_reach_the_conversation_address(running):
    pipeline, bot = await running()
    await pipeline.accept(message("xin chao", "c1"))
    await eventually(lambda: pipeline.sender.sent)
    conversation = bot.seen[0].sender_id
    assert await pipeline.send_to_conversation(conversation, "Tôi là cán bộ lãnh sự.")
    await eventually(lambda: len(pipeline.sender.sent) == 2)
    assert pipeline.sender.sent[1].origin == "officer"
    assert pipeline.sender.sent[1].address == "+84900000001"
    assert not await pipeline.send_to_conversation("echo-unknown", "hello")


# --- escalation hooks: officers, open cases, handoff, erasure -------------------------------

import json  # noqa: E402

from bot.escalation.link import CASE_EVENTS, CASE_KEY, HANDOFF_KEY, OFFICER_CONTACTS, contact_key  # noqa: E402


async def case_events(redis) -> List[dict]:
    return [json.loads(fields["event"]) for _id, fields in await redis.xrange(CASE_EVENTS)]


async def test_an_officer_acknowledging_by_sms_reaches_the_case_not_the_bot(running, redis):
    pipeline, bot = await running()
    await redis.hset(OFFICER_CONTACTS, contact_key("echo", "+84900000201"), "tw-officer")
    await pipeline.accept(message("ok tw-0042", "a1", address="+84900000201"))
    events = await eventually_async(lambda: case_events(redis))
    assert events[0]["kind"] == "officer_ack" and events[0]["officer"] == "tw-officer" and events[0]["case"] == "TW-0042"
    assert not bot.seen
    # A worker writing "ok 42" is just a worker.
    await pipeline.accept(message("ok 42", "a2"))
    await eventually(lambda: bot.seen)


async def test_an_open_case_gets_a_copy_of_both_sides_and_a_handoff_keeps_the_bot_out(running, redis):
    pipeline, bot = await running()
    conversation = await pipeline.identities.conversation_id("echo", "+84900000001")
    await redis.set(CASE_KEY.format(conversation_id=conversation), "42")
    await pipeline.accept(message("em so qua", "h1"))
    await eventually(lambda: pipeline.sender.sent)
    events = await case_events(redis)
    assert [(e["kind"], e["text"]) for e in events] == [("message_in", "em so qua"), ("message_out", "you said: em so qua")]
    await redis.set(HANDOFF_KEY.format(conversation_id=conversation), "1")
    await pipeline.accept(message("/restart", "h2"))
    await eventually_async(lambda: _count(redis, 3))
    assert len(bot.seen) == 1 and len(pipeline.sender.sent) == 1  # the officer answers, not the bot
    assert (await case_events(redis))[-1]["text"] == "/restart"


async def _count(redis, n: int) -> bool:
    return len(await case_events(redis)) >= n


async def test_xoa_twice_erases_the_conversation_after_confirming(running, redis):
    pipeline, bot = await running()
    await pipeline.accept(message("xin chao", "e1"))
    await eventually(lambda: pipeline.sender.sent)
    conversation = bot.seen[0].sender_id
    await redis.set(f"helpline:tracker:{conversation}", "{}")
    await pipeline.accept(message("XOA", "e2"))
    await eventually(lambda: len(pipeline.sender.sent) == 2)
    assert "XOA lần nữa" in pipeline.sender.sent[1].text
    assert await redis.exists(f"helpline:tracker:{conversation}")
    await pipeline.accept(message("xóa", "e3"))
    await eventually(lambda: len(pipeline.sender.sent) == 3)
    assert "Đã xóa" in pipeline.sender.sent[2].text
    assert not await redis.exists(f"helpline:tracker:{conversation}")
    assert [e["kind"] for e in await case_events(redis)] == ["erase"]
    assert len(bot.seen) == 1


async def test_anything_else_after_xoa_keeps_everything(running, redis):
    pipeline, bot = await running()
    await pipeline.accept(message("DELETE", "k1"))
    await eventually(lambda: pipeline.sender.sent)
    await pipeline.accept(message("no, keep it", "k2"))
    await eventually(lambda: bot.seen)
    await pipeline.accept(message("DELETE", "k3"))
    await eventually(lambda: len(pipeline.sender.sent) == 3)
    assert "DELETE again" in pipeline.sender.sent[2].text  # asked again, nothing erased
    assert await case_events(redis) == []


async def test_a_flood_of_stickers_is_rate_limited_too(running):
    pipeline, bot = await running(rate_limit_messages=2)
    for index in range(5):
        await pipeline.accept(message("", f"st{index}"))
    await eventually(lambda: pipeline.sender.sent)
    await asyncio.sleep(0.5)
    # The stub channel answers nothing to a sticker; the third one is over the limit: one notice.
    [notice] = [item.text for item in pipeline.sender.sent]
    assert "1 phút" in notice and not bot.seen
