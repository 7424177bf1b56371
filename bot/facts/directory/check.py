"""What in the referral directory needs a human's attention, as plain data (the report of
``python -m bot directory check``).

The entries whose source is older than a maximum age (two years by default) and those whose
source is undated, the entries nobody has compared with their source, the low-confidence
entries, the entries with caveats, the covered countries without any entry with a phone and
those without an emergency number, and the notes that hold for a whole country.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Dict, List, Mapping, Optional, TypedDict

from bot.facts.base import Confidence
from bot.facts.directory.loader import COVERED_COUNTRIES, load_country_caveats, load_directory
from bot.facts.directory.models import Service

#: Two years: a source older than this is listed for re-checking.
MAX_SOURCE_AGE_DAYS = 730


class Entry(TypedDict):
    id: str
    country: str


class StaleEntry(Entry):
    source_date: str  # ISO date
    age_days: int


class DatedEntry(Entry):
    source_date: Optional[str]  # ISO date, or None when the source is undated


class CaveatEntry(Entry):
    confidence: str
    caveat: str


class CheckReport(TypedDict):
    valid: bool
    today: str  # ISO date
    max_age_days: int
    services: int
    entries_by_country: Dict[str, int]
    stale: List[StaleEntry]
    undated: List[Entry]
    unchecked: List[DatedEntry]
    low_confidence: List[Entry]
    caveats: List[CaveatEntry]
    countries_without_phone: List[str]
    countries_without_emergency_number: List[str]
    country_caveats: Dict[str, str]


def _iso(date: Optional[dt.date]) -> Optional[str]:
    return date.isoformat() if date else None


def report(
    services: Mapping[str, Service],
    country_caveats: Mapping[str, str],
    today: dt.date,
    max_age_days: int = MAX_SOURCE_AGE_DAYS,
) -> CheckReport:
    """Everything the check lists about ``services``, measuring age from ``today``."""
    entries = list(services.values())
    stale = [
        StaleEntry(id=s.id, country=s.country, source_date=s.source_date.isoformat(), age_days=(today - s.source_date).days)
        for s in entries
        if s.source_date and (today - s.source_date).days > max_age_days
    ]
    undated = [Entry(id=s.id, country=s.country) for s in entries if not s.source_date]
    unchecked = [DatedEntry(id=s.id, country=s.country, source_date=_iso(s.source_date)) for s in entries if not s.checked]
    low = [Entry(id=s.id, country=s.country) for s in entries if s.confidence == Confidence.low]
    caveats = [
        CaveatEntry(id=s.id, country=s.country, confidence=s.confidence.value, caveat=s.caveat)
        for s in entries
        if s.caveat
    ]
    with_phone = {s.country for s in entries if s.phones}
    with_emergency = {s.country for s in entries if s.is_emergency_number}
    return CheckReport(
        valid=True,
        today=today.isoformat(),
        max_age_days=max_age_days,
        services=len(entries),
        entries_by_country={code: sum(1 for s in entries if s.country == code) for code in COVERED_COUNTRIES},
        stale=stale,
        undated=undated,
        unchecked=unchecked,
        low_confidence=low,
        caveats=caveats,
        countries_without_phone=[c for c in COVERED_COUNTRIES if c not in with_phone],
        countries_without_emergency_number=[c for c in COVERED_COUNTRIES if c not in with_emergency],
        country_caveats=dict(country_caveats),
    )


def check_directory(directory: Path, today: dt.date, max_age_days: int = MAX_SOURCE_AGE_DAYS) -> CheckReport:
    """Load the country files in ``directory`` and report on them; DirectoryError if malformed."""
    return report(load_directory(directory), load_country_caveats(directory), today, max_age_days)
