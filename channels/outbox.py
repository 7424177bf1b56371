"""Replies on their way out: retried with backoff, dead-lettered when they cannot go.

Every provider message is one outbox entry (long replies are split before they are queued), so
a retry never sends a part twice. Entries live in a Redis stream per channel; a retry waits in a
sorted set until it is due; a permanent failure goes to one dead-letter list that operators can
list and replay (`python -m bot outbox`). Officer replies (the console) use the same queue.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Dict, List, Optional, Protocol

import redis.asyncio as aioredis

from bot.runtime import metrics
from bot.runtime.privacy import mask_id
from channels import contact_hold
from channels.aof import rewrite_append_only_file
from channels.streams import DurableStream, Entry

logger = logging.getLogger(__name__)

STREAM_KEY = "helpline:outbox:{channel}"
DELAYED_KEY = "helpline:outbox:{channel}:delayed"
DEAD_KEY = "helpline:outbox:dead"
DEAD_LETTERS_KEPT = 10_000
# Set by channels/erasure.py: her conversation was erased; nothing of it may be kept again.
ERASED_MARK = "helpline:erased:{conversation_id}"
# The origin of the reply that tells her the conversation was erased: once it has left the queue,
# Redis rewrites its append-only file again, so that the last copies of her number go too.
ERASURE_NOTICE = "erasure"

# Moves due retries back into the stream, atomically, so two processes never both move one.
_MOVE_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, item in ipairs(due) do
  redis.call('ZREM', KEYS[1], item)
  redis.call('XADD', KEYS[2], '*', 'item', item)
end
return #due
"""


@dataclass(frozen=True)
class OutboxItem:
    """One provider message to one worker."""

    channel: str
    address: str
    conversation_id: str
    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    origin: str = "bot"  # bot, notice, officer
    attempt: int = 0
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    last_error: Optional[str] = None

    def dump(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def load(cls, raw: str) -> OutboxItem:
        return cls(**json.loads(raw))


class SendError(Exception):
    """A provider refused a message. `retryable`: try again later (after `retry_after` seconds
    when the provider said so); `opted_out`: the worker stopped or blocked us."""

    def __init__(self, reason: str, *, retryable: bool, opted_out: bool = False, retry_after: Optional[float] = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.opted_out = opted_out
        self.retry_after = retry_after


class Sender(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def send(self, item: OutboxItem) -> None: ...


def backoff_seconds(attempt: int) -> float:
    """1, 2, 4 … seconds, at most 5 minutes."""
    return float(min(2 ** attempt, 300))


class Outbox:
    def __init__(self, redis: aioredis.Redis, channel: str, max_attempts: int) -> None:
        self.redis = redis
        self.channel = channel
        self.max_attempts = max_attempts
        self.stream = DurableStream(redis, STREAM_KEY.format(channel=channel))
        self.delayed_key = DELAYED_KEY.format(channel=channel)

    def enqueue_in(self, pipe, item: OutboxItem) -> None:
        self.stream.add_in(pipe, {"item": item.dump()})

    async def enqueue(self, items: List[OutboxItem]) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            for item in items:
                self.enqueue_in(pipe, item)
            await pipe.execute()

    async def retry_later(self, entry: Entry, item: OutboxItem, delay: float, reason: str) -> None:
        again = replace(item, attempt=item.attempt + 1, last_error=reason)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self.delayed_key, {again.dump(): time.time() + delay})
            self.stream.finish_in(pipe, entry.id)
            await pipe.execute()

    async def hold(self, entry: Entry, item: OutboxItem, delay: float) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self.delayed_key, {item.dump(): time.time() + delay})
            self.stream.finish_in(pipe, entry.id)
            await pipe.execute()
        logger.info("Message %s to %s held for %.0f s by her contact terms", item.id, mask_id(item.address), delay)

    async def dead_letter(self, entry: Entry, item: OutboxItem, reason: str) -> None:
        if await was_erased(self.redis, item.conversation_id):
            await self.stream.finish(entry.id)
            logger.info("Reply %s not kept as a dead letter: its conversation was erased", item.id)
            return
        record = {"id": uuid.uuid4().hex, "at": time.time(), "reason": reason, "item": item.dump()}
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.lpush(DEAD_KEY, json.dumps(record, ensure_ascii=False))
            pipe.ltrim(DEAD_KEY, 0, DEAD_LETTERS_KEPT - 1)
            self.stream.finish_in(pipe, entry.id)
            await pipe.execute()
        metrics.outbox(item.channel, "dead_lettered")
        logger.error(
            "Reply %s to %s on %s dead-lettered after %d attempt(s): %s",
            item.id, mask_id(item.address), item.channel, item.attempt + 1, reason,
        )

    async def move_due(self, now: Optional[float] = None) -> int:
        return int(await self.redis.eval(_MOVE_DUE, 2, self.delayed_key, self.stream.key, time.time() if now is None else now))

    async def waiting_retries(self) -> int:
        return int(await self.redis.zcard(self.delayed_key))


async def dead_letters(redis: aioredis.Redis, limit: int = 100) -> List[Dict[str, Any]]:
    return [json.loads(raw) for raw in await redis.lrange(DEAD_KEY, 0, limit - 1)]


async def was_erased(redis: aioredis.Redis, conversation_id: str) -> bool:
    return bool(await redis.exists(ERASED_MARK.format(conversation_id=conversation_id)))


async def replay_dead_letters(redis: aioredis.Redis, ids: Optional[List[str]] = None) -> int:
    """Queue dead letters again (all, or those with the given ids), with a fresh attempt count.
    One whose conversation was erased is refused and dropped: she asked for it to be gone."""
    replayed = 0
    for raw in await redis.lrange(DEAD_KEY, 0, -1):
        record = json.loads(raw)
        if ids is not None and record["id"] not in ids:
            continue
        item = replace(OutboxItem.load(record["item"]), attempt=0, last_error=None)
        if await was_erased(redis, item.conversation_id):
            await redis.lrem(DEAD_KEY, 1, raw)
            logger.warning("Dead letter %s refused: its conversation was erased", record["id"])
            continue
        async with redis.pipeline(transaction=True) as pipe:
            pipe.lrem(DEAD_KEY, 1, raw)
            pipe.xadd(STREAM_KEY.format(channel=item.channel), {"item": item.dump()})
            removed, _ = await pipe.execute()
        replayed += int(removed)
    return replayed


class OutboxSender:
    """The outbox worker's handler: send one entry, then finish, retry or dead-letter it."""

    def __init__(self, outbox: Outbox, sender: Sender, optouts) -> None:
        self.outbox = outbox
        self.sender = sender
        self.optouts = optouts

    async def handle(self, entry: Entry) -> None:
        item = OutboxItem.load(entry.fields["item"])
        try:
            await self._handle(entry, item)
        finally:
            if item.origin == ERASURE_NOTICE:
                await rewrite_append_only_file(self.outbox.redis)

    async def _handle(self, entry: Entry, item: OutboxItem) -> None:
        wait = await contact_hold.wait_seconds(self.outbox.redis, item.conversation_id, item.origin)
        if wait > 0:  # her terms: not now (the attempt count is not spent)
            await self.outbox.hold(entry, item, wait)
            return
        if await self.optouts.contains(item.address):
            logger.info("Not sending reply %s to %s: opted out", item.id, mask_id(item.address))
            await self.outbox.stream.finish(entry.id)
            return
        try:
            await self.sender.send(item)
        except SendError as error:
            await self._failed(entry, item, error)
            return
        except Exception as error:  # a bug or an unexpected client error: retry, never lose it
            logger.exception("Sending reply %s failed unexpectedly", item.id)
            await self._failed(entry, item, SendError(type(error).__name__, retryable=True))
            return
        metrics.outbox(item.channel, "sent")
        await self.outbox.stream.finish(entry.id)

    async def _failed(self, entry: Entry, item: OutboxItem, error: SendError) -> None:
        if error.opted_out:
            await self.optouts.add(item.address)
            logger.info("%s opted out on %s (%s); reply %s dropped", mask_id(item.address), item.channel, error.reason, item.id)
            await self.outbox.stream.finish(entry.id)
        elif error.retryable and item.attempt + 1 < self.outbox.max_attempts:
            delay = error.retry_after if error.retry_after is not None else backoff_seconds(item.attempt)
            logger.warning("Reply %s to %s: %s; retry %d in %.0f s", item.id, mask_id(item.address), error.reason, item.attempt + 1, delay)
            metrics.outbox(item.channel, "retried")
            await self.outbox.retry_later(entry, item, delay, error.reason)
        else:
            await self.outbox.dead_letter(entry, item, error.reason)

    async def poison(self, entry: Entry) -> None:
        item = OutboxItem.load(entry.fields["item"])
        await self.outbox.dead_letter(entry, item, "sending crashed repeatedly")
