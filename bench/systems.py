"""The two systems under test, started and stopped as processes on 127.0.0.1.

The helpline is started exactly as `make run` starts it (tests/support/stack.py's MakeRun:
`python -m bot run`, which spawns an embedded Redis, the action server, the Rasa server and the
officer console); the stock assistant is `rasa run` in the directory `rasa init` created.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import psutil

from bench.deadline import Deadline
from bot.cli.run import STARTUP_TIMEOUT_SECONDS, Child, StartupError, wait_for_http
from tests.support.stack import MakeRun, free_ports, launch, log_tail, stop_tree


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
        self.run = MakeRun(work_dir)

    @property
    def base_url(self) -> str:
        return self.run.base_url

    def start(self, deadline: Deadline) -> None:
        self.run.start(deadline.limit(STARTUP_TIMEOUT_SECONDS))
        if "redis" not in self.processes():
            raise StartupError("the helpline did not start its embedded Redis; the benchmark uses no other Redis.")

    def processes(self) -> Dict[str, psutil.Process]:
        """The runner and its children, by role."""
        assert self.run.process is not None
        runner = psutil.Process(self.run.process.pid)
        return {"runner": runner, **{helpline_label(child): child for child in runner.children()}}

    def stop(self) -> None:
        self.run.stop()


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
        self.process = launch(command, self.log, env, cwd=self.project)
        try:
            wait_for_http(f"{self.base_url}/webhooks/rest/", deadline.limit(STARTUP_TIMEOUT_SECONDS), [Child("stock `rasa run`", self.process)])
        except StartupError as error:
            raise StartupError(f"{error}\n{log_tail(self.log)}") from None
        self.known = psutil.Process(self.process.pid).children(recursive=True)

    def processes(self) -> Dict[str, psutil.Process]:
        assert self.process is not None
        return {"rasa server": psutil.Process(self.process.pid)}

    def stop(self) -> None:
        if self.process is not None:
            stop_tree(self.process, self.known)
