"""What the conversation says of the person in trouble, for the numbers she is given: at sea
(the coast guard, not the land police), a man (never the women-only lines), her city (its own
offices). Read from all of her messages, since she may say it once, early."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from bot.understanding.text import fold

AT_SEA_JOBS = ("fishing_offshore", "fishing_coastal", "seafarer")
_AT_SEA = re.compile(r"(?<!\w)(tren tau|ngoai bien|giua bien|tau ca|tau danh ca|ra khoi|at sea|on the boat|fishing boat|on board|thuyen vien)(?!\w)")
_MAN = re.compile(
    r"^(anh|toi la dan ong|minh la nam|tui la nam)\s+(lam|dang|bi|o|di|la|moi|can|muon)\b"
    r"|(?<!\w)(em|e|toi|minh|tui|anh) la (con trai|dan ong|nam gioi|lao dong nam)(?!\w)"
    r"|(?<!\w)(i am a man|i'm a man|im a man|lao dong nam|anh em tren tau)(?!\w)"
)
_EMBASSY = re.compile(r"(?<!\w)(dai su quan|dsq|lanh su quan|lanh su|embassy|consulate)(?!\w)")


@dataclass(frozen=True)
class Situation:
    city: Optional[str] = None
    sex: Optional[str] = None  # "male" when a man writes about himself
    at_sea: bool = False


def situation_of(texts: Iterable[str], city: Optional[str], occupation: Optional[str]) -> Situation:
    folded = [fold(text or "").strip() for text in texts]
    at_sea = occupation in AT_SEA_JOBS or any(_AT_SEA.search(text) for text in folded)
    male = any(_MAN.search(text) for text in folded)
    return Situation(city=city, sex="male" if male else None, at_sea=at_sea)


def asks_for_embassy(text: str) -> bool:
    return bool(_EMBASSY.search(fold(text or "")))
