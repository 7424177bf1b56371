"""The words of a worker's answer to the fee form: tokens, "I don't know", "nothing", numbers.

She texts the way she talks, with or without diacritics: every phrase here is folded
(bot.understanding.text.fold), so "không biết", "khong biet" and "ko biet" read the same.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Iterable, List, Optional

from bot.understanding.text import fold, nfc

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+|[$€¥₩]")


def tokens_of(text: str) -> List[str]:
    """Numbers, words and currency signs, folded to lower-case ASCII."""
    return _TOKEN.findall(fold(nfc(text or "")).lower())


def folded_text(text: str) -> str:
    """The text folded, its tokens joined by single spaces."""
    return " ".join(tokens_of(text))


NUMBER_WORDS = {
    # Vietnamese, folded: "năm" (five) folds like "năm" (year), so a number word counts only
    # before a unit ("năm năm" = five years, "ba năm" = three years).
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
    "chin": 9, "muoi": 10,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "a": 1, "an": 1,
}
#: "rưỡi", "half": and a half ("2 năm rưỡi", "2 triệu rưỡi").
HALF_WORDS = {"ruoi", "half", "ruoy"}

DONT_KNOW_PHRASES = (
    "khong biet", "ko biet", "k biet", "kh biet", "hok biet", "hong biet", "ko bit", "k bit",
    "khong bit", "chua biet", "khong ro", "ko ro", "k ro", "khong nho", "ko nho", "k nho",
    "quen roi", "e quen", "em quen", "khong chac", "ko chac", "dont know", "don t know",
    "do not know", "not sure", "no idea", "idk", "dunno", "unknown", "can t remember",
    "cannot remember", "don t remember", "forgot", "forget",
)
NOTHING_PHRASES = (
    "khong", "ko", "k", "kh", "hok", "hong", "kg", "khong co", "ko co", "k co", "kh co", "hok co",
    "hong co", "khong dong", "ko dong", "k dong", "khong phai dong", "ko phai dong",
    "khong mat", "ko mat", "khong mat gi", "ko mat gi", "khong thu", "ko thu", "mien phi",
    "khong dong gi", "ko dong gi", "none", "no", "nothing", "nope", "zero", "free", "nil",
    "no fee", "not any", "i didn t", "didn t pay", "did not pay", "not pay", "no i didn t",
)


def says(folded: str, phrases: Iterable[str]) -> bool:
    """Whether the folded text holds one of ``phrases`` as whole words."""
    padded = f" {folded} "
    return any(f" {phrase} " in padded for phrase in phrases)


_NEGATIONS = {"khong", "ko", "k", "kh", "hok", "hong", "kg", "chang", "no", "none", "nothing", "never"}
_POLITE = {"a", "da", "ah", "ak", "nha", "nhe", "oi", "roi", "r", "ad", "ban", "chi", "em", "e"}


def says_nothing(folded: str) -> bool:
    """"không", "ko co a", "dạ không đóng tiền cọc", "no", "0": she paid nothing of this kind."""
    words = [w for w in folded.split() if w not in _POLITE]
    if not words:
        return False
    if " ".join(words) in NOTHING_PHRASES:
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

