"""Rasa tracker and lock stores configured from one REDIS_URL.

endpoints.yml names the lock store here with `url: ${REDIS_URL}`, so the scheme (redis:// or
rediss:// for TLS), password and database all come from one variable, and every connection has
a timeout (bot.runtime.redis_client): Rasa's own Redis stores have none, and a hung Redis would hang every worker.
The tracker store it names is `bot.runtime.append_tracker_store.AppendOnlyRedisTrackerStore`;
`RedisUrlTrackerStore` here (one JSON string per conversation, rewritten on every save) wrote the
conversations that store still reads and migrates, and is the baseline of `python -m bench.tracker_store`.

The lock store also issues and returns tickets atomically (WATCH/MULTI). Rasa's own Redis lock
store reads, changes and writes the lock in three steps, so two Rasa processes behind a load
balancer can hand out the same ticket and answer one conversation twice at once.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Optional

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain

from bot.runtime.redis_client import redis_client

logger = logging.getLogger(__name__)

KEY_PREFIX = "helpline"  # Rasa ignores prefixes that are not alphanumeric


def _tracker_ttl_seconds() -> int:
    from bot.runtime.settings import Settings

    return Settings().tracker_ttl_seconds


class RedisUrlTrackerStore(RedisTrackerStore):
    """Rasa's Redis tracker store, connected from a URL, with an expiry on every conversation."""

    def __init__(
        self,
        domain: Domain,
        host: Optional[str] = None,
        event_broker: Any = None,
        record_exp: Optional[int] = None,
        key_prefix: str = KEY_PREFIX,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            domain,
            event_broker=event_broker,
            record_exp=int(record_exp or _tracker_ttl_seconds()),
            key_prefix=key_prefix,
            **kwargs,
        )
        self.red = redis_client(host or "", decode_responses=True)


class RedisUrlLockStore(RedisLockStore):
    """Rasa's Redis ticket lock store, connected from a URL, safe across processes."""

    def __init__(self, endpoint_config: Any = None, url: Optional[str] = None) -> None:
        super().__init__(key_prefix=KEY_PREFIX)
        self.red = redis_client(url or getattr(endpoint_config, "url", None) or "", False)

    def _update_atomically(self, conversation_id: str, change) -> Any:
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    serialised = pipe.get(key)
                    lock = (
                        TicketLock.from_dict(json.loads(serialised))
                        if serialised
                        else TicketLock(conversation_id)
                    )
                    result = change(lock)
                    pipe.multi()
                    if lock.is_someone_waiting():
                        pipe.set(key, lock.dumps())
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another process changed the lock: read it again

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._update_atomically(
                conversation_id, lambda lock: lock.issue_ticket(lock_lifetime)
            )
        except redis.RedisError as error:
            raise LockError(f"Could not issue a lock ticket: {error}") from None

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        try:
            self._update_atomically(
                conversation_id, lambda lock: lock.remove_ticket_for(ticket_number)
            )
        except redis.RedisError as error:
            logger.error("Could not release a conversation lock ticket: %s", error)
