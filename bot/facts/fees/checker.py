"""Is what she was charged legal? ``check(request) -> Verdict``, a pure function over the fee
rules in facts/fees/.

Each charge is compared with the rules that apply: the service fee with the caps
(bot.facts.fees.service_fee), the brokerage fee, the deposit and any other charge with their own
rules (bot.facts.fees.charges). When the facts or the request leave it open which rule applies
(a "maybe", see bot.facts.fees.matching), the checker answers only what holds under every rule
that may apply, and ``unknown`` otherwise, with the question that would settle it. The verdict is
the most serious finding: prohibited > over_cap > unknown > legal.

The rules are those in force on the day she signed her contract (``signed_on``; today when she
does not know). A value she does not know is never an error: it gets "unknown" with what would
decide it, or a verdict from what is known.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional

from bot.facts.fees.charges import brokerage_finding, deposit_finding, other_finding
from bot.facts.fees.loader import RuleBook, default_rules
from bot.facts.fees.matching import YES, match
from bot.facts.fees.rates import RateTable, default_rates
from bot.facts.fees.request import CheckRequest, parse_request
from bot.facts.fees.service_fee import judge_service_fee
from bot.facts.fees.verdict import Finding, Verdict, most_serious

HOME_COUNTRY = "VN"
#: Rules of her market the verdict tells her whatever she was charged: what an intern in Japan
#: is most often told wrongly (a penalty for going home early, savings kept for her).
TIPS = ("jp-ti-no-penalty-no-forced-savings",)


def _not_abroad(request: CheckRequest) -> Verdict:
    return Verdict(
        "unknown", None, request.currency,
        ["VN is Vietnam: this checker covers fees for work abroad. Give the country where she works."],
        [], [Finding(None, "unknown", (), (), ("not_abroad",))], [], ["not_abroad"],
    )


#: Circular 09/2026/TT-BNV Art. 3(1): a contract signed before it took effect by a worker who
#: had not yet left keeps its terms only where they are not worse for her than the new Circular's.
_TRANSITION = (
    "Signed before {start}: the rules of the earlier text apply if she had left Vietnam before "
    "{start}; if she had not, the newer text applies where it is better for her (Circular "
    "09/2026/TT-BNV Art. 3(1))."
)
_CHANGEOVERS = (dt.date(2026, 6, 30),)


def _dated(request: CheckRequest, today: dt.date) -> CheckRequest:
    return request if request.signed_on is not None else request.copy(update={"signed_on": today})


def check(
    request: CheckRequest,
    rules: Optional[RuleBook] = None,
    *,
    today: Optional[dt.date] = None,
    rates: Optional[RateTable] = None,
) -> Verdict:
    rules = rules if rules is not None else default_rules()
    today = today or dt.date.today()
    rates = rates if rates is not None else default_rates()
    assumed = request.signed_on is None
    request = _dated(request, today)
    if request.country == HOME_COUNTRY:
        home = _not_abroad(request)
        home.signed_on, home.signed_on_assumed = request.signed_on, assumed
        return home

    service_fee = judge_service_fee(request, rules, rates, today)
    reasons: List[str] = [
        f"Rules in force for a contract signed on {request.signed}"
        + (" (she did not say when she signed: today was taken)." if assumed else ".")
    ]
    for start in _CHANGEOVERS:
        if request.signed < start and (today >= start):
            reasons.append(_TRANSITION.format(start=start.isoformat()))
    reasons += service_fee.reasons
    findings: List[Finding] = [service_fee.finding] if service_fee.finding else []
    findings += [
        finding
        for finding in (
            brokerage_finding(request, rules),
            deposit_finding(request, rules, rates, today),
            other_finding(request, rules),
        )
        if finding
    ]

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
    tips = [rules[i] for i in TIPS if i in rules and match(rules[i], request)[0] == YES]
    return Verdict(
        verdict, service_fee.cap, request.currency, reasons, citations, findings, decisive, asks,
        service_fee.notes, request.signed_on, assumed, tips,
    )


def check_json(data: Mapping[str, Any], rules: Optional[RuleBook] = None, *, today: Optional[dt.date] = None) -> Dict[str, Any]:
    """Convenience for callers holding a parsed JSON object: validate, check, serialise."""
    return check(parse_request(dict(data)), rules, today=today).to_dict()
