"""The shape of a referral service (facts/directory/*.yml), validated at load with pydantic 1.10.

A service says who to call (``names``, ``phones`` or ``contacts``), for what (``type``,
``needs``), when (``hours``, ``timezone``), where the project read it (``sources``), how sure it
is (``confidence``, with a ``caveat`` saying why when it is low) and when it last checked
(``verified``). A phone number is written in quotes, and the number a worker reads
(``display``) must be the number a link dials (``number``).
"""
from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import List, Optional, Union

from pydantic import Field, HttpUrl, root_validator, validator

from bot.facts.base import (
    Bilingual,
    Confidence,
    StrictModel,
    empty_list_for_null,
    iana_time_zone,
    iso_country_code,
)
from bot.understanding.needs import ANY, NEED_SET


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


class Phone(StrictModel):
    # E.164 ("+" and digits: callable from anywhere), or a local number, digits only, that is
    # dialled as it is from a phone inside the country (short codes, toll-free, 1900 lines).
    number: str = Field(..., regex=r"^(\+[1-9]\d{6,14}|\d{2,11})$")
    display: str = Field(..., min_length=2)
    dial: Optional[Bilingual] = None  # how to dial it from a mobile phone in that country
    extension: Optional[str] = Field(default=None, regex=r"^[0-9][0-9–-]*$")
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


class Contact(StrictModel):
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


class Service(StrictModel):
    id: str = Field(..., regex=r"^[a-z0-9-]+$")
    country: str
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

    _lists = empty_list_for_null("sources", "phones", "contacts", "needs")
    _country = iso_country_code("country")
    _timezone = iana_time_zone("timezone")

    @validator("needs", each_item=True)
    def _known_need(cls, value):
        if value not in NEED_SET:
            raise ValueError(f"unknown need {value!r} (see bot/understanding/needs.py)")
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
