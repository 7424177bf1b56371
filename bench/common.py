"""What the benchmarks share: where a run happened (commit, machine, load) and how Ctrl-C or
SIGTERM stops it without orphaning a process."""
from __future__ import annotations

import hashlib
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, List, Optional

import psutil

from bench.memory import MB
from bench.report import write_json
from bench.stock import rasa_version
from bot.cli.run import MODEL, ROOT


def git(*arguments: str) -> Optional[str]:
    try:
        done = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def machine() -> dict:
    return {
        "cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_mb": round(psutil.virtual_memory().total / MB),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "rasa": rasa_version(),
    }


def source() -> dict:
    """The commit measured, and whether tracked files differed from it."""
    return {
        "commit": git("rev-parse", "HEAD"),
        "uncommitted_changes": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


def load_average() -> List[float]:
    return [round(x, 2) for x in os.getloadavg()]


def raise_keyboard_interrupt(_signum, _frame):
    raise KeyboardInterrupt


def interruptible() -> None:
    """Ctrl-C and SIGTERM raise KeyboardInterrupt, also when started with SIGINT ignored (a
    background job): the children inherit the default."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)


def stop_quietly(stop) -> None:
    """Calls `stop()`; a second Ctrl-C or SIGTERM cannot cut the stopping short and orphan a child."""
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        stop()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def run_benchmark(run: Callable[[Path], dict], *, target: str, settings: dict, workload: str,
                  show: Callable[[dict], str], name: str = "") -> int:
    """`run(work_dir)` with the trained model, stopped cleanly by Ctrl-C or SIGTERM, then the report
    (when, which commit, which machine and load, `settings`, what `run` returned, how long it all
    took): `show(report)` and a line naming `workload` on stdout, the whole in
    bench/results/<name><time>.json. Returns the exit code; on failure says what failed (`make
    target` trains a missing model) and where the logs are."""
    if not MODEL.exists():
        print(f"No trained model at {MODEL.relative_to(ROOT)}: run `make train` (or `make {target}`, which trains it).", file=sys.stderr)
        return 2
    interruptible()
    when = datetime.now(timezone.utc)
    started = time.monotonic()
    measured = {**source(), "model_sha256": hashlib.sha256(MODEL.read_bytes()).hexdigest()}
    load_before = load_average()
    if load_before[0] >= 1.0:
        print(f"Note: the load average is {load_before[0]} on {os.cpu_count()} cores; other work will slow the numbers.", flush=True)
    work = Path(tempfile.mkdtemp(prefix=f"helpline-{target}-"))
    try:
        results = run(work)
    except KeyboardInterrupt:
        print(f"\nInterrupted; every process the benchmark started is stopped. Logs: {work}", file=sys.stderr)
        return 130
    except (RuntimeError, OSError) as error:  # RunTimeout and StartupError are RuntimeErrors
        print(f"Benchmark failed: {error}\nLogs: {work}", file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    report = {
        "date_utc": when.isoformat(timespec="seconds"),
        **measured,
        "machine": machine(),
        "load_average_1_5_15": {"before": load_before, "after": load_average()},
        **settings,
        **results,
        "run_s": round(time.monotonic() - started, 1),
    }
    print()
    print(show(report))
    print(f"\n{report['machine']['cores']} cores, {workload}, commit {(report['commit'] or 'unknown')[:12]}, run {report['run_s']:.0f} s")
    print(f"Results: {write_json(report, name).relative_to(ROOT)}")
    return 0
