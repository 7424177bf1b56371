"""The whole stack as `make run` starts it: embedded Redis, action server, Rasa, trained model."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bot.understanding.text import has_vietnamese_marks
from tests.support.stack import MakeRun, tracker_events

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def helpline(tmp_path_factory):
    running = MakeRun(tmp_path_factory.mktemp("helpline")).start()
    yield running
    running.stop()


def say(helpline: MakeRun, sender: str, text: str) -> list[str]:
    request = urllib.request.Request(
        f"{helpline.base_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return [reply["text"] for reply in json.loads(answer.read())]


def stored_events(helpline: MakeRun, sender: str) -> list[dict]:
    return tracker_events(helpline.redis(), sender)


def test_greetings_are_answered_in_the_language_they_came_in(helpline):
    [vi] = say(helpline, "greet-vi", "xin chào")
    [en] = say(helpline, "greet-en", "hello, good morning to you")
    [unaccented] = say(helpline, "greet-no-marks", "chao ban")
    assert vi.startswith("Xin chào")
    assert en.startswith("Hello")
    assert unaccented.startswith("Xin chào")


def test_asking_for_a_human_gives_the_hotline_with_its_number(helpline):
    [reply] = say(helpline, "human-vi", "cho em gap nguoi that")
    assert "+84 981 84 84 84" in reply
    [reply] = say(helpline, "human-en", "I want to talk to a person")
    assert "+84 981 84 84 84" in reply and "Vietnamese spoken" in reply


def test_slash_restart_is_text_and_does_not_reset_the_conversation(helpline):
    say(helpline, "slash", "hello")
    replies = say(helpline, "slash", "/restart")
    assert replies, "the worker gets an answer"
    events = stored_events(helpline, "slash")
    kinds = [e["event"] for e in events]
    assert "restart" not in kinds and kinds.count("session_started") == 1
    texts = [e.get("text") for e in events if e["event"] == "user"]
    assert texts == ["hello", "/restart"]
    assert not any(e.get("parse_data", {}).get("intent", {}).get("name") == "restart" for e in events)


@pytest.mark.parametrize("raw", [b"{broken", b"\xff\xfe", b'{"sender": "x"}', b'{"sender":"x","message":"' + b"a" * 70000 + b'"}'])
def test_bad_requests_get_a_client_error(helpline, raw):
    request = urllib.request.Request(f"{helpline.base_url}/webhooks/rest/webhook", data=raw)
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert 400 <= error.value.code < 500


def test_a_conversation_survives_a_restart(helpline):
    say(helpline, "restart-me", "hello, good morning to you")  # the conversation is now in English
    assert helpline.stop() == 0
    helpline.start()
    # "ok" does not tell a language: the English kept in Redis across the restart decides.
    replies = say(helpline, "restart-me", "ok")
    assert replies and not any(has_vietnamese_marks(reply) for reply in replies)
    texts = [e.get("text") for e in stored_events(helpline, "restart-me") if e["event"] == "user"]
    assert texts == ["hello, good morning to you", "ok"]
