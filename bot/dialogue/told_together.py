"""Danger told across several messages is judged together.

A worker often writes in pieces: "tối nào nó cũng mò vào phòng em" then "em không dám ngủ". Each
piece alone may say little; read together, the safety net (with its contexts) may hear danger.
The last few messages of the conversation are joined and scanned; a standing danger cue that no
single message carries, more severe than what the conversation already answered, is danger now.
"""
from __future__ import annotations

from typing import Any, Iterable, List, Mapping, Optional

from bot.understanding.safety import SafetyHit, scan
from bot.understanding.severity import Severity

RECENT_MESSAGES = 3


def recent_texts(events: Iterable[Mapping[str, Any]], count: int = RECENT_MESSAGES) -> List[str]:
    """Her last `count` messages of this session, oldest first."""
    texts: List[str] = []
    for event in reversed(list(events)):
        if event.get("event") == "session_started":
            break
        if event.get("event") == "user" and (event.get("text") or "").strip():
            texts.append(event["text"])
            if len(texts) == count:
                break
    return list(reversed(texts))


def told_together(texts: List[str], answered: Severity) -> Optional[SafetyHit]:
    """A danger cue heard only in the messages together, above `answered`; else None."""
    if len(texts) < 2:
        return None
    joined = scan(" \n ".join(texts))
    if joined is None or joined.severity <= answered:
        return None
    alone = [scan(text) for text in texts]
    if any(hit is not None and hit.severity >= joined.severity for hit in alone):
        return None  # one message said it, and was answered as it said
    return joined
