"""The reply to a message triaged as danger: the numbers for her country, a case opened at once when
it is critical, her consent asked first when it is high, and one question (is she safe now?) when
the helpline cannot tell. One question at a time; her answer goes to actions/answers.py."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import conversation_of
from actions.tracker_state import (
    TriageResult,
    conversation_language,
    her_situation,
    highest_severity,
    latest_triage,
    said_before,
)
from bot.dialogue.pending import QUESTION_SLOT
from bot.dialogue.questions import CONSENT, SAFE_NOW
from bot.dialogue.told_together import recent_texts, told_together
from bot.escalation.dialogue import hotline, open_case, session_history
from bot.escalation.opening import escalator
from bot.replies.catalogue import render
from bot.replies.referrals import danger_reply
from bot.replies.situations import cannot_call, cannot_call_note, reported_for_someone_else, someone_else_reply, suicidal_reply
from bot.understanding.gazetteer import country_of
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
        answered = highest_severity(tracker.get_slot("severity"), triage.severity)
        together = told_together(recent_texts(tracker.events), answered)
        if together is not None:  # her last messages, read together, say more than this one
            triage = TriageResult(together.severity, together.intent, False)
        severity = max(triage.severity, Severity.high)  # this action runs for danger only
        language = conversation_language(tracker.slots)
        active = escalator()
        was_open = await self._open_number(active, tracker)
        case_number = was_open
        if severity >= Severity.critical and active is not None:
            case_number = await self._open_case(active, tracker) or case_number
        question = None
        if severity < Severity.critical and triage.uncertain:
            question = SAFE_NOW  # she may be safe now: her answer decides whether anyone is paged
        elif severity < Severity.critical and active is not None and not case_number and tracker.get_slot("country"):
            question = CONSENT  # where she is comes first: asked again once she says (actions/information.py)
        slots = [
            SlotSet("severity", str(highest_severity(tracker.get_slot("severity"), severity))),
            SlotSet("danger_intent", triage.intent),
            SlotSet("escalation_needed", str(severity)),
            SlotSet("case_number", case_number),
            SlotSet(QUESTION_SLOT, question.name if question else None),
        ]
        text = tracker.latest_message.get("text") or ""
        if triage.intent == "emergency_suicidal":
            # Her pain first, whether she is safe now, and that someone is with her: no numbers list.
            said = suicidal_reply(language, case_number, hotline(), again=bool(was_open))
            dispatcher.utter_message(text=said, buttons=SAFE_NOW.buttons(language))
            return [*slots[:-1], SlotSet(QUESTION_SLOT, SAFE_NOW.name), SlotSet("awaiting_country", False)]
        if reported_for_someone_else(triage.intent, text):
            where = country_of(text) or tracker.get_slot("country")
            dispatcher.utter_message(text=someone_else_reply(text, where, language, case_number))
            return slots + [SlotSet("awaiting_country", False)]
        if was_open:  # told before: what is new is that the case is open, not the same numbers again
            said = render("case_already_open", language, number=was_open, hotline=hotline())
            if said_before(tracker, said):
                said = render("case_still_open", language, number=was_open, hotline=hotline())
            dispatcher.utter_message(text=said)
            return slots + [SlotSet("awaiting_country", False)]
        if question is SAFE_NOW:
            note = f"\n{cannot_call_note(language)}" if cannot_call(text) else ""
            dispatcher.utter_message(text=render(SAFE_NOW.text, language, hotline=hotline()) + note, buttons=SAFE_NOW.buttons(language))
            return slots + [SlotSet("awaiting_country", False)]
        her = her_situation(tracker)
        reply = danger_reply(
            severity,
            triage.intent,
            tracker.get_slot("country"),
            language,
            uncertain=triage.uncertain,
            officer_alerted=severity >= Severity.critical and bool(case_number),
            offer_human=question is None and not case_number and bool(tracker.get_slot("country")),
            city=her.city, sex=her.sex, at_sea=her.at_sea,
        )
        dispatcher.utter_message(text=reply.text + (f"\n{cannot_call_note(language)}" if cannot_call(text) else ""))
        if question is CONSENT:
            dispatcher.utter_message(text=render(CONSENT.text, language), buttons=CONSENT.buttons(language))
        return slots + [SlotSet("awaiting_country", reply.asked_country)]

    @staticmethod
    async def _open_number(active, tracker: Tracker) -> Optional[str]:
        """Her case's number if one is open now (the slot may name one an officer has closed)."""
        number = tracker.get_slot("case_number")
        if active is None or not number:
            return number
        try:
            case = await asyncio.to_thread(active.store.find_open_case, tracker.sender_id)
        except Exception:
            logger.exception("Could not look up her open case")
            return number
        return case.number if case is not None else None

    @staticmethod
    async def _open_case(active, tracker: Tracker) -> Optional[str]:
        """Critical: the case is opened at once (no time to ask), committed before she is told."""
        try:
            case = await open_case(active, conversation_of(tracker, "critical"), consent="not_required", method=None,
                                   contact_detail=tracker.get_slot("contact_terms"), history=session_history(tracker.events))
        except Exception:
            logger.exception("Could not open a case for a critical message; the reply gives numbers only")
            return None
        return case.number
