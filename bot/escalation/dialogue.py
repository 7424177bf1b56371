"""The escalation steps of the conversation, for the thin actions in actions/escalation.py.

The Polaris rule: at critical severity the case is opened at once and she is told; at high
severity she is asked first, and whether she wants a message here or a call; a "no" is
recorded and respected, and she still gets the numbers.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.dialogue.questions import CONSENT, answer_to
from bot.escalation.opening import Escalator, channel_of
from bot.facts.directory import citizen_protection_hotline
from bot.replies.catalogue import render

#: At most this many messages of the session are copied into a new case.
MAX_HISTORY = 100
#: Who wrote a message of the history: her, her message that opened the case, the helpline.
HISTORY_WHO = ("worker", "opening", "bot")

logger = logging.getLogger(__name__)


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
    """"call" when she asks to be called ("gọi em nhé"), else "chat": the consent question's own
    reading of her words (bot.dialogue.questions), asked or not."""
    return "call" if answer_to(CONSENT, text or "") == "call" else "chat"


def hotline() -> str:
    return citizen_protection_hotline().phones[0].display


async def open_case(escalator: Escalator, conversation: Conversation, *, consent: str, method: Optional[str],
                    contact_detail: Optional[str] = None, history: Optional[Sequence[Tuple[str, str]]] = None):
    """Open (or join) the conversation's case; returns once it is committed. `contact_detail`:
    her terms told before the case opened (the contact_terms slot). `history`: the session so
    far as (who, text), who one of HISTORY_WHO (session_history builds it); a new case gets it
    as the start of its transcript, a joined case does not get it again."""
    case = await asyncio.to_thread(
        escalator.open, conversation.conversation_id, conversation.channel, conversation.country,
        conversation.language, conversation.severity if conversation.severity in ("critical", "high") else "none",
        consent=consent, contact_preference=method, contact_detail=contact_detail,
    )
    if consent == "given":
        await asyncio.to_thread(escalator.record_consent, conversation.conversation_id, "given", method, contact_detail)
    if history and getattr(case, "new", False):
        try:
            await asyncio.to_thread(_write_history, escalator, case.id, history)
        except Exception as error:  # noqa: BLE001 - the case is open: a missing history must not undo that
            logger.error("Case %s: could not copy the conversation into it (%s)", case.number, type(error).__name__)
    return case


def _write_history(escalator: Escalator, case_id: int, history: Sequence[Tuple[str, str]]) -> None:
    for who, text in list(history)[-MAX_HISTORY:]:
        if who not in HISTORY_WHO or not isinstance(text, str) or not text.strip():
            continue
        direction = "out" if who == "bot" else "in"
        escalator.store.record_message(case_id, direction, text, opening=who == "opening")


def session_history(events: Iterable[Mapping[str, Any]]) -> List[Tuple[str, str]]:
    """Her messages and the helpline's of the current session (Rasa tracker events), oldest
    first; her message that opened the case is marked "opening": the last of hers the triage
    read as high or critical, else her last."""
    session: List[Mapping[str, Any]] = []
    for event in events:
        if event.get("event") == "session_started":
            session = []
        elif event.get("event") in ("user", "bot") and (event.get("text") or "").strip():
            session.append(event)
    history: List[Tuple[str, str]] = [("worker" if e["event"] == "user" else "bot", str(e["text"])) for e in session]
    hers = [i for i, e in enumerate(session) if e["event"] == "user"]
    dangerous = [i for i in hers if ((session[i].get("parse_data") or {}).get("severity")) in ("critical", "high")]
    marked = dangerous or hers
    if marked:
        history[marked[-1]] = ("opening", history[marked[-1]][1])
    return history


def case_opened_text(number: str, method: str, language: str) -> str:
    return render("case_opened_call" if method == "call" else "case_opened_chat", language, number=number, hotline=hotline())
