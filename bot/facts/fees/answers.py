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
- occupation: one of bot.facts.fees.models.OCCUPATIONS;
- months: a number of months as a string ("36", "30");
- salary: "<amount> <currency>" ("1000 USD");
- a charge: "<amount> <currency>", "0" (none), or "unknown" (she does not know).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot.facts.fees.checker import CHARGES, MAX_AMOUNT, MAX_MONTHS
from bot.facts.fees.models import OCCUPATIONS
from bot.understanding.gazetteer import country_of, find_occupations
from bot.understanding.text import fold, nfc

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
# Words
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+|[$€¥₩]")


def _tokens(text: str) -> List[str]:
    return _TOKEN.findall(fold(nfc(text or "")).lower())


def _folded(text: str) -> str:
    return " ".join(_tokens(text))


_NUMBER_WORDS = {
    # Vietnamese, folded: "năm" (five) folds like "năm" (year), so a number word counts only
    # before a unit ("năm năm" = five years, "ba năm" = three years).
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
    "chin": 9, "muoi": 10,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "a": 1, "an": 1,
}

_DONT_KNOW = (
    "khong biet", "ko biet", "k biet", "kh biet", "hok biet", "hong biet", "ko bit", "k bit",
    "khong bit", "chua biet", "khong ro", "ko ro", "k ro", "khong nho", "ko nho", "k nho",
    "quen roi", "e quen", "em quen", "khong chac", "ko chac", "dont know", "don t know",
    "do not know", "not sure", "no idea", "idk", "dunno", "unknown", "can t remember",
    "cannot remember", "don t remember", "forgot", "forget",
)
_NOTHING = (
    "khong", "ko", "k", "kh", "hok", "hong", "kg", "khong co", "ko co", "k co", "kh co", "hok co",
    "hong co", "khong dong", "ko dong", "k dong", "khong phai dong", "ko phai dong",
    "khong mat", "ko mat", "khong mat gi", "ko mat gi", "khong thu", "ko thu", "mien phi",
    "khong dong gi", "ko dong gi", "none", "no", "nothing", "nope", "zero", "free", "nil",
    "no fee", "not any", "i didn t", "didn t pay", "did not pay", "not pay", "no i didn t",
)


def _says(folded: str, phrases) -> bool:
    padded = f" {folded} "
    return any(f" {phrase} " in padded for phrase in phrases)


_NEGATIONS = {"khong", "ko", "k", "kh", "hok", "hong", "kg", "chang", "no", "none", "nothing", "never"}
_POLITE = {"a", "da", "ah", "ak", "nha", "nhe", "oi", "roi", "r", "ad", "ban", "chi", "em", "e"}


def _is_nothing(folded: str) -> bool:
    """"không", "ko co a", "dạ không đóng tiền cọc", "no", "0": she paid nothing of this kind."""
    words = [w for w in folded.split() if w not in _POLITE]
    if not words:
        return False
    if " ".join(words) in _NOTHING:
        return True
    # A sentence that starts by saying no, and names no amount: "không đóng tiền môi giới".
    return words[0] in _NEGATIONS and not any(parse_number(w) is not None for w in words)


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------


def parse_number(token: str) -> Optional[Decimal]:
    """"45.000.000", "1,200", "1.5", "1,5", "1.000,5" -> Decimal; None if it is not a number."""
    if not token or not token[0].isdigit():
        return None
    dots, commas = token.count("."), token.count(",")
    if dots and commas:
        decimal_mark = "." if token.rfind(".") > token.rfind(",") else ","
        thousands = "," if decimal_mark == "." else "."
        cleaned = token.replace(thousands, "").replace(decimal_mark, ".")
    elif dots or commas:
        mark = "." if dots else ","
        groups = token.split(mark)
        if len(groups) > 2 or all(len(group) == 3 for group in groups[1:]):
            cleaned = "".join(groups)  # thousands separators: "45.000.000", "1,200"
        else:
            cleaned = ".".join(groups)  # a decimal mark: "1.5", "1,5"
    else:
        cleaned = token
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


# ---------------------------------------------------------------------------------------------
# Country and occupation
# ---------------------------------------------------------------------------------------------


def parse_country(text: str) -> Answer:
    """"Đài Loan", "ben Han", "Nhat", "Taipei" -> ISO code. Vietnam itself is not an answer."""
    folded = _folded(text)
    if _says(folded, ("viet nam", "vietnam", "vn", "o nha", "o que", "chua di", "not yet", "home")) and not country_of(text):
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
        "cham ong cu", "cham cu", "tai gia", "o nha chu", "trong nha", "home caregiver",
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


def parse_occupation(text: str) -> Answer:
    """A button ("4"), the code itself, or her words ("giup viec", "lam nha may", "caregiver")."""
    folded = _folded(text)
    number = re.fullmatch(r"(?:so |number |no |s )?(\d{1,2})", folded)
    if number:
        index = int(number.group(1))
        if 1 <= index <= len(OCCUPATION_CHOICES):
            return Answer(OCCUPATION_CHOICES[index - 1])
        return _problem("occupation")
    code = (text or "").strip().lower()
    if code in OCCUPATIONS:
        return Answer(code)

    caring = _says(folded, ("cham soc", "cham nguoi", "cham ba", "cham ong", "ho ly", "dieu duong",
                            "khan ho", "caregiver", "care giver", "carer", "nurse", "kaigo"))
    fishing = _says(folded, ("danh ca", "danh bat", "tau ca", "ngu dan", "thuyen vien", "di bien",
                             "fishing", "fisherman", "fishing boat", "crew", "sailor"))
    if caring:
        for code in ("institutional_caregiver", "home_caregiver"):
            if _says(folded, _OCCUPATION_WORDS[code]):
                return Answer(code)
        return _problem("occupation_caregiver")
    if fishing or _says(folded, _OCCUPATION_WORDS["seafarer"]):
        for code in ("seafarer", "fishing_offshore", "fishing_coastal"):
            if _says(folded, _OCCUPATION_WORDS[code]):
                return Answer(code)
        return _problem("occupation_fishing")
    found = {_GAZETTEER_OCCUPATIONS.get(m.value) for m in find_occupations(text or "")} - {None}
    for code, phrases in _OCCUPATION_WORDS.items():
        if code in _GAZETTEER_OCCUPATIONS and _says(folded, phrases):
            found.add(code)
    if len(found) == 1:
        return Answer(found.pop())
    if not found and _says(folded, _OCCUPATION_WORDS["other"]):
        return Answer("other")
    return _problem("occupation")


# ---------------------------------------------------------------------------------------------
# Contract length
# ---------------------------------------------------------------------------------------------

_YEAR_WORDS = {"nam", "year", "years", "yr", "yrs", "y"}
_MONTH_WORDS = {"thang", "th", "month", "months", "mo", "mos", "m"}
_HALF_WORDS = {"ruoi", "half", "ruoy"}
#: A bare number below this is probably years ("3"), at or above it months ("36").
_BARE_MONTHS_FROM = 6
MAX_CONTRACT_MONTHS = 120


def _value_before_unit(tokens: List[str], index: int) -> Optional[Decimal]:
    token = tokens[index]
    number = parse_number(token)
    if number is not None:
        return number
    return Decimal(_NUMBER_WORDS[token]) if token in _NUMBER_WORDS else None


def parse_months(text: str) -> Answer:
    """"36 thang", "3 nam", "2 năm rưỡi", "1 nam 6 thang", "three years", "36" -> months."""
    tokens = _tokens(text)
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
            if index < len(tokens) and tokens[index] in _HALF_WORDS:
                total += Decimal(size) / 2
                index += 1
            elif index + 2 < len(tokens) + 1 and tokens[index:index + 3] == ["and", "a", "half"]:
                total += Decimal(size) / 2
                index += 3
            continue
        index += 1
    if not found:
        numbers = [parse_number(token) for token in tokens if parse_number(token) is not None]
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


# ---------------------------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------------------------

_MULTIPLIERS = {
    "tr": Decimal(10) ** 6, "trieu": Decimal(10) ** 6, "cu": Decimal(10) ** 6, "million": Decimal(10) ** 6,
    "millions": Decimal(10) ** 6, "mil": Decimal(10) ** 6, "m": Decimal(10) ** 6,
    "k": Decimal(1000), "ngan": Decimal(1000), "nghin": Decimal(1000), "ng": Decimal(1000),
    "thousand": Decimal(1000), "grand": Decimal(1000), "ngin": Decimal(1000),
    "ty": Decimal(10) ** 9, "ti": Decimal(10) ** 9, "billion": Decimal(10) ** 9,
    "van": Decimal(10000), "man": Decimal(10000), "tram": Decimal(100), "hundred": Decimal(100),
}
#: Units that name the money too: "45 triệu" is dong, "18 man" is yen, when nothing else is said.
_MULTIPLIER_CURRENCY = {"tr": "VND", "trieu": "VND", "cu": "VND", "ty": "VND", "ti": "VND", "man": "JPY"}

# Currency words after (or before) a number. Two-word names first.
_CURRENCY_PHRASES: List[Tuple[Tuple[str, ...], str]] = [
    (("do", "sing"), "SGD"), (("do", "singapore"), "SGD"), (("dola", "sing"), "SGD"),
    (("do", "dai"), "TWD"), (("dai", "te"), "TWD"), (("te", "dai"), "TWD"), (("dai", "loan"), "TWD"),
    (("nhan", "dan", "te"), "CNY"), (("do", "my"), "USD"), (("do", "la"), "USD"), (("dola", "my"), "USD"),
    (("yen", "nhat"), "JPY"), (("won", "han"), "KRW"), (("tien", "viet"), "VND"), (("viet", "nam", "dong"), "VND"),
    (("ringgit", "malaysia"), "MYR"), (("o", "ro"), "EUR"), (("dia", "ham"), "AED"), (("ri", "al"), "RIYAL"),
    (("us", "dollar"), "USD"), (("us", "dollars"), "USD"), (("singapore", "dollar"), "SGD"),
    (("singapore", "dollars"), "SGD"), (("taiwan", "dollar"), "TWD"), (("taiwan", "dollars"), "TWD"),
    (("nt", "dollar"), "TWD"), (("nt", "dollars"), "TWD"),
    (("usd",), "USD"), (("us",), "USD"), (("do",), "USD"), (("dola",), "USD"), (("dollar",), "USD"),
    (("dollars",), "USD"), (("dolar",), "USD"), (("$",), "USD"), (("usdt",), "USD"),
    (("vnd",), "VND"), (("dong",), "VND"), (("d",), "VND"), (("vn",), "VND"),
    (("twd",), "TWD"), (("ntd",), "TWD"), (("nt",), "TWD"), (("dai",), "TWD"),
    (("jpy",), "JPY"), (("yen",), "JPY"), (("¥",), "JPY"), (("yen",), "JPY"),
    (("krw",), "KRW"), (("won",), "KRW"), (("uon",), "KRW"), (("₩",), "KRW"),
    (("myr",), "MYR"), (("rm",), "MYR"), (("ringgit",), "MYR"), (("ring",), "MYR"), (("rinhgit",), "MYR"),
    (("sar",), "SAR"), (("qar",), "QAR"), (("riyal",), "RIYAL"), (("rial",), "RIYAL"), (("rian",), "RIYAL"),
    (("aed",), "AED"), (("dirham",), "AED"), (("diham",), "AED"),
    (("sgd",), "SGD"), (("thb",), "THB"), (("baht",), "THB"), (("bat",), "THB"),
    (("cny",), "CNY"), (("rmb",), "CNY"), (("yuan",), "CNY"), (("te",), "TE"),
    (("eur",), "EUR"), (("euro",), "EUR"), (("euros",), "EUR"), (("€",), "EUR"),
    (("ron",), "RON"), (("lei",), "RON"), (("kwd",), "KWD"), (("dinar",), "KWD"),
    (("usd",), "USD"),
]
_LONGEST_CURRENCY = max(len(words) for words, _ in _CURRENCY_PHRASES)
_CURRENCIES = dict(_CURRENCY_PHRASES)

#: Names that depend on the country: a riyal in Qatar is not a riyal in Saudi Arabia.
_BY_COUNTRY = {
    "RIYAL": {"SA": "SAR", "QA": "QAR", "OM": "OMR"},
    "TE": {"TW": "TWD", "CN": "CNY"},
}

#: A currency each country's workers would name, for the example in a question.
LOCAL_CURRENCY = {
    "TW": "TWD", "JP": "JPY", "KR": "KRW", "MY": "MYR", "SA": "SAR", "AE": "AED", "SG": "SGD",
    "TH": "THB", "CN": "CNY", "DE": "EUR", "RO": "RON", "QA": "QAR", "KW": "KWD", "HK": "HKD",
    "MO": "MOP", "OM": "OMR", "BH": "BHD", "IL": "ILS", "AU": "AUD", "PL": "PLN", "HU": "HUF",
    "CZ": "CZK", "RU": "RUB", "BN": "BND",
}


#: How to name a currency back to her in an example ("25000 Đài tệ"): words she would write.
CURRENCY_WORDS = {
    "TWD": "Đài tệ", "JPY": "yên", "KRW": "won", "MYR": "ringgit", "SAR": "riyal", "QAR": "riyal",
    "AED": "dirham", "SGD": "đô Sing", "THB": "baht", "CNY": "nhân dân tệ", "EUR": "euro", "RON": "lei",
    "KWD": "dinar", "USD": "đô", "VND": "đồng",
}


def currency_word(code: str, language: str) -> str:
    return CURRENCY_WORDS.get(code, code) if language == "vi" else code


def _currency_at(tokens: List[str], index: int) -> Tuple[Optional[str], int]:
    """The currency named at tokens[index:], and how many tokens it takes."""
    for size in range(min(_LONGEST_CURRENCY, len(tokens) - index), 0, -1):
        name = _CURRENCIES.get(tuple(tokens[index:index + size]))
        if name:
            return name, size
    return None, 0


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: Optional[str]  # None: she did not say; "RIYAL"/"TE" until the country says which

    def resolved(self, country: Optional[str]) -> Optional[str]:
        if self.currency in _BY_COUNTRY:
            return _BY_COUNTRY[self.currency].get(country or "")
        return self.currency


def find_money(text: str) -> Optional[Money]:
    """The first amount in a message: "45tr", "2tr5", "1.000 usd", "$1000", "25 ngàn Đài"."""
    tokens = _tokens(text)
    index = 0
    while index < len(tokens):
        before, before_size = _currency_at(tokens, index)
        start = index + before_size if before else index
        number = parse_number(tokens[start]) if start < len(tokens) else None
        if number is None:
            index += 1
            continue
        amount, currency, position = number, None, start + 1
        implied = None
        while position < len(tokens):
            token = tokens[position]
            if token in _MULTIPLIERS:
                multiplier = _MULTIPLIERS[token]
                amount *= multiplier
                implied = implied or _MULTIPLIER_CURRENCY.get(token)
                position += 1
                # "2tr5" = 2.5 million, "2 triệu 500 (nghìn)" = 2.5 million, "2 triệu rưỡi".
                if position < len(tokens) and tokens[position] in _HALF_WORDS:
                    amount += multiplier / 2
                    position += 1
                elif position < len(tokens) and parse_number(tokens[position]) is not None:
                    rest = tokens[position]
                    next_token = tokens[position + 1] if position + 1 < len(tokens) else None
                    if next_token in _MULTIPLIERS and _MULTIPLIERS[next_token] < multiplier:
                        continue  # "2 triệu 500 nghìn": the next round adds it
                    if rest.isdigit() and len(rest) <= len(str(int(multiplier))) - 1:
                        amount += Decimal(rest) * multiplier / Decimal(10) ** len(rest)
                        position += 1
                continue
            if parse_number(token) is not None and position + 1 < len(tokens) and tokens[position + 1] in _MULTIPLIERS:
                # the second part of "2 triệu 500 nghìn"
                part = parse_number(token) * _MULTIPLIERS[tokens[position + 1]]
                if amount > part:
                    amount += part
                    position += 2
                    continue
            named, size = _currency_at(tokens, position)
            if named:
                currency = named
                position += size
            break
        currency = before or currency or implied
        return Money(amount, currency)
    return None


def _money_value(money: Money) -> str:
    return f"{format(money.amount.normalize(), 'f')} {money.currency}"


def parse_salary(text: str, country: Optional[str] = None) -> Answer:
    """"1000 usd", "25 ngàn Đài", "18 man", "45 triệu" -> "1000 USD"; asks for the currency."""
    money = find_money(text)
    if money is None:
        return _problem("salary_unknown" if _says(_folded(text), _DONT_KNOW) else "salary")
    shown = format(money.amount.normalize(), "f")
    if money.amount <= 0 or money.amount > MAX_AMOUNT:
        return _problem("salary")
    currency = money.resolved(country)
    if currency is None:
        return _problem("salary_currency", amount=shown, local=LOCAL_CURRENCY.get(country or "", "USD"))
    return Answer(_money_value(Money(money.amount, currency)))


def parse_charge(text: str, country: Optional[str] = None) -> Answer:
    """"45tr" -> "45000000 VND"; "khong co", "0" -> "0"; "không biết" -> "unknown"."""
    folded = _folded(text)
    if _says(folded, _DONT_KNOW):
        return Answer(DONT_KNOW)
    if _is_nothing(folded):
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
) -> Dict[str, Any]:
    """The form's canonical answers -> a request for bot.facts.fees.checker.parse_request.

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
    }
