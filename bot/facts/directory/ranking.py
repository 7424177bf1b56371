"""Which services to tell a worker, best first: ``lookup(country, need, language, severity, ...,
city=, sex=, at_sea=)``, and ``embassy(country, ...)`` when she asks for Vietnam's embassy.

The order follows what helps her most: at sea, the coast guard; at critical severity an
emergency number; for wages and hours, the labour line; then the office of her own city, a
service she can phone, one that speaks Vietnamese, one the project is sure of, and one whose
type fits her need. A police line is never the first contact (it can mean arrest for a worker
who left her employer); a line for women only is never offered to a man; an office of another
city is never offered; a low-confidence service never comes alone.
"""
from __future__ import annotations

import logging
from enum import Enum
from typing import Dict, List, Mapping, Optional, Tuple, Union

from bot.facts.base import Confidence
from bot.facts.directory.loader import CITIZEN_PROTECTION_HOTLINE, COVERED_COUNTRIES, default_directory
from bot.facts.directory.models import Service, ServiceType
from bot.understanding.needs import ANY, DANGER_NEEDS, NEED_SET

log = logging.getLogger(__name__)

T = ServiceType
_DEFAULT_ORDER: Tuple[ServiceType, ...] = (
    T.citizen_protection,
    T.labour_hotline,
    T.violence_hotline,
    T.shelter,
    T.legal_aid,
    T.labour_authority,
    T.international_organisation,
    T.immigration,
    T.coast_guard,
    T.ambulance,
    T.emergency,
    T.police,
    T.fire,
)
_DANGER = (T.violence_hotline, T.emergency, T.police, T.shelter, T.citizen_protection, T.ambulance)
_LABOUR = (T.labour_hotline, T.labour_authority, T.shelter, T.legal_aid, T.citizen_protection)
_RECRUITMENT = (T.labour_authority, T.labour_hotline, T.legal_aid, T.citizen_protection, T.shelter)
_HEALTH = (T.ambulance, T.emergency, T.coast_guard, T.police, T.citizen_protection)

#: For each need, the types of service that help most, best first; the rest follow in
#: _DEFAULT_ORDER.
_TYPE_ORDER: Dict[str, Tuple[ServiceType, ...]] = {
    "emergency": (T.emergency, T.ambulance, T.coast_guard, T.police, T.fire, T.citizen_protection),
    "violence": _DANGER,
    "threats": _DANGER,
    "confinement": _DANGER,
    "someone_else_in_danger": _DANGER,
    "sexual_abuse": (T.violence_hotline, T.emergency, T.police, T.shelter, T.citizen_protection),
    "harassment": (T.violence_hotline, T.labour_hotline, T.shelter, T.police, T.citizen_protection),
    "trafficking": (T.violence_hotline, T.citizen_protection, T.international_organisation, T.emergency, T.police, T.shelter),
    "suicide": _HEALTH,
    "medical": _HEALTH,
    "denied_medical": (T.labour_hotline, T.shelter, T.ambulance, T.citizen_protection),
    "passport_withheld": (T.citizen_protection, T.labour_hotline, T.labour_authority, T.immigration),
    "unpaid_wages": _LABOUR,
    "excessive_hours": _LABOUR,
    "living_conditions": _LABOUR,
    "unsafe_work": _LABOUR,
    "contract": _LABOUR,
    "isolation": _LABOUR,
    "fees": _RECRUITMENT,
    "deception": _RECRUITMENT,
    "debt_bondage": _RECRUITMENT,
    "legal": (T.legal_aid, T.labour_hotline, T.citizen_protection, T.immigration, T.shelter),
    "arrest": (T.citizen_protection, T.legal_aid, T.immigration),
}

#: Needs for which the labour line comes first, whatever else speaks Vietnamese.
LABOUR_LINE_NEEDS = frozenset({"unpaid_wages", "excessive_hours"})
_LABOUR_TYPES = frozenset({T.labour_hotline, T.labour_authority})

_CONFIDENCE_RANK = {Confidence.high: 0, Confidence.medium: 1, Confidence.low: 2}

Severity = Union[str, Enum]


def _type_rank(need: Optional[str]) -> Dict[ServiceType, int]:
    preferred = _TYPE_ORDER.get(need or ANY, ())
    order = list(preferred) + [kind for kind in _DEFAULT_ORDER if kind not in preferred]
    return {kind: position for position, kind in enumerate(order)}


def _vietnamese_rank(service: Service) -> int:
    return {True: 0, None: 1, False: 2}[service.speaks_vietnamese]


def _sex(sex: Optional[Union[str, Enum]]) -> Optional[str]:
    value = getattr(sex, "value", sex)
    return value if value in ("female", "male") else None


def _for_her(services: Mapping[str, Service], code: str, city: Optional[str], sex: Optional[str], at_sea: bool) -> List[Service]:
    """The services of the country that may be offered to her at all."""
    return [
        s
        for s in services.values()
        if s.country == code
        and s.serves_sex(sex)
        and s.serves_city(city) is not False  # never another city's office
        and not (at_sea and s.is_police and not s.at_sea)  # at sea the land police cannot come
    ]


def lookup(
    country: Optional[str],
    need: Optional[str],
    language: str,
    severity: Severity = "none",
    limit: int = 3,
    directory: Optional[Mapping[str, Service]] = None,
    *,
    city: Optional[str] = None,
    sex: Optional[Union[str, Enum]] = None,
    at_sea: bool = False,
) -> List[Service]:
    """The services to tell a worker in `country` who needs `need`, best first, at most `limit`.

    `city` (any spelling the entries list, with or without marks) brings her city's offices and
    keeps other cities' out; `sex` ("female", "male" or None when unknown) keeps out lines that
    do not serve her; `at_sea` puts the coast guard first and leaves out the land police.
    A low-confidence service never comes alone: the result then also holds a high-confidence
    one (the VN citizen-protection hotline when the country has none). Without a country, or
    for one the directory does not cover, the answer is the VN citizen-protection hotline.
    `language` ("vi" or "en") does not change the choice; it is part of the signature so that
    callers need not change when it will.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    services = default_directory() if directory is None else directory
    hotline = services[CITIZEN_PROTECTION_HOTLINE]
    code = (country or "").strip().upper()
    if code not in COVERED_COUNTRIES:
        return [hotline]
    if need is not None and need not in NEED_SET:
        log.warning("directory lookup with an unknown need %r: answering as for any need", need)
        need = None
    # "critical", or an enum member named critical (bot.understanding.intents.Severity is an IntEnum).
    critical = getattr(severity, "name", severity) == "critical"
    danger = critical or need in DANGER_NEEDS
    sex_value = _sex(sex)

    in_country = _for_her(services, code, city, sex_value, at_sea)
    candidates = [service for service in in_country if service.serves(need)]
    if at_sea and danger:
        candidates += [s for s in in_country if s.at_sea and s not in candidates]
    if critical and not any(service.is_emergency for service in candidates):
        # Danger now, whatever she asked about: the country's general emergency numbers (the
        # common emergency number or police; the ambulance when there is neither).
        general = [s for s in in_country if s.is_emergency_number]
        first_call = [s for s in general if s.type in (T.emergency, T.police)]
        candidates += first_call or [s for s in general if s.type == T.ambulance]
    if not candidates:
        return [hotline]

    type_rank = _type_rank(need)
    position = {service.id: index for index, service in enumerate(services.values())}
    labour_first = need in LABOUR_LINE_NEEDS
    ranked = sorted(
        candidates,
        key=lambda service: (
            0 if at_sea and danger and service.at_sea else 1,
            0 if critical and service.is_emergency else 1,
            0 if service.phones else 1,
            0 if labour_first and service.type in _LABOUR_TYPES else 1,
            0 if service.serves_city(city) else 1,
            _vietnamese_rank(service),
            _CONFIDENCE_RANK[service.confidence],
            type_rank[service.type],
            position[service.id],
        ),
    )
    if ranked[0].is_police:
        # Never a police line first: the best other service of the search, else the hotline.
        other = next((s for s in ranked if not s.is_police), hotline)
        ranked = [other] + [s for s in ranked if s is not other]
    result = ranked[:limit]
    if any(s.confidence == Confidence.low for s in result) and not any(
        s.confidence == Confidence.high for s in result
    ):
        # A high-confidence service of the same search; an emergency number only when there is
        # danger (not the coast guard for a question about wages); else the VN hotline.
        backup = next(
            (
                s
                for s in ranked[limit:]
                if s.confidence == Confidence.high and (danger or not s.is_emergency) and not (limit == 1 and s.is_police)
            ),
            hotline,
        )
        if len(result) < limit:
            result.append(backup)
        elif limit == 1:
            result = [backup]
        else:
            result[-1] = backup
    return result


def embassy(
    country: Optional[str],
    language: str,
    directory: Optional[Mapping[str, Service]] = None,
    *,
    city: Optional[str] = None,
    limit: int = 2,
) -> List[Service]:
    """Vietnam's embassy or consulates in `country` (her city's first), and the 24/7 hotline
    beside them when none is there or none is more than low confidence.

    `language` does not change the choice (kept for the same reason as in ``lookup``).
    """
    services = default_directory() if directory is None else directory
    hotline = services[CITIZEN_PROTECTION_HOTLINE]
    code = (country or "").strip().upper()
    offices = [
        s
        for s in services.values()
        if s.country == code
        and s.type == T.citizen_protection
        and s.id != CITIZEN_PROTECTION_HOTLINE
        and s.serves_city(city) is not False
    ]
    offices.sort(key=lambda s: (0 if s.serves_city(city) else 1, 0 if s.phones else 1, _CONFIDENCE_RANK[s.confidence]))
    result = offices[:limit]
    if not result or all(s.confidence == Confidence.low for s in result):
        result.append(hotline)
    return result
