"""Throughput of `python -m bot triage` once the model is loaded (a benchmark, not a test).

Runs the real command twice, with one message and with N, and divides the extra messages by
the extra time, so the model's load time is left out. Messages: the held-out set, repeated.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed_run(lines: list[str]) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "triage"], input="\n".join(lines) + "\n", capture_output=True,
        text=True, env=env, cwd=ROOT, timeout=900,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or len(result.stdout.splitlines()) != len(lines):
        raise SystemExit(f"triage failed: {result.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.triage")
    parser.add_argument("--messages", type=int, default=5000)
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in (ROOT / "eval" / "heldout.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = (texts * (args.messages // len(texts) + 1))[: args.messages]
    one = timed_run(lines[:1])
    many = timed_run(lines)
    rate = (len(lines) - 1) / max(many - one, 1e-9)
    print(json.dumps({"messages": len(lines), "load_and_one_s": round(one, 2), "total_s": round(many, 2),
                      "messages_per_second_once_loaded": round(rate, 1)}))
    print(f"python -m bot triage: {rate:,.0f} messages/s once loaded ({len(lines)} messages; load {one:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
