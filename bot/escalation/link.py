"""The Redis side of a case: what the channel pipeline and the console share.

While a conversation has an open case, the pipeline copies her messages and the bot's replies
into the case (the CASE_EVENTS stream, written to SQL by the console process). While an officer
has taken it, her messages go only to the case: Rasa never sees them, so neither Rasa's session
expiry nor a "/restart" can switch the bot back on; only closing the case does.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Any, Dict, Optional

import redis.asyncio as aioredis

CASE_KEY = "helpline:case:{conversation_id}"
HANDOFF_KEY = "helpline:handoff:{conversation_id}"
CASE_EVENTS = "helpline:case-events"
OFFICER_CONTACTS = "helpline:officer-contacts"  # hash "<channel>:<address>" -> rota id


def contact_key(channel: str, address: str) -> str:
    return f"{channel}:{address}"


async def open_case_id(redis: aioredis.Redis, conversation_id: str) -> Optional[int]:
    value = await redis.get(CASE_KEY.format(conversation_id=conversation_id))
    return int(value) if value else None


async def in_handoff(redis: aioredis.Redis, conversation_id: str) -> bool:
    return bool(await redis.exists(HANDOFF_KEY.format(conversation_id=conversation_id)))


def case_event(kind: str, **fields: Any) -> Dict[str, str]:
    return {"event": json.dumps({"kind": kind, "at": time.time(), **fields}, ensure_ascii=False)}


async def queue_to_worker(redis: aioredis.Redis, conversation_id: str, text: str, origin: str) -> bool:
    """Send `text` to the worker of a conversation through her own channel, in order with the
    bot's replies. False when her address is unknown (the REST channel, or it expired)."""
    from channels.identity import Identities
    from channels.inbox import STREAM_KEY, Inbound

    address = await Identities(redis, ttl_seconds=0).lookup(conversation_id)
    if address is None:
        return False
    message = Inbound(address.channel, address.address, f"send-{uuid.uuid4().hex}", text, kind="send", extra={"origin": origin})
    await redis.xadd(STREAM_KEY.format(channel=address.channel), {"message": message.dump()})
    return True


async def mark_case_open(redis: aioredis.Redis, conversation_id: str, case_id: int, ttl_seconds: int) -> None:
    await redis.set(CASE_KEY.format(conversation_id=conversation_id), str(case_id), ex=ttl_seconds)


async def start_handoff(redis: aioredis.Redis, conversation_id: str, ttl_seconds: int) -> None:
    await redis.set(HANDOFF_KEY.format(conversation_id=conversation_id), "1", ex=ttl_seconds)


async def end_case(redis: aioredis.Redis, conversation_id: str) -> None:
    await redis.delete(CASE_KEY.format(conversation_id=conversation_id), HANDOFF_KEY.format(conversation_id=conversation_id))
