"""Answers to her questions: fees and rights from the facts, contacts for her country, and a country
named late picked up for the danger reply that was waiting for it."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_state import conversation_language, her_situation
from bot.dialogue.pending import QUESTION_SLOT
from bot.dialogue.questions import CONSENT
from bot.dialogue.situation import asks_for_embassy
from bot.escalation.opening import escalator
from bot.replies.catalogue import render
from bot.replies.referrals import contacts_reply, country_noted_reply, danger_reply, embassy_reply
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
        from bot.facts.fees import fee_faq
        from bot.facts.fees.answers import parse_occupation

        intent = (tracker.latest_message.get("intent") or {}).get("name")
        language = conversation_language(tracker.slots)
        if intent in FEE_TOPICS:
            said, country = tracker.latest_message.get("text") or "", tracker.get_slot("country")
            job = parse_occupation(said, country)
            text = fee_faq(FEE_TOPICS[intent], language, text=said, country=country, occupation=job.value if job.ok else None)
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
        language, her = conversation_language(tracker.slots), her_situation(tracker)
        if asks_for_embassy(tracker.latest_message.get("text") or ""):
            reply = embassy_reply(tracker.get_slot("country"), language, city=her.city)
        else:
            reply = contacts_reply(tracker.get_slot("country"), language, city=her.city, sex=her.sex, at_sea=her.at_sea)
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
            her = her_situation(tracker)
            reply = danger_reply(
                Severity[pending], tracker.get_slot("danger_intent") or "", country, language,
                city=her.city, sex=her.sex, at_sea=her.at_sea,
            )
        elif tracker.get_slot("awaiting_country"):
            her = her_situation(tracker)
            reply = contacts_reply(country, language, city=her.city, sex=her.sex, at_sea=her.at_sea)
        else:
            reply = country_noted_reply(country, language)
        dispatcher.utter_message(text=reply.text)
        if tracker.get_slot("awaiting_country") and pending == "high" and not tracker.get_slot("case_number") and escalator():
            # The danger reply waited for her country before asking: one question at a time.
            dispatcher.utter_message(text=render(CONSENT.text, language), buttons=CONSENT.buttons(language))
            return [SlotSet("awaiting_country", False), SlotSet(QUESTION_SLOT, CONSENT.name)]
        return [SlotSet("awaiting_country", False)]
