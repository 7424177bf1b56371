"""The rota's notation for on-duty hours: ``"mon-fri 08:00-18:00"``, ``"sat 22:00-06:00"``,
``"24/7"``.

A weekly range in the officer's own time zone: ``<days> <HH:MM>-<HH:MM>``, days as ``mon``,
``mon-fri``, ``fri-mon`` (wrapping), ``sat,sun``, ``daily``; ``24:00`` ends a day; a range that
ends before it starts runs overnight into the next day. ``24/7`` means always.
"""
from __future__ import annotations

import re
from typing import FrozenSet, NamedTuple

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
_RANGE = re.compile(r"^\s*(?P<days>[a-z,\- ]+?)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$")


class WeeklyHours(NamedTuple):
    """On ``days`` (0 = Monday) from ``start`` to ``end`` minutes after local midnight."""

    days: FrozenSet[int]
    start: int
    end: int
    text: str


def read_hours(text: object) -> WeeklyHours:
    """``"mon-fri 08:00-18:00"`` -> WeeklyHours; ValueError with the reason otherwise."""
    if not isinstance(text, str):
        raise ValueError(f"hours must be text like 'mon-fri 08:00-18:00', not {text!r}")
    if text.strip().lower() == "24/7":
        return WeeklyHours(frozenset(range(7)), 0, MINUTES_PER_DAY, "24/7")
    match = _RANGE.match(text.lower())
    if not match:
        raise ValueError(f"{text!r} is not like 'mon-fri 08:00-18:00' or 'sat 22:00-06:00'")
    start = _minutes(match["start"], allow_24=False)
    end = _minutes(match["end"], allow_24=True)
    if start == end:
        raise ValueError(f"{text!r} starts and ends at the same time; for a whole day write 00:00-24:00")
    return WeeklyHours(_days(match["days"]), start, end, text.strip())


def _minutes(text: str, allow_24: bool) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0 and allow_24:
        return MINUTES_PER_DAY
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise ValueError(f"{text!r} is not a time of day (HH:MM, 00:00 to 23:59, or 24:00 as an end)")
    return hours * 60 + minutes


def _days(text: str) -> FrozenSet[int]:
    text = text.replace(" ", "")
    if text in ("daily", "mon-sun", "all"):
        return frozenset(range(7))
    days: set[int] = set()
    for part in text.split(","):
        if "-" in part:
            first, _, last = part.partition("-")
            if first not in DAYS or last not in DAYS:
                raise ValueError(f"{part!r} is not a range of days like mon-fri")
            start, stop = DAYS.index(first), DAYS.index(last)
            days.update((start + step) % 7 for step in range((stop - start) % 7 + 1))
        elif part in DAYS:
            days.add(DAYS.index(part))
        else:
            raise ValueError(f"{part!r} is not a day (mon, tue, wed, thu, fri, sat, sun, daily)")
    return frozenset(days)
