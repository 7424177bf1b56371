"""`python -m bot triage` (the stable interface) and the triage quality on the held-out set."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.evaluate import run
from bot.understanding.trained_model import NluModel

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
FIELDS = {"text", "language", "severity", "intent", "confidence", "country"}


def triage(lines):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "triage"], input="\n".join(lines) + "\n",
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_one_json_object_a_line_in_the_documented_shape():
    lines = ["chu giu ho chieu cua em", "Chủ đánh em, em đang ở Đài Bắc", "hello", "", "/restart", "phí dịch vụ đi Nhật bao nhiêu"]
    results = triage(lines)
    assert len(results) == len(lines)
    for line, result in zip(lines, results):
        assert set(result) == FIELDS | {"reasons"}  # fields may be added, never removed or renamed
        assert result["reasons"]["decided_by"] and isinstance(result["reasons"]["held_cues"], list)
        assert result["text"] == line
        assert result["severity"] in ("critical", "high", "none")
        assert result["language"] in ("vi", "en")
        assert result["country"] is None or len(result["country"]) == 2
    passport, beaten, hello, empty, slash, fee = results
    assert (passport["severity"], passport["intent"], passport["language"]) == ("high", "abuse_passport_withheld", "vi")
    assert (beaten["severity"], beaten["country"]) == ("critical", "TW")
    assert (hello["severity"], hello["language"]) == ("none", "en")
    assert empty["severity"] == "none"
    assert slash["intent"] != "restart"
    assert (fee["severity"], fee["country"]) == ("none", "JP")


FLOORS = json.loads((ROOT / "eval" / "floors.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(FLOORS["sets"]))
def test_no_held_out_set_gets_worse(tmp_path, name):
    # The targets of issue #12 are reported by make eval and docs/triage.md, and are not all met
    # yet; this gate keeps every held-out set from getting worse than eval/floors.json.
    report = run(ROOT / "eval" / f"{name}.jsonl", tmp_path, NluModel())
    figures, floor, tolerance = report["figures"], FLOORS["sets"][name], FLOORS["tolerance"]
    worse = [f"{key} {figures[key]:.3f} < {value}" for key, value in floor["at_least"].items() if figures[key] < value - tolerance]
    worse += [f"{key} {figures[key]:.3f} > {value}" for key, value in floor["at_most"].items() if figures[key] > value + tolerance]
    assert not worse, worse
