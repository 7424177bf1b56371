"""Amounts and currencies in a worker's answer: "45tr", "2tr5", "1.000 usd", "25 ngàn Đài".

``find_money`` reads the first amount in a message with the currency she named, if any. Nothing
here guesses a currency she did not name, except where the words say it ("triệu" on its own is
dong, "man" is yen, "Đài tệ" is Taiwan dollars); a name that depends on the country ("riyal",
"tệ") waits for the country (``Money.resolved``).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import List, Optional, Tuple

from bot.facts.fees.answer_words import HALF_WORDS, parse_number, tokens_of

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
    tokens = tokens_of(text)
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
                if position < len(tokens) and tokens[position] in HALF_WORDS:
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
            second = parse_number(token)
            if second is not None and position + 1 < len(tokens) and tokens[position + 1] in _MULTIPLIERS:
                # the second part of "2 triệu 500 nghìn"
                part = second * _MULTIPLIERS[tokens[position + 1]]
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


