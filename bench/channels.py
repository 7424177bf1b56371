"""python -m bench.channels (`make bench-channels`, and the last part of `make bench`): the SMS
(Twilio), Telegram and Zalo channels under load, against fake provider APIs on localhost.

The stack is the one the e2e tests run (tests/e2e/stack.py): Redis, the action server and Rasa as
separate processes, every channel mounted and pointed at channels/fakes/, which runs in
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
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import aiohttp
import psutil
import redis

from bench.common import run_benchmark, stop_quietly
from bench.deadline import Deadline, RunTimeout
from bench.load import ms, percentiles
from bench.memory import RssSampler
from bench.report import aligned, cell
from channels.fakes import MAX_RECORDS, FakeProviders
from channels.inbox import STREAM_KEY as INBOX_KEY
from channels.outbox import DEAD_KEY
from channels.outbox import STREAM_KEY as OUTBOX_KEY
from channels.segments import GSM7, count_segments
from channels.simulate import BUILDERS, channel_of
from channels.streams import GROUP
from tests.e2e.signed_webhooks import SECRETS, SIGNERS
from tests.e2e.stack import FAKE, Stack

CHANNELS = ("sms", "telegram", "zalo")
# The same conversation written three ways; the second message is a danger (confinement, passport
# taken: critical) before the country is known, so the bot asks for it, and the third names it,
# so the action server answers with that country's numbers.
SCRIPTS: Dict[str, Tuple[Tuple[str, str], ...]] = {
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
# How long a provider waits for the webhook's answer before it counts a failure (and retries):
# Twilio's HTTP timeout is 15 s; Zalo expects the answer within about 2 s.
ACK_DEADLINES_S = {"sms": 15.0, "zalo": 2.0}
REQUEST_TIMEOUT_SECONDS = 60
REPLY_TIMEOUT_SECONDS = 60
POLL_SECONDS = 0.01
MISSING_REPLIES = "missing replies"


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


def epoch(iso: str) -> float:
    """The fake's `at` ("2026-11-23T23:01:02.123456Z") in seconds since the epoch."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


# --- driving the channel ---------------------------------------------------------------------


class Mailbox:
    """What the fake provider accepted for one provider, by recipient: (epoch seconds, text)."""

    def __init__(self, fake: FakeProviders, provider: str) -> None:
        self.fake = fake
        self.provider = provider
        self.by_address: Dict[str, List[Tuple[float, str]]] = defaultdict(list)
        self.read = 0
        self.polled = 0.0

    def accepted_since(self, start: int) -> List[dict]:
        """The fake's accepted messages (every provider's) from index `start` on."""
        try:
            return self.fake.sent_since(start)
        except LookupError:
            raise RuntimeError("the fake provider forgot messages: use fewer conversations") from None

    def replies(self, address: str) -> List[Tuple[float, str]]:
        now = time.monotonic()
        if now - self.polled >= POLL_SECONDS:
            self.polled = now
            new = self.accepted_since(self.read)
            self.read += len(new)
            for record in new:
                if record["provider"] == self.provider:
                    self.by_address[str(record["to"])].append((epoch(record["at"]), record["text"]))
        return self.by_address[address]

    async def wait(self, address: str, count: int, timeout: float) -> bool:
        """Until `address` has `count` replies in all; False after `timeout` seconds."""
        end = time.monotonic() + timeout
        while len(self.replies(address)) < count:
            if time.monotonic() > end:
                return False
            await asyncio.sleep(POLL_SECONDS)
        return True

    async def settle(self, address: str, quiet: float) -> int:
        """Until no new reply came for `quiet` seconds; the number of replies then."""
        count = len(self.replies(address))
        while await self.wait(address, count + 1, quiet):
            count = len(self.replies(address))
        return count


@dataclass
class Sent:
    at: float  # epoch seconds, just before the request
    before: int  # replies the address had then
    ack_s: Optional[float]  # request sent → 200 answer read; None otherwise
    error: Optional[str]


@dataclass
class Turn:
    """One webhook of a measured conversation and what came of it."""

    script: str
    role: str
    ack_s: Optional[float] = None
    error: Optional[str] = None
    replies: List[Tuple[float, str]] = field(default_factory=list)  # (seconds after sending, text)


class Driver:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, channel: str, mailbox: Mailbox) -> None:
        self.session = session
        self.base_url = base_url
        self.channel = channel
        self.mailbox = mailbox

    async def send(self, address: str, text: str, message_id: str) -> Sent:
        path, body, headers = BUILDERS[self.channel](SECRETS, address, text, message_id)
        before = len(self.mailbox.replies(address))
        at, started = time.time(), time.perf_counter()
        try:
            async with self.session.post(self.base_url + path, data=body, headers=headers) as answer:
                await answer.read()
                elapsed = time.perf_counter() - started
        except asyncio.TimeoutError:
            return Sent(at, before, None, "timeout")
        except aiohttp.ClientError as error:
            return Sent(at, before, None, type(error).__name__)
        if answer.status != 200:
            return Sent(at, before, None, f"HTTP {answer.status}")
        return Sent(at, before, elapsed, None)

    async def calibrate(self, address: str, script: Sequence[Tuple[str, str]], tag: str, quiet: float) -> List[List[str]]:
        """The replies to each message of the script, once each turn has been quiet for `quiet` s."""
        turns = []
        for index, (_role, text) in enumerate(script):
            sent = await self.send(address, text, f"{tag}-{index}")
            if sent.error:
                raise RuntimeError(f"calibration: the {self.channel} webhook answered {sent.error} to {text!r}")
            if not await self.mailbox.wait(address, sent.before + 1, REPLY_TIMEOUT_SECONDS):
                raise RuntimeError(f"calibration: no {self.channel} reply to {text!r} in {REPLY_TIMEOUT_SECONDS} s")
            count = await self.mailbox.settle(address, quiet)
            turns.append([text for _, text in self.mailbox.replies(address)[sent.before:count]])
        return turns

    async def converse(self, address: str, name: str, expected: Sequence[int], tag: str) -> List[Turn]:
        turns = []
        for index, ((role, text), count) in enumerate(zip(SCRIPTS[name], expected)):
            sent = await self.send(address, text, f"{tag}-{index}")
            turn = Turn(name, role, sent.ack_s, sent.error)
            if sent.error is None:
                if not await self.mailbox.wait(address, sent.before + count, REPLY_TIMEOUT_SECONDS):
                    turn.error = MISSING_REPLIES
                arrived = self.mailbox.replies(address)[sent.before:sent.before + count]
                turn.replies = [(at - sent.at, reply) for at, reply in arrived]
            turns.append(turn)
        return turns


def wait_until_taking_messages(stack: Stack, channels: Sequence[str], timeout: float = 120) -> None:
    """Until each channel's inbox and outbox workers have made their consumer groups. Until then
    its webhook answers 503 ("starting up"), which Stack's readiness check (a GET) does not see."""
    client = stack.redis()
    keys = [key.format(channel=channel_of(channel)) for channel in channels for key in (INBOX_KEY, OUTBOX_KEY)]
    end = time.monotonic() + timeout

    def ready(key: str) -> bool:
        try:
            return any(group["name"] == GROUP for group in client.xinfo_groups(key))
        except redis.ResponseError:  # no such stream yet
            return False

    while not all(ready(key) for key in keys):
        if time.monotonic() > end:
            raise RuntimeError(f"the channels were not taking messages {timeout:.0f} s after Rasa answered:\n{stack.log('rasa')}")
        time.sleep(0.2)


def cpu_seconds(processes: Dict[str, psutil.Process]) -> Dict[str, float]:
    """User and system CPU time each process has used so far."""
    return {name: sum(process.cpu_times()[:2]) for name, process in processes.items()}


def unique_addresses(provider: str, tags: Sequence[str]) -> List[str]:
    """An address of the provider's kind per tag (SIGNERS' numbers), never the same one twice."""
    taken, addresses = set(), []
    for tag in tags:
        address = SIGNERS.address(provider, tag)
        while address in taken:
            tag += "'"
            address = SIGNERS.address(provider, tag)
        taken.add(address)
        addresses.append(address)
    return addresses


async def measure_channel(stack: Stack, fake: FakeProviders, channel: str, args: argparse.Namespace, run_id: str) -> dict:
    provider = channel_of(channel)
    fake.reset()
    mailbox = Mailbox(fake, provider)
    dead_before = stack.redis().llen(DEAD_KEY)
    names = list(SCRIPTS)
    calibration_tags = [f"cal-{run_id}-{channel}-{name}" for name in names]
    tags = [f"bench-{run_id}-{channel}-{i:04d}" for i in range(args.conversations)]
    addresses = unique_addresses(provider, calibration_tags + tags)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=args.concurrency)) as session:
        driver = Driver(session, f"http://127.0.0.1:{stack.rasa_port}", channel, mailbox)
        calibration = {}
        for name, tag, address in zip(names, calibration_tags, addresses):
            calibration[name] = await driver.calibrate(address, SCRIPTS[name], tag, args.settle)
        expected = {name: [len(replies) for replies in turns] for name, turns in calibration.items()}
        gate = asyncio.Semaphore(args.concurrency)
        scripts = [names[i % len(names)] for i in range(args.conversations)]

        async def one(address: str, name: str, tag: str) -> List[Turn]:
            async with gate:
                return await driver.converse(address, name, expected[name], tag)

        measured = addresses[len(names):]
        processes = {"bench (client and fake)": psutil.Process(), **{name: psutil.Process(p.pid) for name, p in stack.processes.items()}}
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


# --- the numbers ----------------------------------------------------------------------------


def spread(values: Sequence[float]) -> Dict[str, Optional[float]]:
    p50, p95, p99 = percentiles(values, (50, 95, 99))
    return {
        "p50": ms(p50), "p95": ms(p95), "p99": ms(p99),
        "mean": ms(statistics.fmean(values)) if values else None,
        "max": ms(max(values, default=None)),
    }


def sms_encoding(turns: Sequence[Turn]) -> Dict[str, dict]:
    """Per script: replies, the share sent as GSM-7, and segments per reply."""
    result = {}
    for name in SCRIPTS:
        counts = [count_segments(text) for turn in turns if turn.script == name for _, text in turn.replies]
        if not counts:
            continue
        segments = [count.segments for count in counts]
        result[name] = {
            "replies": len(counts),
            "gsm7_share": round(sum(count.encoding == GSM7 for count in counts) / len(counts), 3),
            "mean_segments": round(statistics.fmean(segments), 2),
            "max_segments": max(segments),
        }
    return result


def summarise(channel: str, turns: Sequence[Turn], seconds: float, extra_replies: int, dead_letters: int) -> dict:
    acks = [turn.ack_s for turn in turns if turn.ack_s is not None]
    complete = [turn for turn in turns if turn.replies and turn.error is None]
    errors = Counter(turn.error for turn in turns if turn.error)
    replies = sum(len(turn.replies) for turn in turns)
    deadline = ACK_DEADLINES_S.get(channel)
    summary = {
        "webhooks": len(turns),
        "seconds": round(seconds, 3),
        "messages_per_s": round(len(turns) / seconds, 2) if seconds else None,
        "replies": replies,
        "replies_per_s": round(replies / seconds, 2) if seconds else None,
        "ack_ms": spread(acks),
        "ack_deadline_s": deadline,
        "acks_over_deadline": None if deadline is None else sum(ack > deadline for ack in acks),
        "first_reply_ms": spread([turn.replies[0][0] for turn in turns if turn.replies]),
        "last_reply_ms": spread([turn.replies[-1][0] for turn in complete]),
        "first_reply_ms_by_role": {
            role: dict(zip(("p50", "p95"), map(ms, percentiles([t.replies[0][0] for t in turns if t.role == role and t.replies], (50, 95)))))
            for role in dict.fromkeys(turn.role for turn in turns)
        },
        "errors": sum(errors.values()),
        "errors_by_kind": dict(errors),
        "extra_replies": extra_replies,
        "dead_letters": dead_letters,
    }
    if channel == "sms":
        summary["sms"] = sms_encoding(turns)
    return summary


def channel_table(results: Dict[str, dict]) -> str:
    names = list(results)

    def row(label: str, pick, decimals: int = 1) -> List[str]:
        return [label] + [cell(pick(results[name]), decimals) for name in names]

    rows = [
        [""] + names,
        row("webhooks", lambda r: r["webhooks"]),
        row("messages/s", lambda r: r["messages_per_s"], 2),
        *(row(f"ack {point} (ms)", lambda r, point=point: r["ack_ms"][point]) for point in ("p50", "p95", "p99", "max")),
        row("provider's ack deadline (s)", lambda r: r["ack_deadline_s"], 0),
        row("acks over the deadline", lambda r: r["acks_over_deadline"]),
        *(row(f"first reply {point} (ms)", lambda r, point=point: r["first_reply_ms"][point]) for point in ("p50", "p95", "p99")),
        *(row(f"last reply {point} (ms)", lambda r, point=point: r["last_reply_ms"][point]) for point in ("p50", "p95", "p99")),
    ]
    roles = dict.fromkeys(role for name in names for role in results[name]["first_reply_ms_by_role"])
    rows += [row(f"first reply p50, {role} (ms)", lambda r, role=role: r["first_reply_ms_by_role"].get(role, {}).get("p50")) for role in roles]
    processes = dict.fromkeys(name for name in names for name in results[name]["cpu_s_during_load"])
    rows += [row(f"CPU {process} (% of a core)", lambda r, process=process: busy(r, process), 0) for process in processes]
    rows += [
        row("replies/s", lambda r: r["replies_per_s"], 2),
        row("errors", lambda r: r["errors"]),
        row("extra replies", lambda r: r["extra_replies"]),
        row("dead letters", lambda r: r["dead_letters"]),
    ]
    return aligned(rows)


def busy(result: dict, process: str) -> Optional[float]:
    """A process's CPU time during the load, as a share of the load's wall-clock time."""
    used = result["cpu_s_during_load"].get(process)
    return None if used is None or not result["seconds"] else 100 * used / result["seconds"]


def sms_table(sms: Dict[str, dict]) -> str:
    names = list(sms)
    rows = [["SMS replies, by script"] + names]
    rows.append(["replies"] + [cell(sms[name]["replies"]) for name in names])
    rows.append(["sent as GSM-7 (%)"] + [cell(100 * sms[name]["gsm7_share"], 0) for name in names])
    rows.append(["segments per reply, mean"] + [cell(sms[name]["mean_segments"], 2) for name in names])
    rows.append(["segments per reply, max"] + [cell(sms[name]["max_segments"]) for name in names])
    return aligned(rows)


def report_text(report: dict) -> str:
    parts = [channel_table(report["channels"])]
    if "sms" in report["channels"]:
        parts.append(sms_table(report["channels"]["sms"]["sms"]))
    peak = report["memory"]["peak_rss_mb"]
    parts.append("peak RSS (MB): " + ", ".join(f"{name} {value:,.1f}" for name, value in peak.items())
                 + f"; total {report['memory']['peak_total_rss_mb']:,.1f}")
    return "\n\n".join(parts)


# --- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace, work: Path) -> dict:
    deadline = Deadline(args.timeout)
    run_id = uuid.uuid4().hex[:8]
    fake = FakeProviders(FAKE, port=0).start_in_thread()
    try:
        state = work / "stack"
        state.mkdir()
        stack = Stack(state, fake, extra_env={"ESCALATION_ENABLED": "false"})
        print("Starting Redis, the action server and Rasa with every channel…", flush=True)
        started = time.monotonic()
        try:
            try:
                stack.start()
            except AssertionError as error:
                raise RuntimeError(str(error)) from None
            wait_until_taking_messages(stack, args.channels)
            startup = time.monotonic() - started
            print(f"Ready in {startup:.0f} s.", flush=True)
            sampler = RssSampler({name: psutil.Process(process.pid) for name, process in stack.processes.items()}, args.interval).start()
            results = {}
            try:
                for channel in args.channels:
                    print(f"{channel}: calibration, then {args.conversations} conversations × "
                          f"{len(SCRIPTS['en'])} messages at concurrency {args.concurrency}…", flush=True)
                    try:
                        results[channel] = asyncio.run(asyncio.wait_for(measure_channel(stack, fake, channel, args, run_id), deadline.rest()))
                    except asyncio.TimeoutError:
                        raise RunTimeout(f"the whole run went over its {deadline.seconds:.0f} s limit (--timeout)") from None
                    done = results[channel]
                    print(f"{channel}: ack p95 {done['ack_ms']['p95']} ms, first reply p50 {done['first_reply_ms']['p50']} ms, "
                          f"{done['errors']} errors.", flush=True)
            finally:
                sampler.stop()
        finally:
            stop_quietly(stack.stop)
    finally:
        fake.stop()
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
