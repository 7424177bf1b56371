"""The results: an aligned table on stdout and a JSON file in bench/results/."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional

RESULTS = Path(__file__).resolve().parent / "results"
MEMORY_ROWS = ("runner", "redis", "action server", "officer console", "rasa server")


def ratio(ours: Optional[float], stock: Optional[float]) -> Optional[float]:
    if ours is None or not stock:
        return None
    return round(ours / stock, 2)


def ratios(ours: dict, stock: dict) -> Dict[str, Optional[float]]:
    """Ours divided by stock: above 1 is more throughput, but slower and bigger for the others."""
    return {
        "messages_per_s": ratio(ours["load"]["messages_per_s"], stock["load"]["messages_per_s"]),
        "p50": ratio(ours["load"]["latency_ms"]["p50"], stock["load"]["latency_ms"]["p50"]),
        "p95": ratio(ours["load"]["latency_ms"]["p95"], stock["load"]["latency_ms"]["p95"]),
        "p99": ratio(ours["load"]["latency_ms"]["p99"], stock["load"]["latency_ms"]["p99"]),
        "total_rss": ratio(ours["memory"]["peak_total_rss_mb"], stock["memory"]["peak_total_rss_mb"]),
    }


def cell(value, decimals: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{decimals}f}"
    return str(value)


def table(ours: dict, stock: dict, ratio_of: Dict[str, Optional[float]]) -> str:
    def row(label: str, pick, ratio_key: Optional[str] = None) -> List[str]:
        return [label, cell(pick(ours)), cell(pick(stock)), cell(ratio_of.get(ratio_key), 2) if ratio_key else ""]

    rows = [
        ["", "helpline", "stock", "helpline/stock"],
        row("messages/s", lambda s: s["load"]["messages_per_s"], "messages_per_s"),
        row("latency p50 (ms)", lambda s: s["load"]["latency_ms"]["p50"], "p50"),
        row("latency p95 (ms)", lambda s: s["load"]["latency_ms"]["p95"], "p95"),
        row("latency p99 (ms)", lambda s: s["load"]["latency_ms"]["p99"], "p99"),
        row("errors", lambda s: s["load"]["errors"]),
        row("empty answers", lambda s: s["load"]["empty_answers"]),
    ]
    for name in MEMORY_ROWS:
        rows.append(row(f"peak RSS {name} (MB)", lambda s, name=name: s["memory"]["peak_rss_mb"].get(name)))
    rows.append(row("peak RSS total (MB)", lambda s: s["memory"]["peak_total_rss_mb"], "total_rss"))
    return aligned(rows)


def aligned(rows: List[List[str]]) -> str:
    """Rows of cells as a table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(line[column]) for line in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join([line[0].ljust(widths[0])] + [text.rjust(width) for text, width in zip(line[1:], widths[1:])]).rstrip()
        for line in rows
    )


def write_json(report: dict, prefix: str = "") -> Path:
    """bench/results/<prefix><the report's date_utc>.json"""
    RESULTS.mkdir(parents=True, exist_ok=True)
    when = datetime.fromisoformat(report["date_utc"])
    path = RESULTS / f"{prefix}{when.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path
