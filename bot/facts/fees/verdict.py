"""What the checker answers: a Verdict made of Findings, one for each charge it judged.

Verdicts, from least to most serious: legal, unknown, over_cap, prohibited. The verdict of a
request is the most serious of its findings. ``Verdict.to_dict`` is the JSON answer of
``python -m bot fees check``: verdict, cap_service_fee, reasons, citations.
"""
from __future__ import annotations

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
class Finding:
    """What the checker found about one charge (or about the request as a whole)."""

    charge: Optional[str]
    outcome: str
    rule_ids: Tuple[str, ...]
    reasons: Tuple[str, ...]
    asks: Tuple[str, ...] = ()


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
        }


def citation_of(rule: FeeRule) -> Dict[str, Any]:
    return {
        "id": rule.id,
        "citation": rule.citation,
        "sources": [str(url) for url in rule.sources],
        "confidence": rule.confidence.value,
        "verified": rule.verified.isoformat(),
        "caveats": list(rule.caveats),
    }
