"""Actions run offline with a tracker fixture and Rasa SDK's CollectingDispatcher."""
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contacts import ActionGiveHotline


def tracker_with(language=None, text="gap nguoi"):
    return Tracker(
        sender_id="worker-1",
        slots={"language": language},
        latest_message={"text": text, "intent": {"name": "request_human", "confidence": 0.9}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.mark.parametrize(
    "language, name",
    [("vi", "Đường dây nóng bảo hộ công dân"), ("en", "Vietnam's citizen protection hotline"), (None, "Đường dây nóng bảo hộ công dân")],
)
async def test_asking_for_a_human_gives_the_24_7_hotline_in_her_language(language, name):
    dispatcher = CollectingDispatcher()
    events = await ActionGiveHotline().run(dispatcher, tracker_with(language), {})
    assert events == []
    [message] = dispatcher.messages
    assert "+84 981 84 84 84" in message["text"]
    assert name in message["text"]
    assert "24/7" in message["text"]
