"""The two systems under test, started and stopped as processes on 127.0.0.1.

The helpline is started exactly as `make run` starts it (`python -m bot run`, which spawns an
embedded Redis, the action server and the Rasa server); the stock assistant is `rasa run` in the
directory `rasa init` created.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Dict, List, Optional

import psutil

from bench.deadline import Deadline

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 300
STOP_TIMEOUT_SECONDS = 60
READY_BANNER = "The helpline is running"
EMBEDDED_REDIS_LINE = "Started embedded Redis on 127.0.0.1"


class StartError(RuntimeError):
    pass


def free_ports(count: int) -> List[int]:
    with ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]


def log_tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def alive(processes: List[psutil.Process]) -> List[psutil.Process]:
    return [process for process in processes if process.is_running()]


def stop_tree(process: subprocess.Popen, known: List[psutil.Process]) -> None:
    """SIGINT (Ctrl-C) to `process`, a kill after the grace period, then any descendant left over."""
    descendants = list(known)
    if process.poll() is None:
        try:
            descendants += psutil.Process(process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            pass
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            print(f"  pid {process.pid} did not stop in {STOP_TIMEOUT_SECONDS} s; killing it.", flush=True)
            process.kill()
            process.wait()
    leftovers = alive(descendants)
    for leftover in leftovers:
        leftover.terminate()
    _, still_alive = psutil.wait_procs(leftovers, timeout=10)
    for leftover in still_alive:
        leftover.kill()


def helpline_label(process: psutil.Process) -> str:
    command = process.cmdline()
    if process.name().startswith("redis"):
        return "redis"
    if "rasa_sdk" in command:
        return "action server"
    if "console" in command:
        return "officer console"
    if "rasa" in command and "run" in command:
        return "rasa server"
    return process.name()


class Helpline:
    """`python -m bot run` with free ports, a fresh state directory and its embedded Redis."""

    name = "helpline"

    def __init__(self, work_dir: Path) -> None:
        self.rasa_port, self.action_port, self.redis_port, self.console_port = free_ports(4)
        self.state_dir = work_dir / "state"
        self.log = work_dir / "helpline.log"
        self.process: Optional[subprocess.Popen] = None
        self.known: List[psutil.Process] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def environment(self) -> Dict[str, str]:
        """REDIS_URL is empty rather than absent: an absent one would let a REDIS_URL in .env win."""
        env = dict(os.environ)
        env.update(
            REDIS_URL="",
            RASA_PORT=str(self.rasa_port),
            ACTION_PORT=str(self.action_port),
            EMBEDDED_REDIS_PORT=str(self.redis_port),
            CONSOLE_PORT=str(self.console_port),
            HELPLINE_STATE_DIR=str(self.state_dir.resolve()),
            RASA_TELEMETRY_ENABLED="false",
        )
        return env

    def start(self, deadline: Deadline) -> None:
        self.state_dir.mkdir(parents=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=ROOT, env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        limit = deadline.limit(START_TIMEOUT_SECONDS)
        end = time.monotonic() + limit
        while READY_BANNER not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None:
                raise StartError(f"`python -m bot run` exited with code {self.process.returncode}:\n{log_tail(self.log)}")
            if time.monotonic() > end:
                raise StartError(f"`python -m bot run` was not ready within {limit:.0f} s:\n{log_tail(self.log)}")
            time.sleep(0.5)
        self.known = psutil.Process(self.process.pid).children(recursive=True)
        if EMBEDDED_REDIS_LINE not in self.log.read_text(errors="replace"):
            raise StartError("the helpline did not start its embedded Redis; the benchmark uses no other Redis.")

    def processes(self) -> Dict[str, psutil.Process]:
        """The runner and its children, by role."""
        assert self.process is not None
        runner = psutil.Process(self.process.pid)
        return {"runner": runner, **{helpline_label(child): child for child in runner.children()}}

    def stop(self) -> None:
        if self.process is not None:
            stop_tree(self.process, self.known)


class StockAssistant:
    """`rasa run` in a `rasa init` project: in-memory tracker store, built-in REST channel."""

    name = "stock"

    def __init__(self, project: Path, work_dir: Path) -> None:
        self.project = project
        (self.port,) = free_ports(1)
        self.log = work_dir / "stock.log"
        self.process: Optional[subprocess.Popen] = None
        self.known: List[psutil.Process] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, deadline: Deadline) -> None:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        env["RASA_TELEMETRY_ENABLED"] = "false"
        command = [
            sys.executable, "-m", "rasa", "run",
            "--model", str(self.project / "models"),
            "--port", str(self.port),
            "--interface", "127.0.0.1",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=self.project, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        limit = deadline.limit(START_TIMEOUT_SECONDS)
        end = time.monotonic() + limit
        while not http_ok(f"{self.base_url}/webhooks/rest/"):
            if self.process.poll() is not None:
                raise StartError(f"stock `rasa run` exited with code {self.process.returncode}:\n{log_tail(self.log)}")
            if time.monotonic() > end:
                raise StartError(f"stock `rasa run` was not ready within {limit:.0f} s:\n{log_tail(self.log)}")
            time.sleep(0.5)
        self.known = psutil.Process(self.process.pid).children(recursive=True)

    def processes(self) -> Dict[str, psutil.Process]:
        assert self.process is not None
        return {"rasa server": psutil.Process(self.process.pid)}

    def stop(self) -> None:
        if self.process is not None:
            stop_tree(self.process, self.known)
