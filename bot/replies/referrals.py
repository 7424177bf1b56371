"""The replies to danger and to questions, composed from the directory and the message catalogue.

One question at a time: a reply asks at most one thing (where she is, or whether she is safe).
Numbers always come with the 24/7 citizen-protection hotline when there is danger, since that
line speaks Vietnamese wherever she is. What the dialogue knows of her (city, sex, whether she
is at sea) is passed to the ranking (bot.facts.directory.ranking), each with a default so that
callers that do not know it yet keep working.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from bot.facts.directory import (
    CITIZEN_PROTECTION_HOTLINE,
    Service,
    citizen_protection_hotline,
    embassy,
    lookup,
    render_services,
)
from bot.replies.catalogue import render
from bot.understanding.gazetteer import country_name
from bot.understanding.intents import INTENTS
from bot.understanding.severity import Severity

# At most this many services in a danger reply, hotline included: an SMS-sized answer.
MAX_SERVICES = 3


@dataclass(frozen=True)
class Reply:
    text: str
    asked_country: bool = False


def _with_hotline(services: List[Service]) -> List[Service]:
    if any(service.id == CITIZEN_PROTECTION_HOTLINE for service in services):
        return services
    return services[: MAX_SERVICES - 1] + [citizen_protection_hotline()]


def _services_text(services: List[Service], language: str) -> str:
    return render_services(services, language, header=False)


def danger_reply(
    severity: Severity,
    intent: str,
    country: Optional[str],
    language: str,
    uncertain: bool = False,
    officer_alerted: bool = False,
    offer_human: bool = True,
    *,
    city: Optional[str] = None,
    sex: Optional[str] = None,
    at_sea: bool = False,
) -> Reply:
    need = INTENTS[intent].need if intent in INTENTS else None
    found = lookup(country, need, language, severity.name, limit=MAX_SERVICES - 1, city=city, sex=sex, at_sea=at_sea) if country else []
    services = _with_hotline(found)
    listing = _services_text(services, language)
    if severity >= Severity.critical:
        parts = [render("critical_call_now", language, services=listing)]
        parts.append(render("critical_officer_alerted" if officer_alerted else "critical_call_if_you_can", language))
    else:
        parts = [render("high_sorry", language, services=listing)]
        if offer_human:
            parts.append(render("offer_human", language))
    asked_country = not country
    if asked_country:
        parts.append(render("ask_country", language))
    elif uncertain and severity >= Severity.critical:
        parts.append(render("ask_safe_now", language))
    return Reply("\n".join(parts), asked_country)


def contacts_reply(
    country: Optional[str],
    language: str,
    *,
    need: str = "any",
    city: Optional[str] = None,
    sex: Optional[str] = None,
    at_sea: bool = False,
) -> Reply:
    if not country:
        listing = _services_text([citizen_protection_hotline()], language)
        return Reply(render("contacts_unknown_country", language, services=listing), asked_country=True)
    found = lookup(country, need, language, "none", limit=MAX_SERVICES - 1, city=city, sex=sex, at_sea=at_sea)
    services = _with_hotline(found)
    return Reply(render("contacts_intro", language, country=country_name(country, language), services=_services_text(services, language)))


def country_noted_reply(country: str, language: str) -> Reply:
    return Reply(render("country_noted", language, country=country_name(country, language)))


def embassy_reply(country: Optional[str], language: str, *, city: Optional[str] = None) -> Reply:
    """Vietnam's embassy (or her city's consulate) when she asks for it; a number the project is
    not sure of is marked unverified and comes with the 24/7 hotline beside it."""
    if not country:
        listing = _services_text([citizen_protection_hotline()], language)
        return Reply(render("contacts_unknown_country", language, services=listing), asked_country=True)
    offices = embassy(country, language, city=city)
    listing = _services_text(offices, language)
    name = country_name(country, language)
    if all(s.id == CITIZEN_PROTECTION_HOTLINE for s in offices):
        return Reply(render("referral_embassy_not_found", language, country=name, services=listing))
    return Reply(render("referral_embassy", language, country=name, services=listing))
