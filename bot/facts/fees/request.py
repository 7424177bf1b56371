"""The fee-check request, validated by pydantic: what a worker was charged, for which job where.

``parse_request(data)`` reads one JSON object (the stdin of ``python -m bot fees check``, or the
fee form's answers) into a :class:`CheckRequest`, or raises :class:`RequestError` saying why in
plain English, the field first ("charged.deposit must not be negative, got -1")::

    {"country": "TW", "occupation": "domestic_worker", "contract_months": 36,
     "monthly_salary": 20000, "currency": "TWD",
     "charged": {"service_fee": 25000, "brokerage_fee": null,
                 "deposit": {"amount": 30000000, "currency": "VND"}, "other": null}}

A charge that is null (or left out) is one she does not know: it gets a verdict, never an error.
Each charge is in the salary's currency unless it is an object with its own: what a worker paid
at home in dong and what she earns abroad are rarely in the same money. Optional: ``extension``
(true/false), ``sender`` (bot.facts.fees.models.SENDERS), ``japan_category`` (JP only) and
``signed_on`` ("YYYY-MM-DD", the day she signed her contract: the rules in force that day apply;
null or left out: she does not know, and the checker takes today).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any, Optional, Sequence, Tuple

from pydantic import ValidationError, root_validator, validator

from bot.facts.base import StrictModel
from bot.facts.fees.models import JAPAN_CATEGORIES, OCCUPATIONS, SENDERS

MAX_INPUT_BYTES = 64 * 1024
MAX_AMOUNT = Decimal(10) ** 15  # no wage or fee in any currency comes near; keeps Decimal exact
MAX_MONTHS = Decimal(1200)

#: Where a worker who does not say who sent her may well have gone through a public service unit
#: (Korea: EPS through COLAB), so her DEPOSIT is judged under both senders' rules. Service-fee caps
#: always take the rule that applies to a licensed service enterprise, and name the lower cap of a
#: public unit as a note where it can apply (FeeRule.alternative_where).
SENDER_UNKNOWN_COUNTRIES = frozenset({"KR"})
EARLIEST_SIGNING = dt.date(1990, 1, 1)

#: The occupation each Japan category belongs to; the other categories fit any occupation but
#: technical_intern and specified_skilled.
_JAPAN_CATEGORY_OCCUPATION = {
    "technical_intern_1": "technical_intern",
    "technical_intern_2": "technical_intern",
    "technical_intern_3_same_organisations": "technical_intern",
    "technical_intern_3_changed_organisations": "technical_intern",
    "specified_skilled_after_technical_intern_2_or_3": "specified_skilled",
    "specified_skilled_other": "specified_skilled",
}


class RequestError(ValueError):
    """The request cannot be checked; the message says why, in plain English."""


# --- the checks of one value ----------------------------------------------------------------------


def _shown(value: Any) -> str:
    return json.dumps(value, default=str)[:40]


def checked_amount(value: Any, *, positive: bool) -> Decimal:
    """A JSON number as an exact Decimal; ValueError (to follow the field's name) otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, float)):
        raise ValueError(f"must be a number, got {_shown(value)}")
    amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not amount.is_finite():
        raise ValueError("must be a finite number")
    if positive and amount <= 0:
        raise ValueError(f"must be more than 0, got {value}")
    if amount < 0:
        raise ValueError(f"must not be negative, got {value}")
    if amount > MAX_AMOUNT:
        raise ValueError(f"is implausibly large (more than {MAX_AMOUNT:,})")
    return amount


def _code(value: Any, letters: int, what: str) -> str:
    """A country or currency code in any case, as capitals."""
    if not isinstance(value, str) or not re.fullmatch(f"[A-Za-z]{{{letters}}}", value):
        raise ValueError(f"must be {what}; got {_shown(value)}")
    return value.upper()


def _refuse_unknown(values: Any, known: Sequence[str], what: str) -> None:
    unknown = sorted(map(str, set(values) - set(known)))
    if unknown:
        raise ValueError(f"{what}: {', '.join(unknown)} (allowed: {', '.join(known)})")


def _one_of(value: Any, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"must be one of {', '.join(allowed)}; got {_shown(value)}")
    return value


_CURRENCY = "an ISO 4217 code such as VND or USD"


# --- the models -----------------------------------------------------------------------------------


class Charge(StrictModel):
    """One charge: its amount (None: she does not know) and its currency (None: the salary's)."""

    amount: Optional[Decimal] = None
    currency: Optional[str] = None

    @validator("amount", pre=True)
    def _amount(cls, value):
        return None if value is None else checked_amount(value, positive=False)

    @validator("currency", pre=True)
    def _currency(cls, value):
        return None if value is None else _code(value, 3, _CURRENCY)


class Charges(StrictModel):
    """What she was charged, each a number in the salary's currency or an object with its own."""

    service_fee: Optional[Charge] = None
    brokerage_fee: Optional[Charge] = None
    deposit: Optional[Charge] = None
    other: Optional[Charge] = None

    @root_validator(pre=True)
    def _known_charges(cls, values):
        _refuse_unknown(values, tuple(cls.__fields__), "has unknown charge(s)")
        return values

    @validator("*", pre=True)
    def _number_or_object(cls, value):
        if value is None or isinstance(value, Charge):
            return value
        if isinstance(value, dict):
            if set(value) - {"amount", "currency"} or "currency" not in value:
                raise ValueError("must be a number, or an object with amount and currency")
            return value
        return {"amount": checked_amount(value, positive=False)}


#: The charges a request may name, in the order the checker judges them.
CHARGES: Tuple[str, ...] = tuple(Charges.__fields__)


class CheckRequest(StrictModel):
    """A request the checker can judge: codes in capitals, amounts as exact Decimals."""

    country: str
    occupation: str
    contract_months: Decimal
    monthly_salary: Decimal
    currency: str
    charged: Charges
    extension: bool = False
    sender: Optional[str] = None
    japan_category: Optional[str] = None
    signed_on: Optional[dt.date] = None

    class Config:
        allow_mutation = False

    @root_validator(pre=True)
    def _known_and_required_fields(cls, values):
        _refuse_unknown(values, tuple(cls.__fields__), "unknown field(s)")
        missing = [name for name, field in cls.__fields__.items() if field.required and values.get(name) is None]
        if missing:
            raise ValueError(f"missing required field(s): {', '.join(missing)}")
        return values

    @validator("country", pre=True)
    def _country(cls, value):
        return _code(value, 2, "an ISO 3166-1 alpha-2 code such as TW or JP")

    @validator("occupation", pre=True)
    def _occupation(cls, value):
        return _one_of(value, OCCUPATIONS)

    @validator("contract_months", pre=True)
    def _months(cls, value):
        months = checked_amount(value, positive=True)
        if months > MAX_MONTHS:
            raise ValueError(f"must be at most {MAX_MONTHS} (100 years), got {months}")
        return months

    @validator("monthly_salary", pre=True)
    def _salary(cls, value):
        return checked_amount(value, positive=True)

    @validator("currency", pre=True)
    def _currency(cls, value):
        return _code(value, 3, "an ISO 4217 code such as TWD or VND")

    @validator("charged", pre=True)
    def _charged_is_an_object(cls, value):
        if not isinstance(value, (dict, Charges)):
            raise ValueError(f"must be an object with {', '.join(CHARGES)}")
        return value

    @validator("extension", pre=True)
    def _extension(cls, value):
        if value is None:
            return False
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value

    @validator("sender", pre=True)
    def _sender(cls, value):
        return None if value is None else _one_of(value, SENDERS)

    @validator("japan_category", pre=True)
    def _japan_category(cls, value):
        return None if value is None else _one_of(value, JAPAN_CATEGORIES)

    @validator("signed_on", pre=True)
    def _signed_on(cls, value):
        if value is None or isinstance(value, dt.date):
            return value
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"must be a date as YYYY-MM-DD, or null; got {_shown(value)}")
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"is not a real date: {value}") from None
        if day < EARLIEST_SIGNING:
            raise ValueError(f"must be {EARLIEST_SIGNING.isoformat()} or later, got {value}")
        return day

    @root_validator(skip_on_failure=True)
    def _japan_category_fits(cls, values):
        category, occupation = values.get("japan_category"), values["occupation"]
        if category is None:
            return values
        if values["country"] != "JP":
            raise ValueError("japan_category applies only when country is JP")
        expected = _JAPAN_CATEGORY_OCCUPATION.get(category)
        if expected and occupation != expected:
            raise ValueError(f"japan_category {category} needs occupation {expected}, not {occupation}")
        if not expected and occupation in ("technical_intern", "specified_skilled"):
            raise ValueError(f"japan_category {category} does not fit occupation {occupation}")
        return values

    def amount_of(self, charge: str) -> Optional[Decimal]:
        """What she was charged as ``charge`` (one of CHARGES); None when she does not know."""
        given: Optional[Charge] = getattr(self.charged, charge)
        return None if given is None else given.amount

    @property
    def charge_currencies(self) -> Tuple[Tuple[str, str], ...]:
        """(charge, currency) for the known charges not in the salary's currency."""
        found = []
        for name in CHARGES:
            given: Optional[Charge] = getattr(self.charged, name)
            if given is not None and given.amount is not None and given.currency not in (None, self.currency):
                found.append((name, given.currency))
        return tuple(found)

    def currency_of(self, charge: str) -> str:
        """The currency a charge was paid in: the salary's unless the request said otherwise."""
        return dict(self.charge_currencies).get(charge, self.currency)

    @property
    def contract(self) -> str:
        return "extension" if self.extension else "placement"

    @property
    def effective_sender(self) -> str:
        """Who sent her: what she said, else a licensed service enterprise (the usual route)."""
        return self.sender or "service_enterprise"

    @property
    def signed(self) -> dt.date:
        """The day whose rules apply: the day she signed, else today."""
        return self.signed_on or dt.date.today()


# --- reading a request ----------------------------------------------------------------------------


def _reason(error: ValidationError) -> str:
    """"charged.deposit must not be negative, got -1": the first problem, field first.

    Fields are checked in the order the request lists them, so the first problem is the one
    the checker has always reported.
    """
    issue = error.errors()[0]
    where = ".".join(str(part) for part in issue["loc"] if part != "__root__")
    return f"{where} {issue['msg']}" if where else issue["msg"]


def parse_request(data: Any) -> CheckRequest:
    """One parsed JSON object to a request; RequestError on anything the checker cannot judge."""
    if not isinstance(data, dict):
        kind = {list: "a list", str: "a string", type(None): "null"}.get(type(data), "not an object")
        raise RequestError(f"expected one JSON object, got {kind}")
    try:
        return CheckRequest.parse_obj(data)
    except ValidationError as error:
        raise RequestError(_reason(error)) from None


def _reject_constant(name: str):
    raise RequestError(f"{name} is not a number the checker accepts")


def parse_json(text: str) -> CheckRequest:
    """One JSON object (the CLI's stdin) to a request; RequestError on anything else."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_INPUT_BYTES:
        raise RequestError(f"input is larger than {MAX_INPUT_BYTES} bytes")
    if not text.strip():
        raise RequestError("no input: expected one JSON object on stdin")
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except RequestError:
        raise
    except RecursionError:
        raise RequestError("not valid JSON: nested too deeply") from None
    except ValueError as error:  # json.JSONDecodeError, and ints over Python's digit limit
        raise RequestError(f"not valid JSON: {error}") from None
    return parse_request(data)
