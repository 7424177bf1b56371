"""What a worker answers to the fee checker's questions, as the checker needs it.

She texts the way she talks: "36 thang", "3 nam", "2 năm rưỡi", "1000 usd", "45 triệu", "45tr",
"2tr5", "25 ngàn Đài", "18 man", "khong co", "0", "không biết". Each ``parse_*`` function reads
one answer and returns an :class:`Answer`: either the value to keep, in a canonical form that
:func:`build_request` turns into a checker request, or a ``problem`` naming what to ask again
(the message catalogue has the words, bot/replies/messages.yml ``fee_retry_*``). Nothing here guesses an
exchange rate or a currency she did not name, except where the words say it ("triệu" on its own
is dong, "man" is yen, "Đài tệ" is Taiwan dollars).

Canonical values (what the form's slots hold):
- country: ISO 3166-1 alpha-2 ("TW");
- occupation: one of bot.facts.fees.models.OCCUPATIONS; a number is read against her country's
  menu (bot.facts.fees.occupations);
- signed_on: "YYYY-MM-DD", or "unknown" (she does not know, or has not signed: the checker takes
  today);
- months: a number of months as a string ("36", "30");
- salary: "<amount> <currency>" ("1000 USD");
- a charge: "<amount> <currency>", "0" (none), or "unknown" (she does not know).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot.facts.fees.answer_dates import parse_signing_date
from bot.facts.fees.answer_money import LOCAL_CURRENCY, Money, currency_word, find_money
from bot.facts.fees.answer_words import (
    DONT_KNOW_PHRASES,
    HALF_WORDS,
    NUMBER_WORDS,
    folded_text,
    parse_number,
    says,
    says_nothing,
    tokens_of,
)
from bot.facts.fees.models import OCCUPATIONS
from bot.facts.fees.occupations import menu_number, occupations_for
from bot.facts.fees.request import CHARGES, MAX_AMOUNT, MAX_MONTHS
from bot.understanding.gazetteer import country_of, find_occupations
from bot.understanding.text import fold, nfc

__all__ = [
    "DONT_KNOW",
    "NOTHING",
    "OCCUPATION_CHOICES",
    "Answer",
    "build_request",
    "currency_word",
    "find_money",
    "normalise_country",
    "parse_charge",
    "parse_country",
    "parse_months",
    "parse_number",
    "parse_occupation",
    "parse_salary",
    "parse_signed_on",
    "read_money",
]

DONT_KNOW = "unknown"
NOTHING = "0"
HOME = "VN"

#: The order of the occupation buttons: button n sends "n".
OCCUPATION_CHOICES: Tuple[str, ...] = OCCUPATIONS


@dataclass(frozen=True)
class Answer:
    """A parsed answer: ``value`` to keep, or ``problem`` (a catalogue key suffix) to ask again."""

    value: Optional[str] = None
    problem: Optional[str] = None
    params: Dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.value is not None


def _problem(name: str, **params: str) -> Answer:
    return Answer(problem=name, params=params)


# ---------------------------------------------------------------------------------------------
# Country and occupation
# ---------------------------------------------------------------------------------------------


def parse_country(text: str) -> Answer:
    """"Đài Loan", "ben Han", "Nhat", "Taipei" -> ISO code. Vietnam itself is not an answer."""
    folded = folded_text(text)
    if says(folded, ("viet nam", "vietnam", "vn", "o nha", "o que", "chua di", "not yet", "home")) and not country_of(text):
        return _problem("country_home")
    code = country_of(text)
    if code is None:
        # Answering "which country?", a bare short name is a place: "Nhật", "Hàn", "Đài".
        code = country_of(f"o {fold(nfc(text or ''))}")
    if code is None:
        return _problem("country")
    if code == HOME:
        return _problem("country_home")
    return Answer(code)


def normalise_country(value: Any) -> Answer:
    """The slot holds an ISO code (from the entity) or her words (from the text)."""
    if isinstance(value, str) and re.fullmatch(r"[A-Z]{2}", value):
        return _problem("country_home") if value == HOME else Answer(value)
    return parse_country(str(value or ""))


_OCCUPATION_WORDS: Dict[str, Tuple[str, ...]] = {
    "home_caregiver": (
        "cham soc tai nha", "tai nha", "cham nguoi gia tai nha", "cham ong ba tai nha", "cham ba cu",
        "cham ong cu", "cham cu", "tai gia", "o nha chu", "trong nha", "gia dinh", "nha rieng", "home caregiver",
        "caregiver at home", "in a home", "at home", "in the house", "private home",
    ),
    "institutional_caregiver": (
        "vien duong lao", "trai duong lao", "benh vien", "trung tam duong lao", "co so duong lao",
        "nursing home", "care home", "care facility", "hospital", "elderly home", "in a facility",
    ),
    "fishing_coastal": ("gan bo", "ven bien", "ven bo", "coastal", "near the coast", "near shore", "inshore"),
    "fishing_offshore": ("xa bo", "vien duong", "bien xa", "offshore", "deep sea", "far at sea", "far from"),
    "seafarer": (
        "tau van tai", "tau hang", "tau container", "tau cho hang", "van tai bien", "tau bien",
        "cargo ship", "merchant ship", "seafarer", "seaman", "container ship", "tanker",
    ),
    "domestic_worker": ("giup viec", "osin", "o sin", "maid", "helper", "domestic"),
    "factory": ("nha may", "xuong", "factory"),
    "construction": ("xay dung", "cong truong", "construction"),
    "agriculture": ("nong nghiep", "trang trai", "nong trai", "farm", "agriculture"),
    "technical_intern": ("thuc tap sinh", "tts", "technical intern", "intern", "trainee"),
    "specified_skilled": ("ky nang dac dinh", "tokutei", "specified skilled", "ssw", "tokuteigino"),
    "other": ("viec khac", "nghe khac", "khac", "other", "something else"),
}
#: What the phrase lists in bot.understanding.gazetteer mean for the checker, when they say enough.
_GAZETTEER_OCCUPATIONS = {
    "domestic_worker": "domestic_worker",
    "factory": "factory",
    "construction": "construction",
    "agriculture": "agriculture",
    "technical_intern": "technical_intern",
    "specified_skilled": "specified_skilled",
}


def _menu_problem(country: Optional[str]) -> Answer:
    return _problem("occupation", max=str(len(occupations_for(country))))


def _choose_between(name: str, codes: Tuple[str, ...], country: Optional[str]) -> Answer:
    """Ask which of ``codes`` she means, by their numbers in her menu; the whole menu if one is missing."""
    numbers = [menu_number(code, country) for code in codes]
    if any(number is None for number in numbers):
        return _menu_problem(country)
    return _problem(name, **{code: str(number) for code, number in zip(codes, numbers)})


def parse_occupation(text: str, country: Optional[str] = None) -> Answer:
    """A button or typed number of her country's menu ("4"), the code itself, or her words
    ("giup viec", "lam nha may", "caregiver")."""
    folded = folded_text(text)
    choices = occupations_for(country)
    number = re.fullmatch(r"(?:so |number |no |s )?(\d{1,2})", folded)
    if number:
        index = int(number.group(1))
        if 1 <= index <= len(choices):
            return Answer(choices[index - 1])
        return _menu_problem(country)
    code = (text or "").strip().lower()
    if code in OCCUPATIONS:
        return Answer(code)

    caring = says(folded, ("cham soc", "cham nguoi", "cham ba", "cham ong", "ho ly", "dieu duong",
                            "khan ho", "kan ho", "caregiver", "care giver", "carer", "nurse", "kaigo"))
    fishing = says(folded, ("danh ca", "danh bat", "tau ca", "ngu dan", "thuyen vien", "di bien",
                             "fishing", "fisherman", "fishing boat", "crew", "sailor"))
    if caring:
        for code in ("institutional_caregiver", "home_caregiver"):
            if says(folded, _OCCUPATION_WORDS[code]):
                return Answer(code)
        return _choose_between("occupation_caregiver", ("home_caregiver", "institutional_caregiver"), country)
    if fishing or says(folded, _OCCUPATION_WORDS["seafarer"]):
        for code in ("seafarer", "fishing_offshore", "fishing_coastal"):
            if says(folded, _OCCUPATION_WORDS[code]):
                return Answer(code)
        return _choose_between("occupation_fishing", ("fishing_coastal", "fishing_offshore", "seafarer"), country)
    found = {_GAZETTEER_OCCUPATIONS.get(m.value) for m in find_occupations(text or "")} - {None}
    for code, phrases in _OCCUPATION_WORDS.items():
        if code in _GAZETTEER_OCCUPATIONS and says(folded, phrases):
            found.add(code)
    if len(found) == 1:
        return Answer(found.pop())
    if not found and says(folded, _OCCUPATION_WORDS["other"]):
        return Answer("other")
    return _menu_problem(country)


# ---------------------------------------------------------------------------------------------
# When she signed
# ---------------------------------------------------------------------------------------------


def _changeovers() -> Tuple[dt.date, ...]:
    """The days some fee rule starts to govern contracts signed on or after them."""
    from bot.facts.fees.loader import default_rules

    days = set()
    for rule in default_rules().values():
        if rule.valid_from is not None:
            days.add(rule.valid_from)
        if rule.valid_until is not None:
            days.add(rule.valid_until + dt.timedelta(days=1))
    return tuple(sorted(days))


def parse_signed_on(text: str, today: Optional[dt.date] = None) -> Answer:
    """"15/3/2025", "3/2025", "2025" -> "2025-03-15"...; "không biết", "chưa ký" -> "unknown"."""
    day, problem = parse_signing_date(text, today or dt.date.today(), _changeovers())
    if problem:
        return _problem(problem)
    return Answer(day.isoformat() if day else DONT_KNOW)


# ---------------------------------------------------------------------------------------------
# Contract length
# ---------------------------------------------------------------------------------------------

_YEAR_WORDS = {"nam", "year", "years", "yr", "yrs", "y"}
_MONTH_WORDS = {"thang", "th", "month", "months", "mo", "mos", "m"}
#: A bare number below this is probably years ("3"), at or above it months ("36").
_BARE_MONTHS_FROM = 6
MAX_CONTRACT_MONTHS = 120


def _value_before_unit(tokens: List[str], index: int) -> Optional[Decimal]:
    token = tokens[index]
    number = parse_number(token)
    if number is not None:
        return number
    return Decimal(NUMBER_WORDS[token]) if token in NUMBER_WORDS else None


def parse_months(text: str) -> Answer:
    """"36 thang", "3 nam", "2 năm rưỡi", "1 nam 6 thang", "three years", "36" -> months."""
    tokens = tokens_of(text)
    total = Decimal(0)
    found = False
    index = 0
    while index < len(tokens):
        unit = tokens[index + 1] if index + 1 < len(tokens) else None
        value = _value_before_unit(tokens, index)
        if value is not None and unit in _YEAR_WORDS | _MONTH_WORDS:
            size = 12 if unit in _YEAR_WORDS else 1
            # "năm năm" = five years; but "3 năm năm" is not a thing, and "năm" alone is a unit.
            total += value * size
            found = True
            index += 2
            if index < len(tokens) and tokens[index] in HALF_WORDS:
                total += Decimal(size) / 2
                index += 1
            elif index + 2 < len(tokens) + 1 and tokens[index:index + 3] == ["and", "a", "half"]:
                total += Decimal(size) / 2
                index += 3
            continue
        index += 1
    if not found:
        numbers = [number for number in map(parse_number, tokens) if number is not None]
        if len(numbers) != 1:
            return _problem("months")
        value = numbers[0]
        if value != value.to_integral_value() or value <= 0:
            return _problem("months")
        if value < _BARE_MONTHS_FROM:
            return _problem("months_unit", n=str(value))
        total = value
    if total <= 0 or total > MAX_CONTRACT_MONTHS or total > MAX_MONTHS:
        return _problem("months")
    return Answer(format(total.normalize(), "f"))



def _money_value(money: Money) -> str:
    return f"{format(money.amount.normalize(), 'f')} {money.currency}"


def parse_salary(text: str, country: Optional[str] = None) -> Answer:
    """"1000 usd", "25 ngàn Đài", "18 man", "45 triệu" -> "1000 USD"; asks for the currency."""
    money = find_money(text)
    if money is None:
        return _problem("salary_unknown" if says(folded_text(text), DONT_KNOW_PHRASES) else "salary")
    shown = format(money.amount.normalize(), "f")
    if money.amount <= 0 or money.amount > MAX_AMOUNT:
        return _problem("salary")
    currency = money.resolved(country)
    if currency is None:
        return _problem("salary_currency", amount=shown, local=LOCAL_CURRENCY.get(country or "", "USD"))
    return Answer(_money_value(Money(money.amount, currency)))


def parse_charge(text: str, country: Optional[str] = None) -> Answer:
    """"45tr" -> "45000000 VND"; "khong co", "0" -> "0"; "không biết" -> "unknown"."""
    folded = folded_text(text)
    if says(folded, DONT_KNOW_PHRASES):
        return Answer(DONT_KNOW)
    if says_nothing(folded):
        return Answer(NOTHING)
    money = find_money(text)
    if money is None:
        return _problem("charge")
    if money.amount == 0:
        return Answer(NOTHING)
    if money.amount > MAX_AMOUNT:
        return _problem("charge")
    currency = money.resolved(country)
    if currency is None:
        return _problem("charge_currency", amount=format(money.amount.normalize(), "f"))
    return Answer(_money_value(Money(money.amount, currency)))


# ---------------------------------------------------------------------------------------------
# The checker request
# ---------------------------------------------------------------------------------------------


def read_money(value: str) -> Tuple[Decimal, str]:
    amount, currency = value.split()
    return Decimal(amount), currency


def build_request(
    country: str,
    occupation: str,
    months: str,
    salary: str,
    charges: Mapping[str, Optional[str]],
    signed_on: Optional[str] = None,
) -> Dict[str, Any]:
    """The form's canonical answers -> a request for bot.facts.fees.request.parse_request.

    A charge she does not know is null; "0" is 0; a charge in another currency than her salary
    keeps its own currency, so that the checker says what it cannot compare.
    """
    salary_amount, currency = read_money(salary)
    charged: Dict[str, Any] = {}
    for name in CHARGES:
        value = charges.get(name)
        if value is None or value == DONT_KNOW:
            charged[name] = None
        elif value == NOTHING:
            charged[name] = 0
        else:
            amount, charge_currency = read_money(value)
            charged[name] = amount if charge_currency == currency else {"amount": amount, "currency": charge_currency}
    return {
        "country": country,
        "occupation": occupation,
        "contract_months": Decimal(months),
        "monthly_salary": salary_amount,
        "currency": currency,
        "charged": charged,
        "signed_on": None if signed_on in (None, DONT_KNOW) else signed_on,
    }
