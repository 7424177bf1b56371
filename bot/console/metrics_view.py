"""GET /metrics: the helpline's Prometheus metrics, for a scraper on this machine or one holding
METRICS_TOKEN.

Who may read: a caller on loopback that came through no proxy (no Forwarded, X-Forwarded-For or
X-Real-IP header), or anyone sending "Authorization: Bearer <METRICS_TOKEN>". Everyone else gets
403 (401 with a wrong token). No sign-in cookie counts.

What it serves: the counters and histograms of every process (bot/runtime/metrics.py), and
gauges read now from Redis and the case store: inbox and outbox depth and oldest entry's age per
channel, replies waiting for a retry, dead letters, open (unacknowledged) cases and the oldest
one's age per severity. Reading a gauge that fails leaves it out and sets
helpline_metrics_scrape_errors to 1; the counters are served regardless.
"""
from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import time
from typing import Dict, List, Optional, Tuple

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import GaugeMetricFamily
from sanic.request import Request
from sanic.response import HTTPResponse, json, raw

from bot.runtime import metrics
from bot.runtime.settings import Settings
from channels.inbox import STREAM_KEY as INBOX_KEY
from channels.outbox import DEAD_KEY, DELAYED_KEY
from channels.outbox import STREAM_KEY as OUTBOX_KEY

log = logging.getLogger("bot.console")

QUEUE_CHANNELS = ("twilio", "telegram", "zalo")
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def refusal(peer: str, headers, token: Optional[str]) -> Optional[int]:
    """The status refusing this caller, or None. ``peer``: the address of the TCP peer itself,
    never one a header claims."""
    given = headers.get("authorization", "")
    if given:
        if token and hmac.compare_digest(given.encode("utf-8"), f"Bearer {token}".encode()):
            return None
        return 401
    if is_loopback(peer) and not any(headers.get(name) for name in PROXY_HEADERS):
        return None
    return 403


def _token() -> Optional[str]:
    secret = Settings().metrics_token
    value = secret.get_secret_value().strip() if secret is not None else ""
    return value or None


async def metrics_endpoint(request: Request) -> HTTPResponse:
    status = refusal(request.ip or "", request.headers, _token())
    if status is not None:
        return json({"error": "metrics are served to loopback or with Authorization: Bearer <METRICS_TOKEN>"}, status=status)
    gauges = await read_gauges(request)
    body = await asyncio.to_thread(metrics.exposition, gauges)
    return raw(body, content_type=CONTENT_TYPE_LATEST)


class Gauges:
    """The gauges read at scrape time, served beside the counters."""

    def __init__(self) -> None:
        self.families: List[GaugeMetricFamily] = []
        self.errors = 0

    def add(self, name: str, documentation: str, labels: List[str], values: Dict[Tuple[str, ...], float]) -> None:
        family = GaugeMetricFamily(name, documentation, labels=labels)
        for key, value in sorted(values.items()):
            family.add_metric(list(key), value)
        self.families.append(family)

    def collect(self):
        yield from self.families
        yield GaugeMetricFamily("helpline_metrics_scrape_errors", "1 when a gauge could not be read on this scrape.", value=float(bool(self.errors)))


async def read_gauges(request: Request) -> Gauges:
    gauges = Gauges()
    now = time.time()
    redis = getattr(getattr(request.app.ctx, "revocations", None), "redis", None)
    if redis is not None:
        try:
            await _queues(redis, now, gauges)
        except Exception as error:  # noqa: BLE001 - Redis down: served without the queue gauges
            log.warning("Metrics: could not read the queues (%s)", type(error).__name__)
            gauges.errors += 1
    try:
        open_cases = await asyncio.to_thread(request.app.ctx.store.list_cases, "open", None, None, None, 10_000)
    except Exception as error:  # noqa: BLE001 - the store down: served without the case gauges
        log.warning("Metrics: could not read the open cases (%s)", type(error).__name__)
        gauges.errors += 1
    else:
        count: Dict[Tuple[str, ...], float] = {(severity,): 0.0 for severity in metrics.SEVERITIES}
        oldest: Dict[Tuple[str, ...], float] = {(severity,): 0.0 for severity in metrics.SEVERITIES}
        for case in open_cases:
            key = (case.severity,)
            count[key] = count.get(key, 0.0) + 1
            oldest[key] = max(oldest.get(key, 0.0), now - case.created_at.timestamp())
        gauges.add("helpline_cases_unacknowledged", "Open cases no officer has acknowledged yet, by severity.", ["severity"], count)
        gauges.add("helpline_cases_unacknowledged_oldest_age_seconds",
                   "Age of the oldest case no officer has acknowledged, by severity (0 when none).", ["severity"], oldest)
    return gauges


async def _queues(redis, now: float, gauges: Gauges) -> None:
    depth: Dict[Tuple[str, ...], float] = {}
    age: Dict[Tuple[str, ...], float] = {}
    delayed: Dict[Tuple[str, ...], float] = {}
    for channel in QUEUE_CHANNELS:
        for queue, key in (("inbox", INBOX_KEY.format(channel=channel)), ("outbox", OUTBOX_KEY.format(channel=channel))):
            depth[(queue, channel)] = float(await redis.xlen(key))
            first = await redis.xrange(key, "-", "+", count=1)
            age[(queue, channel)] = _age(first, now)
        delayed[(channel,)] = float(await redis.zcard(DELAYED_KEY.format(channel=channel)))
    gauges.add("helpline_queue_depth", "Entries waiting in a queue (inbox: her messages; outbox: replies), by channel.",
               ["queue", "channel"], depth)
    gauges.add("helpline_queue_oldest_age_seconds", "Age of the oldest entry waiting in a queue (0 when empty).",
               ["queue", "channel"], age)
    gauges.add("helpline_outbox_retry_waiting", "Replies waiting for their next attempt, by channel.", ["channel"], delayed)
    gauges.add("helpline_outbox_dead_letters", "Replies that could not be sent and wait for a replay (python -m bot outbox dead).",
               [], {(): float(await redis.llen(DEAD_KEY))})


def _age(first, now: float) -> float:
    if not first:
        return 0.0
    entry_id = first[0][0]
    entry_id = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
    return max(0.0, now - int(entry_id.split("-", 1)[0]) / 1000.0)
