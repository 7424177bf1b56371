""""XOA" / "DELETE": a worker erases her conversation, after confirming.

The first keyword asks for confirmation; the same keyword again within 10 minutes erases the
Rasa conversation, her address and choices here, the replies to her that could not be sent (dead
letters, which hold her number and the text), and (through the case-events stream) her cases in
the case store; then Redis is asked to rewrite its append-only file, which still holds every
command that wrote them. For a week the conversation is marked erased, so that a reply still in
flight is dropped rather than dead-lettered again, and a replay refuses it. Anything else in
between keeps everything. Logged without content.
"""
from __future__ import annotations

import logging
from typing import Optional

import redis.asyncio as aioredis

from bot.runtime.privacy import mask_id
from bot.understanding.text import fold
from channels.aof import rewrite_append_only_file
from channels.handoff import CASE_EVENTS, case_event, end_case
from channels.outbox import DEAD_KEY, ERASED_MARK

logger = logging.getLogger(__name__)

KEYWORDS = {"xoa", "delete", "xoa het", "xoa tin nhan"}
PENDING_KEY = "helpline:erase-pending:{conversation_id}"
CONFIRM_SECONDS = 600
ERASED_MARK_SECONDS = 7 * 24 * 3600
# Removes the dead letters addressed to one conversation; returns how many.
_DROP_DEAD_LETTERS = """
local removed = 0
for _, raw in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local ok, record = pcall(cjson.decode, raw)
  if ok and type(record) == 'table' and type(record['item']) == 'string' then
    local ok_item, item = pcall(cjson.decode, record['item'])
    if ok_item and type(item) == 'table' and item['conversation_id'] == ARGV[1] then
      removed = removed + redis.call('LREM', KEYS[1], 0, raw)
    end
  end
end
return removed
"""
ERASED_KEYS = (
    "helpline:tracker:{conversation_id}", "helpline:tracker-events:{conversation_id}", "helpline:tracker-meta:{conversation_id}", "helpline:choices:{conversation_id}", "helpline:address:{conversation_id}",
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
        pipe.set(ERASED_MARK.format(conversation_id=conversation_id), "1", ex=ERASED_MARK_SECONDS)
        pipe.eval(_DROP_DEAD_LETTERS, 1, DEAD_KEY, conversation_id)
        pipe.xadd(CASE_EVENTS, case_event("erase", conversation_id=conversation_id))
        await pipe.execute()
    await end_case(redis, conversation_id)
    await rewrite_append_only_file(redis)
    logger.info("Conversation %s erased at the worker's request", mask_id(conversation_id))
    return "erased"
