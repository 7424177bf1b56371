"""The jobs the fee form offers for her country, in the order of its numbered menu.

A worker in Taiwan is never shown Japan's intern choices, and one in Japan chooses between the
categories that decide Japan's caps. The menu is numbered by the channel (SMS and Zalo print
"1. ...", Telegram shows buttons), so a button's title carries no number and its payload is its
place in this list: parse_occupation reads a number against the same list.
"""
from __future__ import annotations

from typing import Optional, Tuple

from bot.facts.fees.models import OCCUPATIONS, REGIONS

_JAPAN = ("technical_intern", "specified_skilled", "construction", "other")
_TAIWAN = (
    "domestic_worker", "home_caregiver", "institutional_caregiver", "factory", "construction",
    "agriculture", "fishing_coastal", "fishing_offshore", "seafarer", "other",
)
_KOREA = ("factory", "construction", "agriculture", "fishing_coastal", "fishing_offshore", "seafarer", "other")
#: Southeast Asia and the Middle East: domestic and home-care work have their own (zero) caps.
_DOMESTIC_MARKETS = ("domestic_worker", "home_caregiver", "factory", "construction", "agriculture", "seafarer", "other")
_ELSEWHERE = (
    "domestic_worker", "institutional_caregiver", "factory", "construction", "agriculture",
    "fishing_offshore", "seafarer", "other",
)
#: When the country is not known yet: every job but Japan's own categories.
_ANYWHERE = tuple(code for code in OCCUPATIONS if code not in ("technical_intern", "specified_skilled"))


def occupations_for(country: Optional[str]) -> Tuple[str, ...]:
    """The jobs to offer a worker in ``country`` (ISO code), in menu order."""
    if country == "JP":
        return _JAPAN
    if country == "TW":
        return _TAIWAN
    if country == "KR":
        return _KOREA
    if country in REGIONS["southeast_asia"] | REGIONS["west_asia"]:
        return _DOMESTIC_MARKETS
    if country is None:
        return _ANYWHERE
    return _ELSEWHERE


def menu_number(code: str, country: Optional[str]) -> Optional[int]:
    """The number she types for ``code`` in her country's menu; None when it is not offered."""
    choices = occupations_for(country)
    return choices.index(code) + 1 if code in choices else None
