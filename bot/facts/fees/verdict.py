"""What the checker answers: a Verdict made of Findings, one for each charge it judged.

Verdicts, from least to most serious: legal, unknown, over_cap, prohibited. The verdict of a
request is the most serious of its findings. ``Verdict.to_dict`` is the JSON answer of
``python -m bot fees check``: verdict, cap_service_fee, reasons, citations, and the day whose
rules applied (signed_on, and whether it was assumed) and the notes (lower caps that apply if she
was sent another way).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Dict, Iterable, List, Optional, Tuple

from bot.facts.fees.amounts import json_number
from bot.facts.fees.models import FeeRule

#: Verdicts, from least to most serious.
VERDICTS = ("legal", "unknown", "over_cap", "prohibited")


def most_serious(outcomes: Iterable[str]) -> str:
    """The most serious of ``outcomes`` (prohibited > over_cap > unknown > legal)."""
    return max(outcomes, key=VERDICTS.index)


@dataclass(frozen=True)
class Approximate:
    """A charge compared through a reference rate: about ``amount`` ``currency`` at ``rate_date``."""

    amount: Decimal
    currency: str
    rate_date: dt.date


@dataclass(frozen=True)
class Finding:
    """What the checker found about one charge (or about the request as a whole)."""

    charge: Optional[str]
    outcome: str
    rule_ids: Tuple[str, ...]
    reasons: Tuple[str, ...]
    asks: Tuple[str, ...] = ()
    approximate: Optional[Approximate] = None  # set when the charge was compared through a rate


@dataclass(frozen=True)
class Note:
    """A lower cap that can apply if she was sent another way: named beside the verdict."""

    rule_id: str
    cap: Decimal  # in the salary's currency


@dataclass
class Verdict:
    verdict: str
    cap_service_fee: Optional[Decimal]
    currency: str
    reasons: List[str]
    citations: List[FeeRule]
    findings: List[Finding] = field(default_factory=list)
    decisive: List[str] = field(default_factory=list)  # rule ids behind the verdict
    asks: List[str] = field(default_factory=list)  # what to ask the worker to settle an unknown
    notes: List[Note] = field(default_factory=list)  # lower caps that apply if sent another way
    signed_on: Optional[dt.date] = None  # the day whose rules were applied
    signed_on_assumed: bool = False  # she did not say: today was taken
    tips: List[FeeRule] = field(default_factory=list)  # rules of her market worth telling her anyway

    def charges_with(self, outcome: str) -> List[str]:
        return [f.charge for f in self.findings if f.outcome == outcome and f.charge]

    def decisive_rules(self) -> List[FeeRule]:
        by_id = {rule.id: rule for rule in self.citations}
        return [by_id[rule_id] for rule_id in self.decisive if rule_id in by_id]

    def primary_rules(self) -> List[FeeRule]:
        """The main rule behind each finding that decided the verdict (its date is the one shown)."""
        by_id = {rule.id: rule for rule in self.citations}
        ids = [f.rule_ids[0] for f in self.findings if f.outcome == self.verdict and f.rule_ids]
        if not ids and self.decisive:
            ids = [self.decisive[0]]
        return [by_id[rule_id] for rule_id in dict.fromkeys(ids) if rule_id in by_id]

    def to_dict(self) -> Dict[str, Any]:
        return {
            "verdict": self.verdict,
            "cap_service_fee": json_number(self.cap_service_fee),
            "reasons": list(self.reasons),
            "citations": [citation_of(rule) for rule in self.citations],
            "signed_on": self.signed_on.isoformat() if self.signed_on else None,
            "signed_on_assumed": self.signed_on_assumed,
            "notes": [{"id": note.rule_id, "cap_service_fee": json_number(note.cap)} for note in self.notes],
        }


def citation_of(rule: FeeRule) -> Dict[str, Any]:
    return {
        "id": rule.id,
        "citation": rule.citation,
        "sources": [str(url) for url in rule.sources],
        "confidence": rule.confidence.value,
        "source_date": _iso(rule.source_date),
        "checked": _iso(rule.checked),
        "verified": _iso(rule.checked),  # the old name of "checked", kept for existing readers
        "valid_from": _iso(rule.valid_from),
        "valid_until": _iso(rule.valid_until),
        "caveats": list(rule.caveats),
    }


def _iso(date: Optional[dt.date]) -> Optional[str]:
    return date.isoformat() if date else None
