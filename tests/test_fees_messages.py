"""Verdict messages and FAQ answers: short (SMS), in Vietnamese and English, citing rule and date."""
import datetime as dt
import re
from decimal import Decimal

import pytest

from bot.facts.fees import FAQ_TOPICS, check, default_rules, faq_answer, parse_request, render_verdict
from bot.facts.fees.messages import format_money, short_citation, verdict_messages
from channels.segments import count_segments, to_gsm7


def segments(text):
    return count_segments(text).segments


def verdict(country, occupation, months, salary, currency, **charged):
    extra = {k: charged.pop(k) for k in ("japan_category", "sender", "extension", "signed_on") if k in charged}
    extra.setdefault("signed_on", "2025-03-01")  # under Circular 02/2024
    return check(parse_request({
        "country": country, "occupation": occupation, "contract_months": months,
        "monthly_salary": salary, "currency": currency, "charged": charged, **extra,
    }), today=dt.date(2026, 12, 6))


CASES = {
    "legal": verdict("TW", "domestic_worker", 36, 20000, "TWD", service_fee=20000),
    "over_cap": verdict("TW", "domestic_worker", 36, 20000, "TWD", service_fee=25000),
    "prohibited": verdict("US", "factory", 24, 1000, "USD", brokerage_fee=500),
    "prohibited_deposit": verdict("JP", "factory", 12, 200000, "JPY", deposit=100000, japan_category="high_skilled"),
    "unknown": verdict("JP", "specified_skilled", 36, 200000, "JPY", service_fee=100000),
    "unknown_other": verdict("US", "factory", 24, 1000, "USD", other=50),
    "over_deposit_vnd": verdict("TW", "factory", 36, 18000000, "VND", deposit=15000000),
    "fee_in_dong": verdict("TW", "factory", 36, 27470, "TWD", service_fee={"amount": 45000000, "currency": "VND"}),
    "deposit_in_dollars": verdict("TW", "factory", 36, 27470, "TWD", deposit={"amount": 1000, "currency": "USD"}),
}


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_verdict_is_two_short_messages_the_finding_then_what_to_do(name, language):
    found, next_step = verdict_messages(CASES[name], language)
    # Vietnamese with diacritics is UCS-2: two segments are 134 characters. The finding may
    # take a third when it names two charges; folded to GSM-7 (channels.segments) it is shorter.
    assert segments(found) <= (3 if language == "vi" else 2), (len(found), found)
    assert segments(next_step) <= 2, (len(next_step), next_step)
    assert segments(to_gsm7(found)) <= 2 and segments(to_gsm7(next_step)) <= 1
    if language == "en":  # no Vietnamese letter turns an English SMS into UCS-2
        assert segments(found) == segments(found.encode("ascii", "replace").decode())
    assert render_verdict(CASES[name], language) == f"{found} {next_step}"


@pytest.mark.parametrize("name", ["legal", "over_cap", "prohibited", "over_deposit_vnd", "unknown_other"])
def test_the_finding_cites_its_rule_and_only_a_date_someone_checked(name):
    rule = CASES[name].primary_rules()[0]
    vi, en = (verdict_messages(CASES[name], language)[0] for language in ("vi", "en"))
    assert short_citation(rule, "vi") in vi and short_citation(rule, "en") in en
    if rule.checked:
        assert f"kiểm tra {rule.checked.strftime('%d/%m/%Y')}" in vi and f"checked {rule.checked.day}" in en
    else:
        assert "kiểm tra" not in vi and "checked" not in en
    for start in (rule.valid_from, rule.source_date):  # a law's start or its date is never a check
        if start and start != rule.checked:
            assert f"kiểm tra {start.strftime('%d/%m/%Y')}" not in vi


def test_over_the_cap_in_both_languages():
    vi = render_verdict(CASES["over_cap"], "vi")
    en = render_verdict(CASES["over_cap"], "en")
    assert "vượt mức cho phép, tối đa 20.000 TWD" in vi and "kiểm tra 06/12/2026" in vi and "biên lai" in vi
    assert "15/05/2024" not in vi  # the circular's start date is not a check date
    assert "Cục Quản lý lao động ngoài nước" in vi and "Đừng trả thêm" in vi
    assert "over the legal limit of 20,000 TWD" in en and "checked 6 Dec 2026" in en and "receipts" in en
    assert "15 May 2024" not in en
    assert "DOLAB" in en and "may have changed" in en  # a medium-confidence rule


def test_legal_and_prohibited():
    assert "đúng luật" in render_verdict(CASES["legal"], "vi")
    assert "looks legal" in render_verdict(CASES["legal"], "en")
    vi = render_verdict(CASES["prohibited"], "vi")
    assert "luật cấm thu tiền môi giới" in vi and "Luật 69/2020 Điều 7(8)" in vi and "Đừng trả." in vi
    en = render_verdict(CASES["prohibited"], "en")
    assert "brokerage fee" in en and "Do not pay it" in en and "checked 6 Dec 2026" in en
    assert "1 Jan 2022" not in en  # the Law's start date is not a check date
    assert "The most allowed for the service fee: 2,000 USD." in en  # the cap, though the fee was not the issue
    assert "tiền ký quỹ" in render_verdict(CASES["prohibited_deposit"], "vi")


def test_cannot_tell_says_why_in_one_clause_and_never_asks_what_she_cannot_answer_here():
    assert "Technical Intern No. 2 or 3" in render_verdict(CASES["unknown"], "en")
    assert "thực tập sinh số 2 hoặc số 3" in render_verdict(CASES["unknown"], "vi")
    assert "not clear what the other charge was for" in render_verdict(CASES["unknown_other"], "en")
    for name in ("unknown", "unknown_other", "deposit_in_dollars"):
        assert "?" not in render_verdict(CASES[name], "vi"), name
        assert "gặp người" in render_verdict(CASES[name], "vi")


def test_money_in_another_currency_is_compared_at_a_dated_rate_and_said_as_approximate():
    assert CASES["fee_in_dong"].verdict == "legal"
    vi = render_verdict(CASES["fee_in_dong"], "vi")
    assert "khoảng" in vi and "tỷ giá ngày 11/04/2024" in vi and "Tiền dịch vụ tối đa 82.410 TWD" in vi
    assert "about" in render_verdict(CASES["fee_in_dong"], "en")
    en = render_verdict(CASES["deposit_in_dollars"], "en")  # no reference rate for dollars
    assert CASES["deposit_in_dollars"].verdict == "unknown" and "no exchange rate" in en and "deposit" in en


def test_money_in_vnd_reads_the_way_workers_say_it():
    vi = render_verdict(CASES["over_deposit_vnd"], "vi")
    assert "tối đa 12 triệu đồng" in vi and "tiền ký quỹ" in vi
    assert "12,000,000 VND" in render_verdict(CASES["over_deposit_vnd"], "en")
    assert format_money(Decimal("583.33"), "USD", "vi") == "583,33 USD"
    assert format_money(Decimal("45500000"), "VND", "vi") == "45,5 triệu đồng"
    assert format_money(Decimal("45550000"), "VND", "vi") == "45.550.000 đồng"  # never rounded
    assert format_money(Decimal("100000"), "VND", "vi") == "100.000 đồng"


def test_render_falls_back_to_vietnamese():
    assert render_verdict(CASES["legal"], "fr") == render_verdict(CASES["legal"], "vi")


@pytest.mark.parametrize(
    "citation, vi, en",
    [
        ("Law 69/2020/QH14 Art. 23(4)(a)", "Luật 69/2020 Điều 23(4)(a)", "Law 69/2020 Art. 23(4)(a)"),
        ("Law 69/2020/QH14 Art. 6(1)(a), (b), (d), (h)", "Luật 69/2020 Điều 6(1)(a)", "Law 69/2020 Art. 6(1)(a)"),
        ("Law 69/2020/QH14 Art. 8(1), Art. 17(3); Decree 112/2021/NĐ-CP Art. 38-39", "Luật 69/2020 Điều 8(1)", "Law 69/2020 Art. 8(1)"),
        ("Circular 21/2021/TT-BLĐTBXH Annex XI, as replaced by Circular 02/2024/TT-BLĐTBXH", "Thông tư 21/2021 Phụ lục XI", "Circular 21/2021 Annex XI"),
        ("Taiwan Ministry of Labor, Workforce Development Agency: 'What fixed payments ...'", "Bộ Lao động Đài Loan", "Taiwan Ministry of Labor"),
    ],
)
def test_short_citations_keep_the_text_and_first_article(citation, vi, en):
    rule = default_rules()["no-brokerage-fee"].copy(update={"citation": citation})
    assert short_citation(rule, "vi") == vi
    assert short_citation(rule, "en") == en


@pytest.mark.parametrize("topic", sorted(FAQ_TOPICS))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_faq_answer_is_sms_sized_and_cites_its_rules_and_dates(topic, language):
    text = faq_answer(topic, language)
    rules = default_rules()
    for rule_id in FAQ_TOPICS[topic]:
        rule = rules[rule_id]
        assert short_citation(rule, language) in text
        assert (rule.sms or rule.statement).get(language).rstrip(".?") in text
        if rule.checked:
            assert str(rule.checked.year) in text
    # Two segments (UCS-2 with diacritics, GSM-7 in English); the deposit answer has two rules,
    # the general cap a pointer to the lower ones.
    assert segments(text) <= (4 if len(FAQ_TOPICS[topic]) > 1 else 3 if topic == "legal_fees" else 2), (len(text), text)
    assert segments(to_gsm7(text)) <= 2


def test_faq_answers_say_the_key_facts():
    assert "www.dolab.gov.vn" in faq_answer("licence_check", "vi")
    assert "Cục Quản lý lao động ngoài nước" in faq_answer("complain", "vi")
    assert "DOLAB" in faq_answer("complain", "en")
    assert "tiền môi giới" in faq_answer("brokerage", "vi")
    assert "Art. 7(8)" in faq_answer("brokerage", "en") and "Điều 7(8)" in faq_answer("brokerage", "vi")
    assert "1 month's salary" in faq_answer("legal_fees", "en") and "3 months' salary" in faq_answer("legal_fees", "en")
    assert "Japan" in faq_answer("deposit", "en") and "Nhật Bản" in faq_answer("deposit", "vi")
    assert "interest" in faq_answer("refund", "en") and "lãi" in faq_answer("refund", "vi")


def test_faq_warns_when_a_rule_may_have_changed():
    assert "may have changed" in faq_answer("deposit", "en")
    assert "có thể đã đổi" in faq_answer("deposit", "vi")
    assert "may have changed" not in faq_answer("brokerage", "en")


def test_an_unknown_faq_topic_is_an_error():
    with pytest.raises(ValueError, match="unknown fee topic"):
        faq_answer("visa", "en")


def test_the_sms_wording_of_a_rule_carries_no_figure_its_statement_lacks():
    for rule in default_rules().values():
        if rule.sms is None:
            continue
        for language in ("vi", "en"):
            full = rule.statement.get(language)
            for figure in re.findall(r"\d[\d.,]*\d|\d", rule.sms.get(language)):
                assert figure in full, (rule.id, language, figure)
            assert len(rule.sms.get(language)) <= 120, (rule.id, language)
