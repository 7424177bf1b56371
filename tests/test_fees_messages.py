"""render_verdict and faq_answer: short, in Vietnamese and English, citing rule and date."""
import pytest

from bot.fees import FAQ_TOPICS, check, default_rules, faq_answer, parse_request, render_verdict
from bot.fees.messages import citation_text, format_money

SMS_LIMIT = 320  # characters; about 5 UCS-2 segments with diacritics, 2 GSM-7 ones without


def verdict(country, occupation, months, salary, currency, **charged):
    extra = {k: charged.pop(k) for k in ("japan_category", "sender", "extension") if k in charged}
    return check(parse_request({
        "country": country, "occupation": occupation, "contract_months": months,
        "monthly_salary": salary, "currency": currency, "charged": charged, **extra,
    }))


CASES = {
    "legal": verdict("TW", "domestic_worker", 36, 20000, "TWD", service_fee=20000),
    "over_cap": verdict("TW", "domestic_worker", 36, 20000, "TWD", service_fee=25000),
    "prohibited": verdict("US", "factory", 24, 1000, "USD", brokerage_fee=500),
    "prohibited_deposit": verdict("JP", "factory", 12, 200000, "JPY", deposit=100000, japan_category="high_skilled"),
    "unknown": verdict("JP", "specified_skilled", 36, 200000, "JPY", service_fee=100000),
    "unknown_other": verdict("US", "factory", 24, 1000, "USD", other=50),
    "over_deposit_vnd": verdict("TW", "factory", 36, 18000000, "VND", deposit=15000000),
}


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_render_is_short_and_says_what_to_do_next(name, language):
    text = render_verdict(CASES[name], language)
    assert len(text) <= SMS_LIMIT, (len(text), text)
    assert "www.dolab.gov.vn" in text
    assert "Bộ Nội vụ" in text if CASES[name].verdict != "legal" else True
    if language == "vi":
        assert "Quy định kiểm tra ngày" in text
    else:
        assert "Rule verified on" in text


def test_render_over_cap_in_both_languages():
    vi = render_verdict(CASES["over_cap"], "vi")
    en = render_verdict(CASES["over_cap"], "en")
    assert "vượt mức trần" in vi and "20.000 TWD" in vi and "15/05/2024" in vi and "biên lai" in vi
    assert "Cục Quản lý lao động ngoài nước" in vi
    assert "over the legal cap" in en and "20,000 TWD" in en and "15 May 2024" in en and "receipts" in en
    assert "DOLAB" in en and "may have changed" in en


def test_render_legal_and_prohibited():
    assert "hợp pháp" in render_verdict(CASES["legal"], "vi")
    assert "look legal" in render_verdict(CASES["legal"], "en")
    assert "tiền môi giới" in render_verdict(CASES["prohibited"], "vi")
    en = render_verdict(CASES["prohibited"], "en")
    assert "brokerage fee" in en and "Do not pay it" in en and "1 Jan 2022" in en
    assert "tiền ký quỹ" in render_verdict(CASES["prohibited_deposit"], "vi")


def test_render_unknown_asks_one_question():
    assert "Technical Intern No. 2 or 3" in render_verdict(CASES["unknown"], "en")
    assert "thực tập kỹ năng số 2 hoặc số 3" in render_verdict(CASES["unknown"], "vi")
    assert "What was the other charge for?" in render_verdict(CASES["unknown_other"], "en")
    assert "để trả cho việc gì" in render_verdict(CASES["unknown_other"], "vi")


def test_render_money_in_vnd_reads_naturally():
    vi = render_verdict(CASES["over_deposit_vnd"], "vi")
    assert "54.000.000 đồng" in vi and "tiền ký quỹ" in vi
    assert "54,000,000 VND" in render_verdict(CASES["over_deposit_vnd"], "en")
    assert format_money(__import__("decimal").Decimal("583.33"), "USD", "vi") == "583,33 USD"


def test_render_falls_back_to_vietnamese():
    assert render_verdict(CASES["legal"], "fr") == render_verdict(CASES["legal"], "vi")


@pytest.mark.parametrize("topic", sorted(FAQ_TOPICS))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_faq_topic_cites_its_rules_and_dates(topic, language):
    text = faq_answer(topic, language)
    rules = default_rules()
    for rule_id in FAQ_TOPICS[topic]:
        rule = rules[rule_id]
        assert citation_text(rule, language) in text
        assert rule.statement.get(language) in text
        year = str(rule.verified.year)
        assert year in text
    assert len(text) <= 600


def test_faq_answers_say_the_key_facts():
    assert "www.dolab.gov.vn" in faq_answer("licence_check", "vi")
    assert "Cục Quản lý lao động ngoài nước" in faq_answer("complain", "vi")
    assert "DOLAB" in faq_answer("complain", "en")
    assert "tiền môi giới" in faq_answer("brokerage", "vi")
    assert "Art. 7(8)" in faq_answer("brokerage", "en") and "Điều 7(8)" in faq_answer("brokerage", "vi")
    assert "1 month's salary" in faq_answer("legal_fees", "en") and "100,000 VND" in faq_answer("legal_fees", "en")
    assert "Japan" in faq_answer("deposit", "en") and "Nhật Bản" in faq_answer("deposit", "vi")
    assert "interest" in faq_answer("refund", "en") and "tiền lãi" in faq_answer("refund", "vi")


def test_faq_warns_when_a_rule_may_have_changed():
    assert "may have changed" in faq_answer("deposit", "en")
    assert "có thể đã thay đổi" in faq_answer("deposit", "vi")
    assert "may have changed" not in faq_answer("brokerage", "en")


def test_an_unknown_faq_topic_is_an_error():
    with pytest.raises(ValueError, match="unknown fee topic"):
        faq_answer("visa", "en")
