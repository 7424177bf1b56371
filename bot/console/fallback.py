"""Case actions straight on the store, for a console started before bot.escalation.case_actions
exists (or without it): acknowledge, take, reassign, close and notes work and are audited, but
nothing reaches the worker, so replies are refused rather than silently lost."""
from __future__ import annotations

import asyncio
from typing import Optional

from bot.cases.store import Case, CaseStore, InvalidTransition


class StoreOnlyActions:
    def __init__(self, store: CaseStore, redis=None) -> None:
        self.store = store

    async def acknowledge(self, case_id: int, officer: str) -> Case:
        return await asyncio.to_thread(self.store.acknowledge, case_id, officer)

    async def take(self, case_id: int, officer: str) -> Case:
        return await asyncio.to_thread(self.store.take, case_id, officer)

    async def reply(self, case_id: int, officer: str, text: str) -> Case:
        raise InvalidTransition(
            "replies cannot be delivered: this console runs without the escalation service "
            "(bot.escalation.case_actions), so nothing would reach the worker"
        )

    async def close(self, case_id: int, officer: str, reason: Optional[str] = None) -> Case:
        return await asyncio.to_thread(self.store.close, case_id, officer, reason)

    async def reassign(self, case_id: int, officer: str, to_officer: str, reason: Optional[str] = None) -> Case:
        return await asyncio.to_thread(self.store.reassign, case_id, to_officer, officer, reason)

    async def note(self, case_id: int, officer: str, text: str) -> Case:
        await asyncio.to_thread(self.store.add_note, case_id, officer, text)
        return await asyncio.to_thread(self.store.get_case, case_id, False)
