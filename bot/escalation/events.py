"""Case events from the channels (the CASE_EVENTS stream) into the case store.

The Rasa process copies a conversation's messages here while it has an open case, and routes
officers' "OK TW-0042" and Acknowledge buttons here; the console process writes them to SQL.
A Redis stream with a consumer group, so nothing is lost when the console restarts.

An acknowledgement counts only when it cannot have been forged: by SMS (whose sender number can
be spoofed) it must carry the code from the officer's alert or the officer's PIN from the rota;
Telegram chats are authenticated by Telegram. An officer acknowledges only cases of the countries
they serve or cases they were alerted to; the desk only cases escalated to it. A refusal is a
case event (`ack_refused`), so the trail shows who tried.

An acknowledgement that counts is confirmed back to the officer on the channel it came by: the
chat where the button was pressed (a desk's group included, naming who pressed), or their SMS
number ("Đã nhận ca TW-0042 / Case TW-0042 acknowledged"). One that came after a colleague's is
answered with who holds the case. The console confirms on its own page. Each confirmation is a
case event (`notified`, or `notify_failed` with the provider's reason, both with `about:
acknowledgement`); it is tried once, and it never holds up the acknowledgement.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Dict, Optional, Protocol, runtime_checkable

import redis.asyncio as aioredis
from sqlalchemy import and_, func, select

from bot.cases.rota import Rota
from bot.cases.schema import notifications
from bot.cases.store import Case, CaseError, CaseNotFound, CaseStore, InvalidTransition
from bot.escalation.alert_texts import acknowledged_text, already_held_text
from bot.escalation.follow_up import follow_message
from bot.escalation.notify import NotifyError
from bot.escalation.routing import ack_code
from channels.handoff import CASE_EVENTS
from channels.streams import DurableStream, Entry, StreamWorker

logger = logging.getLogger(__name__)


AUTHENTICATED_CHANNELS = ("telegram", "console")  # the sender cannot be forged there
#: The channel an acknowledgement came by -> the officer sender and rota contact that answer it.
CONFIRM_BY = {"telegram": "telegram", "twilio": "sms"}
CONFIRMATION = "acknowledgement"  # the `about` of the case event recording a confirmation


@runtime_checkable
class Messenger(Protocol):
    async def tell(self, address: str, text: str) -> None:
        """A plain message to an officer; NotifyError when the provider refuses."""


class CaseEventWriter:
    def __init__(self, store: CaseStore, redis: aioredis.Redis, rota: Optional[Rota], ack_key: bytes = b"",
                 messengers: Optional[Dict[str, Messenger]] = None) -> None:
        self.store = store
        self.redis = redis
        self.rota = rota
        self.ack_key = ack_key
        self.messengers = messengers or {}  # by officer channel: telegram, sms
        self.stream = DurableStream(redis, CASE_EVENTS)

    def worker(self, consumer: str, claim_idle_seconds: float) -> StreamWorker:
        return StreamWorker(
            self.stream, consumer, self.handle, self.give_up,
            order_key=lambda entry: "case-events", claim_idle_seconds=claim_idle_seconds, concurrency=1,
        )

    async def handle(self, entry: Entry) -> None:
        event = json.loads(entry.fields["event"])
        kind = event["kind"]
        if kind in ("message_in", "message_out"):
            actor = "worker" if kind == "message_in" else "bot"
            try:
                await asyncio.to_thread(self.store.record_message, int(event["case_id"]), kind[len("message_"):], event["text"], actor)
                if kind == "message_in":
                    await asyncio.to_thread(follow_message, self.store, self.rota, int(event["case_id"]), event["text"])
            except CaseNotFound:
                pass  # erased or purged in between
        elif kind == "officer_ack":
            await self._acknowledge(event)
        elif kind == "erase":
            counts = await asyncio.to_thread(self.store.erase_conversation, event["conversation_id"])
            logger.info("Erased a conversation's cases on request: %s", counts)
        else:
            logger.warning("Unknown case event %r ignored", kind)
        await self.stream.finish(entry.id)

    async def _acknowledge(self, event: dict) -> None:
        officer, reference = str(event.get("officer") or ""), str(event["case"])
        channel, via = str(event.get("channel") or ""), str(event.get("via") or "")
        try:
            case = await asyncio.to_thread(self.store.get_case_by_number, reference, False)
        except (CaseNotFound, CaseError):
            logger.info("Officer %s acknowledged an unknown case %s", officer or "?", reference)
            return
        refusal = await asyncio.to_thread(self._refusal, case, officer, channel, str(event.get("code") or ""), via)
        if refusal:
            logger.warning("Acknowledgement of %s by %s (%s) refused: %s", case.number, officer or "someone", channel or "?", refusal)
            await asyncio.to_thread(self.store.add_event, case.id, "ack_refused", officer or None,
                                    {"channel": channel, "reason": refusal, **({"via": via} if via else {})})
            return
        try:
            case = await asyncio.to_thread(self.store.acknowledge, case.id, officer, {"channel": channel, **({"via": via} if via else {})})
        except InvalidTransition as error:
            logger.info("Acknowledgement of %s by %s refused: %s", case.number, officer, error)
            held = await asyncio.to_thread(self.store.get_case, case.id, False)
            await self._confirm(held, officer, channel, via, already_held_text(held))
            return
        except CaseError as error:
            logger.info("Acknowledgement of %s by %s refused: %s", case.number, officer, error)
            return
        await self._confirm(case, officer, channel, via, acknowledged_text(case, officer, pressed_in_group=bool(via)))

    async def _confirm(self, case: Case, officer: str, channel: str, via: str, text: str) -> None:
        """Tell the officer on the channel they used (for a group's button, the group)."""
        kind = CONFIRM_BY.get(channel)
        messenger = self.messengers.get(kind) if kind else None
        if self.rota is None or kind is None or messenger is None:
            return  # the console confirms on its page; a channel without a sender cannot
        try:
            address = getattr(self.rota.get(via or officer).contacts, kind)
        except KeyError:
            return
        if not address:
            return
        try:
            await messenger.tell(address, text)
        except NotifyError as error:
            logger.warning("Confirming %s's acknowledgement of %s by %s failed (%s)", officer, case.number, kind, error.reason)
            await asyncio.to_thread(self.store.add_event, case.id, "notify_failed", "bot",
                                    {"officer": officer, "channel": kind, "about": CONFIRMATION, "error": error.reason[:200], "will_retry": False})
            return
        await asyncio.to_thread(self.store.add_event, case.id, "notified", "bot", {"officer": officer, "channel": kind, "about": CONFIRMATION})

    def _refusal(self, case: Case, officer: str, channel: str, code: str, via: str) -> str:
        """Why this acknowledgement does not count, or "" when it does."""
        if self.rota is None:
            return ""
        try:
            member = self.rota.get(officer)
        except KeyError:
            return "not on the rota"
        if channel not in AUTHENTICATED_CHANNELS and not self._code_holds(case, member.id, code):
            return "by SMS without the code from the alert or the officer's PIN"
        if may_acknowledge(self.store, self.rota, member.id, case):
            return ""
        if via and may_acknowledge(self.store, self.rota, via, case):
            return ""  # a rota member in the group of someone the case was escalated to
        return "not their country, and not escalated to them"

    def _code_holds(self, case: Case, officer_id: str, code: str) -> bool:
        if not code:
            return False
        pin = self.rota.get(officer_id).ack_pin if self.rota is not None else None
        if pin is not None and hmac.compare_digest(code, pin.get_secret_value()):
            return True
        return bool(self.ack_key) and hmac.compare_digest(code, ack_code(self.ack_key, case.number, officer_id))

    async def give_up(self, entry: Entry) -> None:
        logger.error("A case event could not be written after several tries; dropped (entry %s)", entry.id)


def may_acknowledge(store: CaseStore, rota: Rota, officer_id: str, case: Case) -> bool:
    """An officer of the case's country, or anyone (the desk included) it was escalated to."""
    try:
        officer = rota.get(officer_id)
    except KeyError:
        return False
    if officer.id != rota.desk.id and case.country and case.country in officer.countries:
        return True
    with store.engine.begin() as connection:
        alerted = connection.execute(
            select(func.count()).select_from(notifications)
            .where(and_(notifications.c.case_id == case.id, notifications.c.officer == officer.id))
        ).scalar()
    return bool(alerted)
