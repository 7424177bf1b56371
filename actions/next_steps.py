"""'E phải làm sao chị?' after a danger reply: the next steps, as steps, with the numbers again
(never the earlier block word for word)."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_state import conversation_language
from bot.replies.situations import next_steps_reply


class ActionNextSteps(Action):
    def name(self) -> str:
        return "action_next_steps"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        someone_else = tracker.get_slot("danger_intent") == "emergency_someone_else"
        text = next_steps_reply(someone_else, tracker.get_slot("country"), conversation_language(tracker.slots))
        dispatcher.utter_message(text=text)
        return []
