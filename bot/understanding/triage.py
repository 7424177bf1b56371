"""How dangerous is this message? The classifier's view, summed per severity, then raised,
never lowered, by the safety net.

The classifier spreads its probability over 39 intents, and several intents share a severity,
so the severity's probability is the sum over its intents:
- critical when P(critical) ≥ CRITICAL_MASS, unless the classifier puts most of its weight on a
  harmless reading (P(none) ≥ NONE_DOMINATES);
- else high when P(critical) + P(high) ≥ DANGER_MASS;
- else none.
A danger reading that wins this way over a safer top intent is "uncertain": the reply may ask one
clarifying question. Then the safety net (bot.understanding.safety) raises the severity to what its
phrase rules say, for the danger cues that stand as written. A critical reading whose only danger
cues are negated, past, hypothetical or figurative (bot.understanding.context) pages no one: it
becomes high and uncertain, and those held cues are kept in the reasons. The intent becomes the
most likely one of the chosen severity.

The three numbers were chosen on eval/heldout.jsonl, for critical recall first, when it was the
only held-out set; that is debt (issue #12): thresholds belong to cross-validation on the
training data. docs/triage.md has the figures on both held-out sets.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.understanding.intents import INTENTS, severity_of
from bot.understanding.safety import SafetyHit, scan_all
from bot.understanding.severity import Severity

FALLBACK_INTENT = "nlu_fallback"
CRITICAL_MASS = 0.3
NONE_DOMINATES = 0.4
DANGER_MASS = 0.7


@dataclass(frozen=True)
class Assessment:
    severity: Severity
    intent: str
    confidence: float
    raised_by: Optional[str] = None  # None, "uncertainty", "safety_net:<rule>" or "context"
    uncertain: bool = False
    held: Tuple[SafetyHit, ...] = ()  # danger cues in a negated, past, hypothetical or figurative context

    def as_dict(self) -> Dict[str, Any]:
        return {
            "severity": str(self.severity),
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "raised_by": self.raised_by,
            "uncertain": self.uncertain,
            "reasons": self.reasons(),
        }

    def reasons(self) -> Dict[str, Any]:
        """Why this severity, for people: what decided it and the danger cues held by context."""
        return {
            "decided_by": self.raised_by or "classifier",
            "held_cues": [
                {"rule": hit.rule, "severity": str(hit.severity), "phrase": hit.phrase, "contexts": sorted(c.value for c in hit.contexts)}
                for hit in self.held
            ],
        }


def _ranked(ranking: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    real = [r for r in ranking if r.get("name") in INTENTS]
    return sorted(real, key=lambda r: -float(r.get("confidence") or 0.0))


def _mass(ranking: Sequence[Dict[str, Any]], severity: Severity) -> float:
    return sum(float(r["confidence"]) for r in ranking if severity_of(r["name"]) == severity)


def _best_of(severity: Severity, ranking: Sequence[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    return next((r for r in ranking if severity_of(r["name"]) == severity), None)


def classifier_severity(ranking: Sequence[Dict[str, Any]]) -> Severity:
    critical, high, none = (_mass(ranking, s) for s in (Severity.critical, Severity.high, Severity.none))
    if critical >= CRITICAL_MASS and none < NONE_DOMINATES:
        return Severity.critical
    if critical + high >= DANGER_MASS:
        return Severity.high
    return Severity.none


def assess(text: str, intent: Optional[str], confidence: float, ranking: Sequence[Dict[str, Any]]) -> Assessment:
    ranking = _ranked(ranking)
    if not ranking and intent in INTENTS:
        ranking = [{"name": intent, "confidence": confidence}]
    top: Dict[str, Any] = ranking[0] if ranking else {"name": "out_of_scope", "confidence": 0.0}
    severity = classifier_severity(ranking)
    chosen = top if severity_of(top["name"]) == severity else (_best_of(severity, ranking) or top)
    uncertain = severity > severity_of(top["name"])
    result = Assessment(
        severity, chosen["name"], float(chosen["confidence"]), "uncertainty" if uncertain else None, uncertain
    )

    hits = scan_all(text)
    held = tuple(h for h in hits if not h.stands)
    hit = next((h for h in hits if h.stands), None)
    if hit is not None and hit.severity > result.severity:
        candidate = _best_of(hit.severity, ranking)
        if candidate is not None and candidate["confidence"] >= 0.05:
            return Assessment(hit.severity, candidate["name"], float(candidate["confidence"]), f"safety_net:{hit.rule}", held=held)
        return Assessment(hit.severity, hit.intent, 0.0, f"safety_net:{hit.rule}", held=held)
    if result.severity == Severity.critical and hit is None and any(h.severity == Severity.critical for h in held):
        # The danger words are there, but negated, past, hypothetical or figurative, and nothing
        # else says danger now: no page on that alone, and a question instead of silence.
        high = _best_of(Severity.high, ranking)
        intent_now, confidence_now = (high["name"], float(high["confidence"])) if high else (result.intent, result.confidence)
        return Assessment(Severity.high, intent_now, confidence_now, "context", True, held)
    return Assessment(result.severity, result.intent, result.confidence, result.raised_by, result.uncertain, held)
