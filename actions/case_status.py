"""While her case is open and no officer has taken it yet, a greeting, a question or "is anyone
reading?" is answered with where her case stands, never with the opening greeting or "gặp người".
The second time says it differently: no block is repeated word for word. A country she names now
moves the case to that country's duty officers, and she is told."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_state import conversation_language, said_before
from bot.escalation.dialogue import hotline
from bot.escalation.follow_up import move_to_country
from bot.escalation.opening import escalator
from bot.replies.catalogue import render
from bot.understanding.gazetteer import country_name


class ActionCaseStatus(Action):
    def name(self) -> str:
        return "action_case_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        language, number = conversation_language(tracker.slots), tracker.get_slot("case_number")
        active = escalator()
        if active is not None and await asyncio.to_thread(active.store.find_open_case, tracker.sender_id) is None:
            # Closed since (by an officer, or erased): the conversation is hers and the bot's again.
            dispatcher.utter_message(response="utter_how_can_i_help")
            return [SlotSet("case_number", None)]
        moved = await self._follow_country(active, tracker)
        if moved is not None:
            name = country_name(moved.country, language)
            dispatcher.utter_message(text=render("case_moved", language, number=moved.number, country=name, hotline=hotline()))
            return []
        first = render("case_is_open", language, number=number)
        again = render("case_still_open", language, number=number, hotline=hotline())
        dispatcher.utter_message(text=first if not said_before(tracker, first) else again)
        return []

    @staticmethod
    async def _follow_country(active, tracker: Tracker):
        """She named where she is after the case opened: the case, and its alerts, follow."""
        if active is None:
            return None
        return await asyncio.to_thread(move_to_country, active.store, active.rota, tracker.sender_id, tracker.get_slot("country"))
