"""Which contexts modify a danger cue: negated, past, hypothetical or figurative.

The ConText algorithm (Chapman et al. 2007; Harkema et al., J Biomed Inform 2009): a trigger term
modifies the cues inside its scope, which runs forward, backward or both ways from the trigger
until a terminator, the end of its clause or sentence, or its word window; a pseudo-trigger looks
like a trigger but is not one. The tables are in bot.understanding.context_triggers.

Who the danger happens to changes nothing (a friend in danger now is danger), so there is no
such context.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, List, Pattern, Tuple

from bot.understanding.context_triggers import (
    BACKWARD,
    BOTH,
    COVER,
    CURRENT,
    FORWARD,
    PSEUDO,
    SCOPE_ENDS,
    TERMINATORS,
    TRIGGERS,
    Context,
    Trigger,
)
from bot.understanding.text import fold, nfc

__all__ = ["Context", "contexts"]

Span = Tuple[int, int]

_WORD = re.compile(r"[^\W_]+")


def _words(pattern: str) -> Pattern[str]:
    return re.compile(rf"(?<![^\W_])(?:{pattern})(?![^\W_])")


_TRIGGERS: List[Tuple[Trigger, Pattern[str], Pattern[str] | None]] = [
    (t, _words(t.pattern), re.compile(t.marked) if t.marked else None) for t in TRIGGERS
]
_PSEUDO = {context: [_words(p) for p in patterns] for context, patterns in PSEUDO.items()}
_ENDS = {scope: re.compile(pattern) for scope, pattern in SCOPE_ENDS.items()}
_STOPS = {context: _words(pattern) for context, pattern in TERMINATORS.items()}


@dataclass(frozen=True)
class _Found:
    trigger: Trigger
    span: Span


@dataclass(frozen=True)
class _Reading:
    """What one text holds, whatever the cue: triggers, pseudo-triggers and scope ends."""
    text: str
    triggers: Tuple[_Found, ...]
    pseudo: Dict[str, Tuple[Span, ...]]
    ends: Dict[str, Tuple[Span, ...]]
    stops: Dict[str, Tuple[Span, ...]]


def _lower(text: str) -> str:
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _spelled_as_meant(match: re.Match[str], marked: Pattern[str] | None, bare: bool, lowered: str) -> bool:
    if marked is None:
        return True
    written = lowered[match.start():match.end()]
    if written == match.group(0):  # typed without marks
        return bare
    return marked.search(written) is not None


@lru_cache(maxsize=512)
def _read(text: str) -> _Reading:
    folded, lowered = fold(text), _lower(text)
    triggers = tuple(
        _Found(trigger, m.span())
        for trigger, pattern, marked in _TRIGGERS
        for m in pattern.finditer(folded)
        if _spelled_as_meant(m, marked, trigger.bare, lowered)
    )

    def spans(patterns: Dict[str, Pattern[str]]) -> Dict[str, Tuple[Span, ...]]:
        return {key: tuple(m.span() for m in p.finditer(folded)) for key, p in patterns.items()}

    pseudo = {context: tuple(m.span() for p in ps for m in p.finditer(folded)) for context, ps in _PSEUDO.items()}
    stops = spans(_STOPS)
    stops[Context.past] += tuple(f.span for f in triggers if f.trigger.context == CURRENT and not _is_pseudo(pseudo, f))
    return _Reading(text, triggers, pseudo, spans(_ENDS), stops)


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _inside(a: Span, gap: Span) -> bool:
    return gap[0] <= a[0] and a[1] <= gap[1]


def _is_pseudo(pseudo: Dict[str, Tuple[Span, ...]], found: _Found) -> bool:
    return any(_overlap(p, found.span) for p in pseudo.get(found.trigger.context, ()))


def _gap(found: _Found, cue: Span) -> Span | None:
    direction = found.trigger.direction
    if found.span[1] <= cue[0] and direction in (FORWARD, BOTH):
        return found.span[1], cue[0]
    if cue[1] <= found.span[0] and direction in (BACKWARD, BOTH):
        return cue[1], found.span[0]
    return None


def _reaches(reading: _Reading, found: _Found, cue: Span) -> bool:
    trigger = found.trigger
    if trigger.direction == COVER:
        return _inside(cue, found.span) and not _is_pseudo(reading.pseudo, found)
    if _overlap(found.span, cue) or _is_pseudo(reading.pseudo, found):
        return False
    gap = _gap(found, cue)
    if gap is None or len(_WORD.findall(reading.text, gap[0], gap[1])) > trigger.window:
        return False
    blocked = reading.ends[trigger.scope] + reading.stops[trigger.context]
    return not any(_inside(end, gap) for end in blocked)


def contexts(text: str, start: int, end: int) -> FrozenSet[Context]:
    """The contexts that modify the cue text[start:end]; empty when it is danger as it stands.

    The text should be NFC (connectors normalise it) so that the offsets hold after folding.
    """
    normal = nfc(text).replace("’", "'")
    reading = _read(normal if len(normal) == len(text) else text)
    found = {f.trigger.context for f in reading.triggers if _reaches(reading, f, (start, end))}
    if CURRENT in found:
        found.discard(Context.past)
    return frozenset(Context(c) for c in found if c != CURRENT)


def as_meant_now(text: str) -> str:
    """The text with every word that a negated, past, hypothetical or figurative trigger reaches
    blanked out (same length): what she says is happening now. The classifier reads this, so
    that "năm ngoái chủ cũ tát em, giờ em hỏi về bảo hiểm" is read as a question about insurance
    while the safety net still reports the held cue."""
    normal = nfc(text).replace("’", "'")
    base = normal if len(normal) == len(text) else text
    reading = _read(base)
    if not reading.triggers:
        return text
    held = [
        (m.start(), m.end()) for m in _WORD.finditer(base)
        if any(f.trigger.context != CURRENT and _reaches(reading, f, m.span()) for f in reading.triggers)
    ]
    if not held:
        return text
    chars = list(text)
    for start, end in held:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
