"""Every provider channel against a running Rasa server and action server with the trained model,
the providers faked on localhost: signed requests in, replies out, nothing lost or doubled.

To show that something did not happen, a test waits until the channel has handled and answered
everything it accepted (Stack.answered), often after a barrier: a later message from the same
address, which the pipeline handles and answers only after the ones before it."""
from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from channels.inbox import STREAM_KEY as INBOX_KEY
from channels.segments import count_segments
from channels.streams import GROUP
from tests.support.stack import ACTIONS, RASA, ROOT, worker_address
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e
HOTLINE = "+84 981 84 84 84"
SMS_INBOX = INBOX_KEY.format(channel="twilio")
CHANNELS = ["twilio", "telegram", "zalo"]


@pytest.fixture(scope="module")
def stack(start_stack):
    return start_stack()


@pytest.fixture(autouse=True)
def clean_fake(stack):
    stack.fake.reset()


def say(stack, channel: str, address: str, text: str, message_id: str) -> None:
    """Sends a message, and returns once it and everything before it is answered."""
    assert stack.post(stack.webhook(channel, address, text, message_id)) == 200
    wait_until(lambda: stack.answered(channel))


def user_texts(stack, channel: str, address: str):
    return [event.get("text") for event in stack.tracker_events(channel, address) if event["event"] == "user"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_signed_message_is_answered_at_the_provider(stack, channel):
    address = worker_address(channel, "hello-1")
    say(stack, channel, address, "xin chào", "hello-1")
    [reply] = stack.replies(channel, address)
    assert reply.startswith("Xin chào") or reply.startswith("Xin chao")


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_forged_signature_is_refused_and_nothing_is_processed(stack, channel):
    address = worker_address(channel, "forged-1")
    assert stack.post(stack.webhook(channel, address, "xin chào", "forged-1", forged=True)) == 403
    say(stack, channel, address, "hello, good morning to you", "forged-1-barrier")
    [reply] = stack.replies(channel, address)
    assert reply.startswith("Hello")
    assert user_texts(stack, channel, address) == ["hello, good morning to you"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_three_deliveries_of_one_message_get_one_reply(stack, channel):
    address = worker_address(channel, "dup-1")
    for _ in range(3):
        assert stack.post(stack.webhook(channel, address, "hello, good morning to you", "dup-1")) == 200
    say(stack, channel, address, "xin chào", "dup-1-barrier")
    hello, barrier = stack.replies(channel, address)
    assert hello.startswith("Hello") and barrier.startswith(("Xin chào", "Xin chao"))
    assert user_texts(stack, channel, address) == ["hello, good morning to you", "xin chào"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_slash_restart_is_handled_as_text(stack, channel):
    address = worker_address(channel, "restart-1")
    say(stack, channel, address, "hello", "restart-1a")
    say(stack, channel, address, "/restart", "restart-1b")
    events = stack.tracker_events(channel, address)
    assert "restart" not in [event["event"] for event in events]
    assert [event.get("text") for event in events if event["event"] == "user"] == ["hello", "/restart"]
    assert len(stack.replies(channel, address)) >= 2


def test_unaccented_vietnamese_over_sms_is_answered_in_gsm7(stack):
    address = "+84900000777"
    for index, text in enumerate(["chao ban", "chu giu ho chieu cua em, em o dai loan"]):
        say(stack, "twilio", address, text, f"gsm-{index}")  # every reply of a turn is out before the next
    replies = stack.replies("twilio", address)
    counts = [count_segments(reply) for reply in replies]
    print("segments per reply:", [(count.encoding, count.segments) for count in counts])
    assert replies and all(count.encoding == "GSM-7" for count in counts), replies
    assert all(count.segments <= 4 for count in counts)
    assert any(HOTLINE in reply for reply in replies)


def test_rasa_killed_after_the_ack_answers_once_after_restart(stack):
    address = "+84900000999"
    actions = stack.process(ACTIONS)
    actions.send_signal(signal.SIGSTOP)  # the turn hangs on the action server
    try:
        assert stack.post(stack.webhook("twilio", address, "chu nha danh em, cuu em", "kill-1")) == 200
        wait_until(lambda: stack.redis().xpending(SMS_INBOX, GROUP)["pending"] == 1)
        stack.kill(RASA)
    finally:
        actions.send_signal(signal.SIGCONT)
    assert not stack.replies("twilio", address)
    stack.start_rasa()
    say(stack, "twilio", address, "cam on", "kill-1-barrier")
    everything = stack.replies("twilio", address)
    assert any(HOTLINE in reply for reply in everything)
    assert len(everything) == len(set(everything)), "a reply was sent twice"
    assert user_texts(stack, "twilio", address) == ["chu nha danh em, cuu em", "cam on"]
    assert stack.redis().xpending(SMS_INBOX, GROUP)["pending"] == 0


@pytest.mark.parametrize("channel", ["sms", "telegram", "zalo"])
def test_the_simulate_command_shows_what_the_provider_was_asked_to_send(stack, channel):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "simulate", channel, "chu giu ho chieu cua em", "--wait", "60"],
        cwd=ROOT, env=stack.environment, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "HTTP 200" in result.stdout and "←" in result.stdout
    if channel == "sms":
        assert "GSM-7" in result.stdout
