""""XOA" / "DELETE": a worker erases her conversation, after confirming.

The first keyword asks for confirmation; the same keyword again within 10 minutes erases the
Rasa conversation, her address and choices here, and (through the case-events stream) her cases
in the case store. Anything else in between keeps everything. Logged without content.
"""
from __future__ import annotations

import logging
from typing import Optional

import redis.asyncio as aioredis

from bot.runtime.privacy import mask_id
from bot.understanding.text import fold
from channels.handoff import CASE_EVENTS, case_event, end_case

logger = logging.getLogger(__name__)

KEYWORDS = {"xoa", "delete", "xoa het", "xoa tin nhan"}
PENDING_KEY = "helpline:erase-pending:{conversation_id}"
CONFIRM_SECONDS = 600
ERASED_KEYS = (
    "helpline:tracker:{conversation_id}", "helpline:choices:{conversation_id}", "helpline:address:{conversation_id}",
)


def is_erase_request(text: str) -> bool:
    return fold(text.strip().strip(".!")).strip() in KEYWORDS


async def handle(redis: aioredis.Redis, conversation_id: str, text: str) -> Optional[str]:
    """"confirm" (asked to confirm), "erased", or None (not about erasure: go on as usual)."""
    pending = PENDING_KEY.format(conversation_id=conversation_id)
    if not is_erase_request(text):
        await redis.delete(pending)
        return None
    if not await redis.exists(pending):
        await redis.set(pending, "1", ex=CONFIRM_SECONDS)
        return "confirm"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(pending, *(key.format(conversation_id=conversation_id) for key in ERASED_KEYS))
        pipe.xadd(CASE_EVENTS, case_event("erase", conversation_id=conversation_id))
        await pipe.execute()
    await end_case(redis, conversation_id)
    logger.info("Conversation %s erased at the worker's request", mask_id(conversation_id))
    return "erased"
