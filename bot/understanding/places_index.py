"""One dictionary from runs of folded words to the places they name, built once from the data
sets and the hand list.

When several sources give the same words, the stronger wins: the hand list, then country names,
then cities, then provinces. Where one name is several cities, the most populous comes first; the
others stay behind it, so that a country named in the same message can pick its own.

Once the marks are gone, many names are also everyday words. A name made only of Vietnamese
syllables, common English words or words under four letters ("Nga", "Jordan", "Hòa Bình") counts
only after a place word ("ở", "bên", "in"), and keeps its spellings so that marks can tell it from
the word ("ở văn phòng" is not Van). Of the cities and provinces, such a name is kept only if it is
a big city's own name ("Vinh", "London") or, of several words, written with marks ("Hà Nội");
alternate names such as "Soul" (Seoul) or "The River" are dropped. A country's longer names count
anywhere ("Thái Lan"); the hand list marks the few that must not ("~Ba Lan": "ba lần").
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Tuple

from bot.understanding.keyboard import common_english_words, is_unaccented_syllable
from bot.understanding.places_hand import HAND_PLACES, NEVER_ALONE, NOT_PLACES, SHORT_FORMS
from bot.understanding.places_sources import CITY, Name, city_names, country_names, subdivision_names
from bot.understanding.text import fold, has_vietnamese_marks, nfc

HAND_COUNTRY, HAND_PLACE = 0, 3  # ranks around those of places_sources
# People: a city name made of everyday words counts only for a city this big (or written with marks).
BIG_CITY, TOWN = 500_000, 100_000  # one word, several words
WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A quick first look before the full syllable check: consonants, at most three vowels, a final.
_SYLLABLE_SHAPE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")

Key = Tuple[str, ...]
Entry = Tuple[Name, Optional[bool]]  # a name, and whether the hand list says it needs a place word


@dataclass(frozen=True)
class Phrase:
    """What a run of folded words means: ISO codes, best first (or one occupation; none: not a place)."""

    values: Tuple[str, ...]
    city: bool = False  # from the cities or provinces: gives way to a country the message names
    needs_context: bool = False  # counts only after a place word, or spelt exactly (see spellings)
    spellings: FrozenSet[Key] = frozenset()  # lower-case words as the data sets write the name


@dataclass(frozen=True)
class Index:
    phrases: Dict[Key, Phrase]
    longest: int


def key_of(text: str) -> Key:
    # Most names are plain ASCII, whose folding is lower-casing (and the quicker for it).
    return tuple(WORD.findall(text.lower() if text.isascii() else fold(nfc(text))))


def _written_key(text: str) -> Key:
    return tuple(WORD.findall(nfc(text).lower()))


@lru_cache(maxsize=65536)
def is_everyday_word(token: str) -> bool:
    """A folded word that is also a Vietnamese syllable, a common English word, or very short."""
    if len(token) < 4 or token in common_english_words():
        return True
    return bool(_SYLLABLE_SHAPE.fullmatch(token)) and is_unaccented_syllable(token)


def _hand_names(table: Dict[str, List[str]], rank: int) -> Iterator[Entry]:
    for code, entries in table.items():
        for entry in entries:
            yield Name(entry.lstrip("~"), code, rank), entry.startswith("~")


def all_names() -> Iterator[Entry]:
    """Every name with its hand-given context flag (None where the rules decide)."""
    yield from _hand_names(SHORT_FORMS, HAND_COUNTRY)
    yield from _hand_names(HAND_PLACES, HAND_PLACE)
    for source in (country_names, city_names, subdivision_names):
        for name in source():
            yield name, None


def _codes(names: List[Name]) -> Tuple[str, ...]:
    """The codes of the names of one rank, best first; () when that rank cannot tell which."""
    if len(names) == 1:
        return (names[0].code,)
    if names[0].rank == CITY:
        ordered = sorted(names, key=lambda n: -n.population)
        return tuple(dict.fromkeys(n.code for n in ordered))
    codes = tuple(dict.fromkeys(n.code for n in names))
    # Hand lists are read in order; a data set's name shared by two countries names neither.
    return codes[:1] if names[0].rank in (HAND_COUNTRY, HAND_PLACE) or len(codes) == 1 else ()


def _winners(group: List[Entry]) -> Tuple[List[Entry], Tuple[str, ...]]:
    """The entries of the strongest rank that can tell which place, and its codes."""
    for rank in sorted({name.rank for name, _ in group}):
        entries = [entry for entry in group if entry[0].rank == rank]
        codes = _codes([name for name, _ in entries])
        if codes:
            return entries, codes
    return [], ()


def _decide(key: Key, group: List[Entry]) -> Optional[Phrase]:
    entries, codes = _winners(group) if len(group) > 1 else (group, _codes([group[0][0]]))
    if not codes:
        return None
    rank = entries[0][0].rank
    if rank in (HAND_COUNTRY, HAND_PLACE):
        needs_context = all(flag for _, flag in entries)
    elif len(key) == 1 and key[0] in NEVER_ALONE:
        return None
    elif not all(is_everyday_word(token) for token in key):
        needs_context = False
    elif rank >= CITY:
        # Only a city's own name ("Vinh", "Port Louis"), or several words written with marks ("Hà Nội"):
        # alternate names such as "Soul" (Seoul) or "The River" are just words, and so are small towns'.
        names = [name for name, _ in group if name.code == codes[0]]
        if len(key) == 1:
            kept = any(name.primary and name.population >= BIG_CITY for name in names)
        else:
            kept = any((name.primary and name.population >= TOWN) or has_vietnamese_marks(name.written) for name in names)
        if not kept:
            return None
        needs_context = True
    else:
        needs_context = len(key) == 1  # a country's longer names are its own ("Thái Lan")
    spellings: FrozenSet[Key] = frozenset()
    if needs_context:
        spellings = frozenset(_written_key(name.written) for name, _ in group if name.code == codes[0])
    return Phrase(codes, rank >= CITY, needs_context, spellings)


def build(names: Iterable[Entry]) -> Index:
    grouped: Dict[Key, List[Entry]] = {}
    for entry in names:
        key = key_of(entry[0].written)
        if key:
            grouped.setdefault(key, []).append(entry)
    phrases: Dict[Key, Phrase] = {}
    shared: Dict[Phrase, Phrase] = {}  # one object for each meaning: most names mean the same few
    for key, group in grouped.items():
        phrase = _decide(key, group)
        if phrase is not None:
            phrases[tuple(map(sys.intern, key))] = shared.setdefault(phrase, phrase)
    for words in NOT_PLACES:
        phrases[key_of(words)] = Phrase(())
    return Index(phrases, max(len(key) for key in phrases))


@lru_cache(maxsize=1)
def place_index() -> Index:
    """The index of every place, built on first use and kept."""
    index = build(all_names())
    is_everyday_word.cache_clear()  # some 90,000 words only the build needed
    return index
