"""What an officer does to a case from the console, with its effect on her conversation.

Taking a case pauses the bot for her (the channel pipeline sends her messages to the case
only) and tells her a person has joined; replies go out through her own channel and are logged
in the case; closing resumes the bot with a short goodbye and the referrals for her country.
"""
from __future__ import annotations

import asyncio
from typing import Optional

import redis.asyncio as aioredis

from bot.cases.store import Case, CaseStore, InvalidValue
from bot.replies.catalogue import render
from bot.replies.referrals import contacts_reply
from channels.handoff import end_case, queue_to_worker, start_handoff

MAX_REPLY_CHARS = 1600
HANDOFF_TTL_SECONDS = 30 * 24 * 3600  # a taken case outlives any Rasa session


class CaseActions:
    def __init__(self, store: CaseStore, redis: Optional[aioredis.Redis]) -> None:
        self.store = store
        self.redis = redis

    async def acknowledge(self, case_id: int, officer: str) -> Case:
        return await asyncio.to_thread(self.store.acknowledge, case_id, officer)

    async def take(self, case_id: int, officer: str) -> Case:
        before = await asyncio.to_thread(self.store.get_case, case_id, False)
        case = await asyncio.to_thread(self.store.take, case_id, officer)
        if before.status != "taken":
            if self.redis is not None:
                await start_handoff(self.redis, case.conversation_id, HANDOFF_TTL_SECONDS)
            await self._tell_her(case, render("officer_joined", _language(case)), "system")
        return case

    async def reply(self, case_id: int, officer: str, text: str) -> Case:
        text = (text or "").strip()
        if not text or len(text) > MAX_REPLY_CHARS:
            raise InvalidValue(f"a reply must have 1 to {MAX_REPLY_CHARS} characters")
        case = await asyncio.to_thread(self.store.get_case, case_id, False)
        if case.status in ("open", "acknowledged"):
            case = await self.take(case_id, officer)  # an officer writing to her has her
        await self._tell_her(case, text, officer)
        return await asyncio.to_thread(self.store.get_case, case_id)

    async def close(self, case_id: int, officer: str, reason: Optional[str] = None) -> Case:
        case = await asyncio.to_thread(self.store.get_case, case_id, False)
        if case.is_active:  # the goodbye goes into the case before it closes to messages
            language = _language(case)
            referrals = contacts_reply(case.country, language).text
            await self._tell_her(case, f"{render('officer_left', language)}\n{referrals}", "system")
        case = await asyncio.to_thread(self.store.close, case_id, officer, reason)
        if self.redis is not None:
            await end_case(self.redis, case.conversation_id)
        return case

    async def reassign(self, case_id: int, officer: str, to_officer: str, reason: Optional[str] = None) -> Case:
        return await asyncio.to_thread(self.store.reassign, case_id, to_officer, officer, reason)

    async def note(self, case_id: int, officer: str, text: str) -> Case:
        await asyncio.to_thread(self.store.add_note, case_id, officer, text)
        return await asyncio.to_thread(self.store.get_case, case_id)

    async def _tell_her(self, case: Case, text: str, actor: str) -> None:
        """Log it in the case, then queue it on her channel (or note that it cannot go)."""
        await asyncio.to_thread(self.store.record_message, case.id, "out", text, actor)
        delivered = self.redis is not None and await queue_to_worker(self.redis, case.conversation_id, text, "officer")
        if not delivered:
            await asyncio.to_thread(
                self.store.add_event, case.id, "note", "bot",
                {"text": "Not delivered: this conversation has no channel address (REST, or expired)."},
            )


def _language(case: Case) -> str:
    return "en" if case.language == "en" else "vi"
