"""Reference exchange rates (facts/fees/rates/reference.yml): dated, with their source, approximate.

A worker pays the agency in dong at home and earns in Taiwan dollars abroad; a cap in one and a
charge in the other must still be compared. The checker does it only through these rates, and
only where the rate cannot change the answer: a charge is "over" a cap when it is over by more
than the margin at the reference rate, "within" when it is under by more than the margin, and
"close" (cannot tell) in between. The margin grows with the rate's age, so an old rate gives
fewer answers, never wrong ones. Every answer that used a rate says "khoảng" / "about" and the
rate's date.

``python -m bot fees rates update FILE`` (bot/cli/fees.py) rewrites the file from a CSV or JSON
of rates, offline: ``read_rates_source`` reads it, ``write_rates`` writes the checked result.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional

import yaml
from pydantic import Field, HttpUrl, validator

from bot.facts.base import Confidence, StrictModel
from bot.facts.loading import parse_entry, read_yaml
from bot.runtime.paths import FACTS_DIR

RATES_FILE = FACTS_DIR / "fees" / "rates" / "reference.yml"
BASE = "VND"
#: The least margin, for a rate of today: bank buying and selling rates differ by a few percent.
MIN_MARGIN = Decimal("0.10")
#: Added for each year of the rate's age: currencies drift.
MARGIN_PER_YEAR = Decimal("0.05")


class RatesError(Exception):
    """The rates file cannot be trusted."""


class RatesFile(StrictModel):
    date: dt.date
    source: HttpUrl
    source_name: str = Field(..., min_length=5)
    confidence: Confidence
    note: Optional[str] = None
    vnd_per_unit: Dict[str, Decimal]

    @validator("vnd_per_unit")
    def _codes_and_values(cls, value):
        if not value:
            raise ValueError("needs at least one currency")
        for code, rate in value.items():
            if len(code) != 3 or not code.isalpha() or not code.isupper():
                raise ValueError(f"not an ISO 4217 code: {code!r}")
            if code == BASE:
                raise ValueError(f"{BASE} is the base: leave it out")
            if not rate.is_finite() or rate <= 0:
                raise ValueError(f"{code}: the rate must be more than 0")
        return value


@dataclass(frozen=True)
class Comparison:
    """An amount against a cap in another currency, at the reference rate."""

    outcome: str  # "over", "within" or "close" (the rate could change the answer)
    converted: Decimal  # the amount in the cap's currency, at the reference rate
    rates: RateTable


@dataclass(frozen=True)
class RateTable:
    date: dt.date
    source: str
    source_name: str
    confidence: str
    vnd_per_unit: Dict[str, Decimal]

    def margin(self, today: dt.date) -> Decimal:
        years = Decimal(max((today - self.date).days, 0)) / Decimal(365)
        return MIN_MARGIN + MARGIN_PER_YEAR * years

    def _in_vnd(self, currency: str) -> Optional[Decimal]:
        return Decimal(1) if currency == BASE else self.vnd_per_unit.get(currency)

    def convert(self, amount: Decimal, currency: str, to: str) -> Optional[Decimal]:
        """``amount`` ``currency`` in ``to`` at the reference rate; None without both rates."""
        source, target = self._in_vnd(currency), self._in_vnd(to)
        if source is None or target is None:
            return None
        return amount * source / target

    def compare(self, amount: Decimal, currency: str, cap: Decimal, cap_currency: str, today: dt.date) -> Optional[Comparison]:
        """Over, within or close to ``cap``; None when a rate is missing."""
        converted = self.convert(amount, currency, cap_currency)
        if converted is None:
            return None
        margin = self.margin(today)
        if converted > cap * (1 + margin):
            outcome = "over"
        elif converted * (1 + margin) <= cap:
            outcome = "within"
        else:
            outcome = "close"
        return Comparison(outcome, converted, self)


def parse_rates(data: object, where: str) -> RateTable:
    if not isinstance(data, dict):
        raise RatesError(f"{where}: expected a mapping with date, source, source_name, confidence, vnd_per_unit")
    parsed = parse_entry(RatesFile, data, where, RatesError)
    return RateTable(parsed.date, str(parsed.source), parsed.source_name, parsed.confidence.value, dict(parsed.vnd_per_unit))


def load_rates(path: Optional[Path] = None) -> RateTable:
    path = Path(path) if path is not None else RATES_FILE
    return parse_rates(read_yaml(path, RatesError, path.name), path.name)


@lru_cache(maxsize=1)
def default_rates() -> Optional[RateTable]:
    """The shipped rates, or None when there is no file (the checker then never converts)."""
    if not RATES_FILE.exists():
        return None
    return load_rates(RATES_FILE)


def read_rates_source(path: Path, overrides: Dict[str, Any]) -> RateTable:
    """A CSV ("code,vnd_per_unit" lines) or a JSON file like reference.yml, with ``overrides``
    (date, source, source_name, confidence) taking precedence; RatesError on anything wrong."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as problem:
        raise RatesError(f"{Path(path).name}: cannot be read: {problem}") from None
    data: Dict[str, Any]
    if Path(path).suffix.lower() == ".json":
        try:
            loaded = json.loads(text)
        except ValueError as problem:
            raise RatesError(f"{Path(path).name}: not valid JSON: {problem}") from None
        data = dict(loaded) if isinstance(loaded, dict) else {}
    else:
        rates: Dict[str, str] = {}
        for row in csv.reader(io.StringIO(text)):
            cells = [cell.strip() for cell in row]
            if not cells or not cells[0] or cells[0].startswith("#") or cells[0].lower() in ("code", "currency"):
                continue
            if len(cells) < 2:
                raise RatesError(f"{Path(path).name}: line {row!r}: expected code,vnd_per_unit")
            rates[cells[0].upper()] = cells[1].replace(",", "")
        data = {"vnd_per_unit": rates}
    data.setdefault("confidence", "medium")
    data.update({key: value for key, value in overrides.items() if value is not None})
    return parse_rates(data, Path(path).name)


def write_rates(table: RateTable, path: Optional[Path] = None) -> Path:
    """Write ``table`` as the reference file (the header says what it is and how to refresh it)."""
    path = Path(path) if path is not None else RATES_FILE
    header = (
        "# Reference exchange rates for the fee checker (bot/facts/fees/rates.py, docs/fees.md):\n"
        "# dong per unit of each currency on one day, from one source. Written by\n"
        "# python -m bot fees rates update FILE --date YYYY-MM-DD --source URL\n"
    )
    body = {
        "date": table.date.isoformat(),
        "source": table.source,
        "source_name": table.source_name,
        "confidence": table.confidence,
        "vnd_per_unit": {code: str(rate) for code, rate in sorted(table.vnd_per_unit.items())},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
