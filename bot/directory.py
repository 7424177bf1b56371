"""Referral services, loaded from facts/directory/*.yml and validated at load.

A malformed entry stops start-up with the file and the entry named: a wrong phone number told
to a worker in danger is worse than a helpline that refuses to start.
"""
from __future__ import annotations

import datetime as dt
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional

import yaml
from pydantic import BaseModel, Field, HttpUrl, ValidationError, validator

FACTS_DIR = Path(__file__).resolve().parent.parent / "facts"
DIRECTORY_DIR = FACTS_DIR / "directory"

CITIZEN_PROTECTION_HOTLINE = "vn-mofa-citizen-protection"


class Confidence(str, Enum):
    high = "high"
    medium = "medium"
    low = "low"


class ServiceType(str, Enum):
    emergency = "emergency"
    police = "police"
    ambulance = "ambulance"
    citizen_protection = "citizen_protection"
    labour_hotline = "labour_hotline"
    violence_hotline = "violence_hotline"
    shelter = "shelter"
    legal_aid = "legal_aid"
    immigration = "immigration"
    labour_authority = "labour_authority"


class Bilingual(BaseModel):
    vi: str = Field(..., min_length=1)
    en: str = Field(..., min_length=1)

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.vi


class Phone(BaseModel):
    number: str = Field(..., regex=r"^(\+[1-9]\d{6,14}|\d{2,6})$")  # E.164 or a short code
    display: str
    dial: Optional[str] = None


class Service(BaseModel):
    id: str = Field(..., regex=r"^[a-z0-9-]+$")
    country: str = Field(..., regex=r"^[A-Z]{2}$")
    type: ServiceType
    names: Bilingual
    short_names: Optional[Bilingual] = None
    phones: List[Phone] = Field(default_factory=list)
    speaks_vietnamese: Optional[bool] = None
    hours: Optional[str] = None
    timezone: Optional[str] = None
    cost: Optional[str] = None
    cost_note: Optional[str] = None
    needs: List[str] = Field(default_factory=list)
    website: Optional[HttpUrl] = None
    sources: List[HttpUrl] = Field(..., min_items=1)
    confidence: Confidence
    verified: dt.date

    @validator("sources", "phones", pre=True)
    def _list_not_null(cls, value):
        return value if value is not None else []

    def short_name(self, language: str) -> str:
        return (self.short_names or self.names).get(language)


class DirectoryError(ValueError):
    """The directory data is malformed; the message names the file and the entry."""


def _load_file(path: Path) -> List[Service]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise DirectoryError(f"{path}: not valid YAML: {error}") from None
    entries = document.get("services") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise DirectoryError(f"{path}: expected a top-level 'services:' list")
    services = []
    for position, entry in enumerate(entries, start=1):
        name = entry.get("id", f"#{position}") if isinstance(entry, dict) else f"#{position}"
        try:
            services.append(Service.parse_obj(entry))
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}"
                for issue in error.errors()
            )
            raise DirectoryError(f"{path}: entry {name}: {problems}") from None
    return services


def load_directory(directory: Path = DIRECTORY_DIR) -> Dict[str, Service]:
    services: Dict[str, Service] = {}
    for path in sorted(directory.glob("*.yml")):
        for service in _load_file(path):
            if service.id in services:
                raise DirectoryError(f"{path}: entry {service.id}: duplicate id")
            services[service.id] = service
    return services


@lru_cache(maxsize=1)
def default_directory() -> Dict[str, Service]:
    return load_directory()


def citizen_protection_hotline() -> Service:
    return default_directory()[CITIZEN_PROTECTION_HOTLINE]
