"""python -m bench (`make bench`): the helpline against a stock Rasa 3.6 assistant, on this machine.

For each system, one after the other: start it, send a few warm-up conversations (not counted),
then N conversations of the same fixed script at a fixed concurrency over the REST channel, and
stop it. Measured: messages per second over the whole load, per-message latency percentiles
(request sent to full answer read), non-200 answers as errors, and the peak RSS of each of the
system's processes, sampled every 0.2 s during warm-up and load. The helpline runs as `make run`
runs it (runner, embedded Redis, action server, Rasa server); the stock assistant is the project
`rasa init` creates, served by `rasa run` with its in-memory tracker store.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional

import psutil

from bench.deadline import Deadline, RunTimeout
from bench.load import SCRIPT, run_load
from bench.memory import MB, RssSampler
from bench.report import ratios, table, write_json
from bench.stock import prepare, rasa_version
from bench.systems import ROOT, Helpline, StartError, StockAssistant

MODEL = ROOT / "models" / "helpline.tar.gz"


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=40, help="measured conversations per system (default 40)")
    parser.add_argument("--concurrency", type=int, default=4, help="conversations in flight at once (default 4)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up conversations per system, not counted (default 2)")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between RSS samples (default 0.2)")
    parser.add_argument("--timeout", type=float, default=1800, help="limit for the whole run, in seconds (default 1800)")
    args = parser.parse_args(argv)
    for name in ("conversations", "concurrency", "timeout", "interval"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name} must be positive")
    if args.warmup < 0:
        parser.error("--warmup cannot be negative")
    return args


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


def raise_keyboard_interrupt(_signum, _frame):
    raise KeyboardInterrupt


def stop_quietly(system) -> None:
    """Stops the system; a second Ctrl-C or SIGTERM cannot cut the stopping short and orphan a child."""
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        system.stop()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def load(system, senders: List[str], concurrency: int, deadline: Deadline):
    try:
        return run_load(system.base_url, senders, SCRIPT, concurrency, deadline.rest())
    except asyncio.TimeoutError:
        raise RunTimeout(f"the whole run went over its {deadline.seconds:.0f} s limit (--timeout)") from None


def measure(system, args: argparse.Namespace, run_id: str, deadline: Deadline) -> dict:
    print(f"{system.name}: starting…", flush=True)
    started = time.monotonic()
    try:
        system.start(deadline)
        startup = time.monotonic() - started
        print(f"{system.name}: ready in {startup:.0f} s; warm-up, then {args.conversations} conversations "
              f"× {len(SCRIPT)} messages at concurrency {args.concurrency}…", flush=True)
        sampler = RssSampler(system.processes(), args.interval).start()
        try:
            warmup = load(system, [f"warmup-{run_id}-{i}" for i in range(args.warmup)], args.concurrency, deadline)
            measured = load(system, [f"bench-{run_id}-{i:04d}" for i in range(args.conversations)], args.concurrency, deadline)
        finally:
            sampler.stop()
    finally:
        stop_quietly(system)
    summary = measured.summary()
    print(f"{system.name}: {summary['messages_per_s']} messages/s, p50 {summary['latency_ms']['p50']} ms, "
          f"{summary['errors']} errors; stopped.", flush=True)
    return {
        "startup_s": round(startup, 1),
        "warmup": {"messages": warmup.messages, "errors": sum(warmup.errors.values())},
        "load": summary,
        "memory": sampler.result(),
    }


def run(args: argparse.Namespace, work: Path) -> dict:
    deadline = Deadline(args.timeout)
    run_id = uuid.uuid4().hex[:8]
    stock = prepare(deadline)
    ours = measure(Helpline(work), args, run_id, deadline)
    theirs = measure(StockAssistant(stock["project"], work), args, run_id, deadline)
    return {
        "helpline": ours,
        "stock": {**theirs, "project": str(stock["project"].relative_to(ROOT)), "trained_this_run": stock["trained"],
                  "training_s": round(stock["seconds"], 1)},
        "ratios_helpline_over_stock": ratios(ours, theirs),
    }


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if not MODEL.exists():
        print(f"No trained model at {MODEL.relative_to(ROOT)}: run `make train` (or `make bench`, which trains it).", file=sys.stderr)
        return 2
    # Also when started with SIGINT ignored (a background job): the children inherit the default.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    when = datetime.now(timezone.utc)
    started = time.monotonic()
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="helpline-bench-"))
    try:
        results = run(args, work)
    except KeyboardInterrupt:
        print(f"\nInterrupted; every process the benchmark started is stopped. Logs: {work}", file=sys.stderr)
        return 130
    except (StartError, RunTimeout, TimeoutError, RuntimeError) as error:
        print(f"Benchmark failed: {error}\nLogs: {work}", file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)

    report = {
        "date_utc": when.isoformat(timespec="seconds"),
        "commit": git("rev-parse", "HEAD"),
        "uncommitted_changes": bool(git("status", "--porcelain", "--untracked-files=no")),
        "machine": machine(),
        "load_average_1_5_15": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "conversations": args.conversations,
        "concurrency": args.concurrency,
        "warmup_conversations": args.warmup,
        "script": list(SCRIPT),
        "messages_per_system": args.conversations * len(SCRIPT),
        **results,
        "run_s": round(time.monotonic() - started, 1),
    }
    print()
    print(table(report["helpline"], report["stock"], report["ratios_helpline_over_stock"]))
    print(f"\n{report['machine']['cores']} cores, {args.conversations} conversations × {len(SCRIPT)} messages, "
          f"concurrency {args.concurrency}, commit {(report['commit'] or 'unknown')[:12]}, run {report['run_s']:.0f} s")
    print(f"Results: {write_json(report, when).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
