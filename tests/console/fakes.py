"""A stand-in for bot.escalation.case_actions.CaseActions: the same interface, straight on the store,
remembering every call (the real one also pauses the bot and delivers over the worker's
channel). Like it, replying to an open or acknowledged case takes it first."""
from __future__ import annotations

import asyncio
from typing import List, Optional, Tuple

from bot.cases.store import Case, CaseStore, InvalidValue

MAX_REPLY = 1600


class FakeCaseActions:
    def __init__(self, store: CaseStore, redis=None) -> None:
        self.store = store
        self.calls: List[Tuple] = []
        self.fail_with: Optional[BaseException] = None

    async def _run(self, name: str, *args, fn):
        self.calls.append((name, *args))
        if self.fail_with is not None:
            raise self.fail_with
        return await asyncio.to_thread(fn)

    async def acknowledge(self, case_id: int, officer: str) -> Case:
        return await self._run("acknowledge", case_id, officer, fn=lambda: self.store.acknowledge(case_id, officer))

    async def take(self, case_id: int, officer: str) -> Case:
        return await self._run("take", case_id, officer, fn=lambda: self.store.take(case_id, officer))

    async def reply(self, case_id: int, officer: str, text: str) -> Case:
        def reply() -> Case:
            if not text or not text.strip():
                raise InvalidValue("the reply must not be empty")
            if len(text) > MAX_REPLY:
                raise InvalidValue(f"the reply must have at most {MAX_REPLY} characters")
            case = self.store.get_case(case_id, with_events=False)
            if case.status in ("open", "acknowledged"):
                self.store.take(case_id, officer)  # as CaseActions: writing to her takes the case
            self.store.record_message(case_id, "out", text, actor=officer)
            return self.store.get_case(case_id, with_events=False)

        return await self._run("reply", case_id, officer, text, fn=reply)

    async def close(self, case_id: int, officer: str, reason: Optional[str] = None) -> Case:
        return await self._run("close", case_id, officer, reason, fn=lambda: self.store.close(case_id, officer, reason))

    async def reassign(self, case_id: int, officer: str, to_officer: str, reason: Optional[str] = None) -> Case:
        return await self._run("reassign", case_id, officer, to_officer, reason,
                               fn=lambda: self.store.reassign(case_id, to_officer, officer, reason))

    async def note(self, case_id: int, officer: str, text: str) -> Case:
        def note() -> Case:
            self.store.add_note(case_id, officer, text)
            return self.store.get_case(case_id, with_events=False)

        return await self._run("note", case_id, officer, text, fn=note)
