"""Messages in: deduplicated on the provider's id and recorded durably before the webhook answers.

Recording is one Lua script, so "seen this id" and "kept the message" happen together: a crash
between them can neither lose a message (provider retries would be dropped as duplicates) nor
keep it twice.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Dict

import redis.asyncio as aioredis

from channels.streams import DurableStream

STREAM_KEY = "helpline:inbox:{channel}"
SEEN_KEY = "helpline:seen:{channel}:{message_id}"

_RECORD = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], '*', 'message', ARGV[2])
end
return false
"""


@dataclass(frozen=True)
class Inbound:
    channel: str
    address: str  # where replies go: phone number, chat id, Zalo user id
    message_id: str  # the provider's id, for deduplication
    text: str
    received_at: float = field(default_factory=time.time)
    # A button press (Telegram callback): the index of the choice pressed, resolved later.
    choice: int | None = None
    # "worker": she wrote it. "send": a message to her queued by the officer console, which
    # takes this path so it is split for the channel and ordered with the bot's replies.
    kind: str = "worker"
    extra: Dict[str, Any] = field(default_factory=dict)

    def dump(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def load(cls, raw: str) -> Inbound:
        return cls(**json.loads(raw))


class Inbox:
    def __init__(self, redis: aioredis.Redis, channel: str, dedupe_ttl_seconds: int) -> None:
        self.redis = redis
        self.channel = channel
        self.dedupe_ttl_seconds = dedupe_ttl_seconds
        self.stream = DurableStream(redis, STREAM_KEY.format(channel=channel))

    async def record(self, inbound: Inbound) -> bool:
        """True when the message is new and now kept; False for a provider's repeat delivery."""
        seen = SEEN_KEY.format(channel=self.channel, message_id=inbound.message_id)
        entry_id = await self.redis.eval(_RECORD, 2, seen, self.stream.key, self.dedupe_ttl_seconds, inbound.dump())
        return entry_id is not None
