import datetime as dt
import enum
import re

import pytest

from bot.facts.directory import (
    COVERED_COUNTRIES,
    DIRECTORY_DIR,
    DirectoryError,
    Service,
    citizen_protection_hotline,
    default_directory,
    load_directory,
    lookup,
    render_services,
)
from bot.understanding.needs import NEEDS

VALID = """
services:
  - id: xx-test
    country: VN
    type: citizen_protection
    names: {vi: Tên, en: Name}
    phones: [{number: "+84981848484", display: "+84 981 84 84 84"}]
    sources: [https://example.org/source]
    confidence: high
    source_date: 2024-09-30
"""

LANGUAGES = ("vi", "en")
EMERGENCY = {"emergency", "police", "ambulance", "fire"}


def test_the_shipped_directory_loads_and_every_entry_has_a_source():
    services = load_directory()
    assert services
    for service in services.values():
        assert service.sources, service.id


def test_many_entries_have_a_phone_and_no_date_is_in_the_future():
    services = load_directory().values()
    assert sum(1 for service in services if service.phones) > 30
    for service in services:
        for date in (service.source_date, service.checked):
            assert date is None or date <= dt.date.today(), service.id


def test_no_entry_carries_the_transcription_date_as_a_date():
    # 2026-11-23 is when the fact sheet was typed in: neither when a source said it nor a check.
    for service in load_directory().values():
        assert dt.date(2026, 11, 23) not in (service.source_date, service.checked), service.id


def test_every_covered_country_has_its_own_file():
    files = {path.stem for path in DIRECTORY_DIR.glob("*.yml")}
    assert set(COVERED_COUNTRIES) <= files
    assert {"KH", "MM", "LA"} <= set(COVERED_COUNTRIES)


def test_the_citizen_protection_hotline_is_24_7_and_high_confidence():
    hotline = citizen_protection_hotline()
    assert hotline.phones[0].number == "+84981848484"
    assert hotline.hours == "24/7"
    assert hotline.confidence.value == "high"


# --- the loader refuses malformed entries -----------------------------------------------------


def _with(field: str) -> str:
    """VALID with one more line in its entry."""
    return VALID + f"    {field}\n"


def _load(tmp_path, text):
    (tmp_path / "VN.yml").write_text(text, encoding="utf-8")
    return load_directory(tmp_path)


MALFORMED_ENTRIES = [
    # Required fields and the strict model.
    (VALID.replace("    sources: [https://example.org/source]\n", ""), "sources: field required"),
    (VALID.replace("sources: [https://example.org/source]", "sources:"), "sources: ensure this value has at least 1 items"),
    (VALID.replace("sources: [https://example.org/source]", "sources: [not a url]"), "sources.0"),
    (VALID.replace("confidence: high", "confidence: sure"), "confidence"),
    (VALID.replace("source_date: 2024-09-30", "source_date: last year"), "source_date"),
    (VALID.replace("source_date: 2024-09-30", "verified: 2024-09-30"), "'verified' is gone"),
    (_with("checked: 2024-01-01"), "checked 2024-01-01 is before the source said it"),
    (_with("confidense: high"), "confidense: extra fields not permitted"),
    (_with("type: hospital"), "type"),
    (_with("website: not a url"), "website"),
    (VALID.replace("names: {vi: Tên, en: Name}", "names: {vi: '', en: Name}"), "names.vi"),
    (VALID.replace("names: {vi: Tên, en: Name}", "names: {vi: Tên}"), "names.en: field required"),
    # The shared validators (bot/facts/base.py).
    (VALID.replace("country: VN", "country: Vietnam"), "country: not an ISO 3166-1 alpha-2 code"),
    (_with("timezone: Asia/Hanoi_City"), "timezone: 'Asia/Hanoi_City' is not an IANA time zone"),
    # The service's own validators.
    (_with("needs: [wages]"), "needs.0: unknown need 'wages'"),
    (_with("hours: ' '"), "hours: empty hours"),
    (VALID.replace("confidence: high", "confidence: low"), "a low-confidence entry needs a caveat"),
    # Phones.
    (VALID.replace('"+84981848484"', '"call me"'), "phones.0.number"),
    (VALID.replace('"+84981848484"', "1955"), "number: write phone numbers in quotes"),  # YAML reads an int
    (VALID.replace('"+84981848484"', "0120022332"), "number: write phone numbers in quotes"),  # ... an octal one
    (VALID.replace('"+84 981 84 84 84"', '"+84 981 84 84 48"'), "display '+84 981 84 84 48' is not the number"),
    (VALID.replace('display: "+84 981 84 84 84"', 'display: "+84 981 84 84 84", extension: "ask for Lan"'), "phones.0.extension"),
    (VALID.replace('"+84981848484"', '"+8498184848"'), "not a valid phone number"),
    (VALID.replace('"+84981848484"', '"+886933262836"'), "is a number of TW, not of VN"),
    (VALID.replace('{number: "+84981848484", display: "+84 981 84 84 84"}', '{number: "1956"}'), "short code 1956 is not on VN's list"),
    (VALID.replace('display: "+84 981 84 84 84"', 'dial: {vi: "Gọi 0981 84 84 85", en: "Call 0981 84 84 85"}'), "names another number"),
    (VALID.replace("type: citizen_protection", "type: police"), "a police line needs a warning"),
    (VALID.replace('phones: [{number: "+84981848484", display: "+84 981 84 84 84"}]', "contacts: [{kind: facebook, value: a group}]"), "not a social-media group"),
    # Contacts.
    (_with("contacts: [{kind: email, value: not-an-address}]"), "not an email address"),
    (_with("contacts: [{kind: website, value: 'call us'}]"), "not a website address"),
    (_with("contacts: [{kind: pigeon, value: x}]"), "contacts.0.kind"),
]


@pytest.mark.parametrize("broken, complaint", MALFORMED_ENTRIES, ids=[complaint for _, complaint in MALFORMED_ENTRIES])
def test_a_malformed_entry_is_rejected_naming_file_entry_and_field(tmp_path, broken, complaint):
    with pytest.raises(DirectoryError) as error:
        _load(tmp_path, broken)
    message = str(error.value)
    assert "VN.yml: entry xx-test: " in message and complaint in message


def test_a_malformed_id_is_rejected_naming_it(tmp_path):
    with pytest.raises(DirectoryError, match="VN.yml: entry XX Test: id: string does not match regex"):
        _load(tmp_path, VALID.replace("id: xx-test", "id: XX Test"))


def test_null_lists_read_as_empty(tmp_path):
    service = _load(tmp_path, _with("needs:") + "    contacts:\n")["xx-test"]
    assert service.needs == [] and service.contacts == []


def test_an_entry_in_another_countrys_file_is_rejected(tmp_path):
    (tmp_path / "TW.yml").write_text(VALID, encoding="utf-8")
    with pytest.raises(DirectoryError, match="TW.yml.*xx-test"):
        load_directory(tmp_path)


def test_broken_yaml_is_rejected_with_the_file_named(tmp_path):
    (tmp_path / "TW.yml").write_text("services: [unclosed", encoding="utf-8")
    with pytest.raises(DirectoryError, match="TW.yml"):
        load_directory(tmp_path)


def test_a_file_that_is_not_utf8_is_rejected_with_the_file_named(tmp_path):
    (tmp_path / "TW.yml").write_bytes(b"services: []\n# \xff\xfe")
    with pytest.raises(DirectoryError, match="TW.yml: cannot be read"):
        load_directory(tmp_path)


def test_duplicate_ids_are_rejected(tmp_path):
    (tmp_path / "A.yml").write_text(VALID, encoding="utf-8")
    (tmp_path / "B.yml").write_text(VALID, encoding="utf-8")
    with pytest.raises(DirectoryError, match="duplicate"):
        load_directory(tmp_path)


# --- lookup -----------------------------------------------------------------------------------


def _has_high_if_low(services):
    levels = {s.confidence.value for s in services}
    return "low" not in levels or "high" in levels


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("country", COVERED_COUNTRIES)
def test_every_covered_country_gets_someone_to_call(country, language):
    services = lookup(country, None, language)
    assert services
    assert _has_high_if_low(services)
    text = render_services(services, language)
    assert any(s.phones and s.phones[0].display in text for s in services)
    assert re.search(r"\d{3}", text)


@pytest.mark.parametrize("country", COVERED_COUNTRIES)
def test_no_search_ever_gives_a_low_confidence_service_without_a_high_one(country):
    for need in NEEDS:
        for severity in ("none", "high", "critical"):
            for limit in (1, 2, 3, 5):
                services = lookup(country, need, "vi", severity, limit)
                assert services, (country, need, severity)
                assert len(services) <= limit
                assert _has_high_if_low(services), (country, need, severity, limit)


@pytest.mark.parametrize("country", [None, "", "FR", "zz", "United States"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_country_gets_the_citizen_protection_hotline(country, language):
    services = lookup(country, "unpaid_wages", language, "critical")
    assert [s.id for s in services] == ["vn-mofa-citizen-protection"]
    assert "+84 981 84 84 84" in render_services(services, language)


def test_a_covered_country_without_entries_gets_the_citizen_protection_hotline():
    vietnam_only = {key: s for key, s in default_directory().items() if s.country == "VN"}
    found = lookup("CN", "violence", "vi", "critical", directory=vietnam_only)
    assert [s.id for s in found] == ["vn-mofa-citizen-protection"]


def test_country_codes_are_read_in_any_case():
    assert lookup("tw", None, "vi") == lookup("TW", None, "vi")


def _countries_with_an_emergency_number():
    return sorted({s.country for s in default_directory().values() if s.is_emergency_number})


@pytest.mark.parametrize("country", _countries_with_an_emergency_number())
@pytest.mark.parametrize("need", [None, "violence", "medical", "passport_withheld", "unpaid_wages"])
def test_critical_gives_an_emergency_number_and_never_a_police_line_first(country, need):
    services = lookup(country, need, "vi", "critical")
    assert not services[0].is_police
    assert any(s.type.value in EMERGENCY and s.phones for s in services)


@pytest.mark.parametrize("country", COVERED_COUNTRIES)
def test_no_search_ever_offers_a_police_line_first(country):
    for need in NEEDS:
        for severity in ("none", "critical"):
            for limit in (1, 3):
                assert not lookup(country, need, "vi", severity, limit)[0].is_police, (country, need)


def test_severity_may_be_an_enum_member_named_critical():
    class Severity(enum.IntEnum):
        none = 0
        high = 1
        critical = 2

    assert lookup("TW", "violence", "vi", Severity.critical) == lookup("TW", "violence", "vi", "critical")
    assert lookup("TW", "violence", "vi", Severity.none) == lookup("TW", "violence", "vi")


def test_critical_violence_in_taiwan_is_the_vietnamese_speaking_hotline_then_police_with_a_warning():
    services = lookup("TW", "violence", "vi", "critical")
    assert [s.phones[0].number for s in services[:2]] == ["113", "110"]
    text = render_services(services, "vi")
    assert text.index("113") < text.index("110") < text.index("Lưu ý: cảnh sát")


def test_critical_medical_in_japan_gives_the_ambulance_first():
    assert lookup("JP", "medical", "en", "critical")[0].phones[0].number == "119"


def test_emergency_numbers_are_not_offered_for_a_wage_question():
    for country in COVERED_COUNTRIES:
        for service in lookup(country, "unpaid_wages", "vi"):
            assert service.type.value not in EMERGENCY, (country, service.id)


def test_for_wages_the_labour_lines_come_first_vietnamese_speaking_ones_before_the_others():
    services = lookup("TW", "unpaid_wages", "vi", limit=5)
    labour = [s.type.value in ("labour_hotline", "labour_authority") for s in services]
    assert labour == sorted(labour, reverse=True)
    assert services[0].phones[0].number == "1955"
    in_saudi = lookup("SA", "unpaid_wages", "vi")
    assert in_saudi[0].id == "sa-mhrsd-19911"  # before the embassy, although the embassy speaks Vietnamese


def _service(service_id, speaks, confidence, kind="labour_hotline", phones=True, needs=("unpaid_wages",)):
    return Service.parse_obj(
        {
            "id": service_id,
            "country": "TW",
            "type": kind,
            "names": {"vi": service_id, "en": service_id},
            "phones": [{"number": "+886223381600"}] if phones else [],
            "speaks_vietnamese": speaks,
            "needs": list(needs),
            "sources": ["https://example.org"],
            "confidence": confidence,
            "source_date": "2026-01-01",
            "caveat": "test entry" if confidence == "low" else None,
        }
    )


def _directory(*services):
    hotline = citizen_protection_hotline()
    return {s.id: s for s in (hotline, *services)}


def test_a_vietnamese_speaking_service_ranks_above_a_better_sourced_one_that_does_not():
    directory = _directory(
        _service("tw-no-vietnamese", False, "high"),
        _service("tw-unknown", None, "high"),
        _service("tw-vietnamese", True, "medium"),
    )
    ids = [s.id for s in lookup("TW", "unpaid_wages", "vi", directory=directory)]
    assert ids == ["tw-vietnamese", "tw-unknown", "tw-no-vietnamese"]


def test_confidence_breaks_ties_between_equally_vietnamese_services():
    directory = _directory(_service("tw-medium", True, "medium"), _service("tw-high", True, "high"))
    assert [s.id for s in lookup("TW", "unpaid_wages", "en", directory=directory)] == [
        "tw-high",
        "tw-medium",
    ]


def test_a_low_confidence_service_alone_is_joined_by_the_citizen_protection_hotline():
    directory = _directory(_service("tw-weak", True, "low"))
    ids = [s.id for s in lookup("TW", "unpaid_wages", "vi", directory=directory)]
    assert ids == ["tw-weak", "vn-mofa-citizen-protection"]
    only_one = lookup("TW", "unpaid_wages", "vi", limit=1, directory=directory)
    assert [s.id for s in only_one] == ["vn-mofa-citizen-protection"]


def test_a_low_confidence_service_is_joined_by_a_high_one_of_the_same_country_when_there_is_one():
    directory = _directory(
        _service("tw-weak-1", True, "low"),
        _service("tw-weak-2", True, "low"),
        _service("tw-strong", False, "high"),
    )
    ids = [s.id for s in lookup("TW", "unpaid_wages", "vi", limit=2, directory=directory)]
    assert ids == ["tw-weak-1", "tw-strong"]


def test_services_with_a_phone_come_before_those_with_only_a_website():
    directory = _directory(
        _service("tw-web", True, "high", phones=False), _service("tw-phone", None, "medium")
    )
    assert lookup("TW", "unpaid_wages", "vi", directory=directory)[0].id == "tw-phone"


def test_the_limit_is_kept():
    assert len(lookup("JP", None, "vi", limit=2)) == 2
    assert len(lookup("JP", None, "vi", limit=1)) == 1
    with pytest.raises(ValueError):
        lookup("JP", None, "vi", limit=0)


def test_an_unknown_need_is_answered_as_any_need():
    assert lookup("KR", "not-a-need", "vi") == lookup("KR", None, "vi")


# --- rendering --------------------------------------------------------------------------------


def test_rendering_is_one_short_line_per_service_in_her_language():
    services = lookup("TW", "unpaid_wages", "vi")
    text = render_services(services, "vi")
    lines = text.splitlines()
    assert len(lines) == len(services) + 1  # a short greeting line, then one line each
    assert "- Đường dây lao động 1955 (24/7)" in text  # the number is in the name: once is enough
    english = render_services(services, "en")
    assert "- 1955 labour hotline (24/7)" in english
    assert "- Vietnam's office in Taipei (VECO): +886 933 262 836" in english  # derived from the number
    assert all(len(line) <= 120 for line in lines + english.splitlines())


@pytest.mark.parametrize("language, mark", [("vi", "(chưa xác minh)"), ("en", "(unverified)")])
def test_low_confidence_is_marked_unverified_and_medium_is_not(language, mark):
    weak = _service("tw-weak", True, "low")
    medium = _service("tw-medium", True, "medium")
    text = render_services([weak, medium], language)
    weak_line, medium_line = text.splitlines()[1:]
    assert weak_line.endswith(mark)
    assert "xác minh" not in medium_line and "unverified" not in medium_line


def test_a_service_without_a_phone_shows_its_website():
    services = lookup("DE", "debt_bondage", "en")
    text = render_services(services, "en")
    assert "kompetenznetzwerk-vietnam.de" in text or "faire-integration.de" in text


def test_an_extension_is_shown_with_the_number():
    taipei = default_directory()["tw-taipei-fdlo"]
    assert taipei.phones[0].display == "+886 2 2338 1600"
    assert "+886 2 2338 1600 máy lẻ 4223" in render_services([taipei], "vi")
    assert "+886 2 2338 1600 ext. 4223" in render_services([taipei], "en")


def test_rendering_nothing_is_empty():
    assert render_services([], "vi") == ""


def test_an_sms_only_line_says_so():
    union = default_directory()["my-union-sms-helpline"]
    assert "SMS +60 12-223 4357" in render_services([union], "en")
