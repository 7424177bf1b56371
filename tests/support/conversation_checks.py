"""What she must have got from a conversation (tests/support/conversation.py): each check returns
the problems it found, in words a reader of the failing test understands, never exact wording.

Checked on every conversation unless it says otherwise: every message is answered; nothing
says "chưa hiểu" / "did not understand"; no reply is sent twice word for word; once her case is
open, nothing asks her to text "gặp người"; on SMS, a reply to a message written without
diacritics is GSM-7.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set

from sqlalchemy import select

from bot.cases.schema import notifications
from bot.cases.store import Case, CaseStore
from channels.segments import count_segments
from tests.support.conversation import Reply, fold

NOT_UNDERSTOOD = ("chua hieu", "did not understand", "didn't understand", "do not understand", "don't understand")
ASK_FOR_A_PERSON = ("gap nguoi", "text: human")
VI_WORDS = {
    "ban", "minh", "cua", "khong", "duoc", "nhan", "goi", "cho", "nay", "la", "va", "neu", "can", "bo", "giup",
    "se", "da", "co", "nguoi", "em", "chi", "o", "tai", "voi", "hay", "ve", "khi", "dang", "so", "de", "nhe",
}
EN_WORDS = {
    "you", "your", "the", "to", "is", "are", "call", "text", "if", "we", "i", "and", "of", "for", "me", "this",
    "will", "can", "in", "a", "or", "with", "who", "here", "please", "number",
}


def has_number(text: str, digits: str) -> bool:
    """`digits` in the text as one number, spaces, dots or dashes between its digits allowed."""
    pattern = r"[\s.\-]?".join(re.escape(digit) for digit in str(digits))
    return re.search(rf"(?<!\d){pattern}(?!\d)", text) is not None


def language_of(text: str) -> Optional[str]:
    """vi or en for a reply of the helpline's (its own well-formed text), None when it does not tell."""
    if fold(text) != text.lower():
        return "vi"
    found = re.findall(r"[a-z']+", text.lower())
    vi, en = sum(word in VI_WORDS for word in found), sum(word in EN_WORDS for word in found)
    return None if vi == en else ("vi" if vi > en else "en")


def offers_choices(replies: Sequence[Reply]) -> bool:
    """Buttons (REST, Telegram) or numbered lines "1. …" and "2. …" (SMS, Zalo)."""
    return any(r.buttons or (re.search(r"(?m)^\s*1[.)] ", r.text) and re.search(r"(?m)^\s*2[.)] ", r.text)) for r in replies)


def as_list(value: Any) -> List[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


@dataclass
class CaseState:
    """Her conversation's cases after a turn (the latest last) and who was alerted for them."""

    cases: List[Case] = field(default_factory=list)
    alerted: Set[str] = field(default_factory=set)

    @property
    def latest(self) -> Optional[Case]:
        return self.cases[-1] if self.cases else None

    @property
    def active(self) -> Optional[Case]:
        active = [case for case in self.cases if case.status != "closed"]
        return active[-1] if active else None

    def describe(self) -> str:
        return "; ".join(
            f"{c.number} {c.status} severity={c.severity} country={c.country} consent={c.consent} "
            f"contact={c.contact_preference} detail={c.contact_detail!r}" for c in self.cases
        ) or "no case"


def case_state(store: CaseStore, conversation_id: str) -> CaseState:
    cases = sorted(store.list_cases(conversation_id=conversation_id), key=lambda case: case.id)
    alerted: Set[str] = set()
    if cases:
        with store.engine.connect() as connection:
            rows = connection.execute(select(notifications.c.officer).where(notifications.c.case_id.in_([c.id for c in cases])))
            alerted = {row[0] for row in rows}
    return CaseState(cases, alerted)


def check_case(expect: Dict[str, Any], state: CaseState) -> List[str]:
    problems: List[str] = []
    case = state.active or state.latest
    if "opened" in expect and bool(state.cases) != expect["opened"]:
        problems.append("a case was opened (someone was paged)" if state.cases else "no case was opened (nobody was paged)")
    if "withdrawn" in expect and expect["withdrawn"] and state.active is not None and state.active.consent == "given":
        problems.append("her consent was not withdrawn: the case is still active with consent given")
    wanted = {key: value for key, value in expect.items() if key not in ("opened", "withdrawn")}
    if wanted and case is None:
        return problems + [f"no case to check {sorted(wanted)} on"]
    if case is None:
        return problems
    simple = {"severity": case.severity, "country": case.country, "contact": case.contact_preference,
              "consent": case.consent, "status": case.status}
    for key, actual in simple.items():
        if key in wanted and actual not in as_list(wanted[key]):
            problems.append(f"the case's {key} is {actual!r}, expected {wanted[key]!r}")
    if "severity_not" in wanted and case.severity in as_list(wanted["severity_not"]):
        problems.append(f"the case's severity is {case.severity!r}")
    if "contact_not" in wanted and case.contact_preference in as_list(wanted["contact_not"]):
        problems.append(f"the case's contact preference is {case.contact_preference!r}, not what she asked")
    if "contact_detail_any" in wanted:
        detail = fold(case.contact_detail or "")
        if not any(fold(str(one)) in detail for one in as_list(wanted["contact_detail_any"])):
            problems.append(f"the case's contact detail {case.contact_detail!r} has none of {wanted['contact_detail_any']}")
    if "alerted" in wanted and not set(as_list(wanted["alerted"])) <= state.alerted:
        problems.append(f"alerted {sorted(state.alerted)}, expected {wanted['alerted']!r} among them")
    return problems


def check_replies(expect: Dict[str, Any], replies: Sequence[Reply], channel: str, case_number: Optional[str]) -> List[str]:
    """The reply checks of an `expect` over `replies` (one turn's, or the whole conversation's)."""
    problems: List[str] = []
    texts = [reply.text for reply in replies]
    everything, folded = "\n".join(texts), fold("\n".join(texts))
    for digits in as_list(expect.get("numbers", [])):
        if not has_number(everything, digits):
            problems.append(f"the number {digits} was not given")
    if "numbers_any" in expect and not any(has_number(everything, d) for d in as_list(expect["numbers_any"])):
        problems.append(f"none of the numbers {expect['numbers_any']} was given")
    for digits in as_list(expect.get("no_numbers", [])):
        if has_number(everything, digits):
            problems.append(f"the number {digits} was given, and must not be")
    if "says_any" in expect and not any(fold(str(one)) in folded for one in as_list(expect["says_any"])):
        problems.append(f"nothing said any of {expect['says_any']}")
    for alternatives in as_list(expect.get("says_all", [])):
        if not any(fold(str(one)) in folded for one in as_list(alternatives)):
            problems.append(f"nothing said {alternatives!r}")
    for one in as_list(expect.get("never_says", [])):
        if fold(str(one)) in folded:
            problems.append(f"a reply said {one!r}")
    if "language" in expect:
        wrong = [text for text in texts if language_of(text) not in (None, expect["language"])]
        problems += [f"a reply is not in {expect['language']}: {text[:80]!r}" for text in wrong]
    if channel == "sms" and expect.get("encoding"):
        problems += [f"a reply is {count_segments(t).encoding}, expected {expect['encoding']}: {t[:60]!r}"
                     for t in texts if count_segments(t).encoding != expect["encoding"]]
    if expect.get("silent") and texts:
        problems.append(f"she was sent {len(texts)} message(s), expected none")
    if expect.get("choices") is not None and offers_choices(replies) != expect["choices"]:
        problems.append("she was offered choices" if expect["choices"] is False else "she was offered no choices")
    if expect.get("mentions_case") and not (case_number and case_number.lower() in everything.lower()):
        problems.append(f"no reply told her the case is open (case number {case_number})")
    return problems


def check_defaults(text: str, replies: Sequence[Reply], expect: Dict[str, Any], channel: str, case_open: bool) -> List[str]:
    """What holds for every turn unless its expect says otherwise."""
    problems: List[str] = []
    folded = fold("\n".join(reply.text for reply in replies))
    if not replies and not expect.get("silent"):
        problems.append("she got no reply")
    if not expect.get("allow_not_understood"):
        problems += [f"a reply said {phrase!r}" for phrase in NOT_UNDERSTOOD if phrase in folded]
    if case_open:
        problems += [f"her case is open, yet a reply asks her to text {phrase!r}" for phrase in ASK_FOR_A_PERSON if phrase in folded]
    unaccented = text.isascii() and re.search(r"[A-Za-z]", text)
    if channel == "sms" and unaccented and "encoding" not in expect:
        problems += [f"she wrote without diacritics, yet a reply is {count_segments(r.text).encoding}: {r.text[:60]!r}"
                     for r in replies if count_segments(r.text).encoding != "GSM-7"]
    return problems


def repeated(replies: Iterable[Reply]) -> List[str]:
    """Replies sent twice word for word within the conversation."""
    seen: Set[str] = set()
    twice: List[str] = []
    for reply in replies:
        block = " ".join(reply.text.split())
        if block in seen and block not in twice:
            twice.append(block)
        seen.add(block)
    return [f"a reply was sent again word for word: {block[:80]!r}" for block in twice]
