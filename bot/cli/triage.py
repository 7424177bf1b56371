"""`python -m bot triage`: messages on stdin, one a line; one JSON object a line on stdout:
{"text", "language", "severity", "intent", "confidence", "country", "reasons"}; "reasons" (added
after the others, which stay as they are) says what decided the severity and which danger cues
were held by their context (negated, past, hypothetical, figurative).

Whatever lines are ready on stdin are parsed together (fast on a pipe of thousands), and every
batch is flushed at once (usable line by line from another program).
"""
from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict, Iterator, List, Optional

from bot.understanding.language import best_guess
from bot.understanding.trained_model import ModelMissing, NluModel

MAX_BATCH = 512


def _entity(parse: Dict[str, Any], name: str) -> Optional[str]:
    return next((e["value"] for e in parse.get("entities") or [] if e.get("entity") == name), None)


def result_for(text: str, parse: Dict[str, Any]) -> Dict[str, Any]:
    triage = parse.get("triage") or {}
    return {
        "text": text,
        "language": parse.get("language") or best_guess(text),
        "severity": parse.get("severity") or "none",
        "intent": triage.get("intent") or (parse.get("intent") or {}).get("name"),
        "confidence": round(float(triage.get("confidence") or 0.0), 4),
        "country": _entity(parse, "country"),
        "reasons": triage.get("reasons") or {"decided_by": "classifier", "held_cues": []},
    }


def empty_result(text: str) -> Dict[str, Any]:
    return {"text": text, "language": "vi", "severity": "none", "intent": None, "confidence": 0.0, "country": None,
            "reasons": {"decided_by": "empty", "held_cues": []}}


def triage_lines(model: NluModel, lines: List[str]) -> List[Dict[str, Any]]:
    texts = [line.strip() for line in lines]
    present = [text for text in texts if text]
    parsed = iter(model.parse(present))
    return [result_for(text, next(parsed)) if text else empty_result(text) for text in texts]


def _batches(fd: int) -> Iterator[List[str]]:
    """Lines as they arrive: each read returns what is there, so a pipe's backlog is one batch."""
    pending = b""
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for start in range(0, len(complete), MAX_BATCH):
            yield [line.decode("utf-8", "replace") for line in complete[start:start + MAX_BATCH]]
    if pending.strip():
        yield [pending.decode("utf-8", "replace")]


def main(argv: List[str] | None = None) -> int:
    try:
        model = NluModel()
    except ModelMissing as error:
        print(error, file=sys.stderr)
        return 2
    out = sys.stdout
    for batch in _batches(sys.stdin.fileno()):
        for result in triage_lines(model, batch):
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return 0
