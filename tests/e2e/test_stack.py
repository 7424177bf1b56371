"""The whole stack as `make run` starts it: embedded Redis, action server, Rasa, trained model."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis

from bot.understanding.text import has_vietnamese_marks
from tests.conftest import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


class Helpline:
    def __init__(self, state_dir: Path) -> None:
        self.rasa_port, self.action_port, self.redis_port = free_port(), free_port(), free_port()
        self.console_port = free_port()
        self.state_dir = state_dir
        self.process: subprocess.Popen | None = None
        self.output = state_dir / "run.log"

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        env.update(
            RASA_PORT=str(self.rasa_port),
            ACTION_PORT=str(self.action_port),
            EMBEDDED_REDIS_PORT=str(self.redis_port),
            CONSOLE_PORT=str(self.console_port),
            HELPLINE_STATE_DIR=str(self.state_dir),
            RASA_TELEMETRY_ENABLED="false",
        )
        log = self.output.open("a")
        since = self.output.stat().st_size
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 300
        while "The helpline is running" not in self.output.read_text()[since:]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"make run did not start:\n{self.output.read_text()[-3000:]}")
            time.sleep(0.5)

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)  # what Ctrl-C does
        return self.process.wait(60)

    def say(self, sender: str, text: str) -> list[str]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return [reply["text"] for reply in json.loads(answer.read())]

    def events(self, sender: str) -> list[dict]:
        client = redis.Redis(port=self.redis_port, decode_responses=True)
        return json.loads(client.get(f"helpline:tracker:{sender}"))["events"]


@pytest.fixture(scope="module")
def helpline(tmp_path_factory):
    stack = Helpline(tmp_path_factory.mktemp("helpline"))
    stack.start()
    yield stack
    if stack.process and stack.process.poll() is None:
        stack.stop()


def test_greetings_are_answered_in_the_language_they_came_in(helpline):
    [vi] = helpline.say("greet-vi", "xin chào")
    [en] = helpline.say("greet-en", "hello")
    [unaccented] = helpline.say("greet-no-marks", "chao ban")
    assert vi.startswith("Xin chào")
    assert en.startswith("Hello")
    assert unaccented.startswith("Xin chào")


def test_asking_for_a_human_gives_the_hotline_with_its_number(helpline):
    [reply] = helpline.say("human-vi", "cho em gap nguoi that")
    assert "+84 981 84 84 84" in reply
    [reply] = helpline.say("human-en", "I want to talk to a person")
    assert "+84 981 84 84 84" in reply and "Vietnamese spoken" in reply


def test_slash_restart_is_text_and_does_not_reset_the_conversation(helpline):
    helpline.say("slash", "hello")
    replies = helpline.say("slash", "/restart")
    assert replies, "the worker gets an answer"
    events = helpline.events("slash")
    kinds = [e["event"] for e in events]
    assert "restart" not in kinds and kinds.count("session_started") == 1
    texts = [e.get("text") for e in events if e["event"] == "user"]
    assert texts == ["hello", "/restart"]
    assert not any(e.get("parse_data", {}).get("intent", {}).get("name") == "restart" for e in events)


@pytest.mark.parametrize("raw", [b"{broken", b"\xff\xfe", b'{"sender": "x"}', b'{"sender":"x","message":"' + b"a" * 70000 + b'"}'])
def test_bad_requests_get_a_client_error(helpline, raw):
    request = urllib.request.Request(f"http://127.0.0.1:{helpline.rasa_port}/webhooks/rest/webhook", data=raw)
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert 400 <= error.value.code < 500


def test_a_conversation_survives_a_restart(helpline):
    helpline.say("restart-me", "hello")  # the conversation is now in English
    assert helpline.stop() == 0
    helpline.start()
    # "ok" does not tell a language: the English kept in Redis across the restart decides.
    replies = helpline.say("restart-me", "ok")
    assert replies and not any(has_vietnamese_marks(reply) for reply in replies)
    texts = [e.get("text") for e in helpline.events("restart-me") if e["event"] == "user"]
    assert texts == ["hello", "ok"]
