"""Her answer to the question the helpline asked last (bot.dialogue): consent to an officer, or
whether she is safe now. bot.dialogue.policy.AnswerPolicy runs this only when her message is an
answer to that question."""
from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import consent_declined, consent_given, conversation_of
from actions.tracker_state import conversation_language
from bot.dialogue.pending import QUESTION_SLOT, TAKE_ANSWER, question_pending
from bot.dialogue.questions import QUESTIONS, answer_to
from bot.escalation.dialogue import hotline, open_case, session_history
from bot.escalation.opening import escalator
from bot.replies.catalogue import render

logger = logging.getLogger(__name__)


class ActionTakeAnswer(Action):
    def name(self) -> str:
        return TAKE_ANSWER

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        question = QUESTIONS.get(question_pending(tracker.events) or "")
        message = tracker.latest_message or {}
        answer = answer_to(question, message.get("text") or "", (message.get("intent") or {}).get("name")) if question else None
        events: List[Dict[str, Any]] = [SlotSet(QUESTION_SLOT, None)]
        if question is None or answer is None:  # the policy and this action read the same events
            logger.warning("action_take_answer ran without an answer to take")
            return events
        if question.name == "consent":
            if answer == "no":
                return events + await consent_declined(dispatcher, tracker)
            return events + await consent_given(dispatcher, tracker, domain, method=answer)
        if answer == "safe":  # she says she is safe: the conversation's severity may come down
            dispatcher.utter_message(text=render("safe_now_glad", conversation_language(tracker.slots), hotline=hotline()))
            return events + ([] if tracker.get_slot("case_number") else [SlotSet("severity", "none")])
        return events + await _not_safe(dispatcher, tracker)


async def _not_safe(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[str, Any]]:
    """Not safe now: that is critical. The case opens at once, as for any critical message."""
    language = conversation_language(tracker.slots)
    active = escalator()
    case_number = tracker.get_slot("case_number")
    if active is not None:
        try:
            case = await open_case(active, conversation_of(tracker, "critical"), consent="not_required", method=None,
                                   contact_detail=tracker.get_slot("contact_terms"), history=session_history(tracker.events))
            case_number = case.number
        except Exception:
            logger.exception("Could not open a case after she said she is not safe; the reply gives numbers only")
    if case_number:
        dispatcher.utter_message(text=render("safe_now_not_alone", language, number=case_number, hotline=hotline()))
    else:
        dispatcher.utter_message(text=render("safe_now_call_now", language, hotline=hotline()))
    return [SlotSet("severity", "critical"), SlotSet("escalation_needed", "critical"), SlotSet("case_number", case_number)]
