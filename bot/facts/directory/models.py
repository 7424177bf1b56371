"""Referral services, loaded from facts/directory/*.yml and validated at load.

A malformed entry stops start-up with the file and the entry named: a wrong phone number told
to a worker in danger is worse than a helpline that refuses to start.

One file per country (ISO 3166-1 alpha-2, e.g. ``TW.yml``)::

    country: TW                  # optional; must match the file name
    caveat: ...                  # optional; what the facts do not give for the whole country
    services:
      - id: tw-mol-1955
        ...                      # see Service below

`lookup` picks the services to tell a worker; `render_services` writes them as a short SMS.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import zoneinfo
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import yaml
from pydantic import (
    BaseModel,
    Field,
    HttpUrl,
    ValidationError,
    root_validator,
    validator,
)

from bot.runtime.paths import FACTS_DIR
from bot.runtime.validation_errors import describe
from bot.understanding.needs import ANY, DANGER_NEEDS, NEED_SET

log = logging.getLogger(__name__)

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
)



class Confidence(str, Enum):
    high = "high"
    medium = "medium"
    low = "low"


class ServiceType(str, Enum):
    emergency = "emergency"
    police = "police"
    ambulance = "ambulance"
    fire = "fire"
    citizen_protection = "citizen_protection"  # embassy, consulate, MOFA
    labour_hotline = "labour_hotline"
    labour_authority = "labour_authority"
    violence_hotline = "violence_hotline"  # violence or trafficking
    shelter = "shelter"  # shelter or NGO
    legal_aid = "legal_aid"
    immigration = "immigration"


#: The types a worker calls when a life is in danger.
EMERGENCY_TYPES = frozenset(
    {ServiceType.emergency, ServiceType.police, ServiceType.ambulance, ServiceType.fire}
)


class Cost(str, Enum):
    free = "free"
    charged = "charged"
    unknown = "unknown"


class ContactKind(str, Enum):
    website = "website"
    email = "email"
    app = "app"
    line = "line"
    zalo = "zalo"
    whatsapp = "whatsapp"
    viber = "viber"
    facebook = "facebook"
    chat = "chat"
    online_form = "online_form"
    address = "address"


_WEBSITE = re.compile(r"^(https?://)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _Strict(BaseModel):
    class Config:
        extra = "forbid"  # a misspelt field name is an error, not a silently missing fact


class Bilingual(_Strict):
    vi: str = Field(..., min_length=1)
    en: str = Field(..., min_length=1)

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.vi


class Phone(_Strict):
    # E.164 ("+" and digits: callable from anywhere), or a local number, digits only, that is
    # dialled as it is from a phone inside the country (short codes, toll-free, 1900 lines).
    number: str = Field(..., regex=r"^(\+[1-9]\d{6,14}|\d{2,11})$")
    display: str = Field(..., min_length=2)
    dial: Optional[Bilingual] = None  # how to dial it from a mobile phone in that country
    extension: Optional[str] = Field(None, regex=r"^[0-9][0-9–-]*$")
    label: Optional[Bilingual] = None  # what this particular number is for
    sms_only: bool = False

    @validator("number", "display", "extension", pre=True)
    def _written_as_text(cls, value):
        # Unquoted, YAML reads 1955 as an integer and 0120022332 as an octal one: refuse them.
        if value is not None and not isinstance(value, str):
            raise ValueError("write phone numbers in quotes")
        return value

    @root_validator(skip_on_failure=True)
    def _display_is_the_same_number(cls, values):
        # The number a worker reads (display) and the one a link dials (number) must not drift:
        # same digits, or for an E.164 number shown in local form, the same digits after the
        # trunk 0.
        number = values["number"]
        shown = re.sub(r"\D", "", values["display"])
        digits = number.lstrip("+")
        if values["display"].lstrip().startswith("+") or not number.startswith("+"):
            same = shown == digits
        else:
            same = shown.startswith("0") and digits.endswith(shown[1:]) and len(shown) > 5
        if not same:
            raise ValueError(f"display {values['display']!r} is not the number {number}")
        return values

    @property
    def international(self) -> bool:
        return self.number.startswith("+")

    def text(self, language: str) -> str:
        shown = f"SMS {self.display}" if self.sms_only else self.display
        if self.extension:
            shown += f" máy lẻ {self.extension}" if language != "en" else f" ext. {self.extension}"
        return shown


class Contact(_Strict):
    kind: ContactKind
    value: str = Field(..., min_length=1)
    label: Optional[Bilingual] = None

    @root_validator(skip_on_failure=True)
    def _value_fits_kind(cls, values):
        kind, value = values.get("kind"), values.get("value", "")
        if kind == ContactKind.website and not _WEBSITE.match(value):
            raise ValueError(f"not a website address: {value!r}")
        if kind == ContactKind.email and not _EMAIL.match(value):
            raise ValueError(f"not an email address: {value!r}")
        return values


class Service(_Strict):
    id: str = Field(..., regex=r"^[a-z0-9-]+$")
    country: str = Field(..., regex=r"^[A-Z]{2}$")
    type: ServiceType
    names: Bilingual
    short_names: Optional[Bilingual] = None
    phones: List[Phone] = Field(default_factory=list)
    website: Optional[HttpUrl] = None
    contacts: List[Contact] = Field(default_factory=list)
    speaks_vietnamese: Optional[bool] = None  # null: the sources do not say
    hours: Optional[Union[Bilingual, str]] = None
    timezone: Optional[str] = None
    cost: Cost = Cost.unknown
    cost_note: Optional[str] = None
    needs: List[str] = Field(default_factory=list)
    sources: List[HttpUrl] = Field(..., min_items=1)
    confidence: Confidence
    verified: dt.date
    notes: Optional[Bilingual] = None
    caveat: Optional[str] = None  # English, for operators: what is missing, conflicting, weak

    @validator("sources", "phones", "contacts", "needs", pre=True)
    def _list_not_null(cls, value):
        return value if value is not None else []

    @validator("needs", each_item=True)
    def _known_need(cls, value):
        if value not in NEED_SET:
            raise ValueError(f"unknown need {value!r} (see bot/understanding/needs.py)")
        return value

    @validator("timezone")
    def _iana_timezone(cls, value):
        if value is None:
            return value
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"not an IANA time zone: {value!r}") from None
        return value

    @validator("hours", pre=True)
    def _hours_not_blank(cls, value):
        if isinstance(value, str) and not value.strip():
            raise ValueError("empty hours: leave the field out when the hours are unknown")
        return value

    @root_validator(skip_on_failure=True)
    def _low_confidence_says_why(cls, values):
        if values.get("confidence") == Confidence.low and not values.get("caveat"):
            raise ValueError("a low-confidence entry needs a caveat saying why")
        return values

    def short_name(self, language: str) -> str:
        return (self.short_names or self.names).get(language)

    def hours_text(self, language: str) -> Optional[str]:
        if isinstance(self.hours, Bilingual):
            return self.hours.get(language)
        return self.hours

    def serves(self, need: Optional[str]) -> bool:
        return need in (None, ANY) or ANY in self.needs or need in self.needs

    @property
    def is_emergency(self) -> bool:
        return self.type in EMERGENCY_TYPES

    @property
    def is_emergency_number(self) -> bool:
        """A general emergency number (not, say, a police line for one kind of complaint)."""
        return self.is_emergency and "emergency" in self.needs and bool(self.phones)


class DirectoryError(ValueError):
    """The directory data is malformed; the message names the file and the entry."""


_FILE_KEYS = {"country", "caveat", "services"}
_COUNTRY_FILE = re.compile(r"^[A-Z]{2}$")




def _read_file(path: Path) -> Tuple[List[Service], Optional[str]]:
    """The services of one file and the file's country-level caveat."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise DirectoryError(f"{path}: not valid YAML: {error}") from None
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
        try:
            service = Service.parse_obj(entry)
        except ValidationError as error:
            raise DirectoryError(f"{path}: entry {name}: {describe(error)}") from None
        if expected_country and service.country != expected_country:
            raise DirectoryError(
                f"{path}: entry {name}: country: {service.country} in the file of {expected_country}"
            )
        services.append(service)
    return services, caveat


def _load_file(path: Path) -> List[Service]:
    return _read_file(path)[0]


def load_directory(directory: Path = DIRECTORY_DIR) -> Dict[str, Service]:
    services: Dict[str, Service] = {}
    for path in sorted(Path(directory).glob("*.yml")):
        for service in _load_file(path):
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
    return load_directory()


def citizen_protection_hotline() -> Service:
    return default_directory()[CITIZEN_PROTECTION_HOTLINE]


# --- lookup -------------------------------------------------------------------------------

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


_UNVERIFIED = {"vi": "(chưa xác minh)", "en": "(unverified)"}
_HEADER = {"vi": "Bạn có thể liên hệ:", "en": "You can contact:"}


def _contact_text(service: Service) -> Optional[str]:
    if service.phones:
        return None
    for contact in service.contacts:
        if contact.kind in (ContactKind.website, ContactKind.email):
            return contact.value
        if contact.kind == ContactKind.facebook:
            return f"Facebook: {contact.value}"
    return str(service.website) if service.website else None


def render_services(services: Sequence[Service], language: str, header: bool = True) -> str:
    """A short SMS: one line a service, with its short name, number and hours.

    Low-confidence services are marked as unverified; medium ones carry no mark.
    """
    language = "en" if language == "en" else "vi"
    lines = [_HEADER[language]] if header and services else []
    for service in services:
        name = service.short_name(language)
        line = f"- {name}"
        if service.phones:
            phone = service.phones[0]
            if phone.display not in name or phone.extension or phone.sms_only:
                line += f": {phone.text(language)}"  # "Police 110", not "Police 110: 110"
        else:
            reach = _contact_text(service)
            if reach:
                line += f": {reach}"
        hours = service.hours_text(language)
        if hours:
            line += f" ({hours})"
        if service.confidence == Confidence.low:
            line += f" {_UNVERIFIED[language]}"
        lines.append(line)
    return "\n".join(lines)
