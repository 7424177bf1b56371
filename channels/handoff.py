"""The handoff contract: which conversation a person holds, and where their replies queue.

The channel layer owns it; whatever hands conversations to people (escalation to duty officers)
uses it. While a conversation has an open case, the pipeline copies her messages and the bot's
replies into the CASE_EVENTS stream (written to the case store by the escalation side). While a
person has taken it, her messages go only there: Rasa never sees them, so neither Rasa's session
expiry nor a "/restart" can switch the bot back on; only ending the case does. A person's replies
are queued on her channel's inbox stream as "send" messages, in order with the bot's replies.

When a case must be opened and cannot be at once (the case store is locked or down, or the action
server failed on a critical message every time), the opening waits in the CASE_OPENINGS stream
with the moment it was asked for, and the escalation side opens it when it can.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Any, Dict, Optional, Protocol, runtime_checkable

import redis.asyncio as aioredis

from channels.identity import Identities
from channels.inbox import STREAM_KEY, Inbound

CASE_KEY = "helpline:case:{conversation_id}"
HANDOFF_KEY = "helpline:handoff:{conversation_id}"
CASE_EVENTS = "helpline:case-events"
CASE_OPENINGS = "helpline:case-openings"


@runtime_checkable
class OpensCases(Protocol):
    """A router that escalates: the pipeline may queue a case opening for it in CASE_OPENINGS."""

    opens_cases: bool


def case_opening(conversation_id: str, channel: str, severity: str, *, country: Optional[str], language: str,
                 at: Optional[float] = None, consent: str = "not_required", contact_preference: Optional[str] = None,
                 reason: str = "") -> Dict[str, str]:
    """A case opening to do later, as a CASE_OPENINGS entry; `at` is when it was asked for."""
    return {"opening": json.dumps({
        "conversation_id": conversation_id, "channel": channel, "severity": severity, "country": country,
        "language": language, "at": time.time() if at is None else at, "consent": consent,
        "contact_preference": contact_preference, "reason": reason,
    }, ensure_ascii=False)}


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
