"""Small helpers over a conversation's state that actions share."""
from __future__ import annotations

from typing import Any, Mapping

from bot.language import LANGUAGES


def conversation_language(slots: Mapping[str, Any], default: str = "vi") -> str:
    language = slots.get("language")
    return language if language in LANGUAGES else default
