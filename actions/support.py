"""Support when there is no danger to act on: warmth for sadness, safety advice for a watched
phone. Each reply carries the 24/7 hotline from the directory, never a number typed in a text."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_state import conversation_language
from bot.escalation.dialogue import hotline
from bot.replies.catalogue import render

REPLIES = {"feeling_sad": "support_feeling_sad", "phone_watched": "support_phone_watched"}


class ActionSupport(Action):
    def name(self) -> str:
        return "action_support"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        key = REPLIES.get(intent, "support_feeling_sad")
        dispatcher.utter_message(text=render(key, conversation_language(tracker.slots), hotline=hotline()))
        return []
