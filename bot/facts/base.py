"""What every fact model shares: the strict base model, Confidence, Bilingual text, and the
validators the referral directory, the fee rules and the duty rota would otherwise each write.

A fact told to a worker must be what the file says, so a fact model refuses any field it does not
know: a misspelt field name is an error, not a silently missing fact. The validators are
factories, used in a model's body and named there::

    class Service(StrictModel):
        country: str
        timezone: Optional[str] = None
        sources: List[HttpUrl] = Field(..., min_items=1)

        _country = iso_country_code("country")
        _timezone = iana_time_zone("timezone")
        _lists = empty_list_for_null("sources")
"""
from __future__ import annotations

import re
import zoneinfo
from enum import Enum
from typing import Any, Optional

from pydantic import BaseModel, Field, validator

#: An ISO 4217 currency code as the fact files write it, for ``Field(regex=...)``.
CURRENCY_CODE = r"^[A-Z]{3}$"

_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


class StrictModel(BaseModel):
    """The base of every fact model: an unknown field is an error."""

    class Config:
        extra = "forbid"


class Confidence(str, Enum):
    """How sure the project is of a fact."""

    high = "high"
    medium = "medium"
    low = "low"


class Bilingual(StrictModel):
    """The same words in Vietnamese and in English; both are required."""

    vi: str = Field(..., min_length=1)
    en: str = Field(..., min_length=1)

    def get(self, language: str) -> str:
        """English for "en", Vietnamese for anything else."""
        return self.en if language == "en" else self.vi


# --- the checks ---------------------------------------------------------------------------------


def checked_time_zone(value: Optional[str]) -> Optional[str]:
    """An IANA time zone name ("Asia/Taipei"), or None; ValueError for anything else."""
    if value is None:
        return value
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"{value!r} is not an IANA time zone (like Asia/Taipei)") from None
    return value


def checked_country_code(value: Any) -> str:
    """An ISO 3166-1 alpha-2 code in capitals ("TW"); ValueError for anything else."""
    if not isinstance(value, str) or not _COUNTRY_CODE.match(value):
        raise ValueError(f"not an ISO 3166-1 alpha-2 code: {value!r}")
    return value


def _empty_list_for_null(cls: type, value: Any) -> Any:
    # "sources:" with nothing after it is YAML for null: read it as an empty list, so that the
    # field's own rules (e.g. at least one source) decide, not a type error.
    return [] if value is None else value


def _time_zone(cls: type, value: Optional[str]) -> Optional[str]:
    return checked_time_zone(value)


def _country_code(cls: type, value: Any) -> str:
    return checked_country_code(value)


# --- the validators, for a model's body ----------------------------------------------------------


def empty_list_for_null(*fields: str) -> Any:
    """A validator reading ``null`` in list ``fields`` as an empty list."""
    return validator(*fields, pre=True, allow_reuse=True)(_empty_list_for_null)


def iana_time_zone(*fields: str) -> Any:
    """A validator refusing ``fields`` that are not IANA time zone names (None passes)."""
    return validator(*fields, allow_reuse=True)(_time_zone)


def iso_country_code(*fields: str) -> Any:
    """A validator refusing ``fields`` that are not ISO 3166-1 alpha-2 codes in capitals.

    On a list field it checks each item.
    """
    return validator(*fields, each_item=True, allow_reuse=True)(_country_code)
