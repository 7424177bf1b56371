"""What an officer's reply costs on her channel, by the rules the channel itself applies
(channels.segments), so the reply box can show it as the officer types and a reply that would
not arrive whole is refused with the reason, never cut.

SMS (Twilio) goes as GSM-7 when she writes without diacritics (the reply is folded as the
channel will fold it) and is capped at SMS_MAX_SEGMENTS segments; Telegram and Zalo split a long
reply into parts, so there the cap is CaseActions' MAX_REPLY_CHARS.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

from bot.cases.store import Case
from bot.console.operations import BadInput
from bot.escalation.case_actions import MAX_REPLY_CHARS
from bot.understanding.text import nfc
from channels.identity import Identities
from channels.segments import (
    GSM7,
    GSM7_PER_SEGMENT,
    GSM7_SINGLE,
    UCS2_PER_SEGMENT,
    UCS2_SINGLE,
    count_segments,
    prefers_gsm7,
    to_gsm7,
)

SMS_CHANNELS = ("twilio", "sms")


@dataclass(frozen=True)
class Budget:
    channel: str
    units: int  # characters as her channel counts them (GSM-7 septets, UTF-16 units, characters)
    limit: int  # the most that fits
    fits: bool
    encoding: Optional[str] = None  # SMS only: GSM-7 or UCS-2
    segments: Optional[int] = None  # SMS only
    max_segments: Optional[int] = None  # SMS only

    @property
    def sms(self) -> bool:
        return self.segments is not None

    def words(self, t: Any) -> str:
        """The budget in the officer's language (``t``: PageContext.t or translate bound to it)."""
        if self.sms:
            said = t("budget_sms", units=self.units, limit=self.limit, segments=self.segments,
                     max=self.max_segments, encoding=self.encoding)
            return said if self.encoding == GSM7 or not self.units else f"{said} {t('budget_ucs2_hint')}"
        return t("budget_chars", units=self.units, limit=self.limit)

    def as_json(self, t: Any) -> Dict[str, Any]:
        return {"channel": self.channel, "units": self.units, "limit": self.limit, "fits": self.fits,
                "encoding": self.encoding, "segments": self.segments, "max_segments": self.max_segments,
                "summary": self.words(t), "refusal": None if self.fits else self.refusal().text_in(t)}

    def refusal(self) -> TooLong:
        if self.sms:
            return TooLong("reply_too_long_sms", segments=self.segments, max=self.max_segments, units=self.units,
                           limit=self.limit, encoding=self.encoding)
        return TooLong("reply_too_long", units=self.units, limit=self.limit)


class TooLong(BadInput):
    """A reply that would not arrive whole on her channel."""

    def text_in(self, t: Any) -> str:
        return t(self.key, **self.values)


def sms_limit(encoding: str, max_segments: int) -> int:
    if encoding == GSM7:
        return GSM7_SINGLE if max_segments == 1 else GSM7_PER_SEGMENT * max_segments
    return UCS2_SINGLE if max_segments == 1 else UCS2_PER_SEGMENT * max_segments


def reply_budget(text: str, channel: str, *, gsm7: Optional[bool], max_segments: int) -> Budget:
    """The budget of ``text`` on ``channel``. ``gsm7``: she writes without diacritics (None:
    unknown, decided from the reply itself, as the channel pipeline does)."""
    text = nfc((text or "").strip())
    if channel not in SMS_CHANNELS:
        return Budget(channel, len(text), MAX_REPLY_CHARS, len(text) <= MAX_REPLY_CHARS)
    fold = prefers_gsm7(text) if gsm7 is None else gsm7
    sent = to_gsm7(text) if fold else text
    count = count_segments(sent)
    limit = sms_limit(count.encoding, max_segments)
    fits = count.segments <= max_segments and len(text) <= MAX_REPLY_CHARS
    return Budget(channel, count.units, limit, fits, count.encoding, count.segments, max_segments)


class ReplyBudgets:
    """Budgets for a case's replies: whether she writes without diacritics comes from her
    channel address in Redis (unknown without Redis or once it expired)."""

    def __init__(self, redis: Any, max_segments: int, ttl_seconds: int = 0) -> None:
        self.identities = Identities(redis, ttl_seconds) if redis is not None else None
        self.max_segments = max_segments

    async def of(self, case: Case, text: str) -> Budget:
        gsm7: Optional[bool] = None
        if self.identities is not None and case.channel in SMS_CHANNELS:
            try:
                address = await self.identities.lookup(case.conversation_id)
            except Exception:  # noqa: BLE001 - Redis down: count the reply as written
                address = None
            gsm7 = address.gsm7 if address is not None else None
        return reply_budget(text, case.channel, gsm7=gsm7, max_segments=self.max_segments)

    async def check(self, case: Case, text: str) -> Budget:
        """The budget, or TooLong (a BadInput: 400 with the reason) when it does not fit."""
        budget = await self.of(case, text)
        if not budget.fits:
            raise budget.refusal()
        return budget
