"""Short replies about fees, in Vietnamese and English, for the dialogue to send as SMS.

``verdict_messages(verdict, language)`` turns a checker Verdict into short messages: what the
checker found, with the cap, the rule it rests on and the date someone checked that rule against
its source (never a date nobody checked: a law's start date is not a check); then what to do
next; then, where it applies, one note (a lower cap if she was sent by the EPS public unit) and
one tip from the rules of her market. ``render_verdict`` joins them. The FAQ answers are in
bot/facts/fees/faq.py. Figures always come from facts/fees/, never from here.

SMS costs money: Vietnamese with diacritics is UCS-2, 70 characters in one segment and 67 a
segment in a longer message. Each message aims at two segments (134 characters) or less.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Iterable, List, Optional, Sequence, Tuple

from bot.facts.fees.amounts import cents
from bot.facts.fees.models import FeeRule
from bot.facts.fees.verdict import Verdict
from bot.understanding.language import LANGUAGES

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
        "vi": "Các khoản bạn kể có vẻ đúng luật.",
        "en": "What you told me looks legal.",
    },
    "over_cap": {
        "vi": "Bạn hỏi là đúng: {items} vượt mức cho phép.",
        "en": "You were right to ask: the {items} is over the legal limit.",
    },
    "prohibited": {
        "vi": "Bạn hỏi là đúng: luật cấm thu {items}.",
        "en": "You were right to ask: the law does not allow a {items}.",
    },
    "unknown": {
        "vi": "Mình chưa chắc: {why}.",
        "en": "I cannot say for sure: {why}.",
    },
    "cap": {
        "vi": "{item} tối đa {cap}",
        "en": "The most allowed for the {item}: {cap}",
    },
    "over_cap_at": {
        "vi": "Bạn hỏi là đúng: {items} vượt mức cho phép, tối đa {cap}.",
        "en": "You were right to ask: the {items} is over the legal limit of {cap}.",
    },
    "cited": {
        "vi": "({citation}, kiểm tra {date})",
        "en": "({citation}, checked {date})",
    },
    "cited_undated": {
        "vi": "({citation})",
        "en": "({citation})",
    },
    "approximate": {
        "vi": "{charge} khoảng {amount} (tỷ giá ngày {date}).",
        "en": "Your {charge} is about {amount} (exchange rate of {date}).",
    },
    "next_legal": {
        "vi": "Giữ hợp đồng và biên lai. Xem công ty có giấy phép không tại www.dolab.gov.vn.",
        "en": "Keep your contract and receipts. Check the agency's licence at www.dolab.gov.vn.",
    },
    "next_over_cap": {
        "vi": "Đừng trả thêm. Giữ biên lai, khiếu nại Cục Quản lý lao động ngoài nước (Bộ Nội vụ).",
        "en": "Do not pay more. Keep receipts and complain to DOLAB, the Department of Overseas Labour.",
    },
    "next_prohibited": {
        "vi": "Đừng trả. Giữ biên lai, khiếu nại Cục Quản lý lao động ngoài nước (Bộ Nội vụ).",
        "en": "Do not pay it. Keep receipts and complain to DOLAB, the Department of Overseas Labour.",
    },
    "next_unknown": {
        "vi": "Giữ biên lai, hỏi Cục Quản lý lao động ngoài nước (Bộ Nội vụ), hoặc nhắn: gặp người.",
        "en": "Keep receipts and ask DOLAB, the Department of Overseas Labour, or text: human.",
    },
    "may_have_changed": {
        "vi": "Quy định có thể đã đổi.",
        "en": "The rule may have changed.",
    },
}

#: Why the checker cannot tell, one short clause per open point (the first one is said).
UNKNOWN_WHY = {
    "japan_category": {
        "vi": "mức trần còn tùy bạn đã xong thực tập sinh số 2 hoặc số 3 chưa",
        "en": "the limit depends on whether you finished Technical Intern No. 2 or 3",
    },
    "sender": {
        "vi": "còn tùy ai đưa bạn đi: công ty hay Trung tâm Lao động ngoài nước (EPS)",
        "en": "it depends on who sent you: an agency, or COLAB (EPS)",
    },
    "other_purpose": {
        "vi": "chưa rõ khoản phí khác để làm gì",
        "en": "it is not clear what the other charge was for",
    },
    "charge_currency": {
        "vi": "phí và lương khác loại tiền, mình chưa có tỷ giá để so",
        "en": "your fee and salary are in different money, and I have no exchange rate for them",
    },
    "charge_currency_close": {
        "vi": "quy ra tiền lương thì gần sát mức tối đa, cần tỷ giá đúng ngày bạn trả",
        "en": "in your salary's money it is close to the limit; the rate on the day you paid decides",
    },
    "deposit_in_vnd": {
        "vi": "ký quỹ tính bằng đồng, mình chưa có tỷ giá để so",
        "en": "the deposit limit is in VND, and I have no exchange rate to compare",
    },
    "last_known": {
        "vi": "mức trần mới cho hợp đồng ký từ 30/06/2026 chưa được xác nhận",
        "en": "the limit for contracts signed from 30 Jun 2026 is not confirmed yet",
    },
    "period": {
        "vi": "mình chưa có quy định cũ cho hợp đồng ký ngày đó",
        "en": "I do not have the older rules for a contract signed then",
    },
    "air_ticket_price": {
        "vi": "ký quỹ tối đa bằng giá vé máy bay về nước, mình không biết giá vé",
        "en": "the deposit limit is the price of a plane ticket home, which I do not know",
    },
    "occupation": {
        "vi": "luật chưa rõ nghề của bạn theo mức nào",
        "en": "the rules do not say which limit covers your job",
    },
    "country": {
        "vi": "luật chưa rõ nước này thuộc khu vực nào",
        "en": "the rules do not say which region this country is in",
    },
    "contract": {
        "vi": "luật chưa rõ mức này có áp dụng khi gia hạn không",
        "en": "the rules do not say if this limit covers extensions",
    },
    "low_confidence": {
        "vi": "quy định này chưa được kiểm chứng chắc chắn",
        "en": "this rule is not well confirmed",
    },
    "not_abroad": {
        "vi": "mình chỉ kiểm tra phí đi làm ở nước ngoài",
        "en": "I only check fees for work abroad",
    },
    "no_rule": {
        "vi": "mình chưa có quy định cho trường hợp này",
        "en": "no rule I know covers this case",
    },
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
#: Citations that are not Vietnamese legal texts, shortened by their start.
_SHORT_SOURCES = (
    ("Taiwan Ministry of Labor", {"vi": "Bộ Lao động Đài Loan", "en": "Taiwan Ministry of Labor"}),
    ("Technical Intern Training Act", {"vi": "Luật TTS Nhật Điều 47", "en": "Japan intern law Art. 47"}),
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
    """"20.000 TWD", "54 triệu đồng" (how workers say it), "583,33 USD"; English "20,000 TWD"."""
    value = cents(amount)
    if _language(language) == "vi":
        if currency == "VND" and value >= 1_000_000 and value % 100_000 == 0:
            millions = format((value / 1_000_000).normalize(), "f").replace(".", ",")
            return f"{millions} triệu đồng"
        text = f"{value:,}".replace(",", "\0").replace(".", ",").replace("\0", ".")
        return f"{text} {'đồng' if currency == 'VND' else currency}"
    return f"{value:,} {currency}"


def citation_text(rule: FeeRule, language: str) -> str:
    text = rule.citation
    if _language(language) == "vi":
        for english, vietnamese in _CITATION_VI:
            text = text.replace(english, vietnamese)
    return text


def short_citation(rule: FeeRule, language: str) -> str:
    """The first text and article of a citation, without document suffixes: for an SMS.

    "Law 69/2020/QH14 Art. 23(4)(a)" -> "Luật 69/2020 Điều 23(4)(a)"; "Circular 21/2021/TT-BLĐTBXH
    Annex XI, as replaced by ..." -> "Thông tư 21/2021 Phụ lục XI". The full citation is in
    ``python -m bot fees check``.
    """
    language = _language(language)
    for start, names in _SHORT_SOURCES:
        if rule.citation.startswith(start):
            return names[language]
    text = rule.citation.split(";")[0]
    text = re.split(r", as (?:replaced|amended|reported) by |,? \(", text)[0]
    text = re.split(r", (?=Art\. |Annex )", text)[0]  # the first article is enough
    text = re.sub(r"(\d+/\d{4})/[^\s,;]+", r"\1", text)  # 69/2020/QH14 -> 69/2020
    if language == "vi":
        for english, vietnamese in _CITATION_VI:
            text = text.replace(english, vietnamese)
    return text.strip()


def cited(rule: FeeRule, language: str) -> str:
    """"(Luật 69/2020 Điều 23(4)(a), kiểm tra 06/12/2026)", or without a date nobody checked."""
    citation = short_citation(rule, language)
    if rule.checked is None:
        return _text("cited_undated", language, citation=citation)
    return _text("cited", language, citation=citation, date=format_date(rule.checked, language))


def _cited(rules: Sequence[FeeRule], language: str) -> str:
    return cited(rules[0], language)


def may_have_changed(rules: Iterable[FeeRule], signed: Optional[dt.date] = None) -> bool:
    """Not sure, never checked against its source, or past its period for this contract."""
    return any(
        rule.confidence.value != "high"
        or rule.needs_recheck
        or (signed is not None and rule.valid_until is not None and signed > rule.valid_until)
        for rule in rules
    )


_may_have_changed = may_have_changed


def _join(items: Sequence[str], language: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    word = " và " if language == "vi" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _deposit_cap(rules: Sequence[FeeRule]) -> Optional[Tuple[Decimal, str]]:
    for rule in rules:
        maximum = rule.deposit.maximum() if rule.deposit is not None else None
        if maximum is not None:
            return maximum
    return None


def _unknown_why(verdict: Verdict, language: str) -> str:
    asks = [ask for ask in verdict.asks if ask in UNKNOWN_WHY]
    return UNKNOWN_WHY[asks[0] if asks else "no_rule"][language]


def verdict_messages(verdict: Verdict, language: str) -> List[str]:
    """Two short messages: what was found (cap, rule, date), then what to do next."""
    language = _language(language)
    names = CHARGE_NAMES[language]
    primary = verdict.primary_rules()
    charges = verdict.charges_with(verdict.verdict)

    if verdict.verdict in ("over_cap", "prohibited"):
        items = [names[c] for c in charges] or [names["service_fee"]]
        headline = _text(verdict.verdict, language, items=_join(items, language))
    elif verdict.verdict == "unknown":
        headline = _text("unknown", language, why=_unknown_why(verdict, language))
    else:
        headline = _text("legal", language)

    cap: Optional[str] = None
    capped: Optional[Tuple[str, str]] = None  # the charge with a cap to give, and the cap
    deposit_cap = _deposit_cap(primary) if charges == ["deposit"] else None
    if deposit_cap is not None:
        capped = ("deposit", format_money(*deposit_cap, language))
    elif verdict.cap_service_fee is not None:
        capped = ("service_fee", format_money(verdict.cap_service_fee, verdict.currency, language))
    if capped is not None:
        cap_item, cap_amount = capped
        if verdict.verdict == "over_cap" and charges == [cap_item]:
            # One sentence: "the service fee is over the limit of 20,000 TWD".
            headline = _text("over_cap_at", language, items=names[cap_item], cap=cap_amount)
        else:
            cap = _text("cap", language, item=names[cap_item], cap=cap_amount)
            if language == "vi":
                cap = _capitalised(cap)

    # The rule is cited beside what it says: the cap when it is the cap's rule, else the headline.
    cap_rule = bool(primary) and (
        primary[0].service_fee_cap is not None or (deposit_cap is not None and primary[0].deposit is not None)
    )
    cite_headline = bool(primary) and (not cap_rule or cap is None)  # cap None: merged or absent
    found = [headline[:-1] + f" {_cited(primary, language)}." if cite_headline else headline]
    if cap is not None:
        found.append(cap + (f" {_cited(primary, language)}." if cap_rule else "."))

    approximate = next((f for f in verdict.findings if f.outcome == verdict.verdict and f.approximate), None)
    if approximate is not None and approximate.approximate is not None:
        about = approximate.approximate
        found.append(_capitalised(_text(
            "approximate", language, charge=names[approximate.charge or "service_fee"],
            amount=format_money(about.amount, about.currency, language), date=format_date(about.rate_date, language),
        )))

    next_step = [_text(f"next_{verdict.verdict}", language)]
    if primary and may_have_changed(primary, verdict.signed_on):
        next_step.append(_text("may_have_changed", language))
    messages = [" ".join(found), " ".join(next_step)]
    by_id = {rule.id: rule for rule in verdict.citations}
    for note in verdict.notes:  # a lower cap of another sender, where it belongs to her market
        rule = by_id.get(note.rule_id)
        if rule is not None and rule.sms is not None and rule.alternative_where and rule.alternative_where.countries:
            messages.append(rule.sms.get(language))
    messages += [rule.sms.get(language) for rule in verdict.tips if rule.sms is not None]
    return messages


def render_verdict(verdict: Verdict, language: str) -> str:
    """A short, warm reply about a checker verdict, in Vietnamese (default) or English."""
    return " ".join(verdict_messages(verdict, language))
