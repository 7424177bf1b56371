"""Every provider channel against a running Rasa server and action server with the trained model,
the providers faked on localhost: signed requests in, replies out, nothing lost or doubled."""
from __future__ import annotations

import json
import signal
import time

import pytest

from channels.segments import count_segments
from tests.e2e.signed_webhooks import SIGNERS
from tests.e2e.stack import MODEL, Stack, replies_to, wait_for

pytestmark = pytest.mark.e2e
HOTLINE = "+84 981 84 84 84"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, fake):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does)")
    running = Stack(tmp_path_factory.mktemp("channels"), fake)
    running.start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def clean_fake(fake):
    fake.reset()


CHANNELS = ["twilio", "telegram", "zalo"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_signed_message_is_answered_at_the_provider(stack, fake, channel):
    address = SIGNERS.address(channel, "hello-1")
    assert stack.post(channel, SIGNERS.message(channel, address, "xin chào", "hello-1")) == 200
    [reply] = wait_for(lambda: replies_to(fake, channel, address))
    assert reply.startswith("Xin chào") or reply.startswith("Xin chao")


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_forged_signature_is_refused_and_nothing_is_processed(stack, fake, channel):
    address = SIGNERS.address(channel, "forged-1")
    assert stack.post(channel, SIGNERS.forged(channel, address, "xin chào", "forged-1")) == 403
    time.sleep(2)
    assert not replies_to(fake, channel, address)


@pytest.mark.parametrize("channel", CHANNELS)
def test_three_deliveries_of_one_message_get_one_reply(stack, fake, channel):
    address = SIGNERS.address(channel, "dup-1")
    for _ in range(3):
        assert stack.post(channel, SIGNERS.message(channel, address, "hello", "dup-1")) == 200
    wait_for(lambda: replies_to(fake, channel, address))
    time.sleep(3)
    assert len(replies_to(fake, channel, address)) == 1


@pytest.mark.parametrize("channel", CHANNELS)
def test_slash_restart_is_handled_as_text(stack, fake, channel):
    address = SIGNERS.address(channel, "restart-1")
    stack.post(channel, SIGNERS.message(channel, address, "hello", "restart-1a"))
    wait_for(lambda: replies_to(fake, channel, address))
    stack.post(channel, SIGNERS.message(channel, address, "/restart", "restart-1b"))
    wait_for(lambda: len(replies_to(fake, channel, address)) >= 2)
    events = json.loads(stack.redis().get(f"helpline:tracker:{stack.conversation_id(channel, address)}"))["events"]
    assert "restart" not in [event["event"] for event in events]
    assert [event.get("text") for event in events if event["event"] == "user"] == ["hello", "/restart"]


def test_unaccented_vietnamese_over_sms_is_answered_in_gsm7(stack, fake):
    address = "+84900000777"
    messages = ["chao ban", "chu giu ho chieu cua em, em o dai loan"]
    counts = []
    for index, text in enumerate(messages):
        before = len(replies_to(fake, "twilio", address))
        stack.post("twilio", SIGNERS.message("twilio", address, text, f"gsm-{index}"))
        wait_for(lambda: len(replies_to(fake, "twilio", address)) > before)
        time.sleep(2)  # a turn can have several replies
    for reply in replies_to(fake, "twilio", address):
        count = count_segments(reply)
        counts.append((count.encoding, count.segments))
        assert count.encoding == "GSM-7", reply
    print("segments per reply:", counts)
    assert all(segments <= 4 for _, segments in counts)
    assert any(HOTLINE in reply for reply in replies_to(fake, "twilio", address))


def test_rasa_killed_after_the_ack_answers_once_after_restart(stack, fake):
    address = "+84900000999"
    actions = stack.processes["actions"]
    actions.send_signal(signal.SIGSTOP)  # the turn hangs on the action server
    try:
        assert stack.post("twilio", SIGNERS.message("twilio", address, "chu nha danh em, cuu em", "kill-1")) == 200
        wait_for(lambda: stack.redis().xpending("helpline:inbox:twilio", "helpline")["pending"] == 1)
        stack.kill("rasa")
    finally:
        actions.send_signal(signal.SIGCONT)
    assert not replies_to(fake, "twilio", address)
    stack.start_rasa()
    replies = wait_for(lambda: [r for r in replies_to(fake, "twilio", address) if HOTLINE in r])
    time.sleep(3)
    everything = replies_to(fake, "twilio", address)
    assert len(everything) == len(set(everything)), "a reply was sent twice"
    assert replies and stack.redis().xpending("helpline:inbox:twilio", "helpline")["pending"] == 0


@pytest.mark.parametrize("channel", ["sms", "telegram", "zalo"])
def test_the_simulate_command_shows_what_the_provider_was_asked_to_send(stack, channel):
    import subprocess
    import sys

    from tests.e2e.stack import ROOT

    env = dict(stack.env, RASA_PORT=str(stack.rasa_port))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "simulate", channel, "chu giu ho chieu cua em", "--wait", "60"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "HTTP 200" in result.stdout and "←" in result.stdout
    if channel == "sms":
        assert "GSM-7" in result.stdout
