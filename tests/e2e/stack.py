"""Rasa, the action server, Redis (and the officer console) as separate processes, with the
providers faked on localhost: what the channel and escalation e2e tests run against."""
from __future__ import annotations

import hashlib
import hmac
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

import redis

from bot.runtime.channel_credentials import write_effective_credentials
from bot.cli.run import embedded_redis_command
from bot.runtime.settings import Settings
from channels.fakes import FakeConfig, FakeProviders
from channels.identity import KEY_NAME
from tests.conftest import free_port
from tests.e2e.signed_webhooks import PUBLIC_URL

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "helpline.tar.gz"
FAKE = FakeConfig()


class Stack:
    """Redis, the action server and Rasa as separate processes, so a test can kill one."""

    def __init__(self, state: Path, fake: FakeProviders, extra_env: Optional[Dict[str, str]] = None) -> None:
        self.state = state
        self.fake = fake
        self.redis_port, self.rasa_port, self.action_port = free_port(), free_port(), free_port()
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.processes: Dict[str, subprocess.Popen] = {}
        (state / "redis").mkdir()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "TELEGRAM_", "ZALO_"))}
        self.env.update(
            REDIS_URL=self.redis_url,
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.action_port}/webhook",
            HELPLINE_PUBLIC_URL=PUBLIC_URL,
            HELPLINE_WORKER_NAME="e2e",
            HELPLINE_STATE_DIR=str(state),
            CLAIM_IDLE_SECONDS="5",
            RASA_TELEMETRY_ENABLED="false",
            PYTHONPATH=str(ROOT),
            TWILIO_ACCOUNT_SID=FAKE.twilio_account_sid,
            TWILIO_AUTH_TOKEN=FAKE.twilio_auth_token,
            TWILIO_FROM_NUMBER="+15005550006",
            TWILIO_API_BASE_URL=fake.url,
            TELEGRAM_BOT_TOKEN=FAKE.telegram_token,
            TELEGRAM_WEBHOOK_SECRET="e2e-telegram-secret_0123456789",
            TELEGRAM_API_BASE_URL=fake.url,
            ZALO_APP_ID=FAKE.zalo_app_id,
            ZALO_APP_SECRET=FAKE.zalo_app_secret,
            ZALO_OA_SECRET_KEY="e2e-zalo-oa-secret-key",
            ZALO_ACCESS_TOKEN=FAKE.zalo_access_token,
            ZALO_REFRESH_TOKEN=FAKE.zalo_refresh_token,
            ZALO_API_BASE_URL=fake.url,
            ZALO_OAUTH_BASE_URL=fake.url,
        )
        self.env.update(extra_env or {})
        settings = Settings(_env_file=None, **{k.lower(): v for k, v in self.env.items() if k.startswith(("TWILIO_", "TELEGRAM_", "ZALO_"))}, public_url=PUBLIC_URL)
        self.credentials = state / "credentials.yml"
        self.channels = write_effective_credentials(settings, ROOT / "credentials.yml", self.credentials)

    def spawn(self, name: str, command: List[str]) -> None:
        log = (self.state / f"{name}.log").open("a")
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def log(self, name: str) -> str:
        return (self.state / f"{name}.log").read_text()[-4000:]

    def wait_http(self, name: str, url: str) -> None:
        deadline = time.monotonic() + 300
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                return
            except OSError:
                if self.processes[name].poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"{name} did not start:\n{self.log(name)}")
                time.sleep(0.3)

    def start(self) -> None:
        self.spawn("redis", embedded_redis_command(self.redis_port, self.state / "redis"))
        self.spawn("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.action_port)])
        self.start_rasa()
        self.wait_http("actions", f"http://127.0.0.1:{self.action_port}/health")

    def start_rasa(self) -> None:
        self.spawn("rasa", [
            sys.executable, "-m", "rasa", "run", "--model", str(MODEL), "--endpoints", "endpoints.yml",
            "--credentials", str(self.credentials), "--interface", "127.0.0.1", "--port", str(self.rasa_port),
        ])
        self.wait_http("rasa", f"http://127.0.0.1:{self.rasa_port}/webhooks/twilio/")

    def start_console(self, port: int) -> None:
        self.spawn("console", [sys.executable, "-m", "bot", "console", "--port", str(port)])
        self.wait_http("console", f"http://127.0.0.1:{port}/health")

    def kill(self, name: str) -> None:
        self.processes[name].kill()
        self.processes[name].wait(30)

    def stop(self) -> None:
        for name in ("rasa", "console", "actions", "redis"):
            process = self.processes.get(name)
            if process and process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.terminate()
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()

    def post(self, channel: str, webhook) -> int:
        url, body, headers = webhook
        request = urllib.request.Request(f"http://127.0.0.1:{self.rasa_port}{url}", data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def conversation_id(self, channel: str, address: str) -> str:
        key = self.redis().get(KEY_NAME).encode("ascii")
        digest = hmac.new(key, f"{channel}\0{address}".encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{channel}-{digest[:24]}"

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url, decode_responses=True)


def wait_for(condition, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)




def replies_to(fake, channel: str, address: str) -> List[str]:
    return [m["text"] for m in fake.sent(channel) if str(m["to"]) == address]
