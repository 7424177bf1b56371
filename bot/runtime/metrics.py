"""Prometheus metrics: the counters and histograms every process adds to, and the hooks that add.

Each hook is one call at the place the event happens (channels/pipeline.py, channels/outbox.py,
bot/nlu/triage_annotator.py, bot/escalation/opening.py, bot/escalation/notify.py) and never
raises: a metrics failure is logged once at debug level and the message goes on.

Processes: Rasa (channels, triage, outbox), the action server (opening cases) and the console
(alerts, late openings) are separate. With METRICS_DIR (or prometheus-client's own
PROMETHEUS_MULTIPROC_DIR) set, every process writes its counts into files there (prometheus-client's
multiprocess mode) and the console's /metrics adds them up: one endpoint for the whole helpline.
Without it, each process counts in memory and /metrics shows the console's own counts only.
Gauges (queue depths, open cases) are not kept here: the console reads them from Redis and the
case store when scraped (bot/console/metrics_view.py). Labels are closed sets: channel, severity,
outcome, and an ISO country code; never a phone number, an id or her text.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from pathlib import Path
from typing import Iterator, Optional

logger = logging.getLogger(__name__)

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def _configured_dir() -> Optional[str]:
    """The multiprocess directory, made ready, or None (in-memory counting)."""
    chosen = os.environ.get(MULTIPROC_VARIABLE, "").strip()
    if not chosen:
        try:
            from bot.runtime.settings import Settings

            chosen = (Settings().metrics_dir or "").strip()
        except Exception:  # noqa: BLE001 - bad settings are reported by whoever starts; count in memory
            chosen = ""
    if not chosen:
        return None
    from bot.runtime.paths import PROJECT_ROOT

    path = Path(chosen) if Path(chosen).is_absolute() else PROJECT_ROOT / chosen
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        logger.warning("METRICS_DIR %s cannot be used (%s); counting in memory", path, type(error).__name__)
        return None
    # prometheus-client picks its value class when first imported, from this variable.
    os.environ[MULTIPROC_VARIABLE] = str(path)
    return str(path)


MULTIPROC_DIR = _configured_dir()

from prometheus_client import Counter, Histogram  # noqa: E402  (after the variable is set)

SEVERITIES = ("critical", "high", "none")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CHANNEL = re.compile(r"^[a-z][a-z0-9_]{0,19}$")  # a connector's name from the code: twilio, telegram, ...

MESSAGES = Counter(
    "helpline_messages_received_total",
    "Inbound messages at the channel webhooks, by channel and outcome (accepted, duplicate).",
    ["channel", "outcome"],
)
SEVERITY = Counter(
    "helpline_triage_severity_total", "Messages judged by the triage, by the severity decided.", ["severity"],
)
CASES_OPENED = Counter(
    "helpline_cases_opened_total", "New cases, by severity and country (ISO code, or unknown).", ["severity", "country"],
)
ALERTS = Counter(
    "helpline_officer_alerts_total",
    "Officer alert messages, by channel and outcome (sent; retried: a passing failure, tried again; failed: given up).",
    ["channel", "outcome"],
)
OUTBOX = Counter(
    "helpline_outbox_messages_total",
    "Replies to workers leaving the outbox, by channel and outcome (sent, retried, dead_lettered).",
    ["channel", "outcome"],
)
TURN_SECONDS = Histogram(
    "helpline_turn_duration_seconds",
    "Time Rasa took for one turn (NLU, dialogue, custom actions), by channel and outcome (ok, error).",
    ["channel", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0),
)

_warned = False


def _failed(error: Exception) -> None:
    global _warned
    if not _warned:  # once per process: a broken metrics directory must not flood the log
        _warned = True
        logger.warning("Counting a metric failed (%s); metrics may be incomplete", type(error).__name__)
    logger.debug("Metrics failure", exc_info=error)


def _channel(value: Optional[str]) -> str:
    return value if value and _CHANNEL.match(value) else "other"


def _severity(value: object) -> str:
    name = getattr(value, "name", value)
    return name if name in SEVERITIES else "other"


def _country(value: Optional[str]) -> str:
    code = (value or "").strip().upper()
    return code if _COUNTRY.match(code) else "unknown"


# --- the hooks: one call each where the event happens, never raising -------------------------


def message_received(channel: str, new: bool) -> None:
    try:
        MESSAGES.labels(_channel(channel), "accepted" if new else "duplicate").inc()
    except Exception as error:  # noqa: BLE001 - metrics never break a message
        _failed(error)


def severity_decided(severity: object) -> None:
    try:
        SEVERITY.labels(_severity(severity)).inc()
    except Exception as error:  # noqa: BLE001
        _failed(error)


def case_opened(severity: str, country: Optional[str]) -> None:
    try:
        CASES_OPENED.labels(_severity(severity), _country(country)).inc()
    except Exception as error:  # noqa: BLE001
        _failed(error)


def alerts(channel: str, outcome: str, count: int = 1) -> None:
    """``outcome``: sent, retried or failed; ``count``: the cases one message carried."""
    try:
        ALERTS.labels(channel if channel in ("telegram", "sms") else "other", outcome).inc(count)
    except Exception as error:  # noqa: BLE001
        _failed(error)


def alert_failed(channel: str, retryable: bool, count: int = 1) -> None:
    alerts(channel, "retried" if retryable else "failed", count)


def outbox(channel: str, outcome: str) -> None:
    """``outcome``: sent, retried or dead_lettered."""
    try:
        OUTBOX.labels(_channel(channel), outcome).inc()
    except Exception as error:  # noqa: BLE001
        _failed(error)


@contextlib.contextmanager
def timed_turn(channel: str) -> Iterator[None]:
    """Times the block as one turn; whatever the block raises goes on unchanged."""
    started = time.monotonic()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    finally:
        try:
            TURN_SECONDS.labels(_channel(channel), outcome).observe(time.monotonic() - started)
        except Exception as error:  # noqa: BLE001
            _failed(error)


# --- reading them back (the console's /metrics) -----------------------------------------------


def exposition(extra=None) -> bytes:
    """The text exposition of every process's counts (multiprocess mode) or this process's, plus
    ``extra`` (a collector with the gauges read at scrape time)."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    if MULTIPROC_DIR:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=MULTIPROC_DIR)
    else:
        registry = REGISTRY
    if extra is None:
        return generate_latest(registry)
    combined = CollectorRegistry()
    combined.register(_Both(registry, extra))
    return generate_latest(combined)


class _Both:
    def __init__(self, registry, extra) -> None:
        self.registry, self.extra = registry, extra

    def collect(self):
        yield from self.registry.collect()
        yield from self.extra.collect()
