from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation import conversation_language, highest_severity, latest_triage
from bot.intents import Severity
from bot.replies import danger_reply
from bot.settings import Settings


class ActionRespondToDanger(Action):
    """Critical or high: numbers to call now, and the hooks escalation to officers keys on."""

    def name(self) -> Text:
        return "action_respond_to_danger"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        triage = latest_triage(tracker.latest_message)
        severity = max(triage.severity, Severity.high)  # this action runs for danger intents only
        reply = danger_reply(
            severity,
            triage.intent,
            tracker.get_slot("country"),
            conversation_language(tracker.slots),
            uncertain=triage.uncertain,
            officer_alerted=Settings().escalation_enabled,
        )
        dispatcher.utter_message(text=reply.text)
        return [
            SlotSet("severity", str(highest_severity(tracker.get_slot("severity"), severity))),
            SlotSet("danger_intent", triage.intent),
            SlotSet("escalation_needed", str(severity)),
            SlotSet("awaiting_country", reply.asked_country),
        ]
