"""`make eval`: how well the helpline triages messages it never trained on.

Reads a labelled file (default eval/heldout.jsonl: {"text", "severity", "intent", "country",
"language"} a line), runs the same NLU as the live bot (bot.understanding.trained_model), and writes to
results/eval/: report.json (every figure), misses.jsonl (every wrong severity, intent, country or
language) and summary.md; the summary is printed too.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence

from bot.cli.triage import triage_lines
from bot.understanding.severity import SEVERITIES
from bot.understanding.trained_model import ROOT, ModelMissing, NluModel

# The acceptance bar of the triage issue; `make eval` fails when a figure is below it.
TARGETS = {
    "critical_recall": 0.98,
    "danger_recall": 0.97,
    "none_escalated_at_most": 0.05,
    "country_accuracy": 0.95,
    "language_accuracy": 0.98,
}


def load_labelled(path: Path) -> List[Dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        missing = {"text", "severity", "intent", "language"} - row.keys()
        if missing or row["severity"] not in SEVERITIES:
            raise ValueError(f"{path}:{number}: needs text, severity (critical/high/none), intent, language")
        rows.append(row)
    return rows


def per_class(gold: Sequence[str], predicted: Sequence[str]) -> Dict[str, Dict[str, float]]:
    labels = sorted(set(gold) | set(predicted))
    report = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return report


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> Dict[str, Dict[str, int]]:
    matrix: Dict[str, Counter] = defaultdict(Counter)
    for g, p in zip(gold, predicted):
        matrix[g][p] += 1
    return {g: dict(row) for g, row in sorted(matrix.items())}


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 1.0


def evaluate(rows: List[Dict[str, Any]], predictions: List[Dict[str, Any]]) -> Dict[str, Any]:
    gold_sev = [r["severity"] for r in rows]
    pred_sev = [p["severity"] for p in predictions]
    danger = [i for i, s in enumerate(gold_sev) if s != "none"]
    critical = [i for i, s in enumerate(gold_sev) if s == "critical"]
    safe = [i for i, s in enumerate(gold_sev) if s == "none"]
    figures = {
        "messages": len(rows),
        "critical_recall": _ratio(sum(pred_sev[i] == "critical" for i in critical), len(critical)),
        "danger_recall": _ratio(sum(pred_sev[i] != "none" for i in danger), len(danger)),
        "none_escalated": _ratio(sum(pred_sev[i] != "none" for i in safe), len(safe)),
        "country_accuracy": _ratio(sum(r.get("country") == p["country"] for r, p in zip(rows, predictions)), len(rows)),
        "language_accuracy": _ratio(sum(r["language"] == p["language"] for r, p in zip(rows, predictions)), len(rows)),
        "intent_accuracy": _ratio(sum(r["intent"] == p["intent"] for r, p in zip(rows, predictions)), len(rows)),
    }
    return {
        "figures": figures,
        "targets": TARGETS,
        "passed": passed(figures),
        "severity": per_class(gold_sev, pred_sev),
        "severity_confusion": confusion(gold_sev, pred_sev),
        "intent": per_class([r["intent"] for r in rows], [p["intent"] or "" for p in predictions]),
        "intent_confusion": confusion([r["intent"] for r in rows], [p["intent"] or "" for p in predictions]),
    }


def passed(figures: Dict[str, float]) -> bool:
    return (
        figures["critical_recall"] >= TARGETS["critical_recall"]
        and figures["danger_recall"] >= TARGETS["danger_recall"]
        and figures["none_escalated"] <= TARGETS["none_escalated_at_most"]
        and figures["country_accuracy"] >= TARGETS["country_accuracy"]
        and figures["language_accuracy"] >= TARGETS["language_accuracy"]
    )


def misses(rows: Iterable[Dict[str, Any]], predictions: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    found = []
    for row, prediction in zip(rows, predictions):
        wrong = [f for f in ("severity", "intent", "country", "language") if row.get(f) != prediction.get(f)]
        if wrong:
            found.append({"text": row["text"], "wrong": wrong,
                          "expected": {f: row.get(f) for f in wrong}, "got": {f: prediction.get(f) for f in wrong}})
    severity_rank = {"critical": 0, "high": 1, "none": 2}
    return sorted(found, key=lambda m: ("severity" not in m["wrong"], severity_rank.get(m["expected"].get("severity"), 3)))


def summary(report: Dict[str, Any], missed: List[Dict[str, Any]]) -> str:
    f = report["figures"]
    lines = [
        f"# Triage on {f['messages']} held-out messages",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| critical recall | {f['critical_recall']:.3f} | ≥ {TARGETS['critical_recall']} |",
        f"| critical or high recall | {f['danger_recall']:.3f} | ≥ {TARGETS['danger_recall']} |",
        f"| severity none wrongly escalated | {f['none_escalated']:.3f} | ≤ {TARGETS['none_escalated_at_most']} |",
        f"| country accuracy | {f['country_accuracy']:.3f} | ≥ {TARGETS['country_accuracy']} |",
        f"| language accuracy | {f['language_accuracy']:.3f} | ≥ {TARGETS['language_accuracy']} |",
        f"| intent accuracy | {f['intent_accuracy']:.3f} | (reported) |",
        "",
        "| severity | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for label in SEVERITIES:
        s = report["severity"].get(label, {"precision": 0, "recall": 0, "f1": 0, "support": 0})
        lines.append(f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} |")
    lines += ["", f"Severity confusion (gold → predicted): {json.dumps(report['severity_confusion'])}", ""]
    severity_misses = [m for m in missed if "severity" in m["wrong"]]
    lines.append(f"{len(severity_misses)} severity misses, {len(missed)} messages with any miss (all in misses.jsonl):")
    for miss in severity_misses[:40]:
        lines.append(f"- {miss['expected']['severity']} → {miss['got']['severity']}: {miss['text']}")
    lines += ["", "PASSED" if report["passed"] else "BELOW TARGET"]
    return "\n".join(lines)


def run(labelled: Path, out_dir: Path, model: NluModel) -> Dict[str, Any]:
    rows = load_labelled(labelled)
    predictions = triage_lines(model, [row["text"] for row in rows])
    report = evaluate(rows, predictions)
    missed = misses(rows, predictions)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    (out_dir / "misses.jsonl").write_text(
        "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in missed), encoding="utf-8"
    )
    text = summary(report, missed)
    (out_dir / "summary.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return report


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot eval")
    parser.add_argument("--data", type=Path, default=ROOT / "eval" / "heldout.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "eval")
    args = parser.parse_args(argv)
    try:
        model = NluModel()
    except ModelMissing as error:
        print(error, file=sys.stderr)
        return 2
    report = run(args.data, args.out, model)
    return 0 if report["passed"] else 1
