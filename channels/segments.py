"""SMS segments and encodings, reply folding to GSM-7, and splitting long replies per channel.

SMS (Twilio): a message that is all GSM 03.38 goes as GSM-7, 160 septets in one segment or 153
per concatenated segment; one other character switches the whole message to UCS-2, 70 UTF-16
units or 67 per segment. Almost every Vietnamese letter with a mark is outside GSM-7, so a reply
with diacritics costs more than twice as many segments as the same reply without them.
Telegram counts 4096 UTF-16 units a message, Zalo 2000 characters.

Pure functions: no I/O, no Rasa. Hand-written on purpose: no library counts segments as Twilio
bills them and folds Vietnamese to GSM-7 (docs/architecture.md, "What stays hand-written").
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import partial
from typing import Callable, Dict, List, Optional, Tuple

from bot.understanding.text import has_vietnamese_marks, nfc

GSM7 = "GSM-7"
UCS2 = "UCS-2"

GSM7_SINGLE = 160
GSM7_PER_SEGMENT = 153
UCS2_SINGLE = 70
UCS2_PER_SEGMENT = 67

TELEGRAM_MAX_UTF16_UNITS = 4096
ZALO_MAX_CHARS = 2000

ELLIPSIS = "..."

# GSM 03.38 default alphabet in code order, 0x00-0x7F; 0x1B is the escape to the extension
# table, not a character, and is left out.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# Extension table: each is sent as ESC + code, so it costs 2 septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
_GSM7 = GSM7_BASIC | GSM7_EXTENSION


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # GSM7 or UCS2
    units: int  # septets (extension characters count 2) or UTF-16 code units
    segments: int


@dataclass(frozen=True)
class SmsText:
    text: str
    encoding: str
    segments: int
    truncated: bool


def is_gsm7(text: str) -> bool:
    """Whether the text, NFC-normalised as it is sent, can go as GSM-7."""
    return all(char in _GSM7 for char in nfc(text))


def utf16_units(text: str) -> int:
    """Length as Telegram and UCS-2 count it: characters outside the BMP count 2."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def gsm7_septets(text: str) -> int:
    return sum(2 if char in GSM7_EXTENSION else 1 for char in text)


def _packed_segments(costs: List[int], single: int, per_segment: int) -> int:
    """Segments when each character (cost 1 or 2) must sit whole inside one segment.

    An escape sequence or a surrogate pair is never split across concatenated segments, so a
    segment may end one unit short and plain division would under-count.
    """
    total = sum(costs)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > per_segment:
            segments, used = segments + 1, 0
        used += cost
    return segments


def count_segments(text: str) -> SegmentCount:
    text = nfc(text)
    if is_gsm7(text):
        costs = [2 if char in GSM7_EXTENSION else 1 for char in text]
        encoding, single, per_segment = GSM7, GSM7_SINGLE, GSM7_PER_SEGMENT
    else:
        costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
        encoding, single, per_segment = UCS2, UCS2_SINGLE, UCS2_PER_SEGMENT
    return SegmentCount(encoding, sum(costs), _packed_segments(costs, single, per_segment))


# --- folding to GSM-7 ---------------------------------------------------------------------

# The marks Vietnamese puts on vowels: five tones, and breve, circumflex and horn.
_VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0306\u0302\u031b")
_VIETNAMESE_VOWELS = frozenset("aeiouyAEIOUY")

_REPLACEMENTS: Dict[str, str] = {
    "Đ": "D", "đ": "d", "Ð": "D", "ð": "d",
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "ʼ": "'", "´": "'", "`": "'",
    "‹": "'", "›": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "⁃": "-",
    "…": "...",
    "•": "-", "·": "-", "‧": "-", "●": "-", "▪": "-", "◦": "-", "∙": "-",
    "\t": " ", "\v": " ", "\u2028": "\n", "\u2029": "\n", "\u0085": "\n",
    "×": "x", "÷": "/", "⁄": "/", "≤": "<=", "≥": ">=", "≠": "!=", "→": "->", "←": "<-",
    "©": "(c)", "®": "(R)", "°": "o",
    "₫": "d",  # Vietnamese dong, written "d" without diacritics
    "₩": "KRW",
    "¢": "c",
}


def _fold_letter(char: str) -> Optional[str]:
    """The bare letter of a Vietnamese vowel with marks (ồ → o, Ặ → A), else None."""
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if base in _VIETNAMESE_VOWELS and marks and all(mark in _VIETNAMESE_MARKS for mark in marks):
        return base
    return None


def _to_gsm7_char(char: str) -> str:
    """A GSM-7 stand-in for one character; "" when there is none (emoji, symbols, other scripts)."""
    if char in _REPLACEMENTS:
        return _REPLACEMENTS[char]
    folded = _fold_letter(char)
    if folded is not None:
        return folded
    if char in _GSM7:
        return char
    category = unicodedata.category(char)
    if category == "Zs":
        return " "
    if category in ("Zl", "Zp"):
        return "\n"
    # Compatibility forms (fullwidth letters, ligatures, superscripts), and accents stripped.
    compatible = "".join(
        part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part)
    )
    if compatible and compatible != char:
        replacement = "".join(_to_gsm7_char(part) for part in compatible)
        if replacement:
            return replacement
    return ""


_REMOVED = "\x00"  # never in the output: NUL has no GSM-7 stand-in
_AROUND_REMOVED = re.compile(r"([ ]*)\x00+([ ]*)")


def to_gsm7(text: str) -> str:
    """The text in GSM-7 only: Vietnamese without diacritics (case kept), ASCII punctuation.

    Characters with no stand-in (emoji, pictographs, other scripts) are dropped, and the spaces
    around them collapse to one, or to none at the start or end of a line.
    """
    converted = "".join(_to_gsm7_char(char) or _REMOVED for char in nfc(text))

    def collapse(match: re.Match[str]) -> str:
        before = converted[match.start() - 1] if match.start() else "\n"
        after = converted[match.end()] if match.end() < len(converted) else "\n"
        at_edge = before in "\r\n" or after in "\r\n"
        return "" if at_edge or not (match.group(1) or match.group(2)) else " "

    return _AROUND_REMOVED.sub(collapse, converted)


def prefers_gsm7(worker_text: str) -> bool:
    """True when the worker writes without diacritics, so an unaccented (GSM-7) reply suits her."""
    return not has_vietnamese_marks(worker_text)


# --- splitting ----------------------------------------------------------------------------

_TOKEN = re.compile(r"(\s*)(\S+)")


def _hard_cut(word: str, limit: int, measure: Callable[[str], int]) -> List[str]:
    pieces: List[str] = []
    rest = word
    while measure(rest) > limit:
        end = 0
        while end < len(rest) and measure(rest[: end + 1]) <= limit:
            end += 1
        if end == 0:
            raise ValueError(f"the character {rest[0]!r} alone is longer than the limit {limit}")
        pieces.append(rest[:end])
        rest = rest[end:]
    pieces.append(rest)
    return pieces


def split_words(text: str, limit: int, measure: Callable[[str], int] = len) -> List[str]:
    """Split text at whitespace into stripped, non-empty parts whose measure is at most limit.

    Whitespace inside a part is kept as written. When a part must end, it ends at the last
    blank line, else the last line break, provided the part is still at least half full there;
    otherwise at the last space that fits. A word longer than the limit is cut hard.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    tokens: List[Tuple[str, str]] = []  # (whitespace before, word)
    for match in _TOKEN.finditer(text):
        pieces = _hard_cut(match.group(2), limit, measure)
        tokens.append((match.group(1), pieces[0]))
        tokens.extend(("", piece) for piece in pieces[1:])

    def joined(start: int, end: int) -> str:
        return tokens[start][1] + "".join(sep + word for sep, word in tokens[start + 1 : end])

    parts: List[str] = []
    start = 0
    while start < len(tokens):
        end = start + 1
        while end < len(tokens) and measure(joined(start, end + 1)) <= limit:
            end += 1
        if end < len(tokens):
            end = _preferred_break(tokens, start, end, partial(_at_least_half_full, measure, joined, start, limit))
        parts.append(joined(start, end))
        start = end
    return parts


def _at_least_half_full(measure: Callable[[str], int], joined: Callable[[int, int], str], start: int, limit: int,
                        end: int) -> bool:
    return 2 * measure(joined(start, end)) >= limit


def _preferred_break(tokens: List[Tuple[str, str]], start: int, end: int, half_full: Callable[[int], bool]) -> int:
    for newlines in (2, 1):
        for k in range(end - 1, start, -1):
            if tokens[k][0].count("\n") >= newlines:
                if half_full(k):
                    return k
                break
    return end


# --- SMS ----------------------------------------------------------------------------------

_TRAILING = " \t\r\n.,;:-"


def fit_sms(text: str, *, gsm7: bool, max_segments: int) -> SmsText:
    """The reply as it will be sent by SMS, cut at a word to at most max_segments.

    gsm7=True folds the reply to GSM-7 first (for a worker who writes without diacritics):
    160 characters a segment instead of 70. A cut reply ends with "...".
    """
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    text = nfc(text)
    if gsm7:
        text = to_gsm7(text)
    count = count_segments(text)
    if count.segments <= max_segments:
        return SmsText(text, count.encoding, count.segments, truncated=False)

    def fits(end: int) -> bool:
        return count_segments(text[:end].rstrip(_TRAILING) + ELLIPSIS).segments <= max_segments

    # Segments never fall as a prefix grows, so the longest prefix that fits is found by bisection.
    word_ends = [match.end() for match in re.finditer(r"\S+", text)]
    end = _last_true(word_ends, fits)
    if end is None:  # not even the first word fits: cut it
        end = _last_true(list(range(1, len(text) + 1)), fits) or 0
    cut = text[:end].rstrip(_TRAILING) + ELLIPSIS
    count = count_segments(cut)
    return SmsText(cut, count.encoding, count.segments, truncated=True)


def _last_true(candidates: List[int], predicate: Callable[[int], bool]) -> Optional[int]:
    """The last candidate for which a monotone (true then false) predicate holds."""
    low, high = 0, len(candidates)
    while low < high:
        middle = (low + high) // 2
        if predicate(candidates[middle]):
            low = middle + 1
        else:
            high = middle
    return candidates[low - 1] if low else None
