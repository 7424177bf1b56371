"""The replies to danger and to questions, composed from the directory and the message catalogue.

One question at a time: a reply asks at most one thing (where she is, or whether she is safe).
Numbers always come with the 24/7 citizen-protection hotline when there is danger, since that
line speaks Vietnamese wherever she is.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from bot.facts.directory import (
    CITIZEN_PROTECTION_HOTLINE,
    Service,
    citizen_protection_hotline,
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
) -> Reply:
    need = INTENTS[intent].need if intent in INTENTS else None
    services = _with_hotline(lookup(country, need, language, severity.name, limit=MAX_SERVICES - 1) if country else [])
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


def contacts_reply(country: Optional[str], language: str) -> Reply:
    if not country:
        listing = _services_text([citizen_protection_hotline()], language)
        return Reply(render("contacts_unknown_country", language, services=listing), asked_country=True)
    services = _with_hotline(lookup(country, "any", language, "none", limit=MAX_SERVICES - 1))
    return Reply(render("contacts_intro", language, country=country_name(country, language), services=_services_text(services, language)))


def country_noted_reply(country: str, language: str) -> Reply:
    return Reply(render("country_noted", language, country=country_name(country, language)))
