"""The citizen-protection hotline, given when she asks for a number or the bot cannot help."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_state import conversation_language
from bot.facts.directory import citizen_protection_hotline
from bot.replies.catalogue import render


class ActionGiveHotline(Action):
    """Until duty officers are wired in: the 24/7 citizen-protection hotline, with its number."""

    def name(self) -> str:
        return "action_give_hotline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        language = conversation_language(tracker.slots)
        hotline = citizen_protection_hotline()
        dispatcher.utter_message(
            text=render(
                "human_hotline",
                language,
                hotline_name=hotline.short_name(language),
                hotline_phone=hotline.phones[0].display,
            )
        )
        return []
