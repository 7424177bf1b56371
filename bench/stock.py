"""The stock assistant: `rasa init --no-prompt`, created and trained once, cached in bench/.cache/stock/.

The cache is reused while its stamp names the installed Rasa version; it is built in a temporary
directory next to it and renamed into place only when training succeeded.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.deadline import Deadline

CACHE = Path(__file__).resolve().parent / ".cache"
PROJECT = CACHE / "stock"
STAMP = "bench-stamp.json"


def rasa_version() -> str:
    from importlib.metadata import version

    return version("rasa")


def is_ready(project: Path) -> bool:
    stamp = project / STAMP
    if not stamp.exists() or not any((project / "models").glob("*.tar.gz")):
        return False
    return json.loads(stamp.read_text()).get("rasa") == rasa_version()


def run_bounded(command: list, cwd: Path, log: Path, timeout: float) -> int:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["RASA_TELEMETRY_ENABLED"] = "false"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        raise TimeoutError(f"`{' '.join(command[1:])}` did not finish in {timeout:.0f} s; see {log}") from None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def prepare(deadline: Deadline) -> dict:
    """The trained stock project's path, and how long it took to get it (0 when cached)."""
    if is_ready(PROJECT):
        return {"project": PROJECT, "trained": False, "seconds": 0.0}
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"Creating and training the stock assistant in {PROJECT.relative_to(CACHE.parent.parent)} (once; a few minutes)…", flush=True)
    started = time.monotonic()
    build = Path(tempfile.mkdtemp(prefix="stock-", dir=CACHE))
    try:
        project = build / "project"
        project.mkdir()
        log = build / "init.log"
        code = run_bounded(
            [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(project)],
            cwd=build, log=log, timeout=deadline.rest(),
        )
        if code != 0 or not any((project / "models").glob("*.tar.gz")):
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            raise RuntimeError(f"`rasa init` failed with code {code}:\n{tail}")
        (project / STAMP).write_text(json.dumps({"rasa": rasa_version()}) + "\n")
        shutil.rmtree(PROJECT, ignore_errors=True)
        project.rename(PROJECT)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return {"project": PROJECT, "trained": True, "seconds": time.monotonic() - started}
