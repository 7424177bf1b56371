"""The shipped Prometheus alerting rules (config/prometheus-alerts.yml): each is complete, has its
runbook section in docs/operations.md, and names only metrics the helpline serves. (No promtool
here: PromQL syntax itself is not checked.)"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.console.metrics_view import Gauges
from bot.runtime import metrics

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "config" / "prometheus-alerts.yml"
RUNBOOK = ROOT / "docs" / "operations.md"


def rules():
    return [rule for group in yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"] for rule in group["rules"]]


def served_names() -> set:
    names = set()
    for collector in (metrics.MESSAGES, metrics.SEVERITY, metrics.CASES_OPENED, metrics.ALERTS, metrics.OUTBOX, metrics.TURN_SECONDS):
        for family in collector.describe():
            names.update({family.name, f"{family.name}_total", f"{family.name}_count", f"{family.name}_sum", f"{family.name}_bucket"})
    return names


GAUGES = {
    "helpline_queue_depth", "helpline_queue_oldest_age_seconds", "helpline_outbox_retry_waiting",
    "helpline_outbox_dead_letters", "helpline_cases_unacknowledged", "helpline_cases_unacknowledged_oldest_age_seconds",
    "helpline_metrics_scrape_errors",
}


def test_the_gauges_listed_here_are_the_ones_the_console_serves():
    source = (ROOT / "bot" / "console" / "metrics_view.py").read_text(encoding="utf-8")
    assert set(re.findall(r'"(helpline_[a-z_]+)"', source)) == GAUGES
    assert [family.name for family in Gauges().collect()] == ["helpline_metrics_scrape_errors"]


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule["alert"])
def test_each_rule_is_complete_and_has_its_runbook(rule):
    assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}
    assert rule["labels"]["severity"] in ("page", "ticket")
    assert rule["annotations"]["summary"]
    anchor = rule["annotations"]["runbook"].split("#", 1)[1]
    headings = re.findall(r"^### (\S+)$", RUNBOOK.read_text(encoding="utf-8"), re.MULTILINE)
    assert anchor in {heading.lower() for heading in headings}
    assert rule["alert"] in headings
    named = set(re.findall(r"\bhelpline_[a-z_]+", rule["expr"]))
    assert named <= served_names() | GAUGES, named - served_names() - GAUGES
    assert rule["expr"].count("(") == rule["expr"].count(")")


def test_the_alerts_the_issue_asks_for_are_there():
    names = {rule["alert"] for rule in rules()}
    assert {"HelplineCriticalCaseUnacknowledged", "HelplineOfficerAlertsFailing", "HelplineDeadLettersRising",
            "HelplineInboxBacklog"} <= names
