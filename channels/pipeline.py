"""The one path every provider message takes, whatever the channel.

Webhook (per connector): authenticate → parse → NFC and clean → `accept()`: deduplicate on the
provider id and record in the inbox stream → acknowledge. Then, in this process's workers:
conversation id (no phone number in Rasa) → staff commands (the injected Router) → channel
keywords (STOP, HELP) → per-sender rate limit (over it, the message is still judged: danger goes
on) → a person holding the conversation, or Rasa → replies split for the channel → outbox, in one
Redis transaction with the inbox entry's removal and the case transcript's copies → sent with
retries, or dead-lettered.

A message leaves the inbox only when its turn's work is done: a turn in which an action failed,
timed out or lost its events (channels/turns.py) keeps it pending, retried with backoff; after
the last try she gets the hotline, and a message judged critical gets the emergency reply and its
case opening queued for the escalation side, which needs no action server (docs/reliability.md).
"""
from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Protocol, Sequence

import redis.asyncio as aioredis
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.facts.directory import citizen_protection_hotline
from bot.replies.catalogue import render
from bot.replies.referrals import danger_reply
from bot.runtime import metrics
from bot.runtime.privacy import mask_id
from bot.runtime.settings import Settings
from bot.understanding.language import clearly_written_in
from bot.understanding.severity import Severity
from channels import contact_hold
from channels.choices import Choices, numbered
from channels.core import MAX_TEXT_CHARS
from channels.erasure import handle as erasure_handle
from channels.handoff import CASE_EVENTS, CASE_OPENINGS, OpensCases, case_event, case_opening
from channels.identity import Address, Identities
from channels.inbox import Inbound, Inbox
from channels.optout import OptOuts
from channels.outbox import ERASURE_NOTICE, Outbox, OutboxItem, OutboxSender, Sender
from channels.ratelimit import RateLimiter
from channels.routing import BotOnly, Router
from channels.segments import prefers_gsm7
from channels.streams import Entry, StreamWorker
from channels.turns import Judgment, TurnIncomplete, judge, watching

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
# Rasa's own wait for the action server is 5 minutes; a turn that takes this long is retried.
TURN_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Context:
    """What a channel's keyword handling may use."""

    optouts: OptOuts
    language: str


class ChannelAdapter(Protocol):
    """What a provider connector tells the shared pipeline."""

    name: str
    native_buttons: bool  # buttons are sent as buttons (else as numbered lines)

    def sender(self) -> Sender: ...

    def parts(self, text: str, gsm7: bool) -> List[str]:
        """The text cut into provider messages (SMS segments, 4096 or 2000 characters)."""

    async def keyword(self, inbound: Inbound, context: Context) -> Optional[List[str]]:
        """Replies for a channel keyword handled without Rasa (STOP, HELP), or None."""


def hotline_text() -> str:
    return citizen_protection_hotline().phones[0].display


def notice_language(text: str, known: Optional[str] = None) -> str:
    """The language of a notice said without Rasa (HELP, erasure, limits): the language of this
    message when it clearly is one, else the conversation's, else Vietnamese."""
    return (clearly_written_in(text) if text else None) or known or "vi"


def worker_name(settings: Settings) -> str:
    return settings.worker_name or f"{socket.gethostname()}-{settings.rasa_port}"


class ChannelCollector(CollectingOutputChannel):
    """Collects a turn's replies; named after the channel so responses can vary by channel."""

    def __init__(self, channel: str) -> None:
        super().__init__()
        self._channel = channel

    def name(self) -> str:
        return self._channel

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        # One reply stays one message here; the channel cuts it to its own limits later.
        await self._persist_message(self._message(recipient_id, text=text))


class ChannelPipeline:
    def __init__(self, adapter: ChannelAdapter, redis: aioredis.Redis, settings: Settings,
                 router: Optional[Router] = None) -> None:
        self.adapter = adapter
        self.router: Router = router or BotOnly()
        self.channel = adapter.name
        self.redis = redis
        self.settings = settings
        self.inbox = Inbox(redis, self.channel, settings.dedupe_ttl_seconds)
        self.outbox = Outbox(redis, self.channel, settings.outbox_max_attempts)
        self.identities = Identities(redis, settings.tracker_ttl_seconds)
        self.optouts = OptOuts(redis, self.channel)
        self.rate_limiter = RateLimiter(redis, self.channel, settings.rate_limit_messages, settings.rate_limit_window_seconds)
        self.choices = Choices(redis)
        self.sender = adapter.sender()
        self._on_new_message: Optional[OnNewMessage] = None
        self.turn_timeout_seconds = TURN_TIMEOUT_SECONDS
        self._workers: List[StreamWorker] = []
        self._mover: Optional[asyncio.Task] = None

    # --- at the webhook ---------------------------------------------------------------------

    async def accept(self, inbound: Inbound) -> bool:
        """Record the message before the webhook is answered; False for a repeat delivery."""
        new = await self.inbox.record(inbound)
        metrics.message_received(self.channel, new)
        if not new:
            logger.info("Repeat delivery of %s message %s ignored", self.channel, mask_id(inbound.message_id))
        return new

    # --- workers ----------------------------------------------------------------------------

    async def start(self, on_new_message: OnNewMessage) -> None:
        self._on_new_message = on_new_message
        await self.sender.start()
        consumer = worker_name(self.settings)
        outbox_sender = OutboxSender(self.outbox, self.sender, self.optouts)
        self._workers = [
            StreamWorker(
                self.inbox.stream, consumer, self.handle_inbound, self.give_up_inbound,
                order_key=_inbound_address,
                claim_idle_seconds=self.settings.claim_idle_seconds,
            ),
            StreamWorker(
                self.outbox.stream, consumer, outbox_sender.handle, outbox_sender.poison,
                order_key=_item_address,
                claim_idle_seconds=self.settings.claim_idle_seconds,
            ),
        ]
        for worker in self._workers:
            worker.start()
        self._mover = asyncio.create_task(self._move_due_retries(), name=f"retries:{self.channel}")
        logger.info("The %s channel is taking messages (worker %s)", self.channel, consumer)

    async def stop(self) -> None:
        if self._mover is not None:
            self._mover.cancel()
        for worker in self._workers:
            await worker.stop()
        await self.sender.close()

    async def _move_due_retries(self) -> None:
        while True:
            try:
                await self.outbox.move_due()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001  (Redis down: the retries wait in Redis, nothing is lost)
                logger.warning("Could not move due retries on %s: %s", self.channel, type(error).__name__)
            await asyncio.sleep(0.5)

    async def handle_inbound(self, entry: Entry) -> None:
        inbound = Inbound.load(entry.fields["message"])
        conversation_id = await self.identities.conversation_id(self.channel, inbound.address)
        if inbound.kind == "send":  # queued by the officer console: already in the case
            known = await self.identities.lookup(conversation_id)
            gsm7 = known.gsm7 if known else prefers_gsm7(inbound.text)
            await self._reply(entry, inbound.address, conversation_id, gsm7, [{"text": inbound.text}], inbound.extra.get("origin", "officer"))
            return
        gsm7 = bool(inbound.text) and prefers_gsm7(inbound.text)
        known = await self.identities.lookup(conversation_id)
        language = notice_language(inbound.text, known.language if known else None)
        await self.identities.remember(conversation_id, Address(self.channel, inbound.address, gsm7, language))

        if await self._command(entry, inbound):
            return
        await contact_hold.she_wrote(self.redis, conversation_id)
        messages = await self._without_rasa(inbound, conversation_id, language)
        holding = await self.router.holding(conversation_id)
        case_id = holding.case_id
        events = [case_event("message_in", case_id=case_id, text=inbound.text)] if case_id and inbound.text else []
        if messages is None and case_id and holding.held:
            messages = []  # a person has her: the message goes to the case, not to the bot
        if messages is None:
            messages = await self._ask_rasa(inbound, conversation_id)
            case_id = case_id or (await self.router.holding(conversation_id)).case_id  # opened this turn
        if case_id:
            events += [case_event("message_out", case_id=case_id, text=m.get("text") or "") for m in messages if m.get("text")]
        await self._reply(entry, inbound.address, conversation_id, gsm7, messages, events=events)

    async def _without_rasa(self, inbound: Inbound, conversation_id: str, language: str) -> Optional[List[Dict[str, Any]]]:
        """Replies decided here (channel keywords, erasure, rate limit), or None: ask Rasa."""
        if not inbound.text.strip() and inbound.choice is None:
            # Stickers and photos count against the limit too (they get a "text only" answer).
            limited = await self._rate_limited(inbound, language)
            if limited is not None:
                return limited
        replies = await self.adapter.keyword(inbound, Context(self.optouts, language))
        if replies is not None:
            return [{"text": text} for text in replies]
        erasure = await erasure_handle(self.redis, conversation_id, inbound.text) if inbound.text else None
        if erasure and inbound.text.strip().lower() == "delete":
            language = "en"  # the English keyword: answer in English
        if erasure == "confirm":
            return [{"text": render("erase_confirm", language)}]
        if erasure == "erased":
            return [{"text": render("erased", language, hotline=hotline_text()), "origin": ERASURE_NOTICE}]
        return await self._rate_limited(inbound, language)

    async def _rate_limited(self, inbound: Inbound, language: str) -> Optional[List[Dict[str, Any]]]:
        """None within the limit; over it, one notice per window, then silence. The limit slows
        replies, never judgment: a message over it that is judged dangerous still goes on."""
        decision = await self.rate_limiter.check(inbound.address)
        if decision.allowed:
            return None
        judgment = await self.judge(inbound.text)
        if judgment.danger:
            logger.warning("%s over the rate limit on %s, judged %s: answered all the same",
                           mask_id(inbound.address), self.channel, judgment.severity.name)
            return None
        logger.info("%s over the rate limit on %s", mask_id(inbound.address), self.channel)
        return [{"text": render("rate_limited", language, hotline=hotline_text())}] if decision.notify else []

    async def judge(self, text: str) -> Judgment:
        """The NLU's judgment of a text without a turn (no action server needed), never below the
        safety net's; the safety net alone when the NLU is not available."""
        parse = None
        parser = getattr(self._on_new_message, "parse", None)
        if parser is not None and text.strip():
            try:
                parse = await parser(text[:MAX_TEXT_CHARS])
            except Exception as error:  # noqa: BLE001  (the safety net still judges)
                logger.warning("Could not parse a message on %s for triage: %s", self.channel, type(error).__name__)
        return judge(text, parse)

    async def _command(self, entry: Entry, inbound: Inbound) -> bool:
        """A staff command (an officer acknowledging a case): recorded, and no turn."""
        record = await self.router.command(self.channel, inbound)
        if record is None:
            return False
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(CASE_EVENTS, record)
            self.inbox.stream.finish_in(pipe, entry.id)
            await pipe.execute()
        return True

    async def _ask_rasa(self, inbound: Inbound, conversation_id: str) -> List[Dict[str, Any]]:
        if inbound.choice is not None:
            text = await self.choices.payload_at(conversation_id, inbound.choice) or ""
            if not text:  # a button from a day-old message: its choices are gone
                return [{"text": render("choice_expired", notice_language(inbound.text))}]
        else:
            text = await self.choices.resolve(conversation_id, inbound.text)
        if not text.strip():
            return []
        collector = ChannelCollector(self.channel)
        message = UserMessage(
            text[:MAX_TEXT_CHARS],
            collector,
            conversation_id,
            input_channel=self.channel,
            message_id=f"{self.channel}:{inbound.message_id}",
            metadata={"channel": self.channel},
        )
        assert self._on_new_message is not None, "start() first"
        with watching() as probe, metrics.timed_turn(self.channel):
            try:
                await asyncio.wait_for(self._on_new_message(message), self.turn_timeout_seconds)
            except asyncio.TimeoutError:
                raise TurnIncomplete(f"the turn took longer than {self.turn_timeout_seconds:.0f} s") from None
        if probe.failures:
            raise TurnIncomplete(f"action {', '.join(probe.failures)} failed; its events are lost")
        return collector.messages

    async def _reply(self, entry: Optional[Entry], address: str, conversation_id: str, gsm7: bool,
                     messages: List[Dict[str, Any]], origin: str = "bot", events: Sequence[Dict[str, str]] = (),
                     openings: Sequence[Dict[str, str]] = ()) -> None:
        """Queue the replies, copy the case events and finish the inbox entry: all or nothing."""
        items, offered = self.outbox_items(address, conversation_id, gsm7, messages, origin)
        async with self.redis.pipeline(transaction=True) as pipe:
            for item in items:
                self.outbox.enqueue_in(pipe, item)
            for event in events:
                pipe.xadd(CASE_EVENTS, event)
            for opening in openings:
                pipe.xadd(CASE_OPENINGS, opening)
            if offered:
                self.choices.offer_in(pipe, conversation_id, offered)
            if entry is not None:
                self.inbox.stream.finish_in(pipe, entry.id)
            await pipe.execute()

    def outbox_items(self, address: str, conversation_id: str, gsm7: bool,
                     messages: List[Dict[str, Any]], origin: str = "bot"):
        items: List[OutboxItem] = []
        offered: List[Dict[str, str]] = []
        for message in messages:
            text = message.get("text") or ""
            buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict)]
            if buttons:
                offered = buttons
                if not self.adapter.native_buttons:
                    text, buttons = numbered(text, buttons), []
            parts = self.adapter.parts(text, gsm7) if text else []
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                items.append(OutboxItem(self.channel, address, conversation_id, part, buttons if last else [],
                                        message.get("origin") or origin))
        return items, offered

    async def give_up_inbound(self, entry: Entry) -> None:
        """Rasa failed on this message every time: tell her where to call instead of silence.
        Judged critical, she gets the emergency reply, and her case opening is queued for the
        escalation side in the same transaction (it needs neither Rasa's dialogue nor the action
        server), with the time she wrote."""
        inbound = Inbound.load(entry.fields["message"])
        conversation_id = await self.identities.conversation_id(self.channel, inbound.address)
        known = await self.identities.lookup(conversation_id)
        language = notice_language(inbound.text, known.language if known else None)
        gsm7 = prefers_gsm7(inbound.text or "a")
        judgment = await self.judge(inbound.text) if inbound.kind == "worker" else Judgment(Severity.none)
        if not judgment.critical:
            logger.error("Message %s on %s failed repeatedly; the worker got the hotline instead", entry.id, self.channel)
            notice = render("system_problem", language, hotline=hotline_text())
            await self._reply(entry, inbound.address, conversation_id, gsm7, [{"text": notice}], "notice")
            return
        reply = danger_reply(Severity.critical, judgment.intent or "", judgment.country, language, offer_human=False)
        openings = []
        if isinstance(self.router, OpensCases) and self.router.opens_cases:
            openings = [case_opening(conversation_id, self.channel, "critical", country=judgment.country, language=language,
                                     at=inbound.received_at, reason="the bot failed on a critical message")]
        logger.error("Critical message %s on %s failed repeatedly: emergency reply sent%s", entry.id, self.channel,
                     ", case opening queued" if openings else "")
        await self._reply(entry, inbound.address, conversation_id, gsm7, [{"text": reply.text}], "notice", openings=openings)

    async def send_to_conversation(self, conversation_id: str, text: str, origin: str = "officer") -> bool:
        """Queue a message to a conversation's worker on this channel (officer replies)."""
        address = await self.identities.lookup(conversation_id)
        if address is None or address.channel != self.channel:
            return False
        await self._reply(None, address.address, conversation_id, address.gsm7, [{"text": text}], origin)
        return True


def _item_address(entry: Entry) -> str:
    return OutboxItem.load(entry.fields["item"]).address


def _inbound_address(entry: Entry) -> str:
    return Inbound.load(entry.fields["message"]).address
