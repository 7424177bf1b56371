"""Her terms for being contacted, read from what she writes: not until she writes again, only
after (or before) an hour, only by message or only on one app, or not at all any more.

"gọi em sau 9h tối" → calls after 21:00; "đừng nhắn lại, em sẽ nhắn khi nào an toàn" → hold;
"chỉ nhắn Zalo thôi" → Zalo only; "call me after 10pm" → after 22:00.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from bot.replies.catalogue import render
from bot.understanding.text import fold

_HOUR = r"(\d{1,2})\s*(?:h|g|gio|:00|:30|\s*o'?clock)?\s*(sang|trua|chieu|toi|dem|am|pm)?"
_AFTER = re.compile(rf"(?:sau|tu|after|from)\s+{_HOUR}")
_BEFORE = re.compile(rf"(?:truoc|before|den|until)\s+{_HOUR}")
_AT = re.compile(rf"(?:luc|vao|at|khoang)\s+{_HOUR}")
_CHANNELS = {"zalo": "zalo", "telegram": "telegram", "tele": "telegram", "whatsapp": "whatsapp", "viber": "viber",
             "messenger": "messenger", "facebook": "messenger", "sms": "sms"}
_NO_CALLS = re.compile(r"(dung|khong|ko|k|dung co|don'?t|do not|no)\s+(goi|call)")
_CALLS = re.compile(r"(?<!\w)(goi|call)(?!\w)")


@dataclass(frozen=True)
class ContactTerms:
    hold: bool = False  # nothing until she writes again
    after: Optional[int] = None  # minutes after local midnight
    before: Optional[int] = None
    channel: Optional[str] = None  # an app she named
    no_calls: bool = False
    calls: bool = False

    @property
    def preference(self) -> str:
        """The case store's contact_preference."""
        if self.hold:
            return "hold"
        if self.calls and not self.no_calls and not self.channel:
            return "call"
        return "other" if (self.channel or self.after is not None or self.before is not None) else "chat"

    def describe(self, language: str) -> str:
        """For her confirmation and the officer's alert: short, in the conversation's language."""
        parts = []
        if self.hold:
            parts.append(render("terms_hold", language))
        if self.after is not None:
            parts.append(render("terms_after", language, time=_clock(self.after)))
        if self.before is not None:
            parts.append(render("terms_before", language, time=_clock(self.before)))
        if self.channel:
            parts.append(render("terms_channel", language, channel=self.channel.capitalize()))
        if self.no_calls:
            parts.append(render("terms_no_calls", language))
        return "; ".join(parts) or render("terms_here", language)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(match: re.Match) -> Optional[int]:
    hour, part = int(match.group(1)), match.group(2) or ""
    if hour > 24:
        return None
    if part in ("chieu", "toi", "dem", "pm") and hour < 12:
        hour += 12
    if part in ("dem",) and hour == 24:
        hour = 0
    return (hour % 24) * 60


def read_terms(text: str, hold: bool = False) -> ContactTerms:
    folded = fold(text or "")
    after = _AFTER.search(folded) or _AT.search(folded)
    before = _BEFORE.search(folded)
    channel = next((name for word, name in _CHANNELS.items() if re.search(rf"(?<!\w){word}(?!\w)", folded)), None)
    no_calls = bool(_NO_CALLS.search(folded))
    return ContactTerms(
        hold=hold,
        after=_minutes(after) if after else None,
        before=_minutes(before) if before else None,
        channel=channel,
        no_calls=no_calls,
        calls=bool(_CALLS.search(folded)) and not no_calls,
    )
