"""When she signed her contract, as she writes it: "15/3/2025", "3/2025", "tháng 3 năm 2025",
"2025", "năm ngoái", "không biết", "chưa ký".

The rules that apply depend on that day (bot.facts.fees.matching), so a month or a year is
enough only when no rule changes inside it; otherwise she is asked for the day or the month.
She may not know, or not have signed yet: then the checker takes today.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Optional, Tuple

from bot.facts.fees.answer_words import DONT_KNOW_PHRASES, folded_text, says

EARLIEST_YEAR = 1990
NOT_SIGNED = (
    "chua ky", "chua ki", "sap ky", "sap ki", "chua co hop dong", "not yet", "not signed", "haven t signed",
    "hom nay", "today", "bay gio", "now",
)
_LAST_YEAR = ("nam ngoai", "nam truoc", "last year")
_THIS_YEAR = ("nam nay", "this year")
_MONTHS_EN = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}


def _full_date(folded: str) -> Optional[Tuple[int, int, int]]:
    found = re.search(r"\b(\d{1,2})[ /.-](\d{1,2})[ /.-](\d{4})\b", folded)
    if found:
        return int(found.group(3)), int(found.group(2)), int(found.group(1))
    found = re.search(r"\b(\d{4})[ /.-](\d{1,2})[ /.-](\d{1,2})\b", folded)
    if found:
        return int(found.group(1)), int(found.group(2)), int(found.group(3))
    found = re.search(r"\bngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})\b", folded)
    if found:
        return int(found.group(3)), int(found.group(2)), int(found.group(1))
    return None


def _month_year(folded: str) -> Optional[Tuple[int, int]]:
    found = re.search(r"\b(?:thang |t )?(\d{1,2})[ /.-](\d{4})\b", folded) or re.search(
        r"\bthang (\d{1,2}) nam (\d{4})\b", folded)
    if found:
        return int(found.group(2)), int(found.group(1))
    for name, number in _MONTHS_EN.items():
        english = re.search(rf"\b{name}[a-z]* (\d{{4}})\b", folded)
        if english:
            return int(english.group(1)), number
    return None


def _year(folded: str, today: dt.date) -> Optional[int]:
    if says(folded, _LAST_YEAR):
        return today.year - 1
    if says(folded, _THIS_YEAR):
        return today.year
    found = re.search(r"\b(\d{4})\b", folded)
    return int(found.group(1)) if found else None


def _changes_inside(start: dt.date, end: dt.date, changeovers: Iterable[dt.date]) -> bool:
    """Whether a rule starts on a day after ``start`` up to ``end``: the span is not one regime."""
    return any(start < day <= end for day in changeovers)


def parse_signing_date(
    text: str, today: dt.date, changeovers: Iterable[dt.date]
) -> Tuple[Optional[dt.date], Optional[str]]:
    """(day, None); (None, None) when she does not know or has not signed; (None, problem)."""
    folded = folded_text(text)
    changeovers = tuple(changeovers)
    if says(folded, DONT_KNOW_PHRASES) or says(folded, NOT_SIGNED):
        return None, None
    try:
        full = _full_date(folded)
        if full:
            day = dt.date(*full)
        else:
            month = _month_year(folded)
            if month:
                first = dt.date(month[0], month[1], 1)
                last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
                if _changes_inside(first, last, changeovers):
                    return None, "signed_on_day"
                day = first
            else:
                year = _year(folded, today)
                if year is None:
                    return None, "signed_on"
                first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
                if _changes_inside(first, last, changeovers):
                    return None, "signed_on_month"
                day = first
    except ValueError:  # 31/02/2025, month 13
        return None, "signed_on"
    if day.year < EARLIEST_YEAR or day > today.replace(year=today.year + 2):
        return None, "signed_on"
    return day, None
