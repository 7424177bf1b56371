"""What officers read: the alert for one case, the digest of several, and the confirmation of an
acknowledgement. In Vietnamese and English; a summary only (severity, country, language,
channel, case number, her terms for contact), never her words or her number."""
from __future__ import annotations

import datetime as dt
from typing import Dict, Optional, Sequence

from bot.cases.db import utcnow
from bot.cases.store import Case
from bot.understanding.gazetteer import country_name

LATE_SECONDS = 60  # an alert this long after the message says when she wrote
URGENCY = {
    "critical": "🔴 KHẨN CẤP / CRITICAL",
    "high": "🟠 CẦN GIÚP / HIGH",
    "none": "🔵 MUỐN GẶP CÁN BỘ / ASKS FOR AN OFFICER",  # a request for a person, no danger found
}
MARK = {"critical": "🔴", "high": "🟠", "none": "🔵"}


def summary_text(case: Case, link: Optional[str], code: str = "", now: Optional[dt.datetime] = None) -> str:
    urgency = URGENCY.get(case.severity, case.severity.upper())
    country = country_name(case.country, "vi") if case.country else "chưa rõ nước / country unknown"
    lines = [
        f"{urgency} {case.number}",
        f"{country} · {case.language} · {case.channel}",
        f"Nhận ca / Acknowledge: OK {case.number}{' ' + code if code else ''}",
    ]
    terms = contact_line(case)
    if terms:
        lines.append(terms)
    late = late_line(case, now)
    if late:
        lines.append(late)
    if link:
        lines.append(link)
    return "\n".join(lines)


def contact_line(case: Case) -> str:
    """Her terms for contact, for the officer before anything else is done."""
    if case.consent == "withdrawn" or case.contact_preference == "hold":
        return f"⚠ Liên hệ / Contact: {case.contact_detail or 'KHÔNG liên hệ cho đến khi cô ấy nhắn / do not contact until she writes'}"
    if case.contact_preference in ("call", "other") or case.contact_detail:
        return f"Liên hệ / Contact: {case.contact_preference}{' · ' + case.contact_detail if case.contact_detail else ''}"
    return ""


def digest_text(cases: Sequence[Case], codes: Dict[int, str], link: Optional[str], now: Optional[dt.datetime] = None) -> str:
    """Several cases waiting for one officer, in one message."""
    lines = [f"⏳ {len(cases)} ca đang chờ / cases waiting"]
    for case in cases:
        mark = MARK.get(case.severity, "•")
        code = codes.get(case.id, "")
        lines.append(f"{mark} {case.number} · {case.country or '??'} · {case.channel} · OK {case.number}{' ' + code if code else ''}")
        late = late_line(case, now)
        if late:
            lines.append(f"   {late}")
    if link:
        lines.append(link)
    return "\n".join(lines)


def late_line(case: Case, now: Optional[dt.datetime]) -> str:
    created = case.created_at if case.created_at.tzinfo else case.created_at.replace(tzinfo=dt.timezone.utc)
    waited = ((now or utcnow()) - created).total_seconds()
    if waited < LATE_SECONDS:
        return ""
    return f"⏱ Tin lúc / Message at {created:%H:%M} UTC ({int(waited // 60)} phút trước / min ago)"


def acknowledged_text(case: Case, officer: str, pressed_in_group: bool = False) -> str:
    """Back to the officer who acknowledged, on the channel they used."""
    who = f" ({officer})" if pressed_in_group else ""
    return f"✅ Đã nhận ca {case.number}{who} / Case {case.number} acknowledged{who}"


def already_held_text(case: Case) -> str:
    """An acknowledgement that came after someone else's: the case is not theirs."""
    holder = case.assigned_officer or "?"
    if case.status == "closed":
        return f"ℹ Ca {case.number} đã đóng / Case {case.number} is closed"
    return f"ℹ Ca {case.number} đã có {holder} nhận / Case {case.number} is already with {holder}"
