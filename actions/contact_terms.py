"""Contact on her terms: "gọi em sau 9h tối", "đừng nhắn lại cho em", "thôi, hủy giúp em".

Recorded on her open case and kept in the `contact_terms` slot, so that a case opened later
starts with them."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_state import conversation_language
from bot.dialogue.contact_terms import read_terms
from bot.dialogue.pending import QUESTION_SLOT
from bot.escalation.dialogue import hotline
from bot.escalation.her_terms import record_terms, withdraw
from bot.escalation.opening import escalator
from bot.replies.catalogue import render

logger = logging.getLogger(__name__)


class ActionContactTerms(Action):
    def name(self) -> str:
        return "action_contact_terms"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        language = conversation_language(tracker.slots)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        active = escalator()
        if intent == "withdraw_consent":
            still_open = None
            if active is not None:
                try:
                    case = await asyncio.to_thread(withdraw, active, tracker.sender_id)
                    still_open = case.number if case is not None and case.status != "closed" else None
                except Exception:
                    logger.exception("Could not record a withdrawn consent")
            dispatcher.utter_message(text=render("consent_withdrawn", language, hotline=hotline()))
            return [SlotSet("case_number", still_open), SlotSet("contact_terms", "consent withdrawn: do not contact"),
                    SlotSet(QUESTION_SLOT, None)]
        terms = read_terms(tracker.latest_message.get("text") or "", hold=intent == "contact_hold")
        if active is not None:
            try:
                await asyncio.to_thread(record_terms, active, tracker.sender_id, terms, tracker.get_slot("country"))
            except Exception:
                logger.exception("Could not record her contact terms")
        if terms.hold:
            dispatcher.utter_message(text=render("terms_hold_noted", language))
        elif tracker.get_slot("case_number"):
            dispatcher.utter_message(text=render("terms_noted", language, terms=terms.describe(language), hotline=hotline()))
        else:  # no officer is on the way: promise none, keep the terms for when one is
            dispatcher.utter_message(text=render("terms_kept", language, terms=terms.describe(language)))
        return [SlotSet("contact_terms", terms.describe("en"))]
