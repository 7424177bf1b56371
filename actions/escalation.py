"""Escalation to a duty officer from the dialogue: open the case when she asks or consents, or
record her no."""
from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contacts import ActionGiveHotline
from actions.tracker_state import conversation_language, her_situation
from bot.escalation.dialogue import (
    Conversation,
    case_opened_text,
    contact_method,
    hotline,
    open_case,
    session_history,
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


async def consent_given(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any],
                        method: str) -> List[Dict[str, Any]]:
    """She wants a person: open the case (or say it is open), then tell her."""
    language = conversation_language(tracker.slots)
    open_number = tracker.get_slot("case_number")
    active = escalator()
    if active is None:
        return await ActionGiveHotline().run(dispatcher, tracker, domain)
    if open_number:
        dispatcher.utter_message(text=render("case_already_open", language, number=open_number, hotline=hotline()))
        return []
    conversation = conversation_of(tracker, tracker.get_slot("severity") or "none")
    try:
        case = await open_case(active, conversation, consent="given", method=method, contact_detail=tracker.get_slot("contact_terms"),
                               history=session_history(tracker.events))
    except Exception:  # never promise a person the case store did not record
        logger.exception("Could not open a case; giving the hotline instead")
        return await ActionGiveHotline().run(dispatcher, tracker, domain)
    dispatcher.utter_message(text=case_opened_text(case.number, method, language))
    return [SlotSet("case_number", case.number)]


async def consent_declined(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[str, Any]]:
    """She said no: nobody is alerted, that is recorded, and she keeps the numbers."""
    language = conversation_language(tracker.slots)
    active = escalator()
    if active is not None:
        try:
            active.record_consent(tracker.sender_id, "declined")
        except Exception:
            logger.exception("Could not record a declined consent")
    her = her_situation(tracker)
    referrals = contacts_reply(tracker.get_slot("country"), language, city=her.city, sex=her.sex, at_sea=her.at_sea)
    dispatcher.utter_message(text=f"{render('consent_declined', language)}\n{referrals.text}")
    return [SlotSet("awaiting_country", referrals.asked_country)]


class ActionEscalate(Action):
    """She asked for a person: the case opens with her consent (a call if she asked for one)."""

    def name(self) -> str:
        return "action_escalate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        method = contact_method(tracker.latest_message.get("text") or "")
        return await consent_given(dispatcher, tracker, domain, method)
