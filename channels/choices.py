"""Buttons on every channel: real ones on Telegram, numbered lines on SMS and Zalo.

When the bot offers choices, their payloads are kept for the conversation; a reply of just the
number (or a Telegram button press, whose callback data is that number) becomes the payload.
Payloads are plain text the NLU understands, never "/intent" syntax: user text never reaches it.
"""
from __future__ import annotations

import json
import re
from typing import Dict, List, Optional

import redis.asyncio as aioredis

KEY = "helpline:choices:{conversation_id}"
TTL_SECONDS = 24 * 3600
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def numbered(text: str, buttons: List[Dict[str, str]]) -> str:
    lines = [text] if text else []
    lines += [f"{index}. {button.get('title', '')}" for index, button in enumerate(buttons, start=1)]
    return "\n".join(lines)


def payloads(buttons: List[Dict[str, str]]) -> List[str]:
    return [str(button.get("payload") or button.get("title") or "") for button in buttons]


class Choices:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    def offer_in(self, pipe, conversation_id: str, buttons: List[Dict[str, str]]) -> None:
        pipe.set(KEY.format(conversation_id=conversation_id), json.dumps(payloads(buttons), ensure_ascii=False), ex=TTL_SECONDS)

    async def resolve(self, conversation_id: str, text: str) -> str:
        """The payload a bare number stands for, when choices were offered; else the text."""
        match = _NUMBER.match(text)
        if not match:
            return text
        raw = await self.redis.get(KEY.format(conversation_id=conversation_id))
        if not raw:
            return text
        offered = json.loads(raw)
        index = int(match.group(1)) - 1
        return offered[index] if 0 <= index < len(offered) and offered[index] else text

    async def payload_at(self, conversation_id: str, index: int) -> Optional[str]:
        raw = await self.redis.get(KEY.format(conversation_id=conversation_id))
        offered = json.loads(raw) if raw else []
        return offered[index] if 0 <= index < len(offered) else None
