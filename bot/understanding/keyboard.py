"""Vietnamese typed with the input method off: Telex ("cuwus", "ddaanhs") and VNI ("cu71u").

On a borrowed phone the Vietnamese keyboard is often off, and the keys that would have made the
marks arrive as letters or digits: "bij ddanhs, khoong cho ra ngoaif" is "bị đánh, không cho ra
ngoài". Each ASCII word is decoded only where the result is a well-formed Vietnamese syllable
and the word itself is neither an unaccented Vietnamese syllable ("ban", "con") nor a common
English word ("has", "cos"); a common English word that decodes ("cos" → "có") is decoded only in
a message that already has an unmistakable Telex or VNI word and is not mostly English.
Everything else, including the spacing and punctuation, is kept as it was.
"""
from __future__ import annotations

import gzip
import importlib.resources
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import FrozenSet, List, Optional, Tuple

ACUTE, GRAVE, HOOK, TILDE, DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
TELEX_TONES = {"s": ACUTE, "f": GRAVE, "r": HOOK, "x": TILDE, "j": DOT}
VNI_TONES = {"1": ACUTE, "2": GRAVE, "3": HOOK, "4": TILDE, "5": DOT}
CIRCUMFLEX = {"a": "â", "e": "ê", "o": "ô"}
HORN = {"o": "ơ", "u": "ư"}
BREVE = {"a": "ă"}

INITIALS = (
    "ngh ng nh ch gh gi kh ph qu th tr b c d đ g h k l m n p r s t v x"
).split()
FINALS = ("ch", "ng", "nh", "c", "m", "n", "p", "t")
STOP_FINALS = ("ch", "c", "p", "t")  # only the rising or the heavy tone before these
_FOLD = str.maketrans("ăâêôơư", "aaeoou")


def _with_folded(clusters: str) -> FrozenSet[str]:
    """The clusters as spelt, and as typed without their vowel marks ("nguoi", "viec")."""
    spelt = clusters.split()
    return frozenset(spelt + [cluster.translate(_FOLD) for cluster in spelt])


# Vowel clusters of Vietnamese syllables; the semivowel-ending ones take no final consonant.
OPEN_CLUSTERS = _with_folded("ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu uôi ươi ươu iêu yêu oai oay oeo uây uyu uya")
CLOSABLE_CLUSTERS = _with_folded("a ă â e ê i o ô ơ u ư y iê yê uô ươ oa oă oe uâ uê uy uơ oo uyê")
# Chat words that look like Telex and are not: an SOS must stay an SOS, "hix" is crying, not "hi";
# the acronyms of her work abroad stay acronyms ("eps", Korea's Employment Permit System, is not "ép").
NOT_TELEX = frozenset({"sos", "hix", "hixhix", "ax", "ok", "oke", "oki", "okie", "bye", "ad", "fb", "zalo",
                       "eps", "tts", "arc", "ksa", "dolab", "iom", "ilo"})
# The few real Vietnamese words spelt with "oo" (a pot, a ship's deck, a wagon).
REAL_OO_WORDS = frozenset({"xoong", "boong", "goong"})
_TOKEN = re.compile(r"[^\W_]+")
_MARKED_VOWELS = set("ăâêôơư")
_VOWELS = set("aăâeêioôơuưy")
ENGLISH_MIN_FREQUENCY = 1000  # pyspellchecker's counts: about the 19,000 commonest English words


@lru_cache(maxsize=1)
def common_english_words() -> FrozenSet[str]:
    """The commonest English words, from the frequency list pyspellchecker ships."""
    resource = importlib.resources.files("spellchecker") / "resources" / "en.json.gz"
    counts = json.loads(gzip.decompress(resource.read_bytes()))
    return frozenset(word for word, count in counts.items() if count >= ENGLISH_MIN_FREQUENCY)


@dataclass(frozen=True)
class Syllable:
    initial: str
    vowels: str  # with vowel marks (ă â ê ô ơ ư), without the tone
    final: str
    tone: str  # a combining mark, or "" for the level tone


def split_syllable(base: str) -> Optional[Tuple[str, str, str]]:
    """(initial, vowel cluster, final) of a toneless syllable, or None when it is not one."""
    initial = next((i for i in INITIALS if base.startswith(i) and len(base) > len(i)), "")
    if initial == "gi" and not any(v in _VOWELS for v in base[2:]):
        initial = "g"  # "gì": the i is the vowel
    rest = base[len(initial):]
    final = next((f for f in FINALS if rest.endswith(f) and len(rest) > len(f)), "")
    vowels = rest[: len(rest) - len(final)] if final else rest
    if not vowels or any(v not in _VOWELS for v in vowels):
        return None
    if final and vowels not in CLOSABLE_CLUSTERS:
        return None
    if not final and vowels not in CLOSABLE_CLUSTERS and vowels not in OPEN_CLUSTERS:
        return None
    front = vowels[0] in "ieêy"
    if initial in ("k", "gh", "ngh") and not front:
        return None
    if initial in ("c", "g", "ng") and front and initial + vowels[0] != "gi":
        return None
    return initial, vowels, final


def is_syllable(syllable: Syllable) -> bool:
    parts = split_syllable(syllable.initial + syllable.vowels + syllable.final)
    if parts is None:
        return False
    return not (parts[2] in STOP_FINALS and syllable.tone not in (ACUTE, DOT))


def is_unaccented_syllable(word: str) -> bool:
    return split_syllable(word) is not None


def _tone_position(vowels: str, final: str) -> int:
    """Where the tone mark goes in the vowel cluster (the modern rule)."""
    for index in range(len(vowels) - 1, -1, -1):
        if vowels[index] in _MARKED_VOWELS:
            return index
    if len(vowels) == 1:
        return 0
    if final or vowels in ("oa", "oe", "uy") or len(vowels) == 3:
        return len(vowels) - 1 if final or len(vowels) == 2 else 1
    return 0


def spell(syllable: Syllable) -> str:
    vowels = syllable.vowels
    if syllable.tone:
        at = _tone_position(vowels, syllable.final)
        vowels = vowels[:at] + unicodedata.normalize("NFC", vowels[at] + syllable.tone) + vowels[at + 1:]
    return unicodedata.normalize("NFC", syllable.initial + vowels + syllable.final)


def _apply_horn(letters: str) -> Optional[str]:
    """A "w" typed after the vowels: the horn on "uo" (→ "ươ"), else on the last u or o, else
    the breve on a. None when there is nothing to put it on."""
    if "uo" in letters:
        return letters.replace("uo", "ươ", 1)
    for index in range(len(letters) - 1, -1, -1):
        mark = HORN.get(letters[index]) or BREVE.get(letters[index])
        if mark:
            return letters[:index] + mark + letters[index + 1:]
    return None


def _telex_letters(word: str) -> Optional[str]:
    """A Telex word's letters with their vowel marks, its tone key already taken off:
    "nguwowi" and "nguowi" → "ngươi", "ddaan" → "đân"."""
    out = ""
    index = 0
    while index < len(word):
        pair = word[index:index + 2]
        if pair == "dd" and not out:
            out, index = "đ", index + 2
        elif pair in ("aa", "ee", "oo"):
            out, index = out + CIRCUMFLEX[pair[0]], index + 2
        elif pair in ("aw", "ow", "uw"):
            if pair == "ow" and out.endswith("u") and not out.endswith("qu"):
                out = out[:-1] + "ư"  # "uow" is "ươ"
            out, index = out + (BREVE.get(pair[0]) or HORN[pair[0]]), index + 2
        elif word[index] == "w":
            horned = _apply_horn(out)
            if horned is not None:
                out = horned
            elif not out or out[-1] not in _VOWELS | _MARKED_VOWELS:
                out += "ư"  # "w" alone is "ư": "nhw" → "như"
            else:
                return None
            index += 1
        else:
            out, index = out + word[index], index + 1
    return out


def _telex_tone(lower: str) -> Tuple[str, str]:
    """The tone key and the word without it. It is typed last ("thangs") or just before the
    final consonants ("vieejc"), after at least one vowel."""
    for final in ("", *FINALS):
        at = len(lower) - len(final) - 1
        if at > 0 and lower.endswith(final) and lower[at] in TELEX_TONES and any(c in "aeiouyw" for c in lower[:at]):
            return TELEX_TONES[lower[at]], lower[:at] + lower[at + 1:]
    return "", lower


def decode_telex(word: str) -> Optional[str]:
    tone, letters = _telex_tone(word.lower())
    return _as_syllable(_telex_letters(letters), tone, word)


def decode_vni(word: str) -> Optional[str]:
    lower = word.lower()
    if len(lower) < 3 or not any(c.isdigit() for c in lower) or not lower[0].isalpha():
        return None  # "a1", "t7", "4g": codes and abbreviations, not VNI
    out = ""
    tone = ""
    for char in lower:
        if char in VNI_TONES:
            if tone:
                return None
            tone = VNI_TONES[char]
        elif char in "6789":
            marks = {"6": CIRCUMFLEX, "7": HORN, "8": BREVE}.get(char)
            if char == "9":
                if "d" not in out:
                    return None
                out = out.replace("d", "đ", 1)
                continue
            assert marks is not None
            if char == "7" and "uo" in out:
                out = out.replace("uo", "ươ", 1)
                continue
            for index in range(len(out) - 1, -1, -1):
                if out[index] in marks:
                    out = out[:index] + marks[out[index]] + out[index + 1:]
                    break
            else:
                return None
        elif char.isdigit():
            return None
        else:
            out += char
    return _as_syllable(out, tone, word)


def _as_syllable(letters: Optional[str], tone: str, original: str) -> Optional[str]:
    if not letters:
        return None
    parts = split_syllable(letters)
    if parts is None:
        return None
    syllable = Syllable(*parts, tone=tone)
    if not is_syllable(syllable):
        return None
    decoded = spell(syllable)
    if decoded == original.lower():
        return None
    return decoded[0].upper() + decoded[1:] if original[0].isupper() else decoded


def _has_telex_marker(lower: str) -> bool:
    return (
        lower.startswith("dd") or "aa" in lower or "ee" in lower or "w" in lower
        or ("oo" in lower and lower not in REAL_OO_WORDS)
    )


@dataclass(frozen=True)
class Replacement:
    start: int
    end: int
    text: str
    certain: bool


def _candidate(match: re.Match) -> Optional[Replacement]:
    word = match.group(0)
    lower = word.lower()
    if not word.isascii() or lower.isdigit() or len(lower) < 2 or lower in NOT_TELEX:
        return None
    decoded = decode_vni(word) if any(c.isdigit() for c in lower) else decode_telex(word)
    if decoded is None and lower.startswith("dd") and not any(c in "aeiouyw" for c in lower):
        decoded = "đ" + word[2:]  # "ddc": the teen-code "đc" (được) typed in Telex
    if decoded is None:
        return None
    if is_unaccented_syllable(lower) and not _has_telex_marker(lower):
        return None  # "ban", "toi": already Vietnamese, written without marks
    english = lower in common_english_words()
    return Replacement(match.start(), match.end(), decoded, certain=not english)


def replacements(text: str) -> List[Replacement]:
    """The words of `text` to decode, in order."""
    words = list(_TOKEN.finditer(text))
    found = [r for r in (_candidate(m) for m in words) if r is not None]
    if not any(r.certain for r in found):
        return []
    # English words that are neither Vietnamese syllables ("an", "me") nor Telex ("khoong").
    certain = {r.start for r in found if r.certain}
    english = sum(
        1 for m in words
        if m.start() not in certain and m.group(0).lower() in common_english_words()
        and not is_unaccented_syllable(m.group(0).lower())
    )
    if english * 2 >= len(words):
        return [r for r in found if r.certain]
    return found


def decode(text: str) -> str:
    return apply(text, replacements(text))


def apply(text: str, chosen: List[Replacement]) -> str:
    out, last = [], 0
    for replacement in chosen:
        out.append(text[last:replacement.start])
        out.append(replacement.text)
        last = replacement.end
    out.append(text[last:])
    return "".join(out)


def shift(offset: int, chosen: List[Replacement]) -> int:
    """Where a character offset of the original text lands in the decoded one (word boundaries
    map to word boundaries, so entity spans stay whole)."""
    moved = 0
    for replacement in chosen:
        if offset <= replacement.start:
            break
        if offset >= replacement.end:
            moved += len(replacement.text) - (replacement.end - replacement.start)
        else:
            return replacement.start + moved + min(offset - replacement.start, len(replacement.text))
    return offset + moved
