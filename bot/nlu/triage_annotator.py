"""Rasa component: the severity of every message, after the intent classifier.

It writes `severity` and `triage` into the parse data, and when the severity differs from the
top intent's (the classifier's weight summed per severity, or the safety net) it also replaces
the intent, so that the dialogue's rules (which key on intents) answer the severity decided. The original intent stays in
`triage.classifier_intent`.
"""
from __future__ import annotations

from typing import List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.classifier import SEVERITY_ESTIMATE
from bot.nlu.stateless import StatelessComponent
from bot.runtime import metrics
from bot.understanding.severity import Severity
from bot.understanding.severity_model import SeverityEstimate
from bot.understanding.triage import FALLBACK_INTENT, assess


def _original_text(message: Message) -> str:
    # The normaliser folded TEXT; the safety net folds by itself, so either form works.
    return message.get(TEXT) or ""


def _estimate(message: Message, top_confidence: float) -> Optional[SeverityEstimate]:
    data = message.get(SEVERITY_ESTIMATE)
    ranking = message.get(INTENT_RANKING_KEY) or []
    top = max((float(r.get("confidence") or 0.0) for r in ranking), default=top_confidence)
    return SeverityEstimate.from_dict(data, top) if data else None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class TriageAnnotator(StatelessComponent):

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            assessment = assess(
                _original_text(message),
                intent.get("name"),
                float(intent.get("confidence") or 0.0),
                message.get(INTENT_RANKING_KEY) or [],
                _estimate(message, float(intent.get("confidence") or 0.0)),
            )
            details = assessment.as_dict()
            details["classifier_intent"] = intent.get("name")
            message.set("severity", details["severity"], add_to_output=True)
            metrics.severity_decided(details["severity"])
            message.set("triage", details, add_to_output=True)
            # Keep Rasa's fallback ("I did not understand") only when nothing points to danger.
            keep_fallback = intent.get("name") == FALLBACK_INTENT and assessment.severity == Severity.none
            if assessment.intent != intent.get("name") and not keep_fallback:
                message.set(
                    INTENT, {"name": assessment.intent, "confidence": assessment.confidence}, add_to_output=True
                )
        return messages
