"""What changed on a case since the page showed it, for the case page's polling (console.js asks
GET /api/cases/{id}/updates?after=<last event id> every few seconds): her new messages, rendered
as the page renders them (escaped by MarkupSafe), and whether anything else happened."""
from __future__ import annotations

import asyncio
from typing import Any, Dict

from sanic.request import Request

from bot.cases.store import Case
from bot.console.case_page import message_item
from bot.console.request_helpers import page_context

MESSAGE_KINDS = ("message_in", "message_out")


async def case_updates_json(request: Request, case: Case, after: int) -> Dict[str, Any]:
    new = [event for event in case.events if event.id > after]
    messages = [event for event in new if event.kind in MESSAGE_KINDS]
    names = None
    if any(event.kind == "message_out" and event.actor not in (None, "bot", "system") for event in messages):
        accounts = await asyncio.to_thread(request.app.ctx.officers.list)
        names = {account.username: account.display_name for account in accounts}
    ctx = page_context(request, names=names)
    return {
        "status": case.status,
        "status_label": ctx.t(f"st_{case.status}"),
        "last_event": max([after, *(event.id for event in new)]),
        "messages": [{"id": event.id, "kind": event.kind, "html": str(message_item(ctx, event))} for event in messages],
        "changed": any(event.kind not in MESSAGE_KINDS for event in new),
    }
