"""Conversations over the REST channel at a fixed concurrency, with per-message latency.

Each conversation has its own sender id and sends the script's messages in order, each after the
previous answer arrived; `concurrency` conversations are in flight at any time.
"""
from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Sequence

import aiohttp

REQUEST_TIMEOUT_SECONDS = 60

SCRIPT = (
    "xin chào",
    "cho em gặp người thật",
    "cam on",
    "hello",
    "I want to talk to a person",
    "bye",
)


@dataclass
class LoadResult:
    latencies: List[float] = field(default_factory=list)
    by_text: Dict[str, List[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    empty_answers: int = 0
    seconds: float = 0.0

    @property
    def messages(self) -> int:
        return len(self.latencies) + sum(self.errors.values())

    def summary(self) -> dict:
        p50, p95, p99 = percentiles(self.latencies, (50, 95, 99))
        return {
            "messages": self.messages,
            "seconds": round(self.seconds, 3),
            "messages_per_s": round(self.messages / self.seconds, 2) if self.seconds else None,
            "latency_ms": {
                "p50": ms(p50), "p95": ms(p95), "p99": ms(p99),
                "mean": ms(statistics.fmean(self.latencies)) if self.latencies else None,
                "max": ms(max(self.latencies, default=None)),
            },
            "errors": sum(self.errors.values()),
            "errors_by_kind": dict(self.errors),
            "empty_answers": self.empty_answers,
            "latency_ms_by_message": {
                text: dict(zip(("p50", "p95"), map(ms, percentiles(values, (50, 95)))))
                for text, values in self.by_text.items()
            },
        }


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def percentiles(values: Sequence[float], points: Sequence[int]) -> List[float | None]:
    """Linearly interpolated percentiles (numpy's default); below 2 values, the one value or None."""
    if len(values) < 2:
        return [values[0] if values else None for _ in points]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return [cuts[point - 1] for point in points]


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str, result: LoadResult) -> None:
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as answer:
            body = await answer.read()
            elapsed = time.perf_counter() - started
            if answer.status != 200:
                result.errors[f"HTTP {answer.status}"] += 1
                return
    except asyncio.TimeoutError:
        result.errors["timeout"] += 1
        return
    except aiohttp.ClientError as error:
        result.errors[type(error).__name__] += 1
        return
    result.latencies.append(elapsed)
    result.by_text.setdefault(text, []).append(elapsed)
    if body.strip() in (b"", b"[]"):
        result.empty_answers += 1


async def converse(session, url: str, sender: str, script: Sequence[str], result: LoadResult) -> None:
    for text in script:
        await send(session, url, sender, text, result)


async def drive(base_url: str, senders: Sequence[str], script: Sequence[str], concurrency: int) -> LoadResult:
    """Every sender's conversation, `concurrency` at a time; the wall clock covers all of them."""
    url = f"{base_url}/webhooks/rest/webhook"
    result = LoadResult()
    gate = asyncio.Semaphore(concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    connector = aiohttp.TCPConnector(limit=concurrency)

    async def one(sender: str) -> None:
        async with gate:
            await converse(session, url, sender, script, result)

    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(one(sender) for sender in senders))
        result.seconds = time.perf_counter() - started
    return result


def run_load(base_url: str, senders: Sequence[str], script: Sequence[str], concurrency: int, timeout: float) -> LoadResult:
    return asyncio.run(asyncio.wait_for(drive(base_url, senders, script, concurrency), timeout))
