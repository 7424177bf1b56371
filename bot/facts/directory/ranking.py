"""Which services to tell a worker: ``lookup(country, need, language, severity)``, best first.

The order follows what helps her most: at critical severity an emergency number first; then a
service she can phone, one that speaks Vietnamese, one the project is sure of, and one whose
type fits her need. A low-confidence service never comes alone.
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
    T.immigration,
    T.police,
    T.ambulance,
    T.emergency,
    T.fire,
)
_DANGER = (T.violence_hotline, T.police, T.emergency, T.shelter, T.citizen_protection, T.ambulance)
_LABOUR = (T.labour_hotline, T.labour_authority, T.shelter, T.legal_aid, T.citizen_protection)
_RECRUITMENT = (T.labour_authority, T.labour_hotline, T.legal_aid, T.citizen_protection, T.shelter)
_HEALTH = (T.ambulance, T.emergency, T.police, T.citizen_protection)

#: For each need, the types of service that help most, best first; the rest follow in
#: _DEFAULT_ORDER.
_TYPE_ORDER: Dict[str, Tuple[ServiceType, ...]] = {
    "emergency": (T.police, T.ambulance, T.emergency, T.fire, T.citizen_protection),
    "violence": _DANGER,
    "threats": _DANGER,
    "confinement": _DANGER,
    "someone_else_in_danger": _DANGER,
    "sexual_abuse": (T.violence_hotline, T.police, T.emergency, T.shelter, T.citizen_protection),
    "harassment": (T.violence_hotline, T.labour_hotline, T.shelter, T.police, T.citizen_protection),
    "trafficking": (T.violence_hotline, T.police, T.emergency, T.citizen_protection, T.shelter),
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

_CONFIDENCE_RANK = {Confidence.high: 0, Confidence.medium: 1, Confidence.low: 2}


def _type_rank(need: Optional[str]) -> Dict[ServiceType, int]:
    preferred = _TYPE_ORDER.get(need or ANY, ())
    order = list(preferred) + [kind for kind in _DEFAULT_ORDER if kind not in preferred]
    return {kind: position for position, kind in enumerate(order)}


def _vietnamese_rank(service: Service) -> int:
    return {True: 0, None: 1, False: 2}[service.speaks_vietnamese]


def lookup(
    country: Optional[str],
    need: Optional[str],
    language: str,
    severity: Union[str, Enum] = "none",
    limit: int = 3,
    directory: Optional[Mapping[str, Service]] = None,
) -> List[Service]:
    """The services to tell a worker in `country` who needs `need`, best first, at most `limit`.

    Ranking: at critical severity the emergency numbers (emergency, police, ambulance, fire)
    first; then services with a phone before those without; then services that speak
    Vietnamese; then by confidence; then by how well the type of service fits the need.
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

    in_country = [service for service in services.values() if service.country == code]
    candidates = [service for service in in_country if service.serves(need)]
    if critical and not any(service.is_emergency for service in candidates):
        # Danger now, whatever she asked about: the country's general emergency numbers (police
        # or the common emergency number; the ambulance when there is neither).
        general = [s for s in in_country if s.is_emergency_number]
        first_call = [s for s in general if s.type in (T.emergency, T.police)]
        candidates += first_call or [s for s in general if s.type == T.ambulance]
    if not candidates:
        return [hotline]

    type_rank = _type_rank(need)
    position = {service.id: index for index, service in enumerate(services.values())}
    ranked = sorted(
        candidates,
        key=lambda service: (
            0 if critical and service.is_emergency else 1,
            0 if service.phones else 1,
            _vietnamese_rank(service),
            _CONFIDENCE_RANK[service.confidence],
            type_rank[service.type],
            position[service.id],
        ),
    )
    result = ranked[:limit]
    if any(s.confidence == Confidence.low for s in result) and not any(
        s.confidence == Confidence.high for s in result
    ):
        # A high-confidence service of the same search; an emergency number only when there is
        # danger (not the coast guard for a question about wages); else the VN hotline.
        danger = critical or need in DANGER_NEEDS
        backup = next(
            (
                s
                for s in ranked[limit:]
                if s.confidence == Confidence.high and (danger or not s.is_emergency)
            ),
            hotline,
        )
        if len(result) < limit:
            result.append(backup)
        else:
            result[-1] = backup
    return result
