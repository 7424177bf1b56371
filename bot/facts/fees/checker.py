"""Is what she was charged legal? ``check(request) -> Verdict``, a pure function over the fee
rules in facts/fees/.

Each charge is compared with the rules that apply: the service fee with the caps
(bot.facts.fees.service_fee), the brokerage fee, the deposit and any other charge with their own
rules (bot.facts.fees.charges). When the facts or the request leave it open which rule applies
(a "maybe", see bot.facts.fees.matching), the checker answers only what holds under every rule
that may apply, and ``unknown`` otherwise, with the question that would settle it. The verdict is
the most serious finding: prohibited > over_cap > unknown > legal.
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from bot.facts.fees.charges import brokerage_finding, deposit_finding, other_finding
from bot.facts.fees.loader import RuleBook, default_rules
from bot.facts.fees.request import CheckRequest, parse_request
from bot.facts.fees.service_fee import judge_service_fee
from bot.facts.fees.verdict import Finding, Verdict, most_serious

HOME_COUNTRY = "VN"


def _not_abroad(request: CheckRequest) -> Verdict:
    return Verdict(
        "unknown", None, request.currency,
        ["VN is Vietnam: this checker covers fees for work abroad. Give the country where she works."],
        [], [Finding(None, "unknown", (), (), ("not_abroad",))], [], ["not_abroad"],
    )


def check(request: CheckRequest, rules: Optional[RuleBook] = None) -> Verdict:
    rules = rules if rules is not None else default_rules()
    if request.country == HOME_COUNTRY:
        return _not_abroad(request)

    service_fee = judge_service_fee(request, rules)
    reasons: List[str] = list(service_fee.reasons)
    findings: List[Finding] = [service_fee.finding] if service_fee.finding else []
    for build in (brokerage_finding, deposit_finding, other_finding):
        finding = build(request, rules)
        if finding:
            findings.append(finding)

    if findings:
        verdict = most_serious(f.outcome for f in findings)
    else:
        verdict = "legal"
        reasons.append("No charge above 0 was given, so there is nothing to object to.")
    for finding in findings:
        reasons.extend(finding.reasons)

    decisive: List[str] = []
    for finding in findings:
        if finding.outcome == verdict:
            decisive.extend(i for i in finding.rule_ids if i not in decisive)
    if not decisive:
        decisive = list(service_fee.cap_ids)

    ordered: List[str] = []
    cited = decisive + list(service_fee.cap_ids) + [i for f in findings for i in f.rule_ids] + service_fee.info_ids
    for rule_id in cited:
        if rule_id in rules and rule_id not in ordered:
            ordered.append(rule_id)
    citations = [rules[rule_id] for rule_id in ordered]

    for rule in (rules[i] for i in decisive if i in rules):
        if rule.confidence.value != "high" and rule.caveats:
            reasons.append(f"Caveat ({rule.id}, {rule.confidence.value} confidence): {rule.caveats[0]}")

    asks: List[str] = []
    for finding in findings:
        if finding.outcome == "unknown":
            asks.extend(a for a in finding.asks if a not in asks)
    return Verdict(verdict, service_fee.cap, request.currency, reasons, citations, findings, decisive, asks)


def check_json(data: Mapping[str, Any], rules: Optional[RuleBook] = None) -> Dict[str, Any]:
    """Convenience for callers holding a parsed JSON object: validate, check, serialise."""
    return check(parse_request(dict(data)), rules).to_dict()
