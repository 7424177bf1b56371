"""Replies for her situation where one danger template would be wrong: suicidal thoughts,
someone else in danger (reported from Vietnam or abroad), a missing family member, a worker who
cannot call. Numbers come from the directory; texts from bot/replies/messages.yml."""
from __future__ import annotations

import re
from typing import List, Optional

from bot.facts.directory import Service, citizen_protection_hotline, default_directory, lookup, render_services
from bot.replies.catalogue import render
from bot.understanding.text import fold

ANTI_TRAFFICKING_LINE = "vn-hotline-111"  # family in Vietnam can call it for her
_RANSOM = re.compile(r"(?<!\w)(chuoc|doi tien|doi \d+|tien chuoc|ransom|tra \d+|nop \d+|moi tha|moi cho ve|lua dao online|khu lua dao|scam)(?!\w)")
_MISSING = re.compile(r"(?<!\w)(mat lien lac|ko lien lac|khong lien lac|k lien lac|mat tich|bat tin|missing|lost contact|no contact|khong nghe may|ko nghe may)(?!\w)")
_THIRD_PERSON = re.compile(
    r"(?<!\w)(ban|ban gai|ban trai|vo|chong|chi gai|em gai|em trai|anh trai|me|bo|con gai|con trai|chau|co|di|"
    r"nguoi quen|dong nghiep|dong huong|nguoi nha|hang xom|co ay|chi ay|anh ay|nguoi do)\s+(cua\s+)?(em|e|toi|minh|tui|t|ay)(?!\w)"
    r"|(?<!\w)(my|our)\s+(friend|sister|wife|husband|daughter|son|mother|cousin|niece|colleague|neighbou?r|relative)(?!\w)"
    r"|(?<!\w)(she|he|they|her|him)\s+(is|was|has|are|got)(?!\w)"
)
_CANNOT_CALL = re.compile(r"(?<!\w)(ko goi|khong goi|k goi|khong the goi|ko the goi|cannot call|can't call|cant call|no credit|het tien dien thoai|chi nhan tin)(?!\w)")


def _listing(services: List[Service], language: str) -> str:
    return render_services(services, language, header=False)


def suicidal_reply(language: str, case_number: Optional[str], hotline: str, again: bool = False) -> str:
    """Her pain acknowledged, whether she is safe now, and that someone is with her; said
    differently when she says it again, so that she never reads the same block twice."""
    if again and case_number:
        return render("suicidal_again", language, hotline=hotline, number=case_number)
    if case_number:
        return render("suicidal_with_officer", language, hotline=hotline, number=case_number)
    return render("suicidal_first", language, hotline=hotline)


def names_someone_else(text: str) -> bool:
    """Whether she writes about another person ("bạn em", "vợ tôi", "my sister"), not herself."""
    return bool(_THIRD_PERSON.search(fold(text or "")))


_SELF_VICTIM = re.compile(r"(?<!\w)(danh|nhot|giu|doa|tat|ep|hiep|khoa cua|bat)\s+(em|e|toi|minh|tui)(?!\w)|^(em|e|toi|minh|tui)\s+(bi|dang bi)(?!\w)")
_ABOUT_OTHERS = ("emergency_someone_else", "emergency_trafficking", "emergency_confinement", "emergency_violence",
                 "emergency_forced_sex_work", "emergency_medical", "emergency_sexual_assault", "emergency_death_threat")


def reported_for_someone_else(intent: str, text: str) -> bool:
    """Danger reported about another person ("bạn gái em bị nhốt ở Campuchia"), not herself."""
    if intent == "emergency_someone_else":
        return names_someone_else(text) or not _SELF_VICTIM.search(fold(text or ""))
    return intent in _ABOUT_OTHERS and names_someone_else(text) and not _SELF_VICTIM.search(fold(text or ""))


def about_someone_else(text: str) -> str:
    """"ransom", "missing" or "danger": what kind of report about someone else this is."""
    folded = fold(text or "")
    if _RANSOM.search(folded):
        return "ransom"
    if _MISSING.search(folded):
        return "missing"
    return "danger"


def _for_someone_else(country: Optional[str], language: str) -> List[Service]:
    where: List[Service] = lookup(country, "trafficking", language, "critical", limit=2) if country else []
    line_111 = default_directory().get(ANTI_TRAFFICKING_LINE)
    listed = where + ([line_111] if line_111 else []) + [citizen_protection_hotline()]
    return list({service.id: service for service in listed}.values())


def someone_else_reply(text: str, country: Optional[str], language: str, case_number: Optional[str]) -> str:
    """For the person who writes about someone else: the numbers of the country where she is,
    111 for family in Vietnam, and what to do (keep her location, never pay a ransom alone)."""
    services = _for_someone_else(country, language)
    key = {"ransom": "someone_else_ransom", "missing": "someone_else_missing"}.get(about_someone_else(text), "someone_else_danger")
    parts = [render(key, language, services=_listing(services, language))]
    if case_number:
        parts.append(render("someone_else_officer", language, number=case_number))
    elif not country:
        parts.append(render("someone_else_where", language))
    return "\n".join(parts)


def cannot_call(text: str) -> bool:
    return bool(_CANNOT_CALL.search(fold(text or "")))


def cannot_call_note(language: str) -> str:
    return render("cannot_call_ways", language)


_WHAT_TO_DO = re.compile(
    r"(?<!\w)(phai lam sao|lam sao bay gio|gio lam sao|lam gi bay gio|phai lam gi|nen lam gi|lam the nao bay gio|"
    r"what should i do|what do i do|what can i do|what now)(?!\w)"
)


def asks_what_to_do(text: str) -> bool:
    """"e phải làm sao chị", "what should I do now": she asks for the next step."""
    return bool(_WHAT_TO_DO.search(fold(text or "")))


def next_steps_reply(someone_else: bool, country: Optional[str], language: str) -> str:
    """The next step, said as steps (not the earlier reply again), with the numbers to call."""
    if someone_else:
        return render("next_steps_someone_else", language, services=_listing(_for_someone_else(country, language), language))
    services = lookup(country, "any", language, "high", limit=2) if country else []
    listed = list({s.id: s for s in services + [citizen_protection_hotline()]}.values())
    return render("next_steps", language, services=_listing(listed, language))
