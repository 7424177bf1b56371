"""The duty officers' routing, injected into every channel pipeline by bot/connectors.py.

An officer's "OK TW-0042" (or the Acknowledge button) from a phone listed in the rota is a
command: it becomes an `officer_ack` case event and never a turn of the bot. A conversation with
an open case is copied into it; one an officer has taken is held away from the bot.
"""
from __future__ import annotations

import logging
import re
from typing import Dict, Optional

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
_OFFICER_ACK = re.compile(r"^\s*ok\s*#?\s*(?P<case>[a-z]{2}\s*-?\s*\d{1,9}|\d{1,9})\s*$", re.IGNORECASE)


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
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def command(self, channel: str, inbound: Inbound) -> Optional[Dict[str, str]]:
        officer = await self.redis.hget(OFFICER_CONTACTS, contact_key(channel, inbound.address))
        if not officer:
            return None
        reference = officer_ack_reference(inbound)
        if reference is None:
            return None
        logger.info("Officer %s acknowledged case %s by %s", officer, reference, channel)
        return case_event("officer_ack", officer=officer, case=reference, channel=channel)

    async def holding(self, conversation_id: str) -> Holding:
        case_id = await open_case_id(self.redis, conversation_id)
        if case_id is None:
            return Holding()
        held = await in_handoff(self.redis, conversation_id)
        logger.debug("Conversation %s has case %s (held: %s)", mask_id(conversation_id), case_id, held)
        return Holding(case_id=case_id, held=held)
