"""Who a conversation is with, without putting phone numbers or chat ids in Rasa.

Rasa's conversation id (the tracker key, what actions and the officer console see) is a keyed
hash of the channel and the worker's address. The address itself, needed to reply, lives only
in a Redis hash that expires with the conversation. The hashing key is generated once and kept
in Redis, so every process and every restart maps a number to the same conversation.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Optional

import redis.asyncio as aioredis

KEY_NAME = "helpline:keys:conversation-id"
ADDRESS_KEY = "helpline:address:{conversation_id}"


@dataclass(frozen=True)
class Address:
    channel: str
    address: str
    gsm7: bool  # she writes without diacritics: reply in GSM-7 on SMS
    language: Optional[str] = None  # of her last message clearly in one language: for notices


class Identities:
    def __init__(self, redis: aioredis.Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl_seconds = ttl_seconds
        self._key: Optional[bytes] = None

    async def _hash_key(self) -> bytes:
        if self._key is None:
            await self.redis.set(KEY_NAME, secrets.token_hex(32), nx=True)
            self._key = (await self.redis.get(KEY_NAME)).encode("ascii")
        return self._key

    async def conversation_id(self, channel: str, address: str) -> str:
        digest = hmac.new(await self._hash_key(), f"{channel}\0{address}".encode(), hashlib.sha256)
        return f"{channel}-{digest.hexdigest()[:24]}"

    async def remember(self, conversation_id: str, address: Address) -> None:
        key = ADDRESS_KEY.format(conversation_id=conversation_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            fields = {"channel": address.channel, "address": address.address, "gsm7": int(address.gsm7)}
            if address.language:  # a short or mixed message keeps the language she had
                fields["language"] = address.language
            pipe.hset(key, mapping=fields)
            pipe.expire(key, self.ttl_seconds)
            await pipe.execute()

    async def lookup(self, conversation_id: str) -> Optional[Address]:
        found = await self.redis.hgetall(ADDRESS_KEY.format(conversation_id=conversation_id))
        if not found:
            return None
        return Address(found["channel"], found["address"], found.get("gsm7") == "1", found.get("language"))

    async def forget(self, conversation_id: str) -> None:
        await self.redis.delete(ADDRESS_KEY.format(conversation_id=conversation_id))
