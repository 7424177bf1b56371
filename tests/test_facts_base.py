"""bot.facts.base: the strict model, Bilingual and the shared validators refuse what they must."""
from typing import List, Optional

import pytest
from pydantic import ValidationError

from bot.facts.base import (
    Bilingual,
    Confidence,
    StrictModel,
    checked_country_code,
    checked_time_zone,
    empty_list_for_null,
    iana_time_zone,
    iso_country_code,
)


class Entry(StrictModel):
    country: str
    visited: List[str] = []
    timezone: Optional[str] = None
    sources: List[str] = []

    _lists = empty_list_for_null("sources")
    _timezone = iana_time_zone("timezone")
    _countries = iso_country_code("country", "visited")


def refusal(**fields) -> str:
    with pytest.raises(ValidationError) as raised:
        Entry.parse_obj({"country": "TW", **fields})
    return str(raised.value)


def test_a_valid_entry_is_read_as_written():
    entry = Entry.parse_obj({"country": "TW", "visited": ["JP", "KR"], "timezone": "Asia/Taipei", "sources": ["a"]})
    assert (entry.country, entry.visited, entry.timezone, entry.sources) == ("TW", ["JP", "KR"], "Asia/Taipei", ["a"])


def test_an_unknown_field_is_refused_by_name():
    assert "countyr" in refusal(countyr="TW") and "extra fields not permitted" in refusal(countyr="TW")


def test_null_reads_as_an_empty_list_but_a_wrong_type_is_still_refused():
    assert Entry.parse_obj({"country": "TW", "sources": None}).sources == []
    assert "sources" in refusal(sources="https://example.org")  # a string is not a list


def test_a_list_without_the_null_validator_still_refuses_null():
    assert "visited" in refusal(visited=None)


@pytest.mark.parametrize("zone", ["Asia/Hanoi_City", "UTC+8", "", "../etc/passwd", 8])
def test_a_time_zone_that_is_not_iana_is_refused_naming_the_field(zone):
    message = refusal(timezone=zone)
    assert "timezone" in message and "is not an IANA time zone" in message


def test_an_absent_time_zone_passes():
    assert Entry.parse_obj({"country": "TW", "timezone": None}).timezone is None
    assert checked_time_zone(None) is None
    assert checked_time_zone("Asia/Ho_Chi_Minh") == "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize("code", ["Taiwan", "tw", "T", "TWN", 886])
def test_a_country_that_is_not_an_iso_code_is_refused_naming_the_field(code):
    message = refusal(country=code)
    assert "country" in message and "not an ISO 3166-1 alpha-2 code" in message
    with pytest.raises(ValueError):
        checked_country_code(code)


def test_each_country_of_a_list_is_checked_and_the_wrong_one_is_named():
    message = refusal(visited=["JP", "Korea"])
    assert "visited -> 1" in message and "'Korea'" in message


@pytest.mark.parametrize("text", [{"vi": "Xin chào"}, {"en": "Hello"}, {"vi": "", "en": "Hello"}, {"vi": "Xin chào", "en": ""}])
def test_bilingual_text_needs_both_languages(text):
    with pytest.raises(ValidationError):
        Bilingual.parse_obj(text)


def test_bilingual_text_refuses_a_third_language():
    with pytest.raises(ValidationError, match="fr"):
        Bilingual.parse_obj({"vi": "Xin chào", "en": "Hello", "fr": "Bonjour"})


def test_bilingual_text_falls_back_to_vietnamese():
    text = Bilingual(vi="Xin chào", en="Hello")
    assert (text.get("en"), text.get("vi"), text.get("fr")) == ("Hello", "Xin chào", "Xin chào")


def test_confidence_has_three_levels_and_nothing_else():
    assert [level.value for level in Confidence] == ["high", "medium", "low"]
    with pytest.raises(ValueError):
        Confidence("sure")
