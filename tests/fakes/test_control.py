"""What the fake providers share (channels/fakes/ state.py, server.py, facade.py, config.py,
cli.py): the providers' error bodies, the control API answering as FakeProviders does, logs free
of texts and recipients, thread mode for synchronous callers, the configuration read from the
helpline's variables, and `python -m bot fake-providers`."""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from channels.fakes import FakeConfig, FakeProviders, telegram_error_body, twilio_error_body, zalo_error_body
from tests.fakes.common import CHAT_ID, CONFIG, FROM, PHONE, ZALO_USER, zalo_refresh, zalo_send

# ---------------------------------------------------------------------------------------------
# Error bodies


def test_error_bodies_have_the_providers_documented_shapes():
    assert twilio_error_body(400, 21610) == {
        "code": 21610, "message": "Attempt to send to unsubscribed recipient",
        "more_info": "https://www.twilio.com/docs/errors/21610", "status": 400,
    }
    assert twilio_error_body(429)["code"] == 20429
    assert telegram_error_body(403) == {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    assert telegram_error_body(429) == {
        "ok": False, "error_code": 429, "description": "Too Many Requests: retry after 5", "parameters": {"retry_after": 5},
    }
    assert zalo_error_body(-216) == {"error": -216, "message": "Access token is invalid"}


# ---------------------------------------------------------------------------------------------
# Control API


async def get_json(http, url, **params):
    async with http.get(url, params=params) as response:
        return response.status, await response.json()


async def test_control_api_and_facade_give_the_same_answers(fake, http, twilio_client, bot):
    await twilio_client.messages.create_async(to=PHONE, from_=FROM, body="sms")
    await bot.send_message(chat_id=CHAT_ID, text="tg")
    await zalo_send(http, fake, "zalo")
    await zalo_send(http, fake, "rejected", token="wrong")
    fake.fail("telegram", 403, to=CHAT_ID)

    assert await get_json(http, f"{fake.url}/_fake/sent") == (200, fake.sent())
    assert [(m["provider"], m["text"]) for m in fake.sent()] == [("twilio", "sms"), ("telegram", "tg"), ("zalo", "zalo")]
    assert all(set(m) == {"provider", "to", "text", "at", "id", "extra"} for m in fake.sent())
    assert await get_json(http, f"{fake.url}/_fake/sent", provider="telegram") == (200, fake.sent("telegram"))
    assert await get_json(http, f"{fake.url}/_fake/requests", provider="zalo") == (200, fake.requests("zalo"))
    assert [r["outcome"] for r in fake.requests("zalo")] == ["accepted", "rejected"]
    assert await get_json(http, f"{fake.url}/_fake/state") == (200, fake.state())
    assert fake.state()["counts"] == {"twilio": 1, "telegram": 1, "zalo": 1}

    status, refused = await get_json(http, f"{fake.url}/_fake/sent", provider="fax")
    with pytest.raises(ValueError) as raised:
        fake.sent("fax")
    assert (status, refused) == (400, {"error": str(raised.value)})


async def test_control_api_queues_failures_as_the_facade_does(fake, http):
    rule = {"provider": "twilio", "to": PHONE, "status": 400, "code": 21610, "times": 2}
    async with http.post(f"{fake.url}/_fake/fail", json=rule) as response:
        assert response.status == 200
        queued = (await response.json())["queued"]
    assert queued == fake.fail(**rule)
    assert fake.state()["failures"] == [queued, queued]

    for bad in ({"provider": "fax"}, {"provider": "twilio", "times": 0}, {"provider": "twilio", "status": 99},
                {"provider": "twilio", "colour": "red"}, {"status": 500}, ["twilio"]):
        async with http.post(f"{fake.url}/_fake/fail", json=bad) as response:
            assert response.status == 400, bad
            assert (await response.json())["error"]
    with pytest.raises(ValueError):
        fake.fail("twilio", times=0)
    assert len(fake.state()["failures"]) == 2


async def test_control_api_resets_and_expires_the_zalo_token(fake, http):
    await zalo_send(http, fake, "before")
    async with http.post(f"{fake.url}/_fake/expire_token") as response:
        assert response.status == 200
    assert fake.zalo_tokens[0] is None
    assert (await zalo_send(http, fake, "hi", token=CONFIG.zalo_access_token))["error"] == -216

    async with http.delete(f"{fake.url}/_fake/sent") as response:
        assert response.status == 200
    assert fake.sent() == [] and fake.requests() == []


async def test_nothing_logged_carries_text_or_recipients(fake, http, twilio_client, bot, caplog):
    caplog.set_level(logging.DEBUG, logger="channels.fakes")
    secret_text = "Tôi bị giữ hộ chiếu ở Đài Loan"
    await twilio_client.messages.create_async(to=PHONE, from_=FROM, body=secret_text)
    await bot.send_message(chat_id=CHAT_ID, text=secret_text)
    await zalo_send(http, fake, secret_text)
    await zalo_send(http, fake, secret_text, token="wrong")
    await zalo_refresh(http, fake, fake.zalo_tokens[1])
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("channels.fakes"))
    assert logged.count("accepted message") == 3 and "rejected" in logged and "refreshed" in logged
    for clear in (secret_text, PHONE, PHONE[1:], str(CHAT_ID), ZALO_USER, CONFIG.telegram_token):
        assert clear not in logged


# ---------------------------------------------------------------------------------------------
# Thread mode and the command line


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, json.loads(response.read())


def _telegram_send(url: str, text: str) -> urllib.request.Request:
    return urllib.request.Request(
        f"{url}/bot{CONFIG.telegram_token}/sendMessage", data=json.dumps({"chat_id": CHAT_ID, "text": text}).encode(),
        headers={"Content-Type": "application/json"},
    )


def test_start_in_thread_serves_synchronous_callers_and_stops():
    fake = FakeProviders(CONFIG, port=0).start_in_thread()
    try:
        url = fake.url
        with urllib.request.urlopen(_telegram_send(url, "sync"), timeout=10) as response:
            assert json.loads(response.read())["result"]["text"] == "sync"
        assert [m["text"] for m in fake.sent()] == ["sync"]
        fake.fail("telegram", 403)
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(_telegram_send(url, "blocked"), timeout=10)
        assert raised.value.code == 403
        assert json.loads(raised.value.read())["description"] == "Forbidden: bot was blocked by the user"
        raised.value.close()
        assert _get(f"{url}/_fake/health") == (200, {"ok": True, "providers": ["twilio", "telegram", "zalo"]})
    finally:
        fake.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/_fake/health", timeout=10)


def test_sync_context_manager_and_env():
    with FakeProviders(port=0) as fake:
        assert fake.url.startswith("http://127.0.0.1:")
        assert fake.env() == {
            "TWILIO_API_BASE_URL": fake.url, "TELEGRAM_API_BASE_URL": fake.url,
            "ZALO_API_BASE_URL": fake.url, "ZALO_OAUTH_BASE_URL": fake.url,
        }
        assert fake.telegram_base_url == f"{fake.url}/bot"
    with pytest.raises(RuntimeError):
        fake.url  # noqa: B018 - not running any more


def test_sent_since_reads_only_the_new_records():
    with FakeProviders(CONFIG, port=0) as fake:
        for text in ("one", "two"):
            urllib.request.urlopen(_telegram_send(fake.url, text), timeout=10).close()
        assert [m["text"] for m in fake.sent_since(1)] == ["two"]
        assert fake.sent_since(2) == []
        with pytest.raises(LookupError):
            fake.sent_since(3)


def test_config_takes_the_helplines_own_variables():
    config = FakeConfig.from_env({"TWILIO_AUTH_TOKEN": "from-env", "ZALO_APP_ID": " 42 ", "TELEGRAM_BOT_TOKEN": ""})
    assert config.twilio_auth_token == "from-env" and config.zalo_app_id == "42"
    assert config.telegram_token == FakeConfig().telegram_token


def test_cli_prints_the_base_urls_and_serves_until_interrupted():
    root = Path(__file__).resolve().parents[2]  # tests/fakes/ -> the project
    env = {k: v for k, v in os.environ.items() if k not in FakeConfig.ENV_NAMES.values()}
    env["PYTHONPATH"] = str(root)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "fake-providers", "--port", "0"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert process.stdout is not None
    try:
        lines = []
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("Ctrl-C"):
                break
        exports = dict(line[len("export "):].split("=", 1) for line in lines if line.startswith("export "))
        base = exports["TWILIO_API_BASE_URL"]
        assert base.startswith("http://127.0.0.1:") and not base.endswith(":0")
        for name in ("TELEGRAM_API_BASE_URL", "ZALO_API_BASE_URL", "ZALO_OAUTH_BASE_URL"):
            assert exports[name] == base
        assert exports["TWILIO_ACCOUNT_SID"] == CONFIG.twilio_account_sid
        assert _get(f"{base}/_fake/health")[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
