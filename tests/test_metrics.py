"""Prometheus metrics (issue #15): a handled message is counted where it happens (received, turn,
reply sent or dead-lettered, severity, case opened, alerts), a failing metric never breaks a
message, and the console's /metrics serves them to loopback or to a holder of METRICS_TOKEN only."""
from __future__ import annotations

from typing import Dict, Optional

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from rasa.shared.nlu.training_data.message import Message

from bot.console import metrics_view
from bot.nlu.triage_annotator import TriageAnnotator
from bot.runtime import metrics
from channels.outbox import SendError
from tests.channel_harness import drained
from tests.console.conftest import build_app, env  # noqa: F401  (the console's fixture)
from tests.support.echo_channel import echo_message
from tests.support.serving import serve_app
from tests.support.waiting import eventually


def samples() -> Dict[str, float]:
    """Every sample of the exposition, keyed by name and sorted labels."""
    found: Dict[str, float] = {}
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}"] = sample.value
    return found


def delta(before: Dict[str, float], after: Dict[str, float], key: str) -> float:
    return after.get(key, 0.0) - before.get(key, 0.0)


async def test_a_handled_message_is_counted_received_turned_and_answered(running):
    pipeline, bot = await running()
    before = samples()
    assert await pipeline.accept(echo_message("xin chao", "metrics-1"))
    assert not await pipeline.accept(echo_message("xin chao", "metrics-1"))  # the provider again
    await eventually(lambda: pipeline.sender.sent)
    after = samples()
    assert delta(before, after, "helpline_messages_received_total{channel=echo,outcome=accepted}") == 1
    assert delta(before, after, "helpline_messages_received_total{channel=echo,outcome=duplicate}") == 1
    assert delta(before, after, "helpline_turn_duration_seconds_count{channel=echo,outcome=ok}") == 1
    assert delta(before, after, "helpline_outbox_messages_total{channel=echo,outcome=sent}") == 1


async def test_a_reply_that_cannot_be_sent_is_counted_retried_then_dead_lettered(running):
    pipeline, _ = await running()  # outbox_max_attempts=3
    pipeline.sender.failures.extend(SendError("503", retryable=True, retry_after=0) for _ in range(3))
    before = samples()
    await pipeline.accept(echo_message("xin chao", "metrics-2"))
    await eventually(lambda: drained(pipeline.redis, pipeline.channel))
    after = samples()
    assert delta(before, after, "helpline_outbox_messages_total{channel=echo,outcome=retried}") == 2
    assert delta(before, after, "helpline_outbox_messages_total{channel=echo,outcome=dead_lettered}") == 1
    assert delta(before, after, "helpline_outbox_messages_total{channel=echo,outcome=sent}") == 0


async def test_a_broken_metric_never_breaks_a_message(running, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OSError("the metrics directory is gone")

    monkeypatch.setattr(metrics.MESSAGES, "labels", broken)
    monkeypatch.setattr(metrics.TURN_SECONDS, "labels", broken)
    monkeypatch.setattr(metrics.OUTBOX, "labels", broken)
    pipeline, _ = await running()
    assert await pipeline.accept(echo_message("xin chao", "metrics-3"))
    await eventually(lambda: pipeline.sender.sent)
    assert [item.text for item in pipeline.sender.sent] == ["you said: xin chao"]


def test_the_triage_counts_the_severity_it_decided():
    before = samples()
    message = Message(data={"text": "chủ giữ hộ chiếu của em và đánh em, cứu em với"})
    TriageAnnotator.create({}, None, None, None).process([message])  # type: ignore[arg-type]
    severity = message.get("severity")
    assert severity in metrics.SEVERITIES
    assert delta(before, samples(), f"helpline_triage_severity_total{{severity={severity}}}") == 1


def test_labels_are_closed_sets_never_her_number_or_text():
    before = samples()
    metrics.case_opened("critical", "+84900000001")
    metrics.case_opened("high", "tw")
    metrics.message_received("+84 900 000 001", True)
    after = samples()
    assert delta(before, after, "helpline_cases_opened_total{country=unknown,severity=critical}") == 1
    assert delta(before, after, "helpline_cases_opened_total{country=TW,severity=high}") == 1
    assert delta(before, after, "helpline_messages_received_total{channel=other,outcome=accepted}") == 1
    assert not [key for key in after if "84900000001" in key or "900 000" in key]


@pytest.mark.parametrize("peer, headers, token, expected", [
    ("127.0.0.1", {}, None, None),
    ("::1", {}, None, None),
    ("203.0.113.7", {}, None, 403),
    ("203.0.113.7", {}, "s3cret-token", 403),
    ("203.0.113.7", {"authorization": "Bearer s3cret-token"}, "s3cret-token", None),
    ("203.0.113.7", {"authorization": "Bearer wrong"}, "s3cret-token", 401),
    ("203.0.113.7", {"authorization": "Bearer anything"}, None, 401),
    ("127.0.0.1", {"x-forwarded-for": "203.0.113.7"}, None, 403),  # a proxy on this machine
    ("127.0.0.1", {"forwarded": "for=203.0.113.7"}, None, 403),
    ("127.0.0.1", {"authorization": "Bearer wrong"}, "s3cret-token", 401),
])
def test_who_may_read_the_metrics(peer: str, headers: Dict[str, str], token: Optional[str], expected: Optional[int]):
    assert metrics_view.refusal(peer, headers, token) == expected


async def test_the_console_serves_metrics_to_loopback_and_refuses_a_proxied_caller_without_the_token(env, monkeypatch):  # noqa: F811
    monkeypatch.setenv("METRICS_TOKEN", "s3cret-token-for-the-scraper")
    env.open_case(severity="critical")
    metrics.message_received("twilio", True)
    async with serve_app(build_app(env)) as base, aiohttp.ClientSession() as session:
        async with session.get(f"{base}/metrics") as answer:
            body = await answer.text()
            assert answer.status == 200, body
        async with session.get(f"{base}/metrics", headers={"X-Forwarded-For": "203.0.113.7"}) as refused:
            assert refused.status == 403
            assert "helpline_" not in await refused.text()
        proxied_with_token = {"X-Forwarded-For": "203.0.113.7", "Authorization": "Bearer s3cret-token-for-the-scraper"}
        async with session.get(f"{base}/metrics", headers=proxied_with_token) as allowed:
            assert allowed.status == 200
    families = {family.name: family for family in text_string_to_metric_families(body)}
    assert "helpline_messages_received" in families
    unacknowledged = {s.labels["severity"]: s.value for s in families["helpline_cases_unacknowledged"].samples}
    assert unacknowledged["critical"] == 1 and unacknowledged["high"] == 0
    depth = {(s.labels["queue"], s.labels["channel"]): s.value for s in families["helpline_queue_depth"].samples}
    assert depth[("inbox", "twilio")] == 0 and depth[("outbox", "telegram")] == 0
    assert families["helpline_metrics_scrape_errors"].samples[0].value == 0


def test_with_metrics_dir_the_counts_of_every_process_add_up(tmp_path):
    """Rasa, the action server and the console are separate processes: each writes its counts
    under METRICS_DIR, and the console's exposition sums them."""
    import os
    import subprocess
    import sys

    environment = dict(os.environ, METRICS_DIR=str(tmp_path / "metrics"))
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    count = "from bot.runtime import metrics; metrics.message_received('telegram', True); metrics.case_opened('critical', 'MY')"
    for _process in range(2):
        subprocess.run([sys.executable, "-c", count], env=environment, check=True, timeout=120)
    shown = subprocess.run(
        [sys.executable, "-c", "import sys; from bot.runtime import metrics; sys.stdout.write(metrics.exposition().decode())"],
        env=environment, check=True, timeout=120, capture_output=True, text=True,
    ).stdout
    values = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(shown) for sample in family.samples
    }
    assert values[("helpline_messages_received_total", (("channel", "telegram"), ("outcome", "accepted")))] == 2
    assert values[("helpline_cases_opened_total", (("country", "MY"), ("severity", "critical")))] == 2
    assert len(list((tmp_path / "metrics").glob("counter_*.db"))) == 2
