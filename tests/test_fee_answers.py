"""bot.facts.fees.answers: what a worker texts back to the fee checker, read the way she means it."""
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.facts.fees import check, parse_request
from bot.facts.fees.answers import (
    DONT_KNOW,
    NOTHING,
    OCCUPATION_CHOICES,
    build_request,
    find_money,
    normalise_country,
    parse_charge,
    parse_country,
    parse_months,
    parse_number,
    parse_occupation,
    parse_salary,
)
from bot.facts.fees.models import OCCUPATIONS
from bot.facts.fees.occupations import occupations_for


@pytest.mark.parametrize(
    "token, value",
    [("45", "45"), ("45.000.000", "45000000"), ("1,200", "1200"), ("1.200", "1200"), ("1.5", "1.5"),
     ("1,5", "1.5"), ("12.50", "12.50"), ("1.000,5", "1000.5"), ("1,000.5", "1000.5")],
)
def test_numbers_in_vietnamese_and_english_notation(token, value):
    assert parse_number(token) == Decimal(value)


@pytest.mark.parametrize("token", ["", "abc", "usd"])
def test_a_word_is_not_a_number(token):
    assert parse_number(token) is None


@pytest.mark.parametrize(
    "text, months",
    [
        ("36 thang", "36"), ("36 tháng", "36"), ("3 nam", "36"), ("3 năm", "36"), ("hợp đồng 3 năm ạ", "36"),
        ("2 năm rưỡi", "30"), ("2 nam ruoi", "30"), ("1 nam 6 thang", "18"), ("ba năm", "36"),
        ("năm năm", "60"), ("36", "36"), ("24 thang a", "24"), ("hd 2 nam", "24"), ("3 years", "36"),
        ("three years", "36"), ("2.5 years", "30"), ("1 year and 6 months", "18"), ("a year", "12"),
        ("18 months", "18"), ("36m", "36"), ("2y", "24"),
    ],
)
def test_contract_length(text, months):
    assert parse_months(text).value == months


@pytest.mark.parametrize("text", ["", "abc", "không biết", "0", "0 thang", "2023", "200 thang", "36 hay 48"])
def test_a_contract_length_that_cannot_be_read_is_asked_again(text):
    answer = parse_months(text)
    assert not answer.ok and answer.problem == "months"


def test_a_bare_small_number_might_be_years_so_it_is_asked():
    answer = parse_months("3")
    assert answer.problem == "months_unit" and answer.params == {"n": "3"}


@pytest.mark.parametrize(
    "text, value",
    [
        ("1000 usd", "1000 USD"), ("1000usd", "1000 USD"), ("$1000", "1000 USD"), ("1.000 đô", "1000 USD"),
        ("lương 1000 đô", "1000 USD"), ("45 triệu", "45000000 VND"), ("45 trieu", "45000000 VND"),
        ("45tr", "45000000 VND"), ("45 củ", "45000000 VND"), ("2tr5", "2500000 VND"),
        ("2 triệu 500 nghìn", "2500000 VND"), ("2 triệu rưỡi", "2500000 VND"), ("1,5 triệu", "1500000 VND"),
        ("25 ngàn Đài", "25000 TWD"), ("25000 Đài tệ", "25000 TWD"), ("27000 NT", "27000 TWD"),
        ("18 man", "180000 JPY"), ("180000 yên", "180000 JPY"), ("2 triệu won", "2000000 KRW"),
        ("1200 ringgit", "1200 MYR"), ("RM 1500", "1500 MYR"), ("900 dirham", "900 AED"),
        ("600 đô Sing", "600 SGD"), ("2000 euro", "2000 EUR"), ("12000 baht", "12000 THB"),
        ("salary is 1500 riyal", "1500 SAR"), ("500k đồng", "500000 VND"),
    ],
)
def test_a_salary_with_its_currency(text, value):
    assert parse_salary(text, "SA").value == value


def test_a_riyal_or_a_te_is_the_money_of_the_country_she_named():
    assert parse_salary("4000 riyal", "QA").value == "4000 QAR"
    assert parse_salary("4000 riyal", "SA").value == "4000 SAR"
    assert parse_salary("27000 tệ", "TW").value == "27000 TWD"
    assert parse_salary("5000 tệ", "CN").value == "5000 CNY"
    answer = parse_salary("4000 riyal", "TW")
    assert answer.problem == "salary_currency"


def test_a_salary_without_a_currency_is_never_guessed():
    answer = parse_salary("27000", "TW")
    assert answer.problem == "salary_currency" and answer.params == {"amount": "27000", "local": "TWD"}
    assert parse_salary("25 ngàn", "TW").problem == "salary_currency"


@pytest.mark.parametrize("text, problem", [("không biết", "salary_unknown"), ("abc", "salary"), ("0 usd", "salary")])
def test_a_salary_that_cannot_be_used(text, problem):
    assert parse_salary(text, "TW").problem == problem


@pytest.mark.parametrize(
    "text, value",
    [
        ("khong co", NOTHING), ("không có", NOTHING), ("ko", NOTHING), ("k", NOTHING), ("0", NOTHING),
        ("0 đồng", NOTHING), ("dạ không ạ", NOTHING), ("không đóng tiền môi giới", NOTHING), ("none", NOTHING),
        ("no", NOTHING), ("nothing", NOTHING), ("hok co", NOTHING),
        ("không biết", DONT_KNOW), ("ko biet", DONT_KNOW), ("k bit", DONT_KNOW), ("ko nhớ", DONT_KNOW),
        ("quên rồi", DONT_KNOW), ("don't know", DONT_KNOW), ("not sure", DONT_KNOW), ("idk", DONT_KNOW),
        ("45tr", "45000000 VND"), ("e dong 45tr roi", "45000000 VND"), ("30 trieu tien coc", "30000000 VND"),
        ("I paid 1500 usd", "1500 USD"), ("5000 đô", "5000 USD"),
    ],
)
def test_a_charge(text, value):
    assert parse_charge(text, "TW").value == value


def test_a_charge_without_a_currency_is_asked_again():
    answer = parse_charge("5000", "TW")
    assert answer.problem == "charge_currency" and answer.params == {"amount": "5000"}
    assert parse_charge("abc", "TW").problem == "charge"


def test_money_found_inside_a_sentence_is_the_first_amount():
    money = find_money("cong ty thu e 5000 do, da tra 3000 do")
    assert money.amount == Decimal(5000) and money.currency == "USD"
    assert find_money("khong co gi") is None


@pytest.mark.parametrize(
    "text, code",
    [
        ("1", "domestic_worker"), ("4", "factory"), ("10", "other"), ("số 9", "seafarer"),
        ("giup viec", "domestic_worker"), ("giúp việc nhà", "domestic_worker"), ("osin", "domestic_worker"),
        ("em làm nhà máy", "factory"), ("lam nha may", "factory"), ("công nhân xây dựng", "construction"),
        ("trang trại", "agriculture"), ("chăm bà cụ tại nhà", "home_caregiver"),
        ("điều dưỡng ở viện dưỡng lão", "institutional_caregiver"), ("caregiver in nursing home", "institutional_caregiver"),
        ("đánh cá xa bờ", "fishing_offshore"), ("danh ca gan bo", "fishing_coastal"),
        ("thuyền viên tàu vận tải", "seafarer"), ("thực tập sinh", "technical_intern"), ("tts", "technical_intern"),
        ("kỹ năng đặc định", "specified_skilled"), ("maid", "domestic_worker"), ("factory worker", "factory"),
        ("việc khác", "other"), ("domestic_worker", "domestic_worker"),
    ],
)
def test_an_occupation_by_button_or_in_her_words(text, code):
    assert parse_occupation(text, "TW").value == code  # numbers read against Taiwan's menu


@pytest.mark.parametrize(
    "text, problem",
    [("chăm sóc người già", "occupation_caregiver"), ("caregiver", "occupation_caregiver"),
     ("thuyền viên tàu cá", "occupation_fishing"), ("fishing", "occupation_fishing"),
     ("abc", "occupation"), ("11", "occupation"), ("0", "occupation"), ("giúp việc và nhà máy", "occupation")],
)
def test_an_occupation_that_needs_one_more_word_is_asked_again(text, problem):
    assert parse_occupation(text, "TW").problem == problem


@pytest.mark.parametrize("country", ["TW", "KR", "JP", "SA", "DE", None])
def test_a_number_is_read_against_the_menu_of_her_country(country):
    choices = occupations_for(country)
    assert set(choices) <= set(OCCUPATIONS) and OCCUPATION_CHOICES == tuple(OCCUPATIONS)
    for number, code in enumerate(choices, start=1):
        assert parse_occupation(str(number), country).value == code
    assert parse_occupation(str(len(choices) + 1), country).params == {"max": str(len(choices))}


def test_the_re_ask_names_the_numbers_of_her_menu():
    assert parse_occupation("chăm sóc người già", "TW").params == {"home_caregiver": "2", "institutional_caregiver": "3"}
    assert parse_occupation("thuyền viên tàu cá", "KR").params == {"fishing_coastal": "4", "fishing_offshore": "5", "seafarer": "6"}
    # no care jobs in Korea's menu: the whole menu again
    assert parse_occupation("chăm sóc người già", "KR").problem == "occupation"


@pytest.mark.parametrize(
    "text, code",
    [("Đài Loan", "TW"), ("dai loan", "TW"), ("Nhật", "JP"), ("nhat", "JP"), ("Hàn", "KR"), ("bên Malay ạ", "MY"),
     ("Taipei", "TW"), ("A rập", "SA"), ("Ba Lan", "PL")],
)
def test_the_country_even_as_a_bare_short_name(text, code):
    assert parse_country(text).value == code


@pytest.mark.parametrize("text, problem", [("abc", "country"), ("Việt Nam", "country_home"), ("em chưa đi", "country_home")])
def test_a_country_that_cannot_be_checked(text, problem):
    assert parse_country(text).problem == problem


def test_the_country_slot_holds_a_code_or_her_words():
    assert normalise_country("TW").value == "TW"
    assert normalise_country("VN").problem == "country_home"
    assert normalise_country("dai loan").value == "TW"


def test_build_request_keeps_a_charge_in_another_currency_with_that_currency():
    request = build_request(
        "TW", "factory", "36", "27470 TWD",
        {"service_fee": "45000000 VND", "brokerage_fee": NOTHING, "deposit": DONT_KNOW, "other": "500 TWD"},
    )
    assert request["charged"] == {
        "service_fee": {"amount": Decimal(45000000), "currency": "VND"},
        "brokerage_fee": 0,
        "deposit": None,
        "other": Decimal(500),
    }
    verdict = check(parse_request(request))
    assert verdict.verdict == "unknown"  # about 59,875 TWD against 82,410: too close at an old rate
    assert any("about" in reason and "reference rate" in reason for reason in verdict.reasons)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_no_answer_crashes_the_reader(text):
    for parse in (parse_months, parse_occupation, parse_country):
        answer = parse(text)
        assert answer.ok or answer.problem
    for parse in (parse_salary, parse_charge):
        answer = parse(text, "TW")
        assert answer.ok or answer.problem


@pytest.mark.parametrize("text", ["9" * 400, "1e999999 usd", "1.2.3.4 usd", "45,,000 usd", "NaN usd", "-5 usd", "∞"])
def test_odd_numbers_are_asked_again_or_read_sanely(text):
    answer = parse_charge(text, "TW")
    assert answer.problem or Decimal(answer.value.split()[0]) >= 0
