"""Actions run offline with the shared tracker factory and Rasa SDK's CollectingDispatcher."""
import pytest

from actions.contacts import ActionGiveHotline
from tests.support.trackers import run_action, tracker


@pytest.mark.parametrize(
    "language, name",
    [("vi", "Đường dây nóng bảo hộ công dân"), ("en", "Vietnam's citizen protection hotline"), (None, "Đường dây nóng bảo hộ công dân")],
)
async def test_asking_for_a_human_gives_the_24_7_hotline_in_her_language(language, name):
    messages, events = await run_action(
        ActionGiveHotline(), tracker("request_human", {"language": language}, text="gap nguoi", sender_id="worker-1")
    )
    assert events == []
    [message] = messages
    assert "+84 981 84 84 84" in message["text"]
    assert name in message["text"]
    assert "24/7" in message["text"]
