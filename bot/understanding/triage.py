"""How dangerous is this message? The calibrated severity model's view, then raised, never
lowered, by the safety net.

The intent classifier's distribution goes through bot.understanding.severity_model, which gives
calibrated P(none), P(high), P(critical) and the thresholds cross-validation chose on the training
data (`SeverityEstimate`):
- critical (an officer is paged) at P(critical) ≥ page;
- high and uncertain between ask and page, where critical is the likelier danger: the reply asks
  whether she is safe now, and her answer decides;
- high at P(high) + P(critical) ≥ danger; else none.
A message unlike anything trained (the top intent below the `familiar` line) is never danger on
the model's word alone: without a standing safety-net cue it is none, and gets the normal reply.
Then the safety net (bot.understanding.safety) raises the severity to what its phrase rules say,
for the danger cues that stand as written. A critical reading whose only danger cues are negated,
past, hypothetical or figurative (bot.understanding.context) pages no one: it becomes high and
uncertain, and those held cues are kept in the reasons. The intent becomes the most likely one of
the chosen severity.

Without an estimate (a ranking from a test, or an old model) `classifier_severity` sums the
ranking per severity against fixed lines: that is the fallback, not the decision of a trained model.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.understanding.intents import INTENTS, severity_of
from bot.understanding.safety import SafetyHit, scan_all
from bot.understanding.severity import Severity
from bot.understanding.severity_model import SeverityEstimate, decide

FALLBACK_INTENT = "nlu_fallback"
CRITICAL_MASS = 0.3
NONE_DOMINATES = 0.4
DANGER_MASS = 0.7


@dataclass(frozen=True)
class Assessment:
    severity: Severity
    intent: str
    confidence: float
    raised_by: Optional[str] = None  # None, "uncertainty", "unfamiliar", "safety_net:<rule>" or "context"
    uncertain: bool = False
    held: Tuple[SafetyHit, ...] = ()  # danger cues in a negated, past, hypothetical or figurative context
    estimate: Optional[SeverityEstimate] = None

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
            "decided_by": self.raised_by or ("calibrated_model" if self.estimate else "classifier"),
            "probabilities": self.estimate.as_dict() if self.estimate else None,
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


def model_severity(ranking: Sequence[Dict[str, Any]], estimate: Optional[SeverityEstimate]) -> Tuple[Severity, bool, Optional[str]]:
    """The model's severity, whether it is unsure (ask her), and what decided it."""
    if estimate is None:
        severity = classifier_severity(ranking)
        uncertain = bool(ranking) and severity > severity_of(ranking[0]["name"])
        return severity, uncertain, "uncertainty" if uncertain else None
    severity = decide(estimate)
    if not estimate.familiar:
        return Severity.none, False, "unfamiliar" if severity > Severity.none else None
    # Ask "are you safe now?" only where the likelier danger is to her safety (critical), not a
    # wage or hours problem that merely carries some critical probability.
    in_ask_zone = severity == Severity.high and estimate.critical >= max(estimate.thresholds.ask, estimate.high)
    uncertain = in_ask_zone or (bool(ranking) and severity > severity_of(ranking[0]["name"]))
    return severity, uncertain, "uncertainty" if uncertain else None


def assess(text: str, intent: Optional[str], confidence: float, ranking: Sequence[Dict[str, Any]],
           estimate: Optional[SeverityEstimate] = None) -> Assessment:
    ranking = _ranked(ranking)
    if not ranking and intent in INTENTS:
        ranking = [{"name": intent, "confidence": confidence}]
    top: Dict[str, Any] = ranking[0] if ranking else {"name": "out_of_scope", "confidence": 0.0}
    severity, uncertain, why = model_severity(ranking, estimate)
    chosen = top if severity_of(top["name"]) == severity else (_best_of(severity, ranking) or top)
    result = Assessment(severity, chosen["name"], float(chosen["confidence"]), why, uncertain, estimate=estimate)

    hits = scan_all(text)
    held = tuple(h for h in hits if not h.stands)
    hit = next((h for h in hits if h.stands), None)
    if hit is not None and hit.severity > result.severity:
        candidate = _best_of(hit.severity, ranking)
        if candidate is not None and candidate["confidence"] >= 0.05:
            return Assessment(hit.severity, candidate["name"], float(candidate["confidence"]), f"safety_net:{hit.rule}",
                              held=held, estimate=estimate)
        return Assessment(hit.severity, hit.intent, 0.0, f"safety_net:{hit.rule}", held=held, estimate=estimate)
    if result.severity == Severity.critical and hit is None and any(h.severity == Severity.critical for h in held):
        # The danger words are there, but negated, past, hypothetical or figurative, and nothing
        # else says danger now: no page on that alone, and a question instead of silence.
        high = _best_of(Severity.high, ranking)
        intent_now, confidence_now = (high["name"], float(high["confidence"])) if high else (result.intent, result.confidence)
        return Assessment(Severity.high, intent_now, confidence_now, "context", True, held, estimate)
    return Assessment(result.severity, result.intent, result.confidence, result.raised_by, result.uncertain, held, estimate)
