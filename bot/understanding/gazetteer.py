"""Where is she, and what work does she do? Found by looking up runs of folded words in dictionaries.

Places: every country and territory, province, and city of 15,000 people or more, plus a short
hand list (bot.understanding.places_index builds that dictionary once). Names that fold into
everyday words ("Hàn" and "hạn", "Nhật" and "nhất", "Đài" and "dài", "Nga" the given name) count
only after a word that places someone there ("ở Hàn", "bên Đài", "sang Nga"), written as itself
("dì Nga" is an aunt); in a message written with marks, only if spelt with the name's own marks
("đi lao động" is not Laos). No name runs over a comma or the end of a sentence.

Which countries a message names, in order:
- a city yields to a country the message names: it stands for that country if it has a city of
  that name ("Tripoli, Lebanon"), and otherwise is left out;
- Vietnam, beside a foreign place, is where she came from, not where she is: it is left out.
Occupations come from the phrase lists below.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, Iterator, List, Optional, Tuple

from bot.understanding.keyboard import is_unaccented_syllable
from bot.understanding.places_hand import COUNTRY_NAMES, HAND_PLACES
from bot.understanding.places_index import WORD, Index, Key, Phrase, key_of, place_index
from bot.understanding.places_sources import country_titles
from bot.understanding.text import fold, nfc

HOME = "VN"

# Words after which a bare short name means a place: "ở Hàn", "bên Đài", "sang Nhật", "in Korea".
# Not "qua", "đến" or "về": "quá hạn", "đến hạn", "hỏi về hạn visa" would read as places; nor "tỉnh",
# which unmarked is also "tình" ("tình dục" is not Germany).
_PLACE_WORDS = frozenset({"ở", "bên", "sang", "tại", "đi", "nước", "xứ", "tp", "in", "to", "from", "at"})
_PLACE_WORDS_FOLDED = frozenset(fold(word) for word in _PLACE_WORDS)
_ENGLISH_PLACE_WORDS = frozenset({"in", "to", "from", "at"})
_CITY_WORDS = {("thành", "phố"), ("thanh", "pho")}
# Before a name, these make it a person: "chị Hòa Bình" is not the province.
_PERSON_WORDS = frozenset({"chị", "anh", "tên", "cô", "bà", "ông", "bạn", "chú", "bác", "cháu", "cậu", "thầy", "dì"})

# Occupation -> phrases, folded.
OCCUPATIONS: Dict[str, List[str]] = {
    "domestic_worker": [
        "giup viec", "giup viec nha", "osin", "o sin", "lam viec nha", "maid", "housemaid", "helper",
        "domestic worker", "domestic helper", "house keeper", "housekeeper",
    ],
    "caregiver": [
        "cham soc nguoi gia", "cham soc ong", "cham soc ba", "cham soc cu", "khan ho cong", "kan ho cong", "ho ly",
        "dieu duong", "caregiver", "care giver", "carer", "nursing home", "vien duong lao", "kaigo",
        "cham nguoi benh", "cham soc benh nhan", "nurse aide",
    ],
    "factory": ["nha may", "cong xuong", "xuong may", "xuong go", "xuong san xuat", "cong ty dien tu", "factory", "lam may", "day chuyen", "assembly line"],
    "construction": ["xay dung", "cong truong", "tho xay", "phu ho", "construction", "building site", "cop pha", "cot thep"],
    "agriculture": ["nong nghiep", "trang trai", "nong trai", "lam vuon", "hai rau", "hai nam", "farm", "farming", "agriculture", "chan nuoi"],
    "fishing": ["danh ca", "danh bat", "tau ca", "ngu dan", "thuyen vien", "di bien", "fishing", "fisherman", "fishing boat", "fishing vessel", "crew"],
    "technical_intern": ["thuc tap sinh", "tts", "tu nghiep sinh", "technical intern", "intern", "trainee", "ginou jisshu"],
    "specified_skilled": ["ky nang dac dinh", "tokutei", "tokutei gino", "specified skilled"],
}


@dataclass(frozen=True)
class Mention:
    value: str
    start: int
    end: int


_BREAK = re.compile(r"[,;!?()\[\]{}\"“”\n]|[.:](?=\s|$)")


def _occupation_index() -> Index:
    phrases = {tuple(entry.split()): Phrase((value,)) for value, entries in OCCUPATIONS.items() for entry in entries}
    return Index(phrases, max(len(key) for key in phrases))


_OCCUPATION_INDEX = _occupation_index()


def _placed(written: List[str], folded: List[str], position: int, size: int) -> bool:
    """Does the word before the name place someone there ("ở", "bên", "thành phố")?"""
    if position == 0:
        return False
    before, plain = written[position - 1], folded[position - 1]
    if before in _PLACE_WORDS or (before == plain and plain in _PLACE_WORDS_FOLDED):
        # An English place word places no Vietnamese word: "in my room" is not in America (Mỹ).
        return plain not in _ENGLISH_PLACE_WORDS or not all(map(is_unaccented_syllable, folded[position:position + size]))
    return position >= 2 and (written[position - 2], before) in _CITY_WORDS


def _counts(phrase: Phrase, written: List[str], folded: List[str], position: int, size: int, marked: bool) -> bool:
    """Does a name that is also an everyday word stand for the place here?"""
    if not phrase.needs_context:
        return True
    spelt = tuple(written[position:position + size])
    if marked and spelt not in phrase.spellings:
        return False  # written otherwise where she writes marks: "đi lao động" is not Lào, "đi nhất" not Nhật
    if _placed(written, folded, position, size):
        return True
    # A country's name spelt as it is, in a message written with marks: "Ba Lan", not "ba lần".
    return (
        size > 1 and marked and not phrase.city and spelt in phrase.spellings
        and (position == 0 or written[position - 1] not in _PERSON_WORDS)
    )


def _scan(text: str, index: Index) -> Iterator[Tuple[Phrase, int, int]]:
    """Each phrase of the index the text names, longest first, left to right, without overlaps.

    A name never runs over a comma, a bracket or the end of a sentence: "củ, ba" is not Cuba.
    """
    text = nfc(text or "")
    plain_text = fold(text)  # folding keeps every offset
    marked = text.lower() != plain_text
    start = 0
    for end in [match.start() for match in _BREAK.finditer(plain_text)] + [len(plain_text)]:
        spans = [match.span() for match in WORD.finditer(plain_text, start, end)]
        written = [text[left:right].lower() for left, right in spans]
        folded = [plain_text[left:right] for left, right in spans]
        position = 0
        while position < len(spans):
            for size in range(min(index.longest, len(spans) - position), 0, -1):
                phrase = index.phrases.get(tuple(folded[position:position + size]))
                if phrase is not None and _counts(phrase, written, folded, position, size, marked):
                    yield phrase, spans[position][0], spans[position + size - 1][1]
                    position += size
                    break
            else:
                position += 1
        start = end + 1


def find_countries(text: str) -> List[Mention]:
    """Countries named in the text, in order, as ISO 3166-1 alpha-2 codes."""
    found = [hit for hit in _scan(text, place_index()) if hit[0].values]  # "lao động" names no place
    named = {phrase.values[0] for phrase, _, _ in found if not phrase.city} - {HOME}
    mentions = []
    for phrase, start, end in found:
        codes = [code for code in phrase.values if code in named] if phrase.city and named else phrase.values
        if codes:
            mentions.append(Mention(codes[0], start, end))
    if any(mention.value != HOME for mention in mentions):
        mentions = [mention for mention in mentions if mention.value != HOME]
    return mentions


def find_occupations(text: str) -> List[Mention]:
    return [Mention(phrase.values[0], start, end) for phrase, start, end in _scan(text, _OCCUPATION_INDEX)]


def country_of(text: str) -> Optional[str]:
    """The country a message places her in: the first one it names."""
    mentions = find_countries(text)
    return mentions[0].value if mentions else None


@lru_cache(maxsize=1)
def _hand_place_keys() -> FrozenSet[Key]:
    return frozenset(key_of(name.lstrip("~")) for names in HAND_PLACES.values() for name in names)


def find_cities(text: str) -> List[Mention]:
    """The cities, provinces and zones a message names, each as she wrote it ("Đài Trung",
    "taichung"), for the directory's city offices."""
    written = nfc(text or "")
    return [
        Mention(written[start:end], start, end)
        for phrase, start, end in _scan(written, place_index())
        if phrase.values and (phrase.city or key_of(written[start:end]) in _hand_place_keys())
    ]


def city_of(text: str) -> Optional[str]:
    mentions = find_cities(text)
    return mentions[0].value if mentions else None


def country_name(code: Optional[str], language: str) -> str:
    """How to name a country back to her."""
    vi, en = COUNTRY_NAMES.get(code or "") or country_titles(code or "") or (code or "", code or "")
    return en if language == "en" else vi
