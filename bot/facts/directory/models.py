"""The shape of a referral service (facts/directory/*.yml), validated at load with pydantic 1.10.

A service says who to call (``names``, ``phones`` or ``contacts``), for what and for whom
(``type``, ``needs``, ``sexes``, ``cities``, ``at_sea``), when (``hours``, ``timezone``), where
the project read it (``sources``), how sure it is (``confidence``, with a ``caveat`` saying why
when it is low), when the source said it (``source_date``) and when someone compared the entry
with that source (``checked``); either date is left out when it is not known. A phone number is
parsed and validated for the service's country (bot/facts/directory/phones.py) and the form a
worker reads is derived from it. A police line carries a ``warning``.
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
    checked_country_code,
    empty_list_for_null,
    iana_time_zone,
    iso_country_code,
)
from bot.facts.directory.phones import PhoneError, digit_forms, display_of, numbers_in, same_number
from bot.understanding.needs import ANY, NEED_SET
from bot.understanding.text import fold, nfc


class ServiceType(str, Enum):
    emergency = "emergency"
    police = "police"
    ambulance = "ambulance"
    fire = "fire"
    coast_guard = "coast_guard"  # emergencies at sea
    citizen_protection = "citizen_protection"  # embassy, consulate, MOFA
    labour_hotline = "labour_hotline"
    labour_authority = "labour_authority"
    violence_hotline = "violence_hotline"  # violence or trafficking
    shelter = "shelter"  # shelter or NGO
    legal_aid = "legal_aid"
    immigration = "immigration"
    international_organisation = "international_organisation"  # IOM and the like


#: The types a worker calls when a life is in danger.
EMERGENCY_TYPES = frozenset(
    {ServiceType.emergency, ServiceType.police, ServiceType.ambulance, ServiceType.fire, ServiceType.coast_guard}
)


class Sex(str, Enum):
    female = "female"
    male = "male"


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


#: Social-media groups: a way in to people, never an institution's own line.
SOCIAL_MEDIA = frozenset({ContactKind.facebook, ContactKind.zalo, ContactKind.line})

_WEBSITE = re.compile(r"^(https?://)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Phone(StrictModel):
    # E.164 ("+" and digits: callable from anywhere), a national number dialled inside the
    # country ("0120250168"), or a short code on the country's list ("1955").
    number: str = Field(..., regex=r"^(\+[1-9]\d{6,14}|\d{3,11})$")
    # The country whose numbering plan the number belongs to: the service's own country unless
    # written (a Vietnamese number listed in another country's file).
    region: str
    # As a worker reads it. Derived from the parsed number when left out; when written (to keep
    # the grouping the source uses), it must have the same digits.
    display: str = ""
    dial: Optional[Bilingual] = None  # how to dial it from a mobile phone in that country
    extension: Optional[str] = Field(default=None, regex=r"^[0-9][0-9–-]*$")
    label: Optional[Bilingual] = None  # what this particular number is for
    sms_only: bool = False

    _region = iso_country_code("region")

    @validator("number", "display", "extension", pre=True)
    def _written_as_text(cls, value):
        # Unquoted, YAML reads 1955 as an integer and 0120022332 as an octal one: refuse them.
        if value is not None and not isinstance(value, str):
            raise ValueError("write phone numbers in quotes")
        return value

    @root_validator(skip_on_failure=True)
    def _a_valid_number_shown_as_parsed(cls, values):
        number, region, shown = values["number"], values["region"], values["display"]
        try:
            derived = display_of(number, region)
            if shown and not same_number(shown, number, region):
                raise PhoneError(f"display {shown!r} is not the number {number}")
        except PhoneError as problem:
            raise ValueError(str(problem)) from None
        values["display"] = shown or derived
        # Digits written in how to dial it or what it is for must be this number: a second,
        # unchecked number cannot hide in the words.
        allowed = digit_forms(number, region) | {re.sub(r"\D", "", values.get("extension") or "")}
        for text in (values.get("dial"), values.get("label")):
            for words in (text.vi, text.en) if text else ():
                stray = numbers_in(words) - allowed
                if stray:
                    raise ValueError(f"{words!r} names another number ({', '.join(sorted(stray))}): give it its own phone entry")
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


def _city_key(name: str) -> str:
    return " ".join(fold(nfc(name)).replace("-", " ").split())


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
    # Whom it serves: both sexes unless the service says otherwise (a women's line).
    sexes: List[Sex] = Field(default_factory=lambda: [Sex.female, Sex.male], min_items=1)
    # The cities (or provinces) it serves, in English and Vietnamese spellings; empty: the whole
    # country.
    cities: List[str] = Field(default_factory=list)
    at_sea: bool = False  # answers emergencies at sea (coast guard, or a number that reaches it)
    answered_by_police: bool = False  # a general emergency number that police answer
    # For a police line: what it can mean for a worker who left her employer. Shown with it.
    warning: Optional[Bilingual] = None
    sources: List[HttpUrl] = Field(..., min_items=1)
    confidence: Confidence
    source_date: Optional[dt.date] = None  # when the source said it; null: the source is undated
    checked: Optional[dt.date] = None  # when someone compared the entry with the source; null: never
    notes: Optional[Bilingual] = None
    caveat: Optional[str] = None  # English, for operators: what is missing, conflicting, weak

    _lists = empty_list_for_null("sources", "phones", "contacts", "needs", "cities")
    _country = iso_country_code("country")
    _timezone = iana_time_zone("timezone")

    @root_validator(pre=True)
    def _phones_of_this_country(cls, values):
        if "verified" in values:
            raise ValueError("'verified' is gone: write source_date (when the source said it) and checked (when compared)")
        country, phones = values.get("country"), values.get("phones")
        if isinstance(phones, list):
            try:
                region = checked_country_code(country)
            except ValueError:
                return values  # the country's own validator says what is wrong
            values["phones"] = [{"region": region, **p} if isinstance(p, dict) else p for p in phones]
        return values

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
    def _consistent(cls, values):
        if values.get("confidence") == Confidence.low and not values.get("caveat"):
            raise ValueError("a low-confidence entry needs a caveat saying why")
        source_date, checked = values.get("source_date"), values.get("checked")
        if source_date and checked and checked < source_date:
            raise ValueError(f"checked {checked} is before the source said it ({source_date})")
        if (values.get("type") == ServiceType.police or values.get("answered_by_police")) and not values.get("warning"):
            raise ValueError("a police line needs a warning for a worker who left her employer")
        ways_in = values.get("phones") or [c for c in values.get("contacts", []) if c.kind not in SOCIAL_MEDIA]
        if values.get("type") == ServiceType.citizen_protection and not ways_in and not values.get("website"):
            raise ValueError("an embassy or consulate needs its own phone, email or website, not a social-media group")
        return values

    def short_name(self, language: str) -> str:
        return (self.short_names or self.names).get(language)

    def hours_text(self, language: str) -> Optional[str]:
        if isinstance(self.hours, Bilingual):
            return self.hours.get(language)
        return self.hours

    def serves(self, need: Optional[str]) -> bool:
        return need in (None, ANY) or ANY in self.needs or need in self.needs

    def serves_sex(self, sex: Optional[str]) -> bool:
        return sex is None or sex in {s.value for s in self.sexes}

    def serves_city(self, city: Optional[str]) -> Optional[bool]:
        """True: it names her city; None: it serves the whole country; False: another city."""
        if not self.cities:
            return None
        return city is not None and _city_key(city) in {_city_key(c) for c in self.cities}

    @property
    def is_police(self) -> bool:
        return self.type == ServiceType.police or self.answered_by_police

    @property
    def is_emergency(self) -> bool:
        return self.type in EMERGENCY_TYPES

    @property
    def is_emergency_number(self) -> bool:
        """A general emergency number (not, say, a police line for one kind of complaint)."""
        return self.is_emergency and "emergency" in self.needs and bool(self.phones) and not self.cities
