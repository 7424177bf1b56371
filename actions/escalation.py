"""Escalation to a duty officer from the dialogue: open the case once she consents, or record her no."""
from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contacts import ActionGiveHotline
from actions.tracker_state import conversation_language
from bot.escalation.dialogue import (
    Conversation,
    case_opened_text,
    contact_method,
    open_case,
)
from bot.escalation.opening import escalator
from bot.replies.catalogue import render
from bot.replies.referrals import contacts_reply

logger = logging.getLogger(__name__)


def conversation_of(tracker: Tracker, severity: str) -> Conversation:
    return Conversation(
        tracker.sender_id, tracker.latest_message.get("metadata"), tracker.get_slot("country"),
        conversation_language(tracker.slots), severity,
    )


class ActionEscalate(Action):
    """She wants a person (asked for one, or said yes when asked): open the case, then tell her."""

    def name(self) -> str:
        return "action_escalate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        active = escalator()
        if active is None:
            return await ActionGiveHotline().run(dispatcher, tracker, domain) + [SlotSet("consent_asked", False)]
        conversation = conversation_of(tracker, tracker.get_slot("severity") or "none")
        method = contact_method(tracker.latest_message.get("text") or "")
        try:
            case = await open_case(active, conversation, consent="given", method=method)
        except Exception:  # never promise a person the case store did not record
            logger.exception("Could not open a case; giving the hotline instead")
            return await ActionGiveHotline().run(dispatcher, tracker, domain) + [SlotSet("consent_asked", False)]
        dispatcher.utter_message(text=case_opened_text(case.number, method, conversation.language))
        return [SlotSet("consent_asked", False), SlotSet("case_number", case.number)]


class ActionConsentDeclined(Action):
    """She said no: nobody is alerted, that is recorded, and she keeps the numbers."""

    def name(self) -> str:
        return "action_consent_declined"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        language = conversation_language(tracker.slots)
        active = escalator()
        if active is not None:
            try:
                active.record_consent(tracker.sender_id, "declined")
            except Exception:
                logger.exception("Could not record a declined consent")
        referrals = contacts_reply(tracker.get_slot("country"), language)
        dispatcher.utter_message(text=f"{render('consent_declined', language)}\n{referrals.text}")
        return [SlotSet("consent_asked", False), SlotSet("awaiting_country", referrals.asked_country)]
