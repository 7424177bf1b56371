"""Severity as calibrated probabilities, with thresholds chosen by cross-validation on the
training data (never on a held-out set).

The intent classifier spreads its probability over some forty intents. Summing them per severity
let an unfamiliar message, spread thin over many danger intents, cross a fixed line ("em ở Nga"
paged an officer). Here a small model learns what the classifier's out-of-fold distributions
mean: its inputs are the mass per severity, the top intent's probability and the entropy, and it
is trained on predictions for examples the classifier did not see. Its outputs are calibrated
P(none), P(high), P(critical).

The thresholds come from a second round of out-of-fold predictions, of this model itself:
- `page`: the lowest P(critical) at which at most PAGE_FALSE_ALARM_BUDGET of the harmless
  training examples would page an officer;
- `ask`: the lowest P(critical) that still catches CRITICAL_RECALL_TARGET of the critical ones;
  between `ask` and `page` the helpline asks whether she is safe now instead of paging;
- `danger`: the lowest P(high) + P(critical) at which at most ESCALATION_BUDGET of the harmless
  examples are treated as danger;
- `familiar`: below this top-intent probability (the OUT_OF_DOMAIN_QUANTILE of danger examples)
  the message is unlike anything trained, and without a safety-net cue it is not danger.
The training data holds the hard negatives on purpose (figurative, negated, information), so the
budgets are stricter in practice than they look. bot.understanding.triage applies the decision.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Sequence

import numpy as np

from bot.understanding.intents import severity_of
from bot.understanding.severity import Severity

PAGE_FALSE_ALARM_BUDGET = 0.04
ESCALATION_BUDGET = 0.15
CRITICAL_RECALL_TARGET = 0.98
OUT_OF_DOMAIN_QUANTILE = 0.01
FOLDS = 5


@dataclass(frozen=True)
class Thresholds:
    page: float
    ask: float
    danger: float
    familiar: float


@dataclass(frozen=True)
class SeverityEstimate:
    """What the calibrated model says of one message, and the lines it is judged against."""

    none: float
    high: float
    critical: float
    top_intent_confidence: float
    thresholds: Thresholds

    @property
    def familiar(self) -> bool:
        return self.top_intent_confidence >= self.thresholds.familiar

    def as_dict(self) -> Dict[str, Any]:
        return {
            "none": round(self.none, 4), "high": round(self.high, 4), "critical": round(self.critical, 4),
            "familiar": self.familiar, "thresholds": {k: round(v, 4) for k, v in asdict(self.thresholds).items()},
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any], top_intent_confidence: float) -> SeverityEstimate:
        return cls(float(data["none"]), float(data["high"]), float(data["critical"]), top_intent_confidence,
                   Thresholds(**data["thresholds"]))


def features(probabilities: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    """Per row: mass per severity (none, high, critical), top probability, entropy."""
    levels = np.array([int(severity_of(name)) for name in classes])
    mass = np.stack([probabilities[:, levels == int(level)].sum(axis=1) for level in sorted(Severity)], axis=1)
    top = probabilities.max(axis=1, keepdims=True)
    entropy = -(probabilities * np.log(probabilities + 1e-12)).sum(axis=1, keepdims=True)
    return np.hstack([mass, top, entropy])


def _lowest(candidates: np.ndarray, allowed) -> float:
    fitting = [t for t in candidates if allowed(t)]
    return float(min(fitting)) if fitting else float(candidates[-1])


def choose_thresholds(out_of_fold: np.ndarray, levels: np.ndarray, top: np.ndarray) -> Thresholds:
    """The lines, from out-of-fold calibrated probabilities of the training examples."""
    critical, danger = out_of_fold[:, 2], out_of_fold[:, 1] + out_of_fold[:, 2]
    harmless, is_critical = levels == 0, levels == 2
    grid = np.linspace(0.01, 0.99, 99)
    page = _lowest(grid, lambda t: (critical[harmless] >= t).mean() <= PAGE_FALSE_ALARM_BUDGET)
    ask = min(page, float(np.quantile(critical[is_critical], 1 - CRITICAL_RECALL_TARGET))) if is_critical.any() else page
    danger_line = _lowest(grid, lambda t: (danger[harmless] >= t).mean() <= ESCALATION_BUDGET)
    familiar = float(np.quantile(top[levels > 0], OUT_OF_DOMAIN_QUANTILE)) if (levels > 0).any() else 0.0
    return Thresholds(page, ask, danger_line, familiar)


class SeverityCalibrator:
    """Fitted on the intent classifier's out-of-fold probabilities; persisted with it."""

    def __init__(self, model: Any, classes: List[str], thresholds: Thresholds, figures: Dict[str, float]) -> None:
        self.model = model
        self.classes = classes
        self.thresholds = thresholds
        self.figures = figures

    @classmethod
    def fit(cls, out_of_fold: np.ndarray, classes: Sequence[str], intents: Sequence[str], random_state: int = 0) -> SeverityCalibrator:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        levels = np.array([int(severity_of(name)) for name in intents])
        if len(set(levels)) < len(Severity):
            raise ValueError("The training data needs harmless, high and critical examples to calibrate severity.")
        inputs = features(out_of_fold, classes)
        model = LogisticRegression(C=1.0, max_iter=2000)
        folds = StratifiedKFold(FOLDS, shuffle=True, random_state=random_state)
        calibrated = cross_val_predict(model, inputs, levels, cv=folds, method="predict_proba")
        thresholds = choose_thresholds(calibrated, levels, out_of_fold.max(axis=1))
        model.fit(inputs, levels)
        return cls(model, list(classes), thresholds, cross_validated_figures(calibrated, levels, thresholds))

    def estimate(self, probabilities: np.ndarray) -> List[SeverityEstimate]:
        calibrated = self.model.predict_proba(features(probabilities, self.classes))
        top = probabilities.max(axis=1)
        return [SeverityEstimate(float(row[0]), float(row[1]), float(row[2]), float(t), self.thresholds)
                for row, t in zip(calibrated, top)]


def cross_validated_figures(calibrated: np.ndarray, levels: np.ndarray, thresholds: Thresholds) -> Dict[str, float]:
    """What the chosen lines do on the training data's own out-of-fold predictions."""
    paged = calibrated[:, 2] >= thresholds.page
    asked = calibrated[:, 2] >= thresholds.ask
    danger = calibrated[:, 1] + calibrated[:, 2] >= thresholds.danger
    harmless, critical = levels == 0, levels == 2
    return {
        "critical_paged": float(paged[critical].mean()),
        "critical_paged_or_asked": float(asked[critical].mean()),
        "danger_recall": float((danger | asked)[levels > 0].mean()),
        "harmless_paged": float(paged[harmless].mean()),
        "harmless_escalated": float((danger | asked)[harmless].mean()),
    }


def decide(estimate: SeverityEstimate) -> Severity:
    """critical pages; the ask zone and danger are high (the reply asks or offers); else none."""
    if estimate.critical >= estimate.thresholds.page:
        return Severity.critical
    if estimate.critical >= estimate.thresholds.ask or estimate.high + estimate.critical >= estimate.thresholds.danger:
        return Severity.high
    return Severity.none
