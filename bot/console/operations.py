"""What the console's pages and its API share: who may see a case, input checks, and the case
actions (always through ``CaseActions``, which also pauses the bot, delivers replies over the
worker's channel and resumes the bot on close)."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Dict, List, Mapping, Optional, Protocol

from bot.cases.officers import OfficerAccount, OfficerStore, UnknownOfficer
from bot.cases.store import CLOSED, OPEN, Case, CaseEvent, CaseStore, InvalidTransition
from bot.console.i18n import translate
from bot.console.policy import MAX_REASON, MAX_TEXT, may_reply, sla_deadline

#: URL action name -> CaseActions method.
ACTIONS = ("ack", "take", "reply", "close", "reassign", "note")


class CaseActionsLike(Protocol):  # bot.escalation.case_actions.CaseActions
    async def acknowledge(self, case_id: int, officer: str) -> Case: ...
    async def take(self, case_id: int, officer: str) -> Case: ...
    async def reply(self, case_id: int, officer: str, text: str) -> Case: ...
    async def close(self, case_id: int, officer: str, reason: Optional[str] = None) -> Case: ...
    async def reassign(self, case_id: int, officer: str, to_officer: str, reason: Optional[str] = None) -> Case: ...
    async def note(self, case_id: int, officer: str, text: str) -> Case: ...


class Forbidden(Exception):
    """The officer does not cover the case's country (or asked for a country they do not)."""


class BadInput(Exception):
    """Input the console refuses before it reaches the store; ``key`` names the message in the
    catalogue (shown in the officer's language; the API says it in English)."""

    def __init__(self, key: str, **values: Any):
        super().__init__(key)
        self.key = key
        self.values = values

    def text(self, lang: str) -> str:
        return translate(lang, self.key, **self.values)


def optional_text(value: Any, limit: int) -> Optional[str]:
    """A string from a form or JSON body: str, no NUL, valid Unicode, at most ``limit``
    characters; stripped. Missing or blank -> None."""
    if value is None:
        return None
    if not isinstance(value, str) or "\x00" in value:
        raise BadInput("bad_request")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates ("\ud800" in JSON)
        raise BadInput("bad_request") from None
    text = value.strip()
    if not text:
        return None
    if len(text) > limit:
        raise BadInput("too_long", limit=limit)
    return text


def required_text(value: Any, limit: int) -> str:
    """As ``optional_text``, but missing or blank is BadInput."""
    text = optional_text(value, limit)
    if text is None:
        raise BadInput("empty_text")
    return text


async def load_case(store: CaseStore, officer: OfficerAccount, case_id: int, with_events: bool = True) -> Case:
    """The case, if this officer may see it: CaseNotFound, else Forbidden before any of it is used."""
    case = await asyncio.to_thread(store.get_case, case_id, with_events)
    if not officer.can_see(case.country):
        raise Forbidden()
    return case


def may_cover(account: OfficerAccount, case: Case) -> bool:
    """Whether a case may be reassigned to this account: active and covering its country."""
    return account.active and account.can_see(case.country)


async def reassign_candidates(officers: OfficerStore, case: Case) -> List[OfficerAccount]:
    accounts = await asyncio.to_thread(officers.list)
    return [account for account in accounts if may_cover(account, case)]


async def perform(
    store: CaseStore, officers: OfficerStore, actions: CaseActionsLike, officer: OfficerAccount,
    case_id: int, action: str, fields: Mapping[str, Any], *, budgets: Any = None,
) -> Case:
    """Run one case action for ``officer``. Raises CaseNotFound, Forbidden, BadInput and the
    store's InvalidTransition / InvalidValue (from CaseActions). ``budgets``: a
    bot.console.reply_budget.ReplyBudgets, which refuses a reply her channel would cut."""
    if action not in ACTIONS:
        raise BadInput("bad_request")
    case = await load_case(store, officer, case_id, with_events=False)
    me = officer.username
    if action == "ack":
        return await actions.acknowledge(case_id, me)
    if action == "take":
        return await actions.take(case_id, me)
    if action == "reply":
        text = required_text(fields.get("text"), MAX_TEXT)
        if not may_reply(case, me):
            if case.status == CLOSED:
                raise InvalidTransition(f"case {case.number} is closed")
            raise InvalidTransition(
                f"case {case.number} is with {case.assigned_officer}; have it reassigned to you before replying"
            )
        if budgets is not None:
            await budgets.check(case, text)  # TooLong (BadInput): refused with the reason, never cut
        return await actions.reply(case_id, me, text)  # an open case is taken by replying
    if action == "note":
        return await actions.note(case_id, me, required_text(fields.get("text"), MAX_TEXT))
    if action == "close":
        return await actions.close(case_id, me, optional_text(fields.get("reason"), MAX_REASON))
    # reassign
    target = required_text(fields.get("to"), 64)
    reason = optional_text(fields.get("reason"), MAX_REASON)
    try:
        account = await asyncio.to_thread(officers.get, target)
    except UnknownOfficer:
        raise BadInput("bad_officer") from None
    if not may_cover(account, case):
        raise BadInput("bad_officer")
    return await actions.reassign(case_id, me, account.username, reason)


# --- JSON ----------------------------------------------------------------------------------------


def _iso(value: Optional[dt.datetime]) -> Optional[str]:
    return None if value is None else value.astimezone(dt.timezone.utc).isoformat()


def event_json(event: CaseEvent) -> Dict[str, Any]:
    return {
        "id": event.id, "kind": event.kind, "actor": event.actor,
        "detail": event.detail if isinstance(event.detail, dict) else {}, "created_at": _iso(event.created_at),
    }


def case_json(case: Case, sla: Mapping[str, int], now: dt.datetime, with_events: bool = False) -> Dict[str, Any]:
    deadline = sla_deadline(case, sla)
    data: Dict[str, Any] = {
        "id": case.id, "number": case.number, "conversation_id": case.conversation_id, "channel": case.channel,
        "country": case.country, "language": case.language, "severity": case.severity, "status": case.status,
        "assigned_officer": case.assigned_officer, "consent": case.consent,
        "contact_preference": case.contact_preference, "contact_detail": case.contact_detail,
        "summary": case.summary, "created_at": _iso(case.created_at), "updated_at": _iso(case.updated_at),
        "acknowledged_at": _iso(case.acknowledged_at), "taken_at": _iso(case.taken_at),
        "closed_at": _iso(case.closed_at), "waiting_seconds": int(case.waiting(now).total_seconds()),
        "ack_deadline": _iso(deadline),
        "overdue": bool(deadline is not None and case.status == OPEN and now > deadline),
    }
    if with_events:
        data["events"] = [event_json(event) for event in case.events]
    return data
