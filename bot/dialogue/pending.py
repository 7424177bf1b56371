"""Which question is she answering? The one the helpline asked in its last turn, and only that.

An action that asks a question with choices sets the `question_asked` slot. Her next message
answers it, or does not; a message after that never does, so a "không" days later is not taken
for an answer to a question she has forgotten. Events are read as dicts, the form both the Rasa
tracker (`event.as_dict()`) and the action server's tracker give.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

QUESTION_SLOT = "question_asked"
TAKE_ANSWER = "action_take_answer"


def question_pending(events: Iterable[Mapping[str, Any]]) -> Optional[str]:
    """The question asked between her previous message and her latest one, if any."""
    seen_latest = False
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            if seen_latest:
                return None
            seen_latest = True
        elif seen_latest and kind == "slot" and event.get("name") == QUESTION_SLOT:
            return event.get("value") or None
    return None
