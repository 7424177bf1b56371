"""Answers to her questions: fees and rights from the facts, contacts for her country, and a country
named late picked up for the danger reply that was waiting for it."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_state import conversation_language
from bot.replies.catalogue import render
from bot.replies.referrals import contacts_reply, country_noted_reply, danger_reply
from bot.understanding.severity import Severity

FEE_TOPICS = {
    "info_fees": "legal_fees",
    "info_deposit": "deposit",
    "info_refund": "refund",
    "info_licence_check": "licence_check",
}
GENERAL_ANSWERS = {"info_rights": "rights_general", "info_preparing": "preparing_general"}


class ActionAnswerQuestion(Action):
    """Fees, deposits, refunds, licences, rights, preparing to go: short answers citing the rule."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        from bot.facts.fees import faq_answer

        intent = (tracker.latest_message.get("intent") or {}).get("name")
        language = conversation_language(tracker.slots)
        if intent in FEE_TOPICS:
            text = faq_answer(FEE_TOPICS[intent], language)
            if intent == "info_fees":  # the checker can answer for her own case
                text = f"{text} {render('fee_check_hint', language)}"
            dispatcher.utter_message(text=text)
        else:
            dispatcher.utter_message(text=render(GENERAL_ANSWERS.get(intent or "", "rights_general"), language))
        return []


class ActionGiveContacts(Action):
    """Who to call where she is; the 24/7 hotline and a question when the country is unknown."""

    def name(self) -> str:
        return "action_give_contacts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        reply = contacts_reply(tracker.get_slot("country"), conversation_language(tracker.slots))
        dispatcher.utter_message(text=reply.text)
        return [SlotSet("awaiting_country", reply.asked_country)]


class ActionCountryGiven(Action):
    """She said where she is. If she is in danger and we asked, the numbers there, now."""

    def name(self) -> str:
        return "action_country_given"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        country = tracker.get_slot("country")
        language = conversation_language(tracker.slots)
        pending = tracker.get_slot("escalation_needed")
        if not country:
            dispatcher.utter_message(text=render("ask_country", language))
            return [SlotSet("awaiting_country", True)]
        if tracker.get_slot("awaiting_country") and pending in ("critical", "high"):
            reply = danger_reply(
                Severity[pending], tracker.get_slot("danger_intent") or "", country, language
            )
        elif tracker.get_slot("awaiting_country"):
            reply = contacts_reply(country, language)
        else:
            reply = country_noted_reply(country, language)
        dispatcher.utter_message(text=reply.text)
        return [SlotSet("awaiting_country", False)]
