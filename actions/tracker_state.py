"""Small helpers over a conversation's state that actions share."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

from bot.dialogue.situation import Situation, situation_of
from bot.understanding.language import LANGUAGES
from bot.understanding.severity import Severity


def conversation_language(slots: Mapping[str, Any], default: str = "vi") -> str:
    language = slots.get("language")
    return language if language in LANGUAGES else default


@dataclass(frozen=True)
class TriageResult:
    severity: Severity
    intent: str
    uncertain: bool


def latest_triage(latest_message: Mapping[str, Any]) -> TriageResult:
    """What the NLU's TriageAnnotator decided for the latest message."""
    triage = latest_message.get("triage") or {}
    intent = (latest_message.get("intent") or {}).get("name") or triage.get("intent") or ""
    severity = Severity.__members__.get(latest_message.get("severity") or "none", Severity.none)
    return TriageResult(severity, intent, bool(triage.get("uncertain")))


def highest_severity(current: Optional[str], new: Severity) -> Severity:
    """A conversation's severity only goes up."""
    return max(Severity.__members__.get(current or "none", Severity.none), new)


def her_situation(tracker: Any) -> Situation:
    """City, sex and whether at sea, from the slots and every message she wrote."""
    texts = [event.get("text") or "" for event in tracker.events if event.get("event") == "user"]
    return situation_of(texts, tracker.get_slot("city"), tracker.get_slot("occupation"))


def said_before(tracker: Any, text: str) -> bool:
    """Whether the helpline already sent exactly this text in the conversation."""
    return any(event.get("event") == "bot" and event.get("text") == text for event in tracker.events)
