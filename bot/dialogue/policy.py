"""Rasa policy: what rules keyed on one message's intent cannot see, taken before any rule.

- Her answer to the question she was last asked. An answer is not an intent: "1", "Có, nhắn tin ở
  đây" or "gọi em nhé" mean yes to the consent question and nothing elsewhere. When the helpline
  asked a question in its last turn (bot.dialogue.pending) and her message answers it
  (bot.dialogue.questions), this policy predicts `action_take_answer`. A critical message is
  never taken as an answer: the danger rules answer it, and they page.
- Danger told across her last messages (bot.dialogue.told_together): `action_respond_to_danger`.
- With her case open, a greeting or an everyday question: `action_case_status` (where it stands).
- After danger, "what should I do now?": `action_next_steps`.
After each, listening. Otherwise it predicts nothing and the rules decide.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from rasa.core.constants import RULE_POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue.pending import TAKE_ANSWER, question_pending
from bot.dialogue.questions import QUESTIONS, answer_to
from bot.dialogue.told_together import RECENT_MESSAGES, recent_texts, told_together
from bot.replies.situations import asks_what_to_do
from bot.understanding.intents import severity_of
from bot.understanding.severity import Severity

RESPOND_TO_DANGER = "action_respond_to_danger"
CASE_STATUS = "action_case_status"
NEXT_STEPS = "action_next_steps"
# With her case open, these get where her case stands instead of their everyday reply.
CASE_STATUS_INTENTS = frozenset({"greet", "ask_permission", "smalltalk", "out_of_scope", "nlu_fallback",
                                 "bot_challenge", "affirm", "deny", "thanks", "feeling_sad",
                                 "inform_country", "introduce"})


def next_action(events: List[Dict[str, Any]], latest_action: Optional[str], text: str, intent: Optional[str],
                severity: Optional[str], conversation_severity: Optional[str] = None, form: Optional[str] = None,
                case_open: bool = False) -> Optional[str]:
    """The action this policy insists on, or None to let the rules decide. In a form (the fee
    checker) the form's rules decide, except for an answer to the question asked last."""
    if latest_action in (TAKE_ANSWER, CASE_STATUS, NEXT_STEPS) or (latest_action == RESPOND_TO_DANGER and not form):
        return ACTION_LISTEN_NAME
    if latest_action != ACTION_LISTEN_NAME or severity == "critical":
        return None
    question = QUESTIONS.get(question_pending(events) or "")
    if question is not None and answer_to(question, text, intent) is not None:
        return TAKE_ANSWER
    if severity_of(intent) > Severity.none or form:
        return None  # the danger rules answer it; a form reads its own answers
    answered = max(Severity.__members__.get(severity or "none", Severity.none),
                   Severity.__members__.get(conversation_severity or "none", Severity.none))
    if told_together(recent_texts(events), answered) is not None:
        return RESPOND_TO_DANGER
    if conversation_severity in ("high", "critical") and asks_what_to_do(text):
        return NEXT_STEPS
    if case_open and intent in CASE_STATUS_INTENTS:
        return CASE_STATUS
    return None


def latest_events(events: Sequence[Any], messages: int = RECENT_MESSAGES + 1) -> List[Dict[str, Any]]:
    """The tail of the conversation this policy reads (her last few messages of the session and
    what came between), as dicts: its cost does not grow with the conversation."""
    tail: List[Dict[str, Any]] = []
    seen = 0
    for event in reversed(events):
        as_dict = event.as_dict()
        tail.append(as_dict)
        seen += as_dict.get("event") == "user"
        if seen >= messages or as_dict.get("event") == "session_started":
            break
    return list(reversed(tail))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT], is_trainable=True)
class AnswerPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"priority": RULE_POLICY_PRIORITY + 1}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource  # nothing to learn: the questions are written in bot.dialogue.questions

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[str, Any]] = None, **kwargs: Any) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        message = tracker.latest_message
        action = next_action(
            latest_events(tracker.events),
            tracker.latest_action_name,
            (message.text if message else "") or "",
            (message.intent or {}).get("name") if message else None,
            message.parse_data.get("severity") if message else None,
            tracker.get_slot("severity"),
            tracker.active_loop_name,
            bool(tracker.get_slot("case_number")),
        )
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)
