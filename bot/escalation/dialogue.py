"""The escalation steps of the conversation, for the thin actions in actions/escalation.py.

The Polaris rule: at critical severity the case is opened at once and she is told; at high
severity she is asked first, and whether she wants a message here or a call; a "no" is
recorded and respected, and she still gets the numbers.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Optional

from bot.escalation.opening import Escalator, channel_of
from bot.facts.directory import citizen_protection_hotline
from bot.replies.catalogue import render
from bot.understanding.text import words

CALL_WORDS = {"goi", "call", "phone", "dien", "thoai"}


@dataclass(frozen=True)
class Conversation:
    conversation_id: str
    metadata: Optional[dict]
    country: Optional[str]
    language: str
    severity: str  # critical, high, none

    @property
    def channel(self) -> str:
        return channel_of(self.conversation_id, self.metadata)


def contact_method(text: str) -> str:
    """"call" when she asks to be called, else "chat" (this conversation)."""
    return "call" if CALL_WORDS & set(words(text or "")) else "chat"


def hotline() -> str:
    return citizen_protection_hotline().phones[0].display


async def open_case(escalator: Escalator, conversation: Conversation, *, consent: str, method: Optional[str],
                    contact_detail: Optional[str] = None):
    """Open (or join) the conversation's case; returns once it is committed. `contact_detail`:
    her terms told before the case opened (the contact_terms slot)."""
    case = await asyncio.to_thread(
        escalator.open, conversation.conversation_id, conversation.channel, conversation.country,
        conversation.language, conversation.severity if conversation.severity in ("critical", "high") else "none",
        consent=consent, contact_preference=method, contact_detail=contact_detail,
    )
    if consent == "given":
        await asyncio.to_thread(escalator.record_consent, conversation.conversation_id, "given", method, contact_detail)
    return case


def case_opened_text(number: str, method: str, language: str) -> str:
    return render("case_opened_call" if method == "call" else "case_opened_chat", language, number=number, hotline=hotline())
