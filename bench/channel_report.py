"""The channel benchmark's numbers: each channel's turns summarised, and the tables printed."""
from __future__ import annotations

import statistics
from collections import Counter
from typing import Dict, List, Optional, Sequence

from bench.channel_driver import Turn
from bench.load import ms, percentiles
from bench.report import aligned, cell
from channels.segments import GSM7, count_segments

# How long a provider waits for the webhook's answer before it counts a failure (and retries):
# Twilio's HTTP timeout is 15 s; Zalo expects the answer within about 2 s.
ACK_DEADLINES_S = {"sms": 15.0, "zalo": 2.0}


def spread(values: Sequence[float]) -> Dict[str, Optional[float]]:
    p50, p95, p99 = percentiles(values, (50, 95, 99))
    return {
        "p50": ms(p50), "p95": ms(p95), "p99": ms(p99),
        "mean": ms(statistics.fmean(values)) if values else None,
        "max": ms(max(values, default=None)),
    }


def sms_encoding(turns: Sequence[Turn]) -> Dict[str, dict]:
    """Per script: replies, the share sent as GSM-7, and segments per reply."""
    result = {}
    for name in dict.fromkeys(turn.script for turn in turns):
        counts = [count_segments(text) for turn in turns if turn.script == name for _, text in turn.replies]
        if not counts:
            continue
        segments = [count.segments for count in counts]
        result[name] = {
            "replies": len(counts),
            "gsm7_share": round(sum(count.encoding == GSM7 for count in counts) / len(counts), 3),
            "mean_segments": round(statistics.fmean(segments), 2),
            "max_segments": max(segments),
        }
    return result


def summarise(channel: str, turns: Sequence[Turn], seconds: float, extra_replies: int, dead_letters: int) -> dict:
    acks = [turn.ack_s for turn in turns if turn.ack_s is not None]
    complete = [turn for turn in turns if turn.replies and turn.error is None]
    errors = Counter(turn.error for turn in turns if turn.error)
    replies = sum(len(turn.replies) for turn in turns)
    deadline = ACK_DEADLINES_S.get(channel)
    summary = {
        "webhooks": len(turns),
        "seconds": round(seconds, 3),
        "messages_per_s": round(len(turns) / seconds, 2) if seconds else None,
        "replies": replies,
        "replies_per_s": round(replies / seconds, 2) if seconds else None,
        "ack_ms": spread(acks),
        "ack_deadline_s": deadline,
        "acks_over_deadline": None if deadline is None else sum(ack > deadline for ack in acks),
        "first_reply_ms": spread([turn.replies[0][0] for turn in turns if turn.replies]),
        "last_reply_ms": spread([turn.replies[-1][0] for turn in complete]),
        "first_reply_ms_by_role": {
            role: dict(zip(("p50", "p95"), map(ms, percentiles([t.replies[0][0] for t in turns if t.role == role and t.replies], (50, 95)))))
            for role in dict.fromkeys(turn.role for turn in turns)
        },
        "errors": sum(errors.values()),
        "errors_by_kind": dict(errors),
        "extra_replies": extra_replies,
        "dead_letters": dead_letters,
    }
    if channel == "sms":
        summary["sms"] = sms_encoding(turns)
    return summary


def channel_table(results: Dict[str, dict]) -> str:
    names = list(results)

    def row(label: str, pick, decimals: int = 1) -> List[str]:
        return [label] + [cell(pick(results[name]), decimals) for name in names]

    rows = [
        [""] + names,
        row("webhooks", lambda r: r["webhooks"]),
        row("messages/s", lambda r: r["messages_per_s"], 2),
        *(row(f"ack {point} (ms)", lambda r, point=point: r["ack_ms"][point]) for point in ("p50", "p95", "p99", "max")),
        row("provider's ack deadline (s)", lambda r: r["ack_deadline_s"], 0),
        row("acks over the deadline", lambda r: r["acks_over_deadline"]),
        *(row(f"first reply {point} (ms)", lambda r, point=point: r["first_reply_ms"][point]) for point in ("p50", "p95", "p99")),
        *(row(f"last reply {point} (ms)", lambda r, point=point: r["last_reply_ms"][point]) for point in ("p50", "p95", "p99")),
    ]
    roles = dict.fromkeys(role for name in names for role in results[name]["first_reply_ms_by_role"])
    rows += [row(f"first reply p50, {role} (ms)", lambda r, role=role: r["first_reply_ms_by_role"].get(role, {}).get("p50")) for role in roles]
    processes = dict.fromkeys(name for name in names for name in results[name]["cpu_s_during_load"])
    rows += [row(f"CPU {process} (% of a core)", lambda r, process=process: busy(r, process), 0) for process in processes]
    rows += [
        row("replies/s", lambda r: r["replies_per_s"], 2),
        row("errors", lambda r: r["errors"]),
        row("extra replies", lambda r: r["extra_replies"]),
        row("dead letters", lambda r: r["dead_letters"]),
    ]
    return aligned(rows)


def busy(result: dict, process: str) -> Optional[float]:
    """A process's CPU time during the load, as a share of the load's wall-clock time."""
    used = result["cpu_s_during_load"].get(process)
    return None if used is None or not result["seconds"] else 100 * used / result["seconds"]


def sms_table(sms: Dict[str, dict]) -> str:
    names = list(sms)
    rows = [["SMS replies, by script"] + names]
    rows.append(["replies"] + [cell(sms[name]["replies"]) for name in names])
    rows.append(["sent as GSM-7 (%)"] + [cell(100 * sms[name]["gsm7_share"], 0) for name in names])
    rows.append(["segments per reply, mean"] + [cell(sms[name]["mean_segments"], 2) for name in names])
    rows.append(["segments per reply, max"] + [cell(sms[name]["max_segments"]) for name in names])
    return aligned(rows)


def report_text(report: dict) -> str:
    parts = [channel_table(report["channels"])]
    if "sms" in report["channels"]:
        parts.append(sms_table(report["channels"]["sms"]["sms"]))
    peak = report["memory"]["peak_rss_mb"]
    parts.append("peak RSS (MB): " + ", ".join(f"{name} {value:,.1f}" for name, value in peak.items())
                 + f"; total {report['memory']['peak_total_rss_mb']:,.1f}")
    return "\n\n".join(parts)
