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
import sys
import time
import uuid
from pathlib import Path
from typing import List, Optional

from bench.common import run_benchmark, stop_quietly
from bench.deadline import Deadline, RunTimeout
from bench.load import SCRIPT, run_load
from bench.memory import RssSampler
from bench.report import ratios, table
from bench.stock import prepare
from bench.systems import Helpline, StockAssistant
from bot.cli.run import ROOT


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
        stop_quietly(system.stop)
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
    settings = {
        "conversations": args.conversations,
        "concurrency": args.concurrency,
        "warmup_conversations": args.warmup,
        "script": list(SCRIPT),
        "messages_per_system": args.conversations * len(SCRIPT),
    }
    return run_benchmark(
        lambda work: run(args, work), target="bench", settings=settings,
        workload=f"{args.conversations} conversations × {len(SCRIPT)} messages, concurrency {args.concurrency}",
        show=lambda report: table(report["helpline"], report["stock"], report["ratios_helpline_over_stock"]),
    )


if __name__ == "__main__":
    sys.exit(main())
