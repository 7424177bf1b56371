"""XOA erases her: nothing of her text or number stays in Redis, in its dead letters or in its
append-only file on disk, and a reply still in flight is not kept again."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest

from channels.outbox import DEAD_KEY, ERASED_MARK, OutboxItem, SendError, dead_letters, replay_dead_letters
from tests.channel_harness import drained
from tests.support.echo_channel import echo_message
from tests.support.waiting import eventually

HER = "+84909876543"
SOMEONE_ELSE = "+84901111222"
HER_WORDS = "ZQX7781 chu giu ho chieu cua em"


@pytest.fixture
def redis(async_redis):
    return async_redis


async def everything_in_redis(redis) -> str:
    """Every key and every value, as text."""
    found: List[str] = []
    async for key in redis.scan_iter(count=500):
        kind = await redis.type(key)
        found.append(key)
        if kind == "string":
            found.append(await redis.get(key) or "")
        elif kind == "list":
            found += await redis.lrange(key, 0, -1)
        elif kind == "hash":
            found += [f"{k}={v}" for k, v in (await redis.hgetall(key)).items()]
        elif kind == "set":
            found += list(await redis.smembers(key))
        elif kind == "zset":
            found += [member for member, _ in await redis.zrange(key, 0, -1, withscores=True)]
        elif kind == "stream":
            found += [json.dumps(fields, ensure_ascii=False) for _, fields in await redis.xrange(key)]
    return "\n".join(found)


async def append_only_file(redis) -> Path:
    if (await redis.config_get("appendonly")).get("appendonly") != "yes":
        pytest.skip("this Redis keeps no append-only file")
    directory = (await redis.config_get("dir"))["dir"]
    return Path(directory) / (await redis.config_get("appendfilename"))["appendfilename"]


async def test_after_xoa_nothing_of_her_is_left_in_redis_or_on_its_disk(running, redis):
    pipeline, _ = await running()
    aof = await append_only_file(redis)
    pipeline.sender.failures = [SendError("21211 invalid number", retryable=False)]
    await pipeline.accept(echo_message(HER_WORDS, "h1", address=HER))  # its reply is dead-lettered
    await pipeline.accept(echo_message("xin chao", "s1", address=SOMEONE_ELSE))
    await eventually(lambda: dead_letters(redis))
    await eventually(lambda: drained(redis, "echo"))
    await eventually(lambda: HER in aof.read_text(errors="replace") and HER_WORDS in aof.read_text(errors="replace"))

    await pipeline.accept(echo_message("XOA", "h2", address=HER))
    await pipeline.accept(echo_message("xóa", "h3", address=HER))
    await eventually(lambda: any("Đã xóa" in item.text for item in pipeline.sender.sent))
    await eventually(lambda: drained(redis, "echo"))

    left = await everything_in_redis(redis)
    assert HER not in left and HER_WORDS not in left
    assert SOMEONE_ELSE in left  # what is not hers stays: her erasure is hers only
    await eventually(lambda: HER not in aof.read_text(errors="replace") and HER_WORDS not in aof.read_text(errors="replace"))


async def test_a_dead_letter_of_an_erased_conversation_is_refused_on_replay(redis):
    item = OutboxItem("echo", HER, "echo-erased", "you said: " + HER_WORDS)
    await redis.lpush(DEAD_KEY, json.dumps({"id": "d1", "at": 0, "reason": "21211", "item": item.dump()}))
    await redis.set(ERASED_MARK.format(conversation_id="echo-erased"), "1")
    assert await replay_dead_letters(redis) == 0
    assert await redis.llen(DEAD_KEY) == 0
    assert await redis.xlen("helpline:outbox:echo") == 0


async def test_a_reply_that_fails_after_erasure_is_not_kept_as_a_dead_letter(running, redis):
    pipeline, _ = await running()
    conversation = await pipeline.identities.conversation_id("echo", HER)
    await redis.set(ERASED_MARK.format(conversation_id=conversation), "1")
    pipeline.sender.failures = [SendError("21211 invalid number", retryable=False)]
    await pipeline.accept(echo_message(HER_WORDS, "f1", address=HER))
    await eventually(lambda: drained(redis, "echo"))
    assert await dead_letters(redis) == []
