"""A Redis tracker store that appends each turn's new events instead of rewriting the conversation.

Rasa's own Redis tracker store (and `RedisUrlTrackerStore`, which extends it) reads, merges and
rewrites the whole conversation as one JSON string on every save, on a synchronous client: a
turn's cost grows with the conversation, and the event loop waits for Redis meanwhile. Here each
conversation is two keys, on the asyncio client:

- `helpline:tracker-events:<id>`: a list, one serialised event (`Event.as_dict()` as JSON) each;
- `helpline:tracker-meta:<id>`: a hash: `count` (events in the list), `session` (the index of the
  last `action_session_start`, where Rasa's current session begins), `last` (a digest of the
  last event, to recognise the stored events at the head of the tracker being saved).

A save reads the hash (WATCH), then RPUSHes only the events after the stored ones, updates the
hash and renews both expiries in one MULTI/EXEC: the bytes and commands a save sends do not grow
with the conversation. A tracker whose head does not match what is stored (an event history
truncated by `max_event_history`, events replaced through the HTTP API) is merged with the stored
events as Rasa's store merges them, and rewritten: correct, only slower, and rare.

`retrieve` reads, in one Lua call, the events from the start of the last conversation session,
exactly what Rasa's Redis store returns (it splits the whole history at `action_session_start`
after reading it all); `retrieve_full_tracker` reads them all. With the helpline's 24-hour
sessions (domain.yml, slots carried over), a worker who writes again days later costs only her
current session per turn.

Conversations stored by the old store (`helpline:tracker:<id>`, one JSON string) stay readable:
`retrieve` falls back to that key, and the first save moves it into the two new keys and deletes
it, in the same transaction. Erasure deletes all three keys (`ERASED_KEYS` in channels/erasure.py).
"""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import redis
import redis.asyncio as aioredis
from rasa.core.tracker_store import RedisTrackerStore, SerializedTrackerAsText, TrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from redis.exceptions import WatchError

from bot.runtime.redis_client import CONNECT_TIMEOUT_SECONDS, SOCKET_TIMEOUT_SECONDS
from bot.runtime.tracker_stores import KEY_PREFIX, _tracker_ttl_seconds

logger = logging.getLogger(__name__)

EVENTS_KEY = KEY_PREFIX + ":tracker-events:{conversation_id}"
META_KEY = KEY_PREFIX + ":tracker-meta:{conversation_id}"
LEGACY_KEY = KEY_PREFIX + ":tracker:{conversation_id}"  # RedisUrlTrackerStore's single string
SAVE_ATTEMPTS = 20

# KEYS: meta, events. ARGV[1]: "1" for every session. Nil when the conversation is not stored.
_READ_EVENTS = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local start = 0
if ARGV[1] ~= '1' then start = tonumber(redis.call('HGET', KEYS[1], 'session') or '0') end
return redis.call('LRANGE', KEYS[2], start, -1)
"""


def async_redis_client(url: str) -> aioredis.Redis:
    """An asyncio client from REDIS_URL with the same timeouts as `redis_client`."""
    if not url or "://" not in url:
        raise ValueError("REDIS_URL must be a URL such as redis://127.0.0.1:6379/0 (rediss:// for TLS).")
    return aioredis.Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        health_check_interval=30,
    )


def stored_event_dicts(client: redis.Redis, conversation_id: str) -> List[Dict[str, Any]]:
    """Every stored event of a conversation as a dict, either format, on a synchronous client
    (for tools and the end-to-end tests, never on Rasa's event loop)."""
    events = client.lrange(EVENTS_KEY.format(conversation_id=conversation_id), 0, -1)
    if events:
        return [json.loads(event) for event in events]
    legacy = client.get(LEGACY_KEY.format(conversation_id=conversation_id))
    return json.loads(legacy)["events"] if legacy else []


def serialise_event(event: Event) -> str:
    return json.dumps(event.as_dict(), ensure_ascii=False)


def event_digest(event: Event) -> str:
    """Identifies an event across a round trip through Redis (key order does not matter)."""
    canonical = json.dumps(event.as_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()


def is_session_start(event: Event) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME


def last_session_start(events: Sequence[Event], offset: int = 0, default: int = 0) -> int:
    """The index (plus `offset`) of the last `action_session_start` in `events`, else `default`."""
    for index in range(len(events) - 1, -1, -1):
        if is_session_start(events[index]):
            return offset + index
    return default


class AppendOnlyRedisTrackerStore(TrackerStore, SerializedTrackerAsText):
    """Rasa's tracker store on Redis, one list of events per conversation, appended to."""

    def __init__(
        self,
        domain: Domain,
        host: Optional[str] = None,
        event_broker: Any = None,
        record_exp: Optional[int] = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("key_prefix", None)  # the keys are fixed: erasure and the old store name them
        super().__init__(domain, event_broker=event_broker, **kwargs)
        self.record_exp = int(record_exp or _tracker_ttl_seconds())
        self.red = async_redis_client(host or "")
        self._read_events = self.red.register_script(_READ_EVENTS)
        self.rewrites = 0  # saves that could not append (merged and rewritten instead)

    @staticmethod
    def keys_of(conversation_id: str) -> Tuple[str, str, str]:
        """The events list, the metadata hash and the old store's key of a conversation."""
        return (
            EVENTS_KEY.format(conversation_id=conversation_id),
            META_KEY.format(conversation_id=conversation_id),
            LEGACY_KEY.format(conversation_id=conversation_id),
        )

    # reading

    def _tracker(self, sender_id: str, events: List[Event]) -> DialogueStateTracker:
        tracker = self.init_tracker(sender_id)  # Rasa's own path: the same slots and history cap
        tracker.recreate_from_dialogue(Dialogue(sender_id, events))
        return tracker

    async def _stored_events(self, sender_id: str, every_session: bool) -> Optional[List[Event]]:
        events_key, meta_key, legacy_key = self.keys_of(sender_id)
        raw = await self._read_events(keys=[meta_key, events_key], args=["1" if every_session else "0"])
        if raw is not None:
            return deserialise_events([json.loads(item) for item in raw])
        legacy = await self.red.get(legacy_key)
        if legacy is None:
            return None
        events = list(Dialogue.from_parameters(json.loads(legacy)).events)
        return events if every_session else events[last_session_start(events):]

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The conversation's last session (as Rasa's Redis store returns it), or None."""
        events = await self._stored_events(sender_id, every_session=False)
        return None if events is None else self._tracker(sender_id, events)

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        """Every session of the conversation, or None."""
        events = await self._stored_events(conversation_id, every_session=True)
        return None if events is None else self._tracker(conversation_id, events)

    async def exists(self, conversation_id: str) -> bool:
        _, meta_key, legacy_key = self.keys_of(conversation_id)
        return bool(await self.red.exists(meta_key, legacy_key))

    async def keys(self) -> Iterable[str]:
        found = set()
        for pattern in (META_KEY, LEGACY_KEY):
            prefix = pattern.format(conversation_id="")
            async for key in self.red.scan_iter(match=prefix + "*", count=500):
                found.add(key[len(prefix):])
        return sorted(found)

    # saving

    @staticmethod
    def _new_events(tracker: DialogueStateTracker, meta: Dict[str, str]) -> Optional[List[Event]]:
        """The tracker's events after the stored ones, or None when its head is not recognised.

        The tracker holds either the stored events from the last session start (from `retrieve`)
        or all of them (from `retrieve_full_tracker`), then the turn's new events."""
        count, session = int(meta.get("count", 0)), int(meta.get("session", 0))
        events = list(tracker.events)
        if count == 0:
            return events
        for base in dict.fromkeys((session, 0)):
            held = count - base  # stored events the tracker should begin with
            if 0 < held <= len(events) and event_digest(events[held - 1]) == meta.get("last"):
                return events[held:]
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Appends the events not yet stored, in one transaction with the metadata and expiries."""
        await self.stream_events(tracker)
        events_key, meta_key, legacy_key = self.keys_of(tracker.sender_id)
        for _ in range(SAVE_ATTEMPTS):
            async with self.red.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(meta_key, legacy_key)
                    meta = await pipe.hgetall(meta_key)
                    new = self._new_events(tracker, meta) if meta else None
                    if new is not None:
                        count = int(meta.get("count", 0))
                        pipe.multi()
                        self._queue_append(pipe, events_key, meta_key, count, int(meta.get("session", 0)), new)
                    else:
                        everything = await self._merged(pipe, tracker, bool(meta))
                        pipe.multi()
                        pipe.delete(events_key, legacy_key)
                        self._queue_append(pipe, events_key, meta_key, 0, 0, everything)
                    await pipe.execute()
                    return
                except WatchError:
                    continue  # saved meanwhile by another process: read the metadata again
        raise RuntimeError(f"Could not save the conversation after {SAVE_ATTEMPTS} attempts")

    def _queue_append(
        self, pipe: Any, events_key: str, meta_key: str, count: int, session: int, new: List[Event]
    ) -> None:
        if new:
            pipe.rpush(events_key, *(serialise_event(event) for event in new))
            pipe.hset(meta_key, mapping={
                "count": count + len(new),
                "session": last_session_start(new, offset=count, default=session),
                "last": event_digest(new[-1]),
            })
        elif count == 0:
            pipe.hset(meta_key, mapping={"count": 0, "session": 0, "last": ""})
        pipe.expire(events_key, self.record_exp)
        pipe.expire(meta_key, self.record_exp)

    async def _merged(self, pipe: Any, tracker: DialogueStateTracker, in_new_format: bool) -> List[Event]:
        """Every stored event (new or old format) merged with the tracker's, as Rasa merges them."""
        events_key, _, legacy_key = self.keys_of(tracker.sender_id)
        if in_new_format:
            self.rewrites += 1
            logger.info("A saved conversation did not begin with its stored events: rewriting it")
            prior = deserialise_events([json.loads(item) for item in await pipe.lrange(events_key, 0, -1)])
        else:
            legacy = await pipe.get(legacy_key)
            if legacy is None:
                return list(tracker.events)
            prior = list(Dialogue.from_parameters(json.loads(legacy)).events)
        stored = DialogueStateTracker.from_events(tracker.sender_id, prior, self.domain.slots.copy())
        merged = RedisTrackerStore._merge_trackers(stored, tracker)
        return list(merged.events)

    async def close(self) -> None:
        await self.red.close()
