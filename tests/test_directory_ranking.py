"""Every number of the shipped directory is valid for its country, and the right number reaches her:
her city's office, no women-only line for a man, the coast guard at sea, the embassy she asks for."""
import phonenumbers
import pytest

from bot.facts.directory import SHORT_CODES, default_directory, embassy, lookup, render_services
from bot.facts.directory.phones import digits, is_short_code
from bot.replies.referrals import contacts_reply, danger_reply, embassy_reply
from bot.understanding.severity import Severity

PHONES = [(s, p) for s in default_directory().values() for p in s.phones]


@pytest.mark.parametrize("service, phone", PHONES, ids=[f"{s.id}:{p.number}" for s, p in PHONES])
def test_every_number_is_valid_for_its_country_and_shown_as_parsed(service, phone):
    if is_short_code(phone.number):
        assert phone.number in SHORT_CODES[phone.region] and phone.display == phone.number
        return
    parsed = phonenumbers.parse(phone.number, phone.region)
    assert phonenumbers.is_valid_number(parsed)
    assert phonenumbers.region_code_for_number(parsed) == phone.region == service.country
    shown = {digits(phonenumbers.format_number(parsed, form)) for form in (phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.NATIONAL)}
    assert digits(phone.display) in shown


def test_the_short_code_lists_hold_only_codes_the_directory_uses():
    used = {(p.region, p.number) for _, p in PHONES if is_short_code(p.number)}
    listed = {(country, code) for country, codes in SHORT_CODES.items() for code in codes}
    assert listed == used


def test_a_taichung_worker_gets_the_taichung_office_and_never_taipei_s():
    ids = [s.id for s in lookup("TW", "unpaid_wages", "vi", city="Đài Trung")]
    assert ids[0] == "tw-taichung-labor" and "tw-taipei-fdlo" not in ids
    assert "tw-taichung-labor" in [s.id for s in lookup("TW", "unpaid_wages", "vi", city="dai trung")]
    anywhere = [s.id for s in lookup("TW", "unpaid_wages", "vi", limit=10)]
    assert not {"tw-taipei-fdlo", "tw-taichung-labor", "tw-tainan-labor"} & set(anywhere)


@pytest.mark.parametrize("country", ["KR", "DE", "VN"])
def test_a_man_is_never_offered_a_line_for_women_only(country):
    for need in ("violence", "sexual_abuse", "harassment", "trafficking"):
        for service in lookup(country, need, "vi", "high", limit=5, sex="male"):
            assert "male" in {s.value for s in service.sexes}, (country, need, service.id)
    assert "de-maennerhilfetelefon" in [s.id for s in lookup("DE", "violence", "vi", sex="male")]
    assert "de-maennerhilfetelefon" not in [s.id for s in lookup("DE", "violence", "vi", limit=5, sex="female")]


@pytest.mark.parametrize("country, first", [("TW", "118"), ("JP", "118"), ("KR", "119"), ("MY", "999")])
def test_at_sea_the_coast_guard_comes_first_and_the_land_police_not_at_all(country, first):
    services = lookup(country, "emergency", "vi", "critical", at_sea=True)
    assert services[0].phones[0].number == first and services[0].at_sea
    assert not any(s.is_police for s in services)


def test_the_existing_call_signatures_still_work():
    assert lookup("TW", "violence", "vi", "critical", 2) == lookup("TW", "violence", "vi", "critical", limit=2)
    reply = danger_reply(Severity.high, "abuse_unpaid_wages", "TW", "vi")
    assert "1955" in reply.text
    assert contacts_reply("TW", "en").text == contacts_reply("TW", "en", need="any", city=None, sex=None, at_sea=False).text


def test_a_fisher_at_sea_is_given_the_coast_guard_in_the_danger_reply():
    text = danger_reply(Severity.critical, "emergency_violence", "TW", "vi", at_sea=True).text
    assert "118" in text and "Cảnh sát 110" not in text


def test_asked_for_the_embassy_she_gets_the_embassy():
    text = embassy_reply("KR", "vi").text
    assert "+82 10-6315-6618" in text and "1345" not in text


def test_an_embassy_known_only_at_low_confidence_is_marked_and_comes_with_the_hotline():
    offices = embassy("JP", "en")
    assert [s.confidence.value for s in offices] == ["low", "high"]
    text = render_services(offices, "en")
    assert "(unverified)" in text.splitlines()[1] and "+84 981 84 84 84" in text


def test_without_an_embassy_number_the_reply_says_so_and_gives_the_hotline():
    text = embassy_reply("LA", "en").text
    assert "no checked number" in text and "+84 981 84 84 84" in text


def test_her_city_s_consulate_comes_first_when_she_is_there():
    assert embassy("KH", "vi", city="Sihanoukville")[0].id == "kh-consulate-sihanoukville"
    assert [s.id for s in embassy("KH", "vi")] == ["kh-embassy-vn"]


def test_a_social_media_group_is_never_shown_as_a_way_to_reach_an_institution():
    for service in default_directory().values():
        text = render_services([service], "vi")
        assert "Facebook" not in text and "facebook.com" not in text, service.id


def test_every_police_line_carries_its_warning_when_shown():
    for service in default_directory().values():
        if service.is_police:
            assert service.warning and service.warning.vi in render_services([service], "vi"), service.id
            assert service.warning.en in render_services([service], "en"), service.id
