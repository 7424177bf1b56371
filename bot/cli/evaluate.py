"""`make eval`: how well the helpline triages messages it never trained on, set by set, kind by kind.

Reads every labelled set in eval/ (one JSON object a line: "text", "severity", "language", and
where the set has them "country", "intent" and "kind"), plus any set kept outside the project
named in TRIAGE_EXTRA_SETS (paths separated by ":"), runs the same NLU as the live bot
(bot.understanding.trained_model), and writes to results/eval/<set>/: report.json (every figure,
per kind too), misses.jsonl (every wrong severity, intent, country or language) and summary.md;
the summaries are printed. Exits non-zero when any set is below a target. The sets only measure:
thresholds are chosen by cross-validation on the training data, never on them.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence

from bot.cli.triage import triage_lines
from bot.understanding.severity import SEVERITIES
from bot.understanding.trained_model import ROOT, ModelMissing, NluModel

# The acceptance bar of the triage issue, for every set; `make eval` fails when a set is below it.
TARGETS = {
    "critical_recall": 0.98,
    "danger_recall": 0.97,
    "none_paged_critical_at_most": 0.02,
    "none_escalated_at_most": 0.08,
    "severity_right_per_kind": 0.90,
    "country_accuracy": 0.95,
    "language_accuracy": 0.98,
}
EVERYDAY = "everyday_opener"
EXTRA_SETS_VARIABLE = "TRIAGE_EXTRA_SETS"


def load_labelled(path: Path) -> List[Dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        missing = {"text", "severity", "language"} - row.keys()
        if missing or row["severity"] not in SEVERITIES:
            raise ValueError(f"{path}:{number}: needs text, severity (critical/high/none) and language")
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


def severity_figures(rows: Sequence[Dict[str, Any]], predictions: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    gold = [r["severity"] for r in rows]
    got = [p["severity"] for p in predictions]
    danger = [i for i, s in enumerate(gold) if s != "none"]
    critical = [i for i, s in enumerate(gold) if s == "critical"]
    safe = [i for i, s in enumerate(gold) if s == "none"]
    return {
        "messages": len(rows),
        "severity_right": _ratio(sum(g == p for g, p in zip(gold, got)), len(rows)),
        "critical_recall": _ratio(sum(got[i] == "critical" for i in critical), len(critical)),
        "danger_recall": _ratio(sum(got[i] != "none" for i in danger), len(danger)),
        "none_paged_critical": _ratio(sum(got[i] == "critical" for i in safe), len(safe)) if safe else 0.0,
        "none_escalated": _ratio(sum(got[i] != "none" for i in safe), len(safe)) if safe else 0.0,
    }


def evaluate(rows: List[Dict[str, Any]], predictions: List[Dict[str, Any]]) -> Dict[str, Any]:
    figures = severity_figures(rows, predictions)
    figures["country_accuracy"] = _ratio(sum(r.get("country") == p["country"] for r, p in zip(rows, predictions)), len(rows))
    figures["language_accuracy"] = _ratio(sum(r["language"] == p["language"] for r, p in zip(rows, predictions)), len(rows))
    with_intent = [(r, p) for r, p in zip(rows, predictions) if "intent" in r]
    if with_intent:
        figures["intent_accuracy"] = _ratio(sum(r["intent"] == p["intent"] for r, p in with_intent), len(with_intent))
    kinds: Dict[str, List[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        if row.get("kind"):
            kinds[row["kind"]].append(index)
    per_kind = {
        kind: severity_figures([rows[i] for i in indexes], [predictions[i] for i in indexes])
        for kind, indexes in sorted(kinds.items())
    }
    openers_critical = sum(predictions[i]["severity"] == "critical" for i in kinds.get(EVERYDAY, []))
    gold_sev, pred_sev = [r["severity"] for r in rows], [p["severity"] for p in predictions]
    report: Dict[str, Any] = {
        "figures": figures,
        "per_kind": per_kind,
        "everyday_openers_critical": openers_critical,
        "targets": TARGETS,
        "severity": per_class(gold_sev, pred_sev),
        "severity_confusion": confusion(gold_sev, pred_sev),
    }
    if with_intent:
        report["intent_confusion"] = confusion([r["intent"] for r, _ in with_intent], [p["intent"] or "" for _, p in with_intent])
    report["shortfalls"] = shortfalls(report)
    report["passed"] = not report["shortfalls"]
    return report


def shortfalls(report: Dict[str, Any]) -> List[str]:
    """Every target a set misses, said in words."""
    f, t = report["figures"], TARGETS
    found = []
    for name in ("critical_recall", "danger_recall", "country_accuracy", "language_accuracy"):
        if f[name] < t[name]:
            found.append(f"{name} {f[name]:.3f} < {t[name]}")
    for name in ("none_paged_critical", "none_escalated"):
        if f[name] > t[f"{name}_at_most"]:
            found.append(f"{name} {f[name]:.3f} > {t[f'{name}_at_most']}")
    for kind, figures in report["per_kind"].items():
        if figures["severity_right"] < t["severity_right_per_kind"]:
            found.append(f"{kind}: severity right {figures['severity_right']:.2f} < {t['severity_right_per_kind']}")
    if report["everyday_openers_critical"]:
        found.append(f"{report['everyday_openers_critical']} everyday openers decided critical")
    return found


def misses(rows: Iterable[Dict[str, Any]], predictions: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    found = []
    for row, prediction in zip(rows, predictions):
        wrong = [f for f in ("severity", "intent", "country", "language") if f in row and row.get(f) != prediction.get(f)]
        if wrong:
            found.append({"text": row["text"], "kind": row.get("kind"), "wrong": wrong,
                          "expected": {f: row.get(f) for f in wrong}, "got": {f: prediction.get(f) for f in wrong}})
    severity_rank = {"critical": 0, "high": 1, "none": 2}
    return sorted(found, key=lambda m: ("severity" not in m["wrong"], severity_rank.get(m["expected"].get("severity"), 3)))


def summary(name: str, report: Dict[str, Any], missed: List[Dict[str, Any]]) -> str:
    f, t = report["figures"], TARGETS
    lines = [
        f"# Triage on {name}: {f['messages']} held-out messages",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| critical recall | {f['critical_recall']:.3f} | ≥ {t['critical_recall']} |",
        f"| critical or high recall | {f['danger_recall']:.3f} | ≥ {t['danger_recall']} |",
        f"| harmless paged as critical | {f['none_paged_critical']:.3f} | ≤ {t['none_paged_critical_at_most']} |",
        f"| harmless escalated at all | {f['none_escalated']:.3f} | ≤ {t['none_escalated_at_most']} |",
        f"| severity right | {f['severity_right']:.3f} | (≥ {t['severity_right_per_kind']} per kind) |",
        f"| country accuracy | {f['country_accuracy']:.3f} | ≥ {t['country_accuracy']} |",
        f"| language accuracy | {f['language_accuracy']:.3f} | ≥ {t['language_accuracy']} |",
    ]
    if "intent_accuracy" in f:
        lines.append(f"| intent accuracy | {f['intent_accuracy']:.3f} | (reported) |")
    if report["per_kind"]:
        lines += ["", "| kind | messages | severity right | critical recall | harmless escalated |", "|---|---|---|---|---|"]
        for kind, k in report["per_kind"].items():
            lines.append(f"| {kind} | {k['messages']} | {k['severity_right']:.2f} | {k['critical_recall']:.2f} | {k['none_escalated']:.2f} |")
    lines += ["", f"Severity confusion (gold → predicted): {json.dumps(report['severity_confusion'])}", ""]
    severity_misses = [m for m in missed if "severity" in m["wrong"]]
    lines.append(f"{len(severity_misses)} severity misses, {len(missed)} messages with any miss (all in misses.jsonl):")
    for miss in severity_misses[:40]:
        lines.append(f"- {miss['expected']['severity']} → {miss['got']['severity']}: {miss['text']}")
    lines += ["", "PASSED" if report["passed"] else "BELOW TARGET: " + "; ".join(report["shortfalls"])]
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
    text = summary(labelled.name, report, missed)
    (out_dir / "summary.md").write_text(text + "\n", encoding="utf-8")
    print(text, end="\n\n")
    return report


def held_out_sets(environ: Dict[str, str] | None = None) -> List[Path]:
    """eval/*.jsonl, then the sets kept outside the project (TRIAGE_EXTRA_SETS)."""
    extra = (os.environ if environ is None else environ).get(EXTRA_SETS_VARIABLE, "")
    return sorted((ROOT / "eval").glob("*.jsonl")) + [Path(p) for p in extra.split(os.pathsep) if p.strip()]


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot eval")
    parser.add_argument("--data", type=Path, action="append",
                        help=f"a labelled set (repeatable; default: every eval/*.jsonl and ${EXTRA_SETS_VARIABLE})")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "eval")
    args = parser.parse_args(argv)
    sets = args.data or held_out_sets()
    missing = [str(path) for path in sets if not path.is_file()]
    if missing:
        print(f"No such labelled set: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        model = NluModel()
    except ModelMissing as error:
        print(error, file=sys.stderr)
        return 2
    reports = {path.stem: run(path, args.out / path.stem, model) for path in sets}
    return 0 if all(report["passed"] for report in reports.values()) else 1
