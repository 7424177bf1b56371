"""The shape of a fee rule (facts/fees/*.yml), validated at load with pydantic 1.10.

Every rule says what the law says in a worker's words (``statement``, Vietnamese and English),
where it says it (``citation``, ``sources``), how sure the project is (``confidence``), when the
source said it (``source_date``) and when someone last compared the rule with that source
(``checked``): a date the rule was typed in is neither, and a date nobody has is left out. Each
rule also states the period it governs, by the date her contract was signed (``valid_from``,
``valid_until``; see bot.facts.fees.matching). Rules that the checker computes with also carry a
machine-readable part: ``service_fee_cap``, ``deposit`` or ``amount``, and a ``scope`` saying
where they apply.

Scopes are three-valued. A request either falls in a scope (the rule applies), falls outside it,
or *may* fall in it because the facts do not say (``maybe_*``) or the request does not tell
(e.g. a Japan specified-skilled worker who did not say whether she finished Technical Intern 2
or 3). The checker never picks the friendlier reading of a "maybe": it answers ``unknown``.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import FrozenSet, List, Optional, Tuple

from pydantic import Field, HttpUrl, root_validator, validator

from bot.facts.base import (
    CURRENCY_CODE,
    Bilingual,
    Confidence,
    StrictModel,
    empty_list_for_null,
    iso_country_code,
)

OCCUPATIONS = (
    "domestic_worker",
    "home_caregiver",
    "institutional_caregiver",
    "factory",
    "construction",
    "agriculture",
    "fishing_coastal",
    "fishing_offshore",
    "seafarer",  # officers and crew of sea-transport ships
    "technical_intern",
    "specified_skilled",
    "other",
)

#: Japan's categories in Circular 21 Annex XI (as replaced by Circular 02/2024). Optional in a
#: request; without it the Japan caps that depend on it are "maybe".
JAPAN_CATEGORIES = (
    "technical_intern_1",
    "technical_intern_2",
    "technical_intern_3_same_organisations",  # same sending enterprise and supervising organisation
    "technical_intern_3_changed_organisations",
    "specified_skilled_after_technical_intern_2_or_3",
    "specified_skilled_other",
    "high_skilled",
    "designated_activities",  # construction or shipbuilding workers under "designated activities"
)

#: Who sent the worker (Law 69/2020 Art. 5): a licensed service enterprise, a public service
#: unit (e.g. COLAB for Korea EPS) or an outward investor hiring its own new staff.
SENDERS = ("service_enterprise", "public_service_unit", "outward_investor")

CONTRACTS = ("placement", "extension")

#: Regions named by the law, as ISO 3166-1 alpha-2 codes. These lists are the PROJECT'S READING
#: of the names in facts.md ("Southeast Asia", "West Asia (Middle East)", "the Americas"); the
#: legal texts read for facts.md do not list countries.
REGIONS = {
    # ASEAN members and Timor-Leste; Vietnam itself is the home country, not a destination.
    "southeast_asia": frozenset("BN KH ID LA MY MM PH SG TH TL".split()),
    # Gulf and Levant states: "West Asian (Middle Eastern) countries".
    "west_asia": frozenset("SA AE QA KW BH OM YE JO LB SY IQ IL PS IR".split()),
    # Sometimes counted as the Middle East or West Asia, sometimes not: always "maybe".
    "west_asia_uncertain": frozenset("TR CY EG GE AM AZ".split()),
    "americas": frozenset(
        """
        US CA MX GT BZ SV HN NI CR PA CU DO HT JM BS BB TT AG DM GD KN LC VC PR
        CO VE GY SR EC PE BO BR PY UY AR CL GF GP MQ AW CW BM KY TC VG VI AI MS BQ SX MF BL
        PM GL FK
        """.split()
    ),
}


class RuleKind(str, Enum):
    service_fee_cap = "service_fee_cap"  # a cap on the service fee (tiền dịch vụ)
    deposit = "deposit"  # a cap on, or a ban of, the worker's deposit (tiền ký quỹ)
    deposit_rule = "deposit_rule"  # how a deposit must be held, when, guarantees
    prohibited = "prohibited"  # a charge or practice the law forbids
    refund = "refund"  # money the worker gets back
    contribution = "contribution"  # the Overseas Employment Support Fund contribution
    destination = "destination"  # a rule or programme of the destination country
    rights = "rights"  # licence check, complaints
    info = "info"  # when and how a fee may be taken; an inference other rules rely on
    market_terms = "market_terms"  # terms the Vietnamese side requires for a market, incl. costs the employer bears
    international = "international"  # ILO and other standards, not law


class Scope(StrictModel):
    """Where a rule applies. Absent lists mean "everywhere" / "every occupation"."""

    countries: Optional[List[str]] = None  # None (and no regions): every country
    regions: List[str] = Field(default_factory=list)
    maybe_countries: List[str] = Field(default_factory=list)
    maybe_regions: List[str] = Field(default_factory=list)
    except_countries: List[str] = Field(default_factory=list)
    except_regions: List[str] = Field(default_factory=list)
    occupations: Optional[List[str]] = None  # None: every occupation
    maybe_occupations: List[str] = Field(default_factory=list)
    except_occupations: List[str] = Field(default_factory=list)
    japan_categories: Optional[List[str]] = None
    senders: Optional[List[str]] = None
    contracts: List[str] = Field(default_factory=lambda: ["placement"])
    maybe_contracts: List[str] = Field(default_factory=list)
    months_from: Optional[Decimal] = Field(default=None, gt=0)  # contract length, inclusive
    months_below: Optional[Decimal] = Field(default=None, gt=0)  # contract length, exclusive

    _countries = iso_country_code("countries", "maybe_countries", "except_countries")

    @validator("regions", "maybe_regions", "except_regions", each_item=True)
    def _known_region(cls, value):
        if value not in REGIONS:
            raise ValueError(f"unknown region {value!r} (known: {', '.join(REGIONS)})")
        return value

    @validator("occupations", "maybe_occupations", "except_occupations", each_item=True)
    def _known_occupation(cls, value):
        if value not in OCCUPATIONS:
            raise ValueError(f"unknown occupation {value!r}")
        return value

    @validator("japan_categories", each_item=True)
    def _known_japan_category(cls, value):
        if value not in JAPAN_CATEGORIES:
            raise ValueError(f"unknown Japan category {value!r}")
        return value

    @validator("senders", each_item=True)
    def _known_sender(cls, value):
        if value not in SENDERS:
            raise ValueError(f"unknown sender {value!r}")
        return value

    @validator("contracts", "maybe_contracts", each_item=True)
    def _known_contract(cls, value):
        if value not in CONTRACTS:
            raise ValueError(f"unknown contract {value!r} (placement or extension)")
        return value

    def country_set(self, field: str, regions_field: str) -> FrozenSet[str]:
        codes = set(getattr(self, field) or [])
        for region in getattr(self, regions_field):
            codes |= REGIONS[region]
        return frozenset(codes)


class ServiceFeeCap(StrictModel):
    """At most ``months_per_12`` months' salary per 12 months of work; when the contract is 36
    months or longer, at most ``max_months_36_plus`` in total (None: the text sets no total)."""

    months_per_12: Decimal = Field(..., ge=0)
    max_months_36_plus: Optional[Decimal] = Field(default=None, ge=0)


class DepositLimit(StrictModel):
    """``none``: no deposit allowed; ``max``: at most ``amount`` ``currency``; ``air_ticket``: at
    most one economy-class ticket home, an amount the checker cannot know."""

    kind: str = Field(..., regex=r"^(none|max|air_ticket)$")
    amount: Optional[Decimal] = Field(default=None, gt=0)
    currency: Optional[str] = Field(default=None, regex=CURRENCY_CODE)

    @root_validator(skip_on_failure=True)
    def _amount_with_max(cls, values):
        has_amount = values.get("amount") is not None and values.get("currency") is not None
        if values["kind"] == "max" and not has_amount:
            raise ValueError("a 'max' deposit needs amount and currency")
        if values["kind"] != "max" and (values.get("amount") is not None or values.get("currency")):
            raise ValueError(f"a {values['kind']!r} deposit takes no amount or currency")
        return values

    def maximum(self) -> Optional[Tuple[Decimal, str]]:
        """(amount, currency) of a ``max`` deposit; None for ``none`` and ``air_ticket``."""
        if self.amount is None or self.currency is None:
            return None
        return self.amount, self.currency


class Amount(StrictModel):
    value: Decimal = Field(..., gt=0)
    currency: str = Field(..., regex=CURRENCY_CODE)


class FeeRule(StrictModel):
    id: str = Field(..., regex=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    kind: RuleKind
    statement: Bilingual  # short, plain words for a worker with little schooling
    # The same in SMS length (about 90 characters), for the FAQ answers; same figures only.
    sms: Optional[Bilingual] = None
    citation: str = Field(..., min_length=5)  # law and article, e.g. "Law 69/2020/QH14 Art. 23(4)(a)"
    sources: List[HttpUrl] = Field(..., min_items=1)
    confidence: Confidence
    source_date: Optional[dt.date] = None  # when the source said it (None: the source has no date)
    checked: Optional[dt.date] = None  # when someone compared the rule with the source (None: never)
    # The period the rule governs, by the date her contract was signed, both days included.
    # None: since before any contract the checker covers / still in force.
    valid_from: Optional[dt.date] = None
    valid_until: Optional[dt.date] = None
    # Replaced after valid_until by a text whose figures were not found: for later contracts the
    # rule is still offered as the last known figure, never as the law in force (a "maybe").
    last_known_after: bool = False
    replaced_by: Optional[str] = None  # the text that replaced it, in words, for operators
    caveats: List[str] = Field(default_factory=list)  # English, for operators
    note: Optional[str] = None  # English, for operators: figures not meant for the worker
    scope: Scope = Field(default_factory=Scope)
    # For a rule that applies only to one kind of sender (scope.senders): where it can apply
    # when she did not say who sent her. There it is named as a note beside the verdict, which
    # stays that of the rule that applies (a licensed service enterprise is assumed).
    alternative_where: Optional[Scope] = None
    service_fee_cap: Optional[ServiceFeeCap] = None
    deposit: Optional[DepositLimit] = None
    amount: Optional[Amount] = None

    _lists = empty_list_for_null("sources", "caveats")

    @validator("caveats", each_item=True)
    def _caveat_not_blank(cls, value):
        if not value.strip():
            raise ValueError("empty caveat")
        return value

    @root_validator(skip_on_failure=True)
    def _consistent(cls, values):
        kind = values["kind"]
        if (kind == RuleKind.service_fee_cap) != (values.get("service_fee_cap") is not None):
            raise ValueError("service_fee_cap is required for kind service_fee_cap, and only there")
        if (kind == RuleKind.deposit) != (values.get("deposit") is not None):
            raise ValueError("deposit is required for kind deposit, and only there")
        if (kind == RuleKind.contribution) != (values.get("amount") is not None):
            raise ValueError("amount is required for kind contribution, and only there")
        start, end = values.get("valid_from"), values.get("valid_until")
        if start and end and end < start:
            raise ValueError(f"valid_until {end} is before valid_from {start}")
        if (values.get("last_known_after") or values.get("replaced_by")) and end is None:
            raise ValueError("last_known_after and replaced_by need valid_until")
        if values.get("alternative_where") is not None and not values["scope"].senders:
            raise ValueError("alternative_where is for rules with scope.senders")
        source, checked = values.get("source_date"), values.get("checked")
        if source and checked and checked < source:
            raise ValueError(f"checked {checked} is before the source's date {source}")
        return values

    @property
    def needs_recheck(self) -> bool:
        """Nobody has compared this rule with its source yet."""
        return self.checked is None

    @property
    def numeric(self) -> bool:
        return any(part is not None for part in (self.service_fee_cap, self.deposit, self.amount))

