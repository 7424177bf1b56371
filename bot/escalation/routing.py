"""The duty officers' routing, injected into every channel pipeline by bot/connectors.py.

An officer's "OK TW-0042 <code>" (or the Acknowledge button) from a phone or chat listed in the
rota is a command: it becomes an `officer_ack` case event and never a turn of the bot. Whether it
counts is decided where the rota and the case are known (bot/escalation/events.py): an SMS sender
number can be forged, so by SMS the code printed in the alert (`ack_code`) or the officer's PIN
must follow the case number; Telegram chats are authenticated by Telegram. In a group chat (a
desk's group) the button counts for the rota member who pressed it. A conversation with an open
case is copied into it; one an officer has taken is held away from the bot.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from typing import Any, Dict, Optional

import redis.asyncio as aioredis

from bot.cases.rota import Rota
from bot.runtime.privacy import mask_id
from channels.handoff import case_event, in_handoff, open_case_id
from channels.inbox import Inbound
from channels.routing import Holding

logger = logging.getLogger(__name__)

OFFICER_CONTACTS = "helpline:officer-contacts"  # hash "<channel>:<address>" -> rota id
ACK_CALLBACK = "ack:{case_id}"
_ACK_CALLBACK_PREFIX = ACK_CALLBACK.format(case_id="")
_OFFICER_ACK = re.compile(
    r"^\s*ok\s*#?\s*(?P<case>[a-z]{2}\s*-?\s*\d{1,9}|\d{1,9})(?:\s+(?P<code>\d{4,8}))?\s*$", re.IGNORECASE,
)
ACK_KEY = "helpline:keys:ack-codes"  # the secret the codes in alerts are derived from
ACK_CODE_DIGITS = 6


def ack_code(key: bytes, case_number: str, officer_id: str) -> str:
    """The code printed in an officer's alert for one case: only who got the alert knows it."""
    digest = hmac.new(key, f"{case_number.upper()}|{officer_id}".encode(), hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8], "big") % 10 ** ACK_CODE_DIGITS).zfill(ACK_CODE_DIGITS)


async def ack_key(redis: aioredis.Redis) -> bytes:
    """The secret for `ack_code`, made once and shared by every process through Redis."""
    await redis.set(ACK_KEY, secrets.token_hex(32), nx=True)
    return str(await redis.get(ACK_KEY)).encode()


def contact_key(channel: str, address: str) -> str:
    return f"{channel}:{address}"


def officer_ack_reference(inbound: Inbound) -> Optional[str]:
    """The case an officer's message acknowledges: "OK TW-0042", "ok 42", or an Acknowledge
    button (Telegram callback data "ack:<case id>")."""
    callback = inbound.extra.get("callback_data") or ""
    if callback.startswith(_ACK_CALLBACK_PREFIX):
        return callback[len(_ACK_CALLBACK_PREFIX):] or None
    match = _OFFICER_ACK.match(inbound.text or "")
    return match.group("case").replace(" ", "").upper() if match else None


def officer_ack_code(inbound: Inbound) -> str:
    """The code or PIN after the case number ("OK TW-0042 481516"), or ""."""
    match = _OFFICER_ACK.match(inbound.text or "")
    return (match.group("code") or "") if match else ""


def group_acknowledgement(update: Any, channel: str) -> Optional[Inbound]:
    """An Acknowledge button pressed in a group chat (the channel layer ignores groups): the
    press, addressed to the group, with who pressed it."""
    query = getattr(update, "callback_query", None)
    message = getattr(query, "message", None)
    data = getattr(query, "data", None)
    user = getattr(query, "from_user", None)
    if message is None or user is None or not isinstance(data, str) or not data.startswith(_ACK_CALLBACK_PREFIX):
        return None
    chat = message.chat
    if chat.type not in ("group", "supergroup"):
        return None
    return Inbound(channel, str(chat.id), str(update.update_id), "",
                   extra={"callback_data": data[:64], "pressed_by": str(user.id)})


async def publish_officer_contacts(redis: aioredis.Redis, rota: Rota) -> None:
    """So the pipelines know an officer's "OK TW-0042" from a worker's message."""
    contacts = {}
    for officer in (rota.desk, *rota.officers):
        if officer.contacts.telegram:
            contacts[contact_key("telegram", officer.contacts.telegram)] = officer.id
        if officer.contacts.sms:
            contacts[contact_key("twilio", officer.contacts.sms)] = officer.id
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(OFFICER_CONTACTS)
        if contacts:
            pipe.hset(OFFICER_CONTACTS, mapping=contacts)
        await pipe.execute()


class EscalationRouter:
    opens_cases = True  # the pipeline may queue case openings for the escalation side

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def command(self, channel: str, inbound: Inbound) -> Optional[Dict[str, str]]:
        officer = await self.redis.hget(OFFICER_CONTACTS, contact_key(channel, inbound.address))
        if not officer:
            return None
        reference = officer_ack_reference(inbound)
        if reference is None:
            return None
        pressed_by = str(inbound.extra.get("pressed_by") or "")
        if pressed_by:  # a group's button: it counts for the rota member who pressed it, if any
            member = await self.redis.hget(OFFICER_CONTACTS, contact_key(channel, pressed_by))
            logger.info("Case %s acknowledged in %s's group by %s", reference, officer, member or "someone not on the rota")
            return case_event("officer_ack", officer=member or "", case=reference, channel=channel, via=officer)
        logger.info("Officer %s acknowledged case %s by %s", officer, reference, channel)
        return case_event("officer_ack", officer=officer, case=reference, channel=channel, code=officer_ack_code(inbound))

    async def holding(self, conversation_id: str) -> Holding:
        case_id = await open_case_id(self.redis, conversation_id)
        if case_id is None:
            return Holding()
        held = await in_handoff(self.redis, conversation_id)
        logger.debug("Conversation %s has case %s (held: %s)", mask_id(conversation_id), case_id, held)
        return Holding(case_id=case_id, held=held)
