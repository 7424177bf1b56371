"""python -m bench.channels (`make bench-channels`, and the last part of `make bench`): the SMS
(Twilio), Telegram and Zalo channels under load, against fake provider APIs on localhost.

The stack is the one the e2e tests run (tests/support/stack.py): Redis, the action server and
Rasa as separate processes, every channel mounted and pointed at channels/fakes/, which runs in
this process. For each channel in turn: one calibration conversation per script (not counted; it
also warms the channel up) counts the replies each message gets; then N conversations, C in
flight, each sending its script as correctly signed webhooks (channels/simulate.py), each message
once the previous one's replies have reached the fake provider. Measured per webhook: the
acknowledgement latency (request sent → HTTP answer read: what the provider's timeout is about)
and the reply latency (request sent → each reply recorded by the fake, from its `at` timestamp).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional

import aiohttp
import psutil

from bench.channel_driver import Driver, Mailbox, Script, Turn, unique_addresses
from bench.channel_report import report_text, summarise
from bench.common import run_benchmark, stop_quietly
from bench.deadline import Deadline, RunTimeout
from bench.memory import RssSampler
from bot.cli.run import STARTUP_TIMEOUT_SECONDS
from channels.fakes import MAX_RECORDS
from channels.outbox import DEAD_KEY
from channels.simulate import channel_of
from tests.support.stack import Stack

CHANNELS = ("sms", "telegram", "zalo")
# The same conversation written three ways; the second message is a danger (confinement, passport
# taken: critical) before the country is known, so the bot asks for it, and the third names it,
# so the action server answers with that country's numbers.
SCRIPTS: Dict[str, Script] = {
    "vi-unaccented": (
        ("greeting", "chao ban"),
        ("danger", "chu giu ho chieu cua em, khong cho em ra ngoai"),
        ("country", "em o dai loan"),
        ("question", "phi moi gioi toi da la bao nhieu"),
        ("thanks", "cam on ban nhieu"),
    ),
    "vi-accented": (
        ("greeting", "xin chào"),
        ("danger", "chủ giữ hộ chiếu của em, không cho em ra ngoài"),
        ("country", "em ở Đài Loan"),
        ("question", "phí môi giới tối đa là bao nhiêu"),
        ("thanks", "cảm ơn bạn nhiều"),
    ),
    "en": (
        ("greeting", "hello"),
        ("danger", "my employer took my passport and won't let me go out"),
        ("country", "I am in Taiwan"),
        ("question", "what is the maximum broker fee"),
        ("thanks", "thank you"),
    ),
}
REQUEST_TIMEOUT_SECONDS = 60


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.channels", description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=60, help="measured conversations per channel (default 60)")
    parser.add_argument("--concurrency", type=int, default=4, help="conversations in flight at once (default 4)")
    parser.add_argument("--channels", default=",".join(CHANNELS), help="comma-separated, of sms, telegram, zalo (default all)")
    parser.add_argument("--settle", type=float, default=1.0,
                        help="calibration: seconds without a new reply that end a turn (default 1)")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between RSS samples (default 0.2)")
    parser.add_argument("--timeout", type=float, default=1800, help="limit for the whole run, in seconds (default 1800)")
    args = parser.parse_args(argv)
    for name in ("conversations", "concurrency", "settle", "interval", "timeout"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name} must be positive")
    args.channels = [name.strip() for name in args.channels.split(",") if name.strip()]
    unknown = sorted(set(args.channels) - set(CHANNELS))
    if unknown or not args.channels:
        parser.error(f"--channels: choose from {', '.join(CHANNELS)} (got {', '.join(unknown) or 'none'})")
    if args.conversations > 500:
        parser.error(f"--conversations: at most 500 (the fake provider keeps {MAX_RECORDS} messages)")
    return args


def cpu_seconds(processes: Dict[str, psutil.Process]) -> Dict[str, float]:
    """User and system CPU time each process has used so far."""
    return {name: sum(process.cpu_times()[:2]) for name, process in processes.items()}


def stack_processes(stack: Stack) -> Dict[str, psutil.Process]:
    return {name: psutil.Process(process.pid) for name, process in stack.running().items()}


async def measure_channel(stack: Stack, channel: str, args: argparse.Namespace, run_id: str) -> dict:
    provider = channel_of(channel)
    stack.fake.reset()
    mailbox = Mailbox(stack.fake, provider)
    dead_before = stack.redis().llen(DEAD_KEY)
    names = list(SCRIPTS)
    calibration_tags = [f"cal-{run_id}-{channel}-{name}" for name in names]
    tags = [f"bench-{run_id}-{channel}-{i:04d}" for i in range(args.conversations)]
    addresses = unique_addresses(provider, calibration_tags + tags)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=args.concurrency)) as session:
        driver = Driver(session, stack, channel, mailbox)
        calibration = {}
        for name, tag, address in zip(names, calibration_tags, addresses):
            calibration[name] = await driver.calibrate(address, SCRIPTS[name], tag, args.settle)
        expected = {name: [len(replies) for replies in turns] for name, turns in calibration.items()}
        gate = asyncio.Semaphore(args.concurrency)
        scripts = [names[i % len(names)] for i in range(args.conversations)]

        async def one(address: str, name: str, tag: str) -> List[Turn]:
            async with gate:
                return await driver.converse(address, name, SCRIPTS[name], expected[name], tag)

        measured = addresses[len(names):]
        processes = {"bench (client and fake)": psutil.Process(), **stack_processes(stack)}
        cpu_before = cpu_seconds(processes)
        started = time.perf_counter()
        conversations = await asyncio.gather(*(one(a, n, t) for a, n, t in zip(measured, scripts, tags)))
        seconds = time.perf_counter() - started
        cpu = {name: round(value - cpu_before[name], 1) for name, value in cpu_seconds(processes).items()}
        await asyncio.sleep(args.settle)  # replies that come late still count, as extra ones
    extra = 0
    for address, name, turns in zip(measured, scripts, conversations):
        answered = sum(count for count, turn in zip(expected[name], turns) if turn.ack_s is not None)
        extra += max(0, len(mailbox.replies(address)) - answered)
    turns = [turn for conversation in conversations for turn in conversation]
    summary = summarise(channel, turns, seconds, extra, stack.redis().llen(DEAD_KEY) - dead_before)
    summary["cpu_s_during_load"] = cpu
    summary["replies_per_message"] = expected
    summary["calibration_replies"] = calibration
    return summary


def run(args: argparse.Namespace, work: Path) -> dict:
    deadline = Deadline(args.timeout)
    run_id = uuid.uuid4().hex[:8]
    stack = Stack(work / "stack", {"ESCALATION_ENABLED": "false"})
    print("Starting Redis, the action server and Rasa with every channel…", flush=True)
    started = time.monotonic()
    try:
        stack.start(deadline.limit(STARTUP_TIMEOUT_SECONDS))
        startup = time.monotonic() - started
        print(f"Ready in {startup:.0f} s.", flush=True)
        sampler = RssSampler(stack_processes(stack), args.interval).start()
        results = {}
        try:
            for channel in args.channels:
                print(f"{channel}: calibration, then {args.conversations} conversations × "
                      f"{len(SCRIPTS['en'])} messages at concurrency {args.concurrency}…", flush=True)
                try:
                    results[channel] = asyncio.run(asyncio.wait_for(measure_channel(stack, channel, args, run_id), deadline.rest()))
                except asyncio.TimeoutError:
                    raise RunTimeout(f"the whole run went over its {deadline.seconds:.0f} s limit (--timeout)") from None
                done = results[channel]
                print(f"{channel}: ack p95 {done['ack_ms']['p95']} ms, first reply p50 {done['first_reply_ms']['p50']} ms, "
                      f"{done['errors']} errors.", flush=True)
        finally:
            sampler.stop()
    finally:
        stop_quietly(stack.stop)
    return {"startup_s": round(startup, 1), "channels": results, "memory": sampler.result()}


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    settings = {
        "conversations_per_channel": args.conversations,
        "concurrency": args.concurrency,
        "settle_s": args.settle,
        "scripts": {name: [text for _, text in script] for name, script in SCRIPTS.items()},
    }
    return run_benchmark(
        lambda work: run(args, work), target="bench-channels", settings=settings, name="channels-",
        workload=f"{args.conversations} conversations × {len(SCRIPTS['en'])} messages per channel, concurrency {args.concurrency}",
        show=report_text,
    )


if __name__ == "__main__":
    sys.exit(main())
