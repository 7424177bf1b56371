"""Load the referral services from facts/directory/*.yml and refuse to start on a malformed one.

A malformed entry stops start-up with the file and the entry named: a wrong phone number told
to a worker in danger is worse than a helpline that refuses to start.

One file per country (ISO 3166-1 alpha-2, e.g. ``TW.yml``)::

    country: TW                  # optional; must match the file name
    caveat: ...                  # optional; what the facts do not give for the whole country
    services:
      - id: tw-mol-1955
        ...                      # see bot.facts.directory.models.Service
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from bot.facts.directory.models import Service
from bot.facts.loading import parse_entry, read_yaml
from bot.runtime.paths import FACTS_DIR

DIRECTORY_DIR = FACTS_DIR / "directory"

CITIZEN_PROTECTION_HOTLINE = "vn-mofa-citizen-protection"

#: The countries the helpline answers for: Vietnam itself and the main destinations.
COVERED_COUNTRIES: Tuple[str, ...] = (
    "VN",  # Vietnam-side services (callable from abroad, or by the family at home)
    "TW",  # Taiwan
    "JP",  # Japan
    "KR",  # South Korea
    "MY",  # Malaysia
    "SA",  # Saudi Arabia
    "AE",  # United Arab Emirates
    "SG",  # Singapore
    "TH",  # Thailand
    "CN",  # China
    "DE",  # Germany
    "RO",  # Romania
    "QA",  # Qatar
    "KW",  # Kuwait
    "KH",  # Cambodia: scam compounds hold Vietnamese workers for ransom
    "MM",  # Myanmar: likewise, along the Thai border
    "LA",  # Laos: likewise, in the Golden Triangle
)


class DirectoryError(ValueError):
    """The directory data is malformed; the message names the file and the entry."""


_FILE_KEYS = {"country", "caveat", "services"}
_COUNTRY_FILE = re.compile(r"^[A-Z]{2}$")


def _read_file(path: Path) -> Tuple[List[Service], Optional[str]]:
    """The services of one file and the file's country-level caveat."""
    document = read_yaml(path, DirectoryError, str(path)) or {}
    entries = document.get("services") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise DirectoryError(f"{path}: expected a top-level 'services:' list")
    unknown = set(document) - _FILE_KEYS
    if unknown:
        raise DirectoryError(f"{path}: unknown top-level keys: {', '.join(sorted(map(str, unknown)))}")
    expected_country = path.stem if _COUNTRY_FILE.match(path.stem) else None
    declared = document.get("country")
    if declared is not None and expected_country and declared != expected_country:
        raise DirectoryError(f"{path}: country {declared!r} does not match the file name")
    caveat = document.get("caveat")
    if caveat is not None and not (isinstance(caveat, str) and caveat.strip()):
        raise DirectoryError(f"{path}: 'caveat' must be text")
    services = []
    for position, entry in enumerate(entries, start=1):
        name = entry.get("id", f"#{position}") if isinstance(entry, dict) else f"#{position}"
        service = parse_entry(Service, entry, f"{path}: entry {name}", DirectoryError)
        if expected_country and service.country != expected_country:
            raise DirectoryError(
                f"{path}: entry {name}: country: {service.country} in the file of {expected_country}"
            )
        services.append(service)
    return services, caveat


def load_directory(directory: Path = DIRECTORY_DIR) -> Dict[str, Service]:
    """Every service in ``directory``, by id, in file order (files sorted by name)."""
    services: Dict[str, Service] = {}
    for path in sorted(Path(directory).glob("*.yml")):
        for service in _read_file(path)[0]:
            if service.id in services:
                raise DirectoryError(f"{path}: entry {service.id}: duplicate id")
            services[service.id] = service
    return services


def load_country_caveats(directory: Path = DIRECTORY_DIR) -> Dict[str, str]:
    """Country-level caveats (``caveat:`` at the top of a country file), by file stem."""
    caveats = {}
    for path in sorted(Path(directory).glob("*.yml")):
        caveat = _read_file(path)[1]
        if caveat:
            caveats[path.stem] = caveat.strip()
    return caveats


@lru_cache(maxsize=1)
def default_directory() -> Dict[str, Service]:
    """The shipped directory, loaded once per process."""
    return load_directory()


def citizen_protection_hotline() -> Service:
    """The 24/7 Vietnamese citizen-protection hotline: the answer when nothing else fits."""
    return default_directory()[CITIZEN_PROTECTION_HOTLINE]
