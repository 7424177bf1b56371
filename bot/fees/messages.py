"""Short replies about fees, in Vietnamese and English, for the dialogue to send as SMS.

``render_verdict(verdict, language)`` turns a checker Verdict into a few sentences: the verdict,
the cap, one question when the answer is "unknown", what to do next, and the date the rule was
last verified. ``faq_answer(topic, language)`` answers a common question from the rules
themselves, with their citation and date. Figures always come from facts/fees/, never from here.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Dict, Iterable, Optional, Sequence, Tuple

from bot.fees.checker import Verdict, cents
from bot.fees.loader import RuleBook, default_rules
from bot.fees.models import FeeRule

LANGUAGES = ("vi", "en")

CHARGE_NAMES = {
    "vi": {
        "service_fee": "tiền dịch vụ",
        "brokerage_fee": "tiền môi giới",
        "deposit": "tiền ký quỹ",
        "other": "khoản phí khác",
    },
    "en": {
        "service_fee": "service fee",
        "brokerage_fee": "brokerage fee",
        "deposit": "deposit",
        "other": "other charge",
    },
}

_TEXT = {
    "legal": {
        "vi": "Các khoản phí này có vẻ hợp pháp.",
        "en": "These charges look legal.",
    },
    "over_cap": {
        "vi": "Bạn hỏi là đúng: {items} vượt mức trần luật cho phép.",
        "en": "You were right to ask: the {items} is over the legal cap.",
    },
    "prohibited": {
        "vi": "Bạn hỏi là đúng: luật cấm thu {items}.",
        "en": "You were right to ask: the law does not allow a {items}.",
    },
    "unknown": {
        "vi": "Chưa thể nói chắc khoản này có hợp pháp không.",
        "en": "We cannot say yet if this is legal.",
    },
    "cap": {
        "vi": "Mức trần tiền dịch vụ: {cap}.",
        "en": "Service fee cap: {cap}.",
    },
    "next_legal": {
        "vi": "Giữ hợp đồng và mọi biên lai. Kiểm tra giấy phép công ty tại www.dolab.gov.vn.",
        "en": "Keep your contract and all receipts. Check the agency's licence at www.dolab.gov.vn.",
    },
    "next_over_cap": {
        "vi": "Đừng trả thêm. Giữ biên lai, khiếu nại Cục Quản lý lao động ngoài nước (Bộ Nội vụ). Kiểm tra giấy phép công ty tại www.dolab.gov.vn.",
        "en": "Do not pay more. Keep receipts and complain to DOLAB (Bộ Nội vụ). Check the agency's licence at www.dolab.gov.vn.",
    },
    "next_prohibited": {
        "vi": "Đừng trả. Giữ biên lai, khiếu nại Cục Quản lý lao động ngoài nước (Bộ Nội vụ). Kiểm tra giấy phép công ty tại www.dolab.gov.vn.",
        "en": "Do not pay it. Keep receipts and complain to DOLAB (Bộ Nội vụ). Check the agency's licence at www.dolab.gov.vn.",
    },
    "next_unknown": {
        "vi": "Giữ biên lai. Hỏi Cục Quản lý lao động ngoài nước (Bộ Nội vụ); kiểm tra giấy phép công ty tại www.dolab.gov.vn.",
        "en": "Keep receipts. Ask DOLAB (Bộ Nội vụ); check the agency's licence at www.dolab.gov.vn.",
    },
    "verified": {
        "vi": "Quy định kiểm tra ngày {date}.",
        "en": "Rule verified on {date}.",
    },
    "verified_may_have_changed": {
        "vi": "Quy định kiểm tra ngày {date}, có thể đã thay đổi.",
        "en": "Rule verified on {date}; it may have changed.",
    },
    "faq_verified": {
        "vi": "kiểm tra ngày {date}",
        "en": "verified {date}",
    },
    "faq_may_have_changed": {
        "vi": "Quy định có thể đã thay đổi; hãy hỏi lại Cục Quản lý lao động ngoài nước.",
        "en": "This may have changed; check with DOLAB.",
    },
}

#: One question per open point; render_verdict asks only the first (SMS costs money).
ASKS = {
    "not_abroad": {
        "vi": "Bạn đang làm việc ở nước nào?",
        "en": "Which country do you work in?",
    },
    "japan_category": {
        "vi": "Bạn thuộc diện nào ở Nhật? Đã hoàn thành thực tập kỹ năng số 2 hoặc số 3 chưa?",
        "en": "Which category are you in Japan? Did you finish Technical Intern No. 2 or 3?",
    },
    "sender": {
        "vi": "Ai đưa bạn đi: công ty dịch vụ hay Trung tâm Lao động ngoài nước (EPS)?",
        "en": "Who sent you: an agency, or COLAB (EPS)?",
    },
    "other_purpose": {
        "vi": "Khoản phí khác đó để trả cho việc gì?",
        "en": "What was the other charge for?",
    },
    "deposit_in_vnd": {
        "vi": "Tiền ký quỹ là bao nhiêu đồng?",
        "en": "How much was the deposit in VND?",
    },
    "air_ticket_price": {
        "vi": "Vé máy bay phổ thông từ nơi bạn làm về Việt Nam giá bao nhiêu?",
        "en": "How much is an economy ticket from where you work back to Vietnam?",
    },
    "occupation": {
        "vi": "Chính xác bạn làm công việc gì?",
        "en": "What exactly is your job?",
    },
    "country": {
        "vi": "Luật không nói rõ nước này thuộc khu vực nào.",
        "en": "The rules do not say which region this country is in.",
    },
    "contract": {
        "vi": "Luật không nói rõ mức trần này có áp dụng khi gia hạn không.",
        "en": "The rules do not say if this cap covers extensions.",
    },
    "low_confidence": {
        "vi": "Quy định này chưa được kiểm chứng chắc chắn.",
        "en": "This rule is not well confirmed.",
    },
}

#: The rules each FAQ topic answers from, in order.
FAQ_TOPICS: Dict[str, Tuple[str, ...]] = {
    "legal_fees": ("service-fee-general-cap", "fund-contribution"),
    "brokerage": ("no-brokerage-fee",),
    "deposit": ("deposit-rules", "no-deposit-markets"),
    "refund": ("service-fee-refund-early-return",),
    "licence_check": ("licence-check-dolab",),
    "complain": ("complain-dolab",),
}

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

_CITATION_VI = (
    (", as replaced by ", ", thay thế bởi "),
    (", as amended by ", ", sửa đổi bởi "),
    ("Law ", "Luật "),
    ("Decree ", "Nghị định "),
    ("Circular ", "Thông tư "),
    ("Decision ", "Quyết định "),
    ("Annex ", "Phụ lục "),
    ("Art. ", "Điều "),
)


def _language(language: str) -> str:
    return language if language in LANGUAGES else "vi"


def _text(key: str, language: str, **values: str) -> str:
    return _TEXT[key][language].format(**values)


def format_date(date: dt.date, language: str) -> str:
    if _language(language) == "en":
        return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"
    return f"{date.day:02d}/{date.month:02d}/{date.year}"


def format_money(amount: Decimal, currency: str, language: str) -> str:
    value = cents(amount)
    text = f"{value:,}"
    if _language(language) == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return f"{text} {'đồng' if currency == 'VND' else currency}"
    return f"{text} {currency}"


def citation_text(rule: FeeRule, language: str) -> str:
    text = rule.citation
    if _language(language) == "vi":
        for english, vietnamese in _CITATION_VI:
            text = text.replace(english, vietnamese)
    return text


def _join(items: Sequence[str], language: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    word = " và " if language == "vi" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


def _oldest(rules: Iterable[FeeRule]) -> Optional[dt.date]:
    dates = [rule.verified for rule in rules]
    return min(dates) if dates else None


def render_verdict(verdict: Verdict, language: str) -> str:
    """A short, warm SMS about a checker verdict, in Vietnamese (default) or English."""
    language = _language(language)
    names = CHARGE_NAMES[language]
    parts = []
    if verdict.verdict in ("over_cap", "prohibited"):
        items = [names[c] for c in verdict.charges_with(verdict.verdict)] or [names["service_fee"]]
        parts.append(_text(verdict.verdict, language, items=_join(items, language)))
    else:
        parts.append(_text(verdict.verdict, language))
        if verdict.verdict == "unknown" and verdict.asks:
            parts.append(ASKS[verdict.asks[0]][language])
    if verdict.cap_service_fee is not None:
        parts.append(_text("cap", language, cap=format_money(verdict.cap_service_fee, verdict.currency, language)))
    parts.append(_text(f"next_{verdict.verdict}", language))
    primary = verdict.primary_rules()
    date = _oldest(primary)
    if date is not None:
        changed = any(rule.confidence.value != "high" or rule.needs_recheck for rule in primary)
        key = "verified_may_have_changed" if changed else "verified"
        parts.append(_text(key, language, date=format_date(date, language)))
    return " ".join(parts)


def faq_answer(topic: str, language: str, rules: Optional[RuleBook] = None) -> str:
    """A short answer to a common fee question, citing its rules and their verified dates."""
    if topic not in FAQ_TOPICS:
        raise ValueError(f"unknown fee topic {topic!r} (known: {', '.join(FAQ_TOPICS)})")
    language = _language(language)
    rules = rules if rules is not None else default_rules()
    used = [rules[rule_id] for rule_id in FAQ_TOPICS[topic]]
    parts = []
    for rule in used:
        when = _text("faq_verified", language, date=format_date(rule.verified, language))
        parts.append(f"{rule.statement.get(language)} ({citation_text(rule, language)}; {when})")
    if any(rule.confidence.value != "high" or rule.needs_recheck for rule in used):
        parts.append(_text("faq_may_have_changed", language))
    return " ".join(parts)
