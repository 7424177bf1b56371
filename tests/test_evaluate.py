"""`make eval`'s figures: per set, per kind, and the targets each set must meet."""
from __future__ import annotations

import json

from bot.cli.evaluate import EXTRA_SETS_VARIABLE, evaluate, held_out_sets, load_labelled, misses, summary
from bot.cli.main import main as bot_main


def row(text, severity, kind="plain", country=None, language="vi", **extra):
    return {"text": text, "severity": severity, "kind": kind, "country": country, "language": language, **extra}


def said(severity, country=None, language="vi", intent=None):
    return {"severity": severity, "country": country, "language": language, "intent": intent}


def test_figures_per_kind_and_the_targets_missed():
    rows = [
        row("cuu em", "critical", "short"), row("chu danh em", "critical", "plain"),
        row("chao chi", "none", "everyday_opener"), row("em o Nga", "none", "everyday_opener", country="RU"),
        row("nam ngoai bi danh, gio on roi", "none", "past"),
    ]
    predictions = [said("critical"), said("high"), said("none"), said("critical", "RU"), said("high")]
    report = evaluate(rows, predictions)
    figures = report["figures"]
    assert figures["critical_recall"] == 0.5 and figures["danger_recall"] == 1.0
    assert round(figures["none_paged_critical"], 3) == 0.333 and round(figures["none_escalated"], 3) == 0.667
    assert report["per_kind"]["everyday_opener"]["severity_right"] == 0.5
    assert report["everyday_openers_critical"] == 1
    assert not report["passed"]
    assert any("everyday openers decided critical" in s for s in report["shortfalls"])
    assert any(s.startswith("past: severity right") for s in report["shortfalls"])
    assert "intent_accuracy" not in figures  # this set has no intents


def test_a_set_that_meets_every_target_passes():
    rows = [row("cuu em", "critical", intent="emergency_violence"), row("chao chi", "none", "everyday_opener", intent="greet")]
    predictions = [said("critical", intent="emergency_violence"), said("none", intent="greet")]
    report = evaluate(rows, predictions)
    assert report["passed"] and report["shortfalls"] == [] and report["figures"]["intent_accuracy"] == 1.0
    assert "PASSED" in summary("tiny.jsonl", report, misses(rows, predictions))


def test_misses_name_only_the_fields_a_set_has():
    [miss] = misses([row("em o Dai Loan", "high", country="TW")], [said("high", country=None, intent="x")])
    assert miss["wrong"] == ["country"] and miss["kind"] == "plain"


def test_every_set_in_eval_and_the_sets_kept_outside(tmp_path):
    outside = tmp_path / "outside.jsonl"
    outside.write_text(json.dumps(row("alo", "none")) + "\n", encoding="utf-8")
    sets = held_out_sets({EXTRA_SETS_VARIABLE: str(outside)})
    assert {path.name for path in sets} >= {"heldout.jsonl", "situations.jsonl", "outside.jsonl"}
    assert load_labelled(outside)[0]["text"] == "alo"


def test_the_command_line_takes_its_options_and_refuses_a_missing_set(tmp_path, capsys):
    assert bot_main(["eval", "--data", str(tmp_path / "missing.jsonl")]) == 2
    assert "No such labelled set" in capsys.readouterr().err
