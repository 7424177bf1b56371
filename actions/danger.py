"""The reply to a message triaged as danger: the numbers for her country, a case opened at once when
it is critical, her consent asked first when it is high."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import conversation_of
from actions.tracker_state import conversation_language, highest_severity, latest_triage
from bot.escalation.dialogue import consent_buttons, open_case
from bot.escalation.opening import escalator
from bot.replies.catalogue import render
from bot.replies.referrals import danger_reply
from bot.understanding.severity import Severity

logger = logging.getLogger(__name__)


class ActionRespondToDanger(Action):
    """Critical or high: numbers to call now, and the hooks escalation to officers keys on."""

    def name(self) -> str:
        return "action_respond_to_danger"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        triage = latest_triage(tracker.latest_message)
        severity = max(triage.severity, Severity.high)  # this action runs for danger intents only
        language = conversation_language(tracker.slots)
        active = escalator()
        case_number = tracker.get_slot("case_number")
        if severity >= Severity.critical and active is not None:
            case_number = await self._open_case(active, tracker) or case_number
        ask_consent = severity < Severity.critical and active is not None and not case_number
        reply = danger_reply(
            severity,
            triage.intent,
            tracker.get_slot("country"),
            language,
            uncertain=triage.uncertain,
            officer_alerted=severity >= Severity.critical and bool(case_number),
            offer_human=not ask_consent,
        )
        dispatcher.utter_message(text=reply.text)
        if ask_consent:
            dispatcher.utter_message(text=render("consent_question", language), buttons=consent_buttons(language))
        return [
            SlotSet("severity", str(highest_severity(tracker.get_slot("severity"), severity))),
            SlotSet("danger_intent", triage.intent),
            SlotSet("escalation_needed", str(severity)),
            SlotSet("awaiting_country", reply.asked_country),
            SlotSet("consent_asked", ask_consent or bool(tracker.get_slot("consent_asked"))),
            SlotSet("case_number", case_number),
        ]

    @staticmethod
    async def _open_case(active, tracker: Tracker) -> Optional[str]:
        """Critical: the case is opened at once (no time to ask), committed before she is told."""
        try:
            case = await open_case(active, conversation_of(tracker, "critical"), consent="not_required", method=None)
        except Exception:
            logger.exception("Could not open a case for a critical message; the reply gives numbers only")
            return None
        return case.number
