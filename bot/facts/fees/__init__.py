"""Recruitment-fee rules (facts/fees/*.yml) and the fee-legality checker.

    from bot.facts.fees import check, parse_request, render_verdict, faq_answer
    verdict = check(parse_request({...}))
    render_verdict(verdict, "vi")

See checker.py for how a verdict is reached, models.py for the shape of a rule, cli.py for
``python -m bot fees check``.
"""
from bot.facts.fees.checker import (
    CheckRequest,
    Finding,
    RequestError,
    Verdict,
    check,
    check_json,
    parse_json,
    parse_request,
)
from bot.facts.fees.loader import FeeRulesError, RuleBook, default_rules, load_rules
from bot.facts.fees.messages import FAQ_TOPICS, faq_answer, render_verdict

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
    "load_rules",
    "parse_json",
    "parse_request",
    "render_verdict",
]
