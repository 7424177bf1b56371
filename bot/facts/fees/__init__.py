"""Recruitment-fee rules (facts/fees/*.yml) and the fee-legality checker.

    from bot.facts.fees import check, parse_request, render_verdict, faq_answer
    verdict = check(parse_request({...}))
    render_verdict(verdict, "vi")

models.py holds the shape of a rule and loader.py reads the rule files; request.py validates a
check request; checker.py reaches a verdict (with matching.py, service_fee.py and charges.py;
the verdict's shape is in verdict.py, its figures in amounts.py); messages.py words it for a
worker and faq.py answers common questions from the same rules; rates.py holds the dated
reference exchange rates; answers.py (with answer_words.py, answer_money.py, answer_dates.py and
occupations.py) reads her answers to the fee form.
``python -m bot fees check`` is bot/cli/fees.py.
"""
from bot.facts.fees.checker import check, check_json
from bot.facts.fees.faq import FAQ_TOPICS, faq_answer, fee_faq
from bot.facts.fees.loader import FeeRulesError, RuleBook, default_rules, load_rules
from bot.facts.fees.messages import render_verdict
from bot.facts.fees.request import CheckRequest, RequestError, parse_json, parse_request
from bot.facts.fees.verdict import Finding, Verdict

__all__ = [
    "CheckRequest",
    "FAQ_TOPICS",
    "FeeRulesError",
    "Finding",
    "RequestError",
    "RuleBook",
    "Verdict",
    "check",
    "check_json",
    "default_rules",
    "faq_answer",
    "fee_faq",
    "load_rules",
    "parse_json",
    "parse_request",
    "render_verdict",
]
