"""Prints the summary of `rasa test nlu --cross-validation` (results/crossval/intent_report.json)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.understanding.intents import INTENTS
from bot.understanding.severity import Severity


def main(folder: str) -> int:
    report = json.loads((Path(folder) / "intent_report.json").read_text(encoding="utf-8"))
    print("\nNLU cross-validation (3 folds), intent classifier alone, before the safety net:")
    print(f"  accuracy {report['accuracy']:.3f}, macro F1 {report['macro avg']['f1-score']:.3f}, "
          f"weighted F1 {report['weighted avg']['f1-score']:.3f}")
    worst = sorted(
        ((name, figures) for name, figures in report.items() if isinstance(figures, dict) and name in INTENTS),
        key=lambda item: item[1]["f1-score"],
    )[:8]
    for name, figures in worst:
        marker = "!" if INTENTS[name].severity > Severity.none else " "
        print(f"  {marker} {name:28} F1 {figures['f1-score']:.3f}  recall {figures['recall']:.3f}  n={figures['support']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "results/crossval"))
