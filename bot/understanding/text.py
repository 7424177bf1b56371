"""Text normalisation shared by NLU, channels and triage.

Workers type Vietnamese with and without diacritics, in precomposed (NFC) or combining (NFD)
form. Everything that compares text compares the *folded* form: NFC, lower case, no tone or
vowel marks, and đ→d. Folding keeps the length of NFC text, so entity offsets annotated on the
original training text stay valid on the folded text.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_VIETNAMESE_LETTERS = set("ăâđêôơư")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in "đĐ":
        return "d"
    lowered = char.lower()
    if len(lowered) != 1:  # e.g. "İ" lowers to two code points: keep the length instead
        lowered = char
    base = unicodedata.normalize("NFD", lowered)[0]
    return base


def fold(text: str) -> str:
    """Lower-case and strip diacritics, one output character per input character.

    The input should already be NFC (connectors normalise it); the output has the same length.
    """
    return "".join(_fold_char(char) for char in text)


def has_vietnamese_marks(text: str) -> bool:
    """True when the text carries marks that only Vietnamese uses among vi/en: tones, ă â đ ê ô ơ ư."""
    for char in nfc(text).lower():
        if char in _VIETNAMESE_LETTERS:
            return True
        decomposed = unicodedata.normalize("NFD", char)
        if len(decomposed) > 1 and decomposed[0].isascii() and decomposed[0].isalpha():
            return True
    return False


def words(text: str) -> list[str]:
    """Folded word tokens of a text."""
    return _WORD.findall(fold(nfc(text)))
