"""The helpline's processes for the end-to-end tests and the benchmarks, started as `make run`
starts them: bot/cli/run.py's Redis command, child environment, credentials file, readiness
checks and stop order, on free ports with a directory of their own.

`MakeRun` is `python -m bot run` itself, supervisor and all. `Stack` starts the processes one by
one (embedded Redis, action server, Rasa, and the officer console when asked for), every provider
channel pointed at fake providers in this process as `make demo` points them, so that a test can
pause or kill one process and read what the providers were asked to send.

It lives in tests/support, not in bench/: the benchmarks already build on the test support
(never the other way round), and the product imports neither.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import zlib
from pathlib import Path
from typing import Dict, List, Mapping, Optional

import psutil
import redis
import redis.asyncio as aioredis

from bot.cli.demo import FAKE_PORT_VARIABLE, apply_demo_environment
from bot.cli.run import (
    ROOT,
    STARTUP_TIMEOUT_SECONDS,
    STOP_TIMEOUT_SECONDS,
    Child,
    StartupError,
    action_server_command,
    banner,
    child_environment,
    console_command,
    embedded_redis_command,
    rasa_command,
    wait_for_http,
    wait_for_redis,
)
from bot.cli.run import Stack as Children
from bot.cli.simulate import secrets_from
from bot.runtime.append_tracker_store import stored_event_dicts
from bot.runtime.channel_credentials import write_effective_credentials
from bot.runtime.settings import Settings
from channels.fakes import FakeProviders
from channels.identity import Identities
from channels.inbox import STREAM_KEY as INBOX_KEY
from channels.outbox import STREAM_KEY as OUTBOX_KEY
from channels.simulate import BUILDERS, Webhook, channel_of
from channels.streams import GROUP
from tests.support.serving import free_port
from tests.support.waiting import wait_until

# run.py's names for its children; its Stack.stop() sends Ctrl-C to the one named RASA.
REDIS, ACTIONS, RASA, CONSOLE = "Embedded Redis", "Action server", "Rasa server", "Officer console"


def free_ports(count: int) -> List[int]:
    ports: List[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def launch(command: List[str], log: Path, env: Mapping[str, str], cwd: Path = ROOT) -> subprocess.Popen:
    """A child writing to `log`, in a session of its own as run.py starts them: a Ctrl-C at the
    terminal reaches only the caller, which stops its children in order."""
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=cwd, env=dict(env), stdout=output, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )


def log_tail(log: Path, lines: int = 40) -> str:
    if not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def stop_tree(process: subprocess.Popen, descendants: List[psutil.Process]) -> Optional[int]:
    """Ctrl-C to `process`, a kill after run.py's grace period, then whatever of its descendants
    (those given, and those it has now) outlived it. Its exit code."""
    if process.poll() is None:
        try:
            descendants = descendants + psutil.Process(process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            pass
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    leftovers = [child for child in descendants if child.is_running()]
    for leftover in leftovers:
        leftover.terminate()
    _, stubborn = psutil.wait_procs(leftovers, timeout=10)
    for leftover in stubborn:
        leftover.kill()
    return process.returncode


def ready_within(condition, timeout: float, what: str, log: Path) -> None:
    """Until `condition()`; a StartupError with the log's tail if it is not so in `timeout` s."""
    try:
        wait_until(condition, timeout=timeout, interval=0.2)
    except AssertionError:
        raise StartupError(f"{what} was not ready within {timeout:.0f} s:\n{log_tail(log)}") from None


def tracker_events(client: redis.Redis, conversation_id: str) -> List[dict]:
    """The events of a conversation as the tracker store keeps them (either format)."""
    return stored_event_dicts(client, conversation_id)


def worker_address(channel: str, tag: str) -> str:
    """An address of the channel's kind (phone number, chat id, Zalo id), the same for a tag."""
    number = zlib.crc32(tag.encode()) % 10_000_000
    return {
        "twilio": f"+849{number:08d}", "telegram": str(700_000_000 + number), "zalo": str(8_000_000_000_000_000_000 + number),
    }[channel_of(channel)]


def settings_from(variables: Mapping[str, str]) -> Settings:
    """The settings a child started with `variables` over this environment (and .env) reads."""
    fields = {env.upper(): name for name, field in Settings.__fields__.items() for env in field.field_info.extra["env_names"]}
    return Settings(_env_file=ROOT / ".env", **{fields[name]: value for name, value in variables.items() if name in fields})


class MakeRun:
    """`python -m bot run` as `make run` runs it, on free ports with a state directory of its own
    and its embedded Redis (REDIS_URL is set empty, so no REDIS_URL in .env can win)."""

    def __init__(self, directory: Path) -> None:
        self.rasa_port, self.action_port, self.redis_port, self.console_port = free_ports(4)
        self.state_dir = directory / "state"
        self.log = directory / "run.log"
        self.process: Optional[subprocess.Popen] = None
        self.descendants: List[psutil.Process] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def environment(self) -> Dict[str, str]:
        return {
            **os.environ, "REDIS_URL": "", "RASA_PORT": str(self.rasa_port), "ACTION_PORT": str(self.action_port),
            "EMBEDDED_REDIS_PORT": str(self.redis_port), "CONSOLE_PORT": str(self.console_port),
            "HELPLINE_STATE_DIR": str(self.state_dir.resolve()), "RASA_TELEMETRY_ENABLED": "false",
        }

    def start(self, timeout: float = STARTUP_TIMEOUT_SECONDS) -> MakeRun:
        """Until it prints its banner; a restart appends to the same log."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        since = self.log.stat().st_size if self.log.exists() else 0
        ready = banner(Settings.construct()).strip().splitlines()[0].encode()
        process = self.process = launch([sys.executable, "-m", "bot", "run"], self.log, self.environment())

        def running() -> bool:
            if process.poll() is not None:
                raise StartupError(f"`python -m bot run` exited with code {process.returncode}:\n{log_tail(self.log)}")
            return ready in self.log.read_bytes()[since:]

        ready_within(running, timeout, "`python -m bot run`", self.log)
        self.descendants = psutil.Process(process.pid).children(recursive=True)
        return self

    def stop(self) -> Optional[int]:
        """Ctrl-C, as at the terminal; the runner's exit code."""
        return stop_tree(self.process, self.descendants) if self.process is not None else None

    def redis(self) -> redis.Redis:
        return redis.Redis(port=self.redis_port, decode_responses=True)


class LoggedChildren(Children):
    """run.py's children (its stop order and signals), each writing to a log of its own."""

    def __init__(self, settings: Settings, logs: Path) -> None:
        super().__init__(settings)
        self.logs = logs

    def log(self, name: str) -> Path:
        return self.logs / f"{name.lower().replace(' ', '-')}.log"

    def spawn(self, name: str, command: List[str], env: Dict[str, str]) -> Child:
        child = Child(name, launch(command, self.log(name), env))
        self.children.append(child)
        return child


class Stack:
    """Embedded Redis, the action server, Rasa and (with `console`) the officer console, each its
    own process; every channel at fake providers. `variables` go over the environment."""

    def __init__(self, directory: Path, variables: Optional[Mapping[str, str]] = None, console: bool = False) -> None:
        self.directory = directory
        self.with_console = console
        self.fake = FakeProviders()
        redis_port, self.rasa_port, action_port, self.console_port = free_ports(4)
        self.variables = {
            "RASA_PORT": str(self.rasa_port), "ACTION_PORT": str(action_port), "EMBEDDED_REDIS_PORT": str(redis_port),
            "CONSOLE_PORT": str(self.console_port), "HELPLINE_STATE_DIR": str(directory / "state"),
            "RASA_TELEMETRY_ENABLED": "false", **(variables or {}),
        }
        # Known once started:
        self.settings = Settings.construct()
        self.redis_url = ""
        self.credentials = directory / "state" / "credentials.yml"
        self.children: Optional[LoggedChildren] = None
        self.environment: Dict[str, str] = {}
        self.channels: List[str] = []
        self._redis: Optional[redis.Redis] = None

    # --- starting and stopping ---------------------------------------------------------------

    def start(self, timeout: float = STARTUP_TIMEOUT_SECONDS) -> Stack:
        """Until Rasa answers and every channel takes messages; stops what it started on failure."""
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, timeout: float) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.fake.start_in_thread()
        variables = {FAKE_PORT_VARIABLE: str(self.fake.port), "RASA_PORT": self.variables["RASA_PORT"]}
        apply_demo_environment(variables)  # every channel at the fake, as `make demo` does
        variables.update(self.variables)  # the caller's last
        self.settings = settings_from(variables)
        self.children = LoggedChildren(self.settings, self.directory)
        state = ROOT / self.settings.state_dir
        (state / "redis").mkdir(parents=True, exist_ok=True)
        self.redis_url = f"redis://127.0.0.1:{self.settings.embedded_redis_port}/0"
        redis_server = self.children.spawn(REDIS, embedded_redis_command(self.settings.embedded_redis_port, state / "redis"), dict(os.environ))
        wait_for_redis(self.redis_url, timeout=20, process=redis_server.process)
        self.credentials = state / "credentials.yml"
        self.channels = write_effective_credentials(self.settings, ROOT / "credentials.yml", self.credentials)
        self.environment = {**child_environment(self.settings, self.redis_url), **variables}
        actions = self.children.spawn(ACTIONS, action_server_command(self.settings), self.environment)
        if self.with_console:
            console = self.children.spawn(CONSOLE, console_command(self.settings), self.environment)
        self.start_rasa(timeout)
        self.wait_for(f"http://127.0.0.1:{self.settings.action_port}/health", [actions], timeout)
        if self.with_console:
            self.wait_for(f"{self.console_url}/health", [console], timeout)
        ready_within(self.taking_messages, timeout, "the channels' workers", self.children.log(RASA))

    def start_rasa(self, timeout: float = STARTUP_TIMEOUT_SECONDS) -> None:
        """Rasa, as at the start; again after kill(RASA)."""
        rasa = self.children.spawn(RASA, rasa_command(self.settings, self.credentials), self.environment)
        actions = [child for child in self.children.children if child.name == ACTIONS]
        self.wait_for(f"{self.base_url}/webhooks/rest/", [rasa, *actions], timeout)

    def wait_for(self, url: str, children: List[Child], timeout: float) -> None:
        """run.py's readiness check, with the children's logs when it fails."""
        try:
            wait_for_http(url, timeout, children)
        except StartupError as error:
            logs = "\n".join(f"--- {child.name}:\n{self.log(child.name)}" for child in children)
            raise StartupError(f"{error}\n{logs}") from None

    def taking_messages(self) -> bool:
        """Each channel's inbox and outbox workers have made their consumer groups: until then its
        webhook answers 503 ("starting up"), which Rasa's readiness does not tell."""
        keys = [key.format(channel=channel) for channel in self.channels for key in (INBOX_KEY, OUTBOX_KEY)]
        try:
            return all(any(group["name"] == GROUP for group in self.redis().xinfo_groups(key)) for key in keys)
        except redis.ResponseError:  # no such stream yet
            return False

    def stop(self) -> None:
        if self.children is not None:
            self.children.stop()
        if self._redis is not None:
            self._redis.close()
            self._redis = None
        self.fake.stop()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- the processes -----------------------------------------------------------------------

    def process(self, name: str) -> subprocess.Popen:
        """The latest process started under run.py's `name` (REDIS, ACTIONS, RASA or CONSOLE)."""
        return self.running()[name]

    def running(self) -> Dict[str, subprocess.Popen]:
        return {child.name: child.process for child in self.children.children} if self.children else {}

    def kill(self, name: str) -> None:
        self.process(name).kill()
        self.process(name).wait(30)

    def log(self, name: str) -> str:
        return log_tail(self.children.log(name)) if self.children else ""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def console_url(self) -> str:
        return f"http://127.0.0.1:{self.console_port}"

    def redis(self) -> redis.Redis:
        if self._redis is None:
            self._redis = redis.Redis.from_url(self.redis_url, decode_responses=True)
        return self._redis

    # --- talking to it as the providers do -----------------------------------------------------

    def webhook(self, channel: str, address: str, text: str, message_id: str, forged: bool = False) -> Webhook:
        """The provider's webhook for a message, signed with the stack's secrets (or forged)."""
        return BUILDERS[channel](secrets_from(self.settings), address, text, message_id, forged=forged)

    def post(self, webhook: Webhook) -> int:
        """POSTs a webhook to Rasa; the HTTP status."""
        path, body, headers = webhook
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def replies(self, channel: str, address: str) -> List[str]:
        """What the fake provider was asked to send to `address`, in order."""
        return [m["text"] for m in self.fake.sent(channel_of(channel)) if str(m["to"]) == address]

    def answered(self, channel: str) -> bool:
        """Every message the channel accepted is handled and its replies are sent: its inbox and
        outbox streams are empty (an entry leaves only once done, see channels/streams.py)."""
        client = self.redis()
        return all(client.xlen(key.format(channel=channel_of(channel))) == 0 for key in (INBOX_KEY, OUTBOX_KEY))

    def conversation_id(self, channel: str, address: str) -> str:
        """Rasa's conversation id for a provider address (channels/identity.py's)."""
        async def lookup() -> str:
            client = aioredis.Redis.from_url(self.redis_url, decode_responses=True)
            try:
                return await Identities(client, ttl_seconds=60).conversation_id(channel_of(channel), address)
            finally:
                await client.close()

        return asyncio.run(lookup())

    def tracker_events(self, channel: str, address: str) -> List[dict]:
        return tracker_events(self.redis(), self.conversation_id(channel, address))
