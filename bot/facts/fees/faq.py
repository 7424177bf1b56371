"""Short answers to common fee questions, from the same rules and market the checker uses.

``faq_answer(topic, language, country=..., occupation=..., signed_on=...)`` answers from the
rules' SMS wording, each with a short citation and the date someone checked it (none when
nobody did). For "legal_fees" with a country, the cap is the one the checker would apply to her
market and job on that signing date (a Taiwan home caregiver hears 0.4 month per 12 months and 1
month in total, never the general 1 and 3), and the EPS public unit's "no fee" is said only where
it can apply. ``fee_faq(topic, language, text=...)`` also hears a question about a penalty or
forced savings ("phải đền 100 man nếu về sớm") and answers it from the Japan intern rule.
"""
from __future__ import annotations

import datetime as dt
from typing import Dict, List, Optional, Tuple

from bot.facts.fees.answer_words import folded_text, says
from bot.facts.fees.loader import RuleBook, default_rules
from bot.facts.fees.messages import _language, cited, may_have_changed
from bot.facts.fees.models import FeeRule
from bot.facts.fees.request import CheckRequest, parse_request
from bot.facts.fees.service_fee import alternative_notes, service_fee_caps

#: The rules each FAQ topic answers from, in order.
FAQ_TOPICS: Dict[str, Tuple[str, ...]] = {
    "legal_fees": ("service-fee-general-cap",),
    "brokerage": ("no-brokerage-fee",),
    "deposit": ("deposit-rules", "no-deposit-markets"),
    "refund": ("service-fee-refund-early-return",),
    "licence_check": ("licence-check-dolab",),
    "complain": ("complain-dolab",),
    "penalty": ("jp-ti-no-penalty-no-forced-savings",),
}

_TEXT = {
    "may_have_changed": {"vi": "có thể đã đổi", "en": "may have changed"},
    "lower_elsewhere": {
        "vi": "Có nước, có nghề mức thấp hơn.",
        "en": "Some countries and jobs have a lower limit.",
    },
    "last_known": {
        "vi": "Hợp đồng ký từ 30/06/2026: mức mới chưa rõ, đây là mức cũ.",
        "en": "Contracts signed from 30 Jun 2026: the new limit is not confirmed; this is the last known one.",
    },
}

#: Words that make a fee question one about a penalty for leaving or savings kept for her.
_PENALTY_WORDS = (
    "phat", "tien phat", "boi thuong", "den bu", "den tien", "phai den", "tien den", "vi pham hop dong",
    "ve som", "ve nuoc som", "bo tron", "bo viec", "tiet kiem", "giu tien", "giu so", "so tiet kiem",
    "penalty", "penalties", "fine", "damages", "compensation", "savings", "go home early", "break the contract",
)


def _sms(rule: FeeRule, language: str, signed: Optional[dt.date]) -> str:
    words = (rule.sms or rule.statement).get(language).strip()
    citation = cited(rule, language)
    if may_have_changed([rule], signed):
        change = _TEXT["may_have_changed"][language]
        citation = f"{citation[:-1]}, {change})" if language == "vi" else f"{citation[:-1]}; {change})"
    end = words[-1] if words[-1] in ".!?" else "."
    return f"{words.rstrip('.!?')} {citation}{end}"


def _market_request(country: str, occupation: Optional[str], signed_on: dt.date) -> Optional[CheckRequest]:
    try:
        return parse_request({
            "country": country, "occupation": occupation or "other", "contract_months": 36,
            "monthly_salary": 1, "currency": "USD", "charged": {}, "signed_on": signed_on.isoformat(),
        })
    except ValueError:
        return None


_PUBLIC_UNIT_WORDS = ("eps", "trung tam lao dong ngoai nuoc", "colab", "public unit", "chuong trinh eps")


def _legal_fees(language: str, rules: RuleBook, country: Optional[str], occupation: Optional[str],
                signed: dt.date, public_unit: bool = False) -> List[str]:
    request = _market_request(country, occupation, signed) if country else None
    caps = service_fee_caps(request, rules) if request is not None else None
    if request is None or caps is None:
        return [_sms(rules["service-fee-general-cap"], language, signed), _TEXT["lower_elsewhere"][language]]
    parts = []
    lowest = caps.maybes[0] if caps.maybes else caps.sure
    rule = lowest.candidate.rule
    parts.append(_sms(rule, language, signed))
    if "last_known" in lowest.candidate.whys:
        parts.append(_TEXT["last_known"][language])
    elif occupation is None and rule.id == "service-fee-general-cap":
        parts.append(_TEXT["lower_elsewhere"][language])
    alternatives = []
    for note in alternative_notes(request, rules, lowest.amount):
        alternative = rules[note.rule_id]
        if alternative.alternative_where and alternative.alternative_where.countries and alternative.sms:
            alternatives.append(_sms(alternative, language, signed))
    # She asked about the public programme (EPS): its answer first, the agencies' cap after.
    return alternatives + parts if public_unit else parts + alternatives


def faq_answer(
    topic: str,
    language: str,
    rules: Optional[RuleBook] = None,
    *,
    country: Optional[str] = None,
    occupation: Optional[str] = None,
    signed_on: Optional[dt.date] = None,
    public_unit: bool = False,
) -> str:
    """A short answer to a common fee question, citing its rules and when they were checked.
    `public_unit`: she asked about going through the public programme (EPS)."""
    if topic not in FAQ_TOPICS:
        raise ValueError(f"unknown fee topic {topic!r} (known: {', '.join(FAQ_TOPICS)})")
    language = _language(language)
    rules = rules if rules is not None else default_rules()
    signed = signed_on or dt.date.today()
    if topic == "legal_fees":
        return " ".join(_legal_fees(language, rules, country, occupation, signed, public_unit))
    return " ".join(_sms(rules[rule_id], language, signed) for rule_id in FAQ_TOPICS[topic])


def asks_about_penalty(text: str) -> bool:
    """"phải đền 100 man nếu về sớm", "bị giữ sổ tiết kiệm", "penalty if I go home early"."""
    return says(folded_text(text), _PENALTY_WORDS)


def fee_faq(
    topic: str,
    language: str,
    *,
    text: str = "",
    country: Optional[str] = None,
    occupation: Optional[str] = None,
    signed_on: Optional[dt.date] = None,
    rules: Optional[RuleBook] = None,
) -> str:
    """The FAQ answer for her question: the penalty rule when she asks about one in Japan (or
    does not say where), else ``faq_answer`` for her market."""
    rules = rules if rules is not None else default_rules()
    if asks_about_penalty(text) and country in (None, "JP"):
        return faq_answer("penalty", language, rules, signed_on=signed_on)
    public_unit = says(folded_text(text), _PUBLIC_UNIT_WORDS)
    if public_unit and country is None and says(folded_text(text), ("eps",)):
        country = "KR"  # EPS is Korea's programme: naming it names the market
    return faq_answer(topic, language, rules, country=country, occupation=occupation, signed_on=signed_on,
                      public_unit=public_unit)


