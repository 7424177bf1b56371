"""Durable work queues on Redis streams, shared by the inbox and the outbox.

An entry stays in the stream, pending for the consumer that read it, until its handler finishes
and the entry is acknowledged and deleted in the same transaction as whatever the handler
produced. A process that dies leaves its entries pending: restarted under the same consumer
name it takes them back at once, and any other process claims them once they have been idle for
`claim_idle_seconds`. An entry whose handler fails is taken back by the same process after a
backoff (1 s, 2 s, 4 s … up to `retry_max_seconds`), still pending in Redis meanwhile, and one
that fails `max_deliveries` times goes to `on_poison` instead of looping forever.

Hand-written on purpose: task queues own their writes and cannot join the caller's Redis
transaction, which is the whole guarantee here (docs/architecture.md).
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, Dict, List, Optional, Tuple

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

logger = logging.getLogger(__name__)

GROUP = "helpline"


@dataclass(frozen=True)
class Entry:
    id: str
    fields: Dict[str, str]
    deliveries: int = 1


Handler = Callable[[Entry], Awaitable[None]]


class DurableStream:
    def __init__(self, redis: aioredis.Redis, key: str) -> None:
        self.redis = redis
        self.key = key

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(self.key, GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    async def add(self, fields: Dict[str, str]) -> str:
        return await self.redis.xadd(self.key, fields)

    def add_in(self, pipe, fields: Dict[str, str]) -> None:
        pipe.xadd(self.key, fields)

    def finish_in(self, pipe, entry_id: str) -> None:
        """Acknowledge and delete, inside the caller's transaction: the text leaves the queue
        in the same step as its result enters the next one."""
        pipe.xack(self.key, GROUP, entry_id)
        pipe.xdel(self.key, entry_id)

    async def finish(self, entry_id: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            self.finish_in(pipe, entry_id)
            await pipe.execute()

    async def read_own_pending(self, consumer: str, count: int = 100) -> List[Entry]:
        reply = await self.redis.xreadgroup(GROUP, consumer, {self.key: "0"}, count=count)
        return await self._with_deliveries(_entries(reply))

    async def read_new(self, consumer: str, count: int, block_ms: int) -> List[Entry]:
        reply = await self.redis.xreadgroup(GROUP, consumer, {self.key: ">"}, count=count, block=block_ms)
        return [Entry(entry_id, fields, 1) for entry_id, fields in _entries(reply)]

    async def claim_idle(self, consumer: str, min_idle_ms: int, count: int = 100) -> List[Entry]:
        reply = await self.redis.xautoclaim(self.key, GROUP, consumer, min_idle_ms, "0-0", count=count)
        claimed = [(entry_id, fields) for entry_id, fields in reply[1] if fields is not None]
        return await self._with_deliveries(claimed)

    async def claim(self, consumer: str, entry_id: str, min_idle_ms: int) -> List[Entry]:
        """Take one entry back (a retry): nothing when someone else took it meanwhile."""
        reply = await self.redis.xclaim(self.key, GROUP, consumer, min_idle_ms, [entry_id])
        return await self._with_deliveries([(item_id, fields) for item_id, fields in reply if fields is not None])

    async def pending_count(self) -> int:
        summary = await self.redis.xpending(self.key, GROUP)
        return int(summary["pending"])

    async def _with_deliveries(self, entries: List[Tuple[str, Dict[str, str]]]) -> List[Entry]:
        result = []
        for entry_id, fields in entries:
            if not fields:  # deleted while pending: nothing left to do
                await self.redis.xack(self.key, GROUP, entry_id)
                continue
            details = await self.redis.xpending_range(self.key, GROUP, entry_id, entry_id, 1)
            deliveries = int(details[0]["times_delivered"]) if details else 1
            result.append(Entry(entry_id, fields, deliveries))
        return result


class RetryLater(Exception):
    """A handler's work is not done yet (logged without a stack): the entry is kept and retried."""


def _entries(reply) -> List[Tuple[str, Dict[str, str]]]:
    if not reply:
        return []
    return [(entry_id, fields) for _stream, items in reply for entry_id, fields in items]


class StreamWorker:
    """Runs `handler` over a stream's entries, concurrently but in order for one `order_key`."""

    def __init__(
        self,
        stream: DurableStream,
        consumer: str,
        handler: Handler,
        on_poison: Handler,
        *,
        order_key: Callable[[Entry], str],
        claim_idle_seconds: float,
        max_deliveries: int = 3,
        concurrency: int = 8,
        block_ms: int = 1000,
        retry_base_seconds: float = 1.0,
        retry_max_seconds: float = 30.0,
    ) -> None:
        self.stream = stream
        self.consumer = consumer
        self.handler = handler
        self.on_poison = on_poison
        self.order_key = order_key
        self.claim_idle_ms = int(claim_idle_seconds * 1000)
        self.max_deliveries = max_deliveries
        self.block_ms = block_ms
        self.retry_base_seconds = retry_base_seconds
        self.retry_max_seconds = retry_max_seconds
        self._retries: set[asyncio.Task] = set()
        self._slots = asyncio.Semaphore(concurrency)
        self._order_locks: Dict[str, asyncio.Lock] = {}
        self._in_flight: set[asyncio.Task] = set()
        self._stopping = asyncio.Event()
        self._task: Optional[asyncio.Task] = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"worker:{self.stream.key}")

    async def stop(self, drain_seconds: float = 10.0) -> None:
        """Stop reading, let handlers in flight finish, then cancel what is left (it stays
        pending in Redis and is taken up again on the next start)."""
        self._stopping.set()
        for retry in list(self._retries):
            retry.cancel()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=self.block_ms / 1000 + 2)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._task.cancel()
        if self._in_flight:
            _done, pending = await asyncio.wait(self._in_flight, timeout=drain_seconds)
            for task in pending:
                task.cancel()

    async def _run(self) -> None:
        backoff = 0.5
        first = True
        last_claim = 0.0
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            try:
                if first:
                    await self.stream.ensure_group()
                    await self._dispatch(await self.stream.read_own_pending(self.consumer))
                    first = False
                if loop.time() - last_claim >= max(self.claim_idle_ms / 1000 / 2, 1.0):
                    last_claim = loop.time()
                    await self._dispatch(await self.stream.claim_idle(self.consumer, self.claim_idle_ms))
                await self._dispatch(await self.stream.read_new(self.consumer, 16, self.block_ms))
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as error:
                if isinstance(error, ResponseError) and "NOGROUP" in str(error):
                    first = True  # the stream or its group is gone (Redis restarted empty): recreate it
                logger.warning("Redis unavailable for %s (%s); retrying in %.1f s", self.stream.key, type(error).__name__, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
            except Exception:
                logger.exception("Worker loop for %s failed; restarting it", self.stream.key)
                await asyncio.sleep(backoff)

    async def _dispatch(self, entries: List[Entry]) -> None:
        for entry in entries:
            await self._slots.acquire()
            lock = self._order_locks.setdefault(self.order_key(entry), asyncio.Lock())
            # Taking the lock's place in line now (before the next entry is dispatched) keeps
            # one sender's messages in stream order.
            waiter = asyncio.ensure_future(lock.acquire())
            await asyncio.sleep(0)
            task = asyncio.create_task(self._handle(entry, lock, waiter))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def _handle(self, entry: Entry, lock: asyncio.Lock, waiter: asyncio.Future) -> None:
        try:
            await waiter
            try:
                if entry.deliveries > self.max_deliveries:
                    await self.on_poison(entry)
                    await self.stream.finish(entry.id)
                else:
                    await self.handler(entry)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # Left pending: taken back after a backoff (or claimed by another process), up
                # to max_deliveries.
                if isinstance(error, RetryLater):
                    logger.warning("%s entry %s not done (delivery %d): %s", self.stream.key, entry.id, entry.deliveries, error)
                else:
                    logger.exception("Handling %s entry %s failed (delivery %d)", self.stream.key, entry.id, entry.deliveries)
                self._retry_later(entry)
            finally:
                lock.release()
                if not lock.locked() and not getattr(lock, "_waiters", None):
                    self._order_locks.pop(self.order_key(entry), None)
        finally:
            self._slots.release()

    def retry_delay(self, deliveries: int) -> float:
        return min(self.retry_base_seconds * 2 ** max(deliveries - 1, 0), self.retry_max_seconds)

    def _retry_later(self, entry: Entry) -> None:
        if self._stopping.is_set():
            return  # pending in Redis: taken up again on the next start
        task = asyncio.create_task(self._retry(entry.id, self.retry_delay(entry.deliveries)))
        self._retries.add(task)
        task.add_done_callback(self._retries.discard)

    async def _retry(self, entry_id: str, delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            # Idle at least half the delay: an entry another process claimed since is theirs.
            entries = await self.stream.claim(self.consumer, entry_id, int(delay * 500))
        except (RedisError, OSError) as error:
            logger.warning("Could not take back %s entry %s (%s); it waits for a claim", self.stream.key, entry_id, type(error).__name__)
            return
        if entries and not self._stopping.is_set():
            await self._dispatch(entries)
