"""Worked examples for every fee rule the checker computes with, and its verdict precedence."""
import datetime as dt
from decimal import Decimal

import pytest

from bot.facts.fees import RequestError, check, default_rules, parse_json, parse_request

#: The worked examples are contracts signed under Circular 02/2024 (15 May 2024 - 29 Jun 2026).
SIGNED = "2025-03-01"


def req(country, occupation, months, salary, currency, **charged):
    extra = {key: charged.pop(key) for key in ("extension", "sender", "japan_category", "signed_on") if key in charged}
    extra.setdefault("signed_on", SIGNED)
    return {
        "country": country,
        "occupation": occupation,
        "contract_months": months,
        "monthly_salary": salary,
        "currency": currency,
        "charged": {name: charged.get(name) for name in ("service_fee", "brokerage_fee", "deposit", "other")},
        **extra,
    }


def run(data):
    return check(parse_request(data))


# (name, request, verdict, cap_service_fee, rule that must be cited)
EXAMPLES = [
    # --- General cap (Law Art. 23(4)(a)): 1 month per 12, 3 months in total from 36 months. ---
    ("general factory 24m over", req("US", "factory", 24, 1000, "USD", service_fee=2500), "over_cap", 2000, "service-fee-general-cap"),
    ("general factory 24m at cap", req("US", "factory", 24, 1000, "USD", service_fee=2000), "legal", 2000, "service-fee-general-cap"),
    ("general 36m total", req("DE", "construction", 36, 1000, "USD", service_fee=3000), "legal", 3000, "service-fee-general-cap"),
    ("general 48m still 3 months", req("DE", "construction", 48, 1000, "USD", service_fee=3001), "over_cap", 3000, "service-fee-general-cap"),
    ("general 60m still 3 months", req("RO", "factory", 60, 1000, "USD", service_fee=3000), "legal", 3000, "service-fee-general-cap"),
    ("general 6m pro rata", req("RO", "factory", 6, 1000, "USD", service_fee=500), "legal", 500, "service-fee-general-cap"),
    ("general 6m pro rata over", req("RO", "factory", 6, 1000, "USD", service_fee=501), "over_cap", 500, "service-fee-general-cap"),
    ("general 7m cents", req("RO", "factory", 7, 1000, "USD", service_fee=583.33), "legal", 583.33, "service-fee-general-cap"),
    # --- Sea-transport crew: 1.5 per 12, 3 in total from 36 months. ---
    ("seafarer 12m", req("PH", "seafarer", 12, 1000, "USD", service_fee=1500), "legal", 1500, "service-fee-sea-transport-crew"),
    ("seafarer 24m over", req("PH", "seafarer", 24, 1000, "USD", service_fee=3001), "over_cap", 3000, "service-fee-sea-transport-crew"),
    ("seafarer 36m total", req("PH", "seafarer", 36, 1000, "USD", service_fee=3500), "over_cap", 3000, "service-fee-sea-transport-crew"),
    ("seafarer 30m literal", req("PH", "seafarer", 30, 1000, "USD", service_fee=3750), "legal", 3750, "service-fee-sea-transport-crew"),
    # --- Extension: 0.5 per 12 months of extension. ---
    ("extension factory", req("DE", "factory", 24, 2000, "EUR", service_fee=2000, extension=True), "legal", 2000, "service-fee-extension-cap"),
    ("extension factory over", req("DE", "factory", 12, 2000, "EUR", service_fee=1001, extension=True), "over_cap", 1000, "service-fee-extension-cap"),
    ("extension TW domestic between caps", req("TW", "domestic_worker", 24, 20000, "TWD", service_fee=18000, extension=True), "unknown", None, "tw-home-domestic-agri-coastal-cap"),
    ("extension TW domestic below both", req("TW", "domestic_worker", 24, 20000, "TWD", service_fee=16000, extension=True), "legal", None, "service-fee-extension-cap"),
    ("extension TW domestic above both", req("TW", "domestic_worker", 24, 20000, "TWD", service_fee=20001, extension=True), "over_cap", None, "service-fee-extension-cap"),
    # --- Taiwan (Annex XI). ---
    ("TW domestic 36m at cap", req("TW", "domestic_worker", 36, 20000, "TWD", service_fee=20000), "legal", 20000, "tw-home-domestic-agri-coastal-cap"),
    ("TW domestic 36m over", req("TW", "domestic_worker", 36, 20000, "TWD", service_fee=25000), "over_cap", 20000, "tw-home-domestic-agri-coastal-cap"),
    ("TW domestic 24m pro rata", req("TW", "domestic_worker", 24, 20000, "TWD", service_fee=16001), "over_cap", 16000, "tw-home-domestic-agri-coastal-cap"),
    ("TW home caregiver 12m", req("TW", "home_caregiver", 12, 20000, "TWD", service_fee=8000), "legal", 8000, "tw-home-domestic-agri-coastal-cap"),
    ("TW agriculture 48m total", req("TW", "agriculture", 48, 26400, "TWD", service_fee=26401), "over_cap", 26400, "tw-home-domestic-agri-coastal-cap"),
    ("TW coastal fishing 36m", req("TW", "fishing_coastal", 36, 26400, "TWD", service_fee=26400), "legal", 26400, "tw-home-domestic-agri-coastal-cap"),
    ("TW institutional 36m", req("TW", "institutional_caregiver", 36, 20000, "TWD", service_fee=40000), "legal", 40000, "tw-institutional-care-cap"),
    ("TW institutional 36m over", req("TW", "institutional_caregiver", 36, 20000, "TWD", service_fee=40001), "over_cap", 40000, "tw-institutional-care-cap"),
    ("TW institutional 24m", req("TW", "institutional_caregiver", 24, 20000, "TWD", service_fee=28001), "over_cap", 28000, "tw-institutional-care-cap"),
    ("TW factory general", req("TW", "factory", 36, 27470, "TWD", service_fee=82410), "legal", 82410, "service-fee-general-cap"),
    # --- Japan (Annex XI). ---
    ("JP TI3 same organisations 0", req("JP", "technical_intern", 24, 180000, "JPY", service_fee=0, japan_category="technical_intern_3_same_organisations"), "legal", 0, "jp-ti3-same-organisations-zero"),
    ("JP TI3 same organisations any fee", req("JP", "technical_intern", 24, 180000, "JPY", service_fee=1, japan_category="technical_intern_3_same_organisations"), "over_cap", 0, "jp-ti3-same-organisations-zero"),
    ("JP TI1 general", req("JP", "technical_intern", 36, 180000, "JPY", service_fee=540000, japan_category="technical_intern_1"), "legal", 540000, "jp-other-categories-general-cap"),
    ("JP TI unknown stage", req("JP", "technical_intern", 36, 180000, "JPY", service_fee=100000), "unknown", None, "jp-ti3-same-organisations-zero"),
    ("JP TI unknown stage no fee", req("JP", "technical_intern", 36, 180000, "JPY", service_fee=0), "legal", None, "jp-ti3-same-organisations-zero"),
    ("JP TI unknown stage above every cap", req("JP", "technical_intern", 36, 180000, "JPY", service_fee=540001), "over_cap", None, "service-fee-general-cap"),
    ("JP SSW after TI 0", req("JP", "specified_skilled", 36, 200000, "JPY", service_fee=1, japan_category="specified_skilled_after_technical_intern_2_or_3"), "over_cap", 0, "jp-ssw-after-ti-zero"),
    ("JP SSW unknown", req("JP", "specified_skilled", 36, 200000, "JPY", service_fee=100000), "unknown", None, "jp-ssw-after-ti-zero"),
    ("JP SSW unknown no fee", req("JP", "specified_skilled", 36, 200000, "JPY", service_fee=0), "legal", None, "jp-ssw-after-ti-zero"),
    ("JP SSW other general", req("JP", "specified_skilled", 36, 200000, "JPY", service_fee=600000, japan_category="specified_skilled_other"), "legal", 600000, "service-fee-general-cap"),
    ("JP high skilled 36m", req("JP", "other", 36, 300000, "JPY", service_fee=600001, japan_category="high_skilled"), "over_cap", 600000, "jp-high-skilled-designated-cap"),
    ("JP designated 24m", req("JP", "construction", 24, 300000, "JPY", service_fee=420000, japan_category="designated_activities"), "legal", 420000, "jp-high-skilled-designated-cap"),
    ("JP construction category unknown", req("JP", "construction", 36, 300000, "JPY", service_fee=700000), "unknown", None, "jp-high-skilled-designated-cap"),
    # --- Southeast Asia and West Asia domestic workers, Australia agriculture: 0. ---
    ("MY domestic no fee", req("MY", "domestic_worker", 24, 1700, "MYR", service_fee=0), "legal", 0, "sea-domestic-zero"),
    ("MY domestic any fee", req("MY", "domestic_worker", 24, 1700, "MYR", service_fee=1), "over_cap", 0, "sea-domestic-zero"),
    ("SG domestic any fee", req("SG", "domestic_worker", 24, 600, "SGD", service_fee=300), "over_cap", 0, "sea-domestic-zero"),
    ("MY home caregiver maybe domestic", req("MY", "home_caregiver", 24, 1700, "MYR", service_fee=100), "unknown", None, "sea-domestic-zero"),
    ("MY factory general", req("MY", "factory", 36, 1700, "MYR", service_fee=5100), "legal", 5100, "service-fee-general-cap"),
    ("SA domestic any fee", req("SA", "domestic_worker", 24, 350, "USD", service_fee=100), "over_cap", 0, "west-asia-domestic-zero"),
    ("AE domestic any fee", req("AE", "domestic_worker", 24, 350, "USD", service_fee=100), "over_cap", 0, "west-asia-domestic-zero"),
    ("TR domestic maybe West Asia", req("TR", "domestic_worker", 24, 350, "USD", service_fee=100), "unknown", None, "west-asia-domestic-zero"),
    ("AU agriculture any fee", req("AU", "agriculture", 12, 4000, "AUD", service_fee=1), "over_cap", 0, "au-agriculture-zero"),
    ("AU factory general", req("AU", "factory", 12, 4000, "AUD", service_fee=4000), "legal", 4000, "service-fee-general-cap"),
    # --- Korea. ---
    ("KR E-10 agency", req("KR", "fishing_coastal", 36, 2000000, "KRW", service_fee=4000000, sender="service_enterprise"), "legal", 4000000, "kr-e10-coastal-fishing-cap"),
    ("KR E-10 agency over", req("KR", "fishing_coastal", 36, 2000000, "KRW", service_fee=4000001, sender="service_enterprise"), "over_cap", 4000000, "kr-e10-coastal-fishing-cap"),
    ("KR sender unknown: the agency cap, EPS as a note", req("KR", "factory", 36, 2000000, "KRW", service_fee=100000), "legal", 6000000, "public-service-unit-no-fee"),
    ("KR EPS any fee", req("KR", "factory", 36, 2000000, "KRW", service_fee=1, sender="public_service_unit"), "over_cap", 0, "public-service-unit-no-fee"),
    ("outward investor any fee", req("JP", "factory", 12, 200000, "JPY", service_fee=1, sender="outward_investor"), "over_cap", 0, "outward-investor-no-fee"),
    # --- Brokerage fee: always prohibited. ---
    ("brokerage", req("TW", "factory", 36, 27470, "TWD", brokerage_fee=1000), "prohibited", 82410, "no-brokerage-fee"),
    ("brokerage with legal fee", req("US", "factory", 24, 1000, "USD", service_fee=100, brokerage_fee=1), "prohibited", 2000, "no-brokerage-fee"),
    ("brokerage zero", req("US", "factory", 24, 1000, "USD", brokerage_fee=0), "legal", 2000, "service-fee-general-cap"),
    # --- Deposits (Decree 112 Annex II). ---
    ("JP deposit", req("JP", "technical_intern", 36, 180000, "JPY", deposit=1), "prohibited", None, "no-deposit-markets"),
    ("MY deposit", req("MY", "factory", 24, 1700, "MYR", deposit=500), "prohibited", 3400, "no-deposit-markets"),
    ("TH deposit", req("TH", "agriculture", 24, 10000, "THB", deposit=500), "prohibited", 20000, "no-deposit-markets"),
    ("SA deposit", req("SA", "domestic_worker", 24, 350, "USD", deposit=100), "prohibited", 0, "no-deposit-markets"),
    ("QA deposit", req("QA", "construction", 24, 400, "USD", deposit=100), "prohibited", 800, "no-deposit-markets"),
    ("US deposit", req("US", "agriculture", 12, 3000, "USD", deposit=100), "prohibited", 3000, "no-deposit-markets"),
    ("TW offshore fishing deposit", req("TW", "fishing_offshore", 36, 550, "USD", deposit=100), "prohibited", 1650, "no-deposit-crew"),
    ("KR seafarer deposit", req("KR", "seafarer", 36, 1000, "USD", deposit=100, sender="service_enterprise"), "prohibited", 3000, "no-deposit-crew"),
    ("TW deposit at cap VND", req("TW", "factory", 36, 18000000, "VND", deposit=12000000), "legal", 54000000, "tw-deposit-cap"),
    ("TW deposit over cap VND", req("TW", "factory", 36, 18000000, "VND", deposit=12000001), "over_cap", 54000000, "tw-deposit-cap"),
    ("TW deposit in TWD, far under at the reference rate", req("TW", "factory", 36, 27470, "TWD", deposit=5000), "legal", 82410, "tw-deposit-cap"),
    ("KR agency deposit at cap", req("KR", "construction", 36, 40000000, "VND", deposit=36000000, sender="service_enterprise"), "legal", 120000000, "kr-deposit-cap-enterprise"),
    ("KR agency deposit over", req("KR", "construction", 36, 40000000, "VND", deposit=36000001, sender="service_enterprise"), "over_cap", 120000000, "kr-deposit-cap-enterprise"),
    ("KR EPS deposit: low confidence never says legal", req("KR", "factory", 36, 40000000, "VND", deposit=100000000, sender="public_service_unit"), "unknown", 0, "kr-eps-deposit"),
    ("KR EPS deposit over: low confidence never decides", req("KR", "factory", 36, 40000000, "VND", deposit=100000001, sender="public_service_unit"), "unknown", 0, "kr-eps-deposit"),
    ("KR unknown sender deposit between", req("KR", "factory", 36, 40000000, "VND", deposit=50000000), "unknown", 120000000, "kr-eps-deposit"),
    ("KR unknown sender deposit low", req("KR", "factory", 36, 40000000, "VND", deposit=20000000), "legal", 120000000, "kr-deposit-cap-enterprise"),
    ("KR unknown sender deposit high", req("KR", "factory", 36, 40000000, "VND", deposit=150000000), "over_cap", 120000000, "kr-eps-deposit"),
    ("DE deposit air ticket", req("DE", "institutional_caregiver", 36, 2500, "EUR", deposit=300), "unknown", 7500, "other-countries-deposit-air-ticket"),
    ("TR deposit maybe Middle East", req("TR", "factory", 24, 700, "USD", deposit=100), "unknown", 1400, "no-deposit-markets"),
    ("deposit zero anywhere", req("JP", "factory", 12, 200000, "JPY", deposit=0, japan_category="high_skilled"), "legal", 140000, "jp-high-skilled-designated-cap"),
    # --- Other charges and the Fund contribution (100,000 VND). ---
    ("fund contribution", req("TW", "factory", 36, 18000000, "VND", other=100000), "legal", 54000000, "fund-contribution"),
    ("fund contribution less", req("TW", "factory", 36, 18000000, "VND", other=50000), "legal", 54000000, "fund-contribution"),
    ("other over fund", req("TW", "factory", 36, 18000000, "VND", other=100001), "unknown", 54000000, "fund-contribution"),
    ("other in TWD", req("TW", "factory", 36, 27470, "TWD", other=500), "unknown", 82410, "tw-broker-monthly-fee"),
    ("other in Malaysia", req("MY", "factory", 24, 1700, "MYR", other=500), "unknown", 3400, "my-employer-costs"),
    ("other SA domestic", req("SA", "domestic_worker", 24, 350, "USD", other=50), "unknown", 0, "west-asia-domestic-employer-costs"),
    ("other JP intern", req("JP", "technical_intern", 36, 180000, "JPY", other=5000, japan_category="technical_intern_1"), "unknown", 540000, "jp-ti-employer-costs"),
    ("other JP SSW", req("JP", "specified_skilled", 36, 200000, "JPY", other=5000, japan_category="specified_skilled_other"), "unknown", 600000, "jp-ssw-employer-costs"),
    ("other KR", req("KR", "fishing_coastal", 36, 2000000, "KRW", other=5000, sender="service_enterprise"), "unknown", 4000000, "kr-e10-worker-fees"),
    ("other EU", req("RO", "factory", 24, 700, "USD", other=50), "unknown", 1400, "eu-employer-costs"),
    ("other TW short contract", req("TW", "domestic_worker", 12, 20000, "TWD", other=1500), "unknown", 8000, "tw-short-contract-broker-fee"),
    ("other TW renewal", req("TW", "factory", 24, 27470, "TWD", other=1500, extension=True), "unknown", 27470, "tw-no-fee-renewal-transfer"),
    # --- Precedence: prohibited > over_cap > unknown > legal. ---
    ("prohibited beats over", req("US", "factory", 24, 1000, "USD", service_fee=9000, brokerage_fee=1), "prohibited", 2000, "no-brokerage-fee"),
    ("over beats unknown", req("TW", "factory", 36, 27470, "TWD", service_fee=90000, other=1), "over_cap", 82410, "service-fee-general-cap"),
    ("unknown beats legal", req("US", "factory", 24, 1000, "USD", service_fee=100, other=1), "unknown", 2000, "fund-contribution"),
    ("prohibited deposit beats unknown", req("JP", "technical_intern", 36, 180000, "JPY", service_fee=1, deposit=1), "prohibited", None, "no-deposit-markets"),
    ("nothing charged", req("US", "factory", 24, 1000, "USD"), "legal", 2000, "service-fee-general-cap"),
    ("Vietnam is not abroad", req("VN", "factory", 24, 8000000, "VND", service_fee=1), "unknown", None, None),
]


@pytest.mark.parametrize("name, request_, verdict, cap, rule_id", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_worked_example(name, request_, verdict, cap, rule_id):
    result = run(request_)
    data = result.to_dict()
    assert data["verdict"] == verdict, data["reasons"]
    if cap is None:
        assert data["cap_service_fee"] is None
    else:
        assert data["cap_service_fee"] == pytest.approx(cap)
    assert data["reasons"] and all(isinstance(r, str) and r for r in data["reasons"])
    if rule_id:
        assert rule_id in [c["id"] for c in data["citations"]], data["citations"]
    for citation in data["citations"]:
        assert set(citation) >= {"id", "citation", "sources", "confidence", "source_date", "checked", "valid_from", "valid_until"}
        assert citation["sources"]


def test_every_rule_the_checker_computes_with_has_a_worked_example():
    cited = set()
    for _, request_, _, _, _rule_id in EXAMPLES:
        cited |= {c.id for c in run(request_).citations}
    numeric = {r.id for r in default_rules().values() if r.numeric}
    assert numeric <= cited, numeric - cited


def test_reasons_give_the_figures():
    data = run(req("TW", "domestic_worker", 36, 20000, "TWD", service_fee=25000)).to_dict()
    text = " ".join(data["reasons"])
    assert "25,000 TWD" in text and "20,000 TWD" in text and "0.4" in text


def test_pro_rata_is_called_the_projects_reading():
    text = " ".join(run(req("RO", "factory", 6, 1000, "USD", service_fee=100)).reasons)
    assert "pro rata" in text and "project's reading" in text
    text = " ".join(run(req("RO", "factory", 24, 1000, "USD", service_fee=100)).reasons)
    assert "pro rata" not in text


def test_no_exchange_rate_is_invented():
    # The shipped reference rates have no won: a deposit in won is not compared with a cap in dong.
    result = run(req("KR", "factory", 36, 2000000, "KRW", deposit=5000000, sender="service_enterprise"))
    text = " ".join(result.reasons)
    assert result.verdict == "unknown" and "36,000,000 VND" in text and "no reference rate" in text
    assert result.asks == ["deposit_in_vnd"]


def test_unknown_says_what_to_ask():
    assert run(req("JP", "specified_skilled", 36, 200000, "JPY", service_fee=1)).asks == ["japan_category"]
    assert run(req("TW", "domestic_worker", 36, 20000, "TWD", service_fee=30000, signed_on="2026-08-01")).asks == ["last_known"]
    assert run(req("US", "factory", 24, 1000, "USD", other=5)).asks == ["other_purpose"]
    text = " ".join(run(req("US", "factory", 24, 1000, "USD", other=5)).reasons)
    assert "what it was for" in text


def test_the_fund_contribution_is_explained():
    text = " ".join(run(req("TW", "factory", 36, 18000000, "VND", other=100000)).reasons)
    assert "100,000 VND" in text and "Overseas Employment Support Fund" in text and "receipt" in text


def test_section_0_caveats_reach_the_reasons():
    text = " ".join(run(req("TW", "domestic_worker", 36, 20000, "TWD", service_fee=25000)).reasons)
    assert "09/2026" in text
    text = " ".join(run(req("TW", "factory", 36, 18000000, "VND", deposit=12000001)).reasons)
    assert "372/2025" in text


def test_the_same_answer_through_json():
    result = parse_json('{"country": "tw", "occupation": "domestic_worker", "contract_months": 36, '
                        '"monthly_salary": 20000.0, "currency": "twd", "charged": {"service_fee": 25000}, '
                        '"signed_on": "2025-03-01"}')
    assert result.country == "TW" and result.currency == "TWD"
    assert check(result).to_dict()["cap_service_fee"] == 20000


@pytest.mark.parametrize(
    "data, complaint",
    [
        ([], "JSON object"),
        ({}, "missing required field"),
        (dict(req("TW", "factory", 36, 1, "TWD"), country="Taiwan"), "country"),
        (dict(req("TW", "factory", 36, 1, "TWD"), country=886), "country"),
        (dict(req("TW", "factory", 36, 1, "TWD"), occupation="nurse"), "occupation"),
        (dict(req("TW", "factory", 36, 1, "TWD"), contract_months=0), "contract_months"),
        (dict(req("TW", "factory", 36, 1, "TWD"), contract_months=-12), "contract_months"),
        (dict(req("TW", "factory", 36, 1, "TWD"), contract_months=1201), "contract_months"),
        (dict(req("TW", "factory", 36, 1, "TWD"), monthly_salary=10 ** 30), "implausibly large"),
        (dict(req("TW", "factory", 36, 1, "TWD"), monthly_salary="20000"), "monthly_salary"),
        (dict(req("TW", "factory", 36, 1, "TWD"), monthly_salary=True), "monthly_salary"),
        (dict(req("TW", "factory", 36, 1, "TWD"), monthly_salary=0), "monthly_salary"),
        (dict(req("TW", "factory", 36, 1, "TWD"), currency="dollars"), "currency"),
        (req("TW", "factory", 36, 1, "TWD", deposit=-1), "charged.deposit"),
        (req("TW", "factory", 36, 1, "TWD", other="a lot"), "charged.other"),
        (dict(req("TW", "factory", 36, 1, "TWD"), charged=[1]), "charged"),
        (dict(req("TW", "factory", 36, 1, "TWD"), charged={"visa": 1}), "visa"),
        (dict(req("TW", "factory", 36, 1, "TWD"), salary=1), "unknown field"),
        (dict(req("TW", "factory", 36, 1, "TWD"), extension="yes"), "extension"),
        (dict(req("TW", "factory", 36, 1, "TWD"), sender="cousin"), "sender"),
        (dict(req("TW", "technical_intern", 36, 1, "TWD"), japan_category="technical_intern_1"), "only when country is JP"),
        (dict(req("JP", "factory", 36, 1, "JPY"), japan_category="technical_intern_3_same_organisations"), "needs occupation"),
        (dict(req("JP", "technical_intern", 36, 1, "JPY"), japan_category="high_skilled"), "does not fit occupation technical_intern"),
        (dict(req("JP", "other", 36, 1, "JPY"), japan_category="trainee"), "japan_category must be one of"),
        (dict(req("TW", "factory", 36, 1, "TWD"), charged=None), r"missing required field\(s\): charged"),
        (dict(req("TW", "factory", 36, 1, "TWD"), country=None), r"missing required field\(s\): country"),
        (dict(req("TW", "factory", 36, 1, "TWD"), monthly_salary=float("nan")), "monthly_salary must be a finite number"),
        (dict(req("TW", "factory", 36, 1, "TWD"), charged={"deposit": [1]}), "charged.deposit must be a number"),
    ],
)
def test_bad_requests_are_refused_with_a_reason(data, complaint):
    with pytest.raises(RequestError, match=complaint):
        parse_request(data)


@pytest.mark.parametrize("text", ["", "   ", "nope", "[1, 2]", '{"a": 1} {"b": 2}', '{"country": NaN}', "1" * 5000])
def test_bad_json_is_refused(text):
    with pytest.raises(RequestError):
        parse_json(text)


def test_amounts_keep_their_precision():
    result = run(req("RO", "factory", 7, Decimal("1000"), "USD", service_fee=583.34))
    assert result.verdict == "over_cap"


# --- A charge in another currency than the salary: never converted. ----------------------------


def test_a_service_fee_in_another_currency_is_compared_only_through_a_dated_rate():
    today = dt.date(2026, 12, 6)
    under = check(parse_request(req("TW", "factory", 36, 27470, "TWD", service_fee={"amount": 45000000, "currency": "VND"})), today=today)
    assert under.verdict == "legal" and under.cap_service_fee == Decimal(82410)
    assert any("45,000,000 VND is about" in r and "2024-04-11" in r for r in under.reasons)
    over = check(parse_request(req("TW", "factory", 36, 27470, "TWD", service_fee={"amount": 150000000, "currency": "VND"})), today=today)
    assert over.verdict == "over_cap"
    # 60 million dong is about 79,833 TWD: within the margin of an old rate, so it cannot tell
    close = check(parse_request(req("TW", "factory", 36, 27470, "TWD", service_fee={"amount": 60000000, "currency": "VND"})), today=today)
    assert close.verdict == "unknown" and "charge_currency_close" in close.asks
    no_rate = check(parse_request(req("TW", "factory", 36, 27470, "TWD", service_fee={"amount": 3000, "currency": "USD"})), today=today)
    assert no_rate.verdict == "unknown" and "charge_currency" in no_rate.asks


def test_a_service_fee_of_0_in_any_currency_is_legal():
    result = run(req("TW", "factory", 36, 27470, "TWD", service_fee={"amount": 0, "currency": "VND"}))
    assert result.verdict == "legal"


def test_a_deposit_in_dong_is_compared_with_a_cap_in_dong_whatever_the_salary():
    over = run(req("TW", "factory", 36, 27470, "TWD", deposit={"amount": 30000000, "currency": "VND"}))
    assert over.verdict == "over_cap"
    assert any("30,000,000 VND" in r and "12,000,000 VND" in r for r in over.reasons)
    within = run(req("TW", "factory", 36, 27470, "TWD", deposit={"amount": 10000000, "currency": "VND"}))
    assert within.verdict == "legal"
    # and a deposit in the salary's currency is compared at the dated reference rate
    in_twd = run(req("TW", "factory", 36, 27470, "TWD", deposit=10000))
    assert in_twd.verdict == "legal" and in_twd.findings[-1].approximate is not None


def test_a_brokerage_fee_is_prohibited_in_any_currency_and_shown_in_its_own():
    result = run(req("TW", "factory", 36, 27470, "TWD", brokerage_fee={"amount": 2000, "currency": "USD"}))
    assert result.verdict == "prohibited"
    assert any("2,000 USD" in r for r in result.reasons)


def test_the_fund_contribution_in_dong_is_recognised_whatever_the_salary():
    result = run(req("TW", "factory", 36, 27470, "TWD", other={"amount": 100000, "currency": "VND"}))
    assert result.verdict == "legal" and result.decisive == ["fund-contribution"]


def test_a_charge_in_the_salarys_currency_as_an_object_is_just_a_number():
    request = parse_request(req("TW", "factory", 36, 27470, "TWD", service_fee={"amount": 1000, "currency": "twd"}))
    assert request.charge_currencies == () and request.amount_of("service_fee") == Decimal(1000)


@pytest.mark.parametrize(
    "charge, complaint",
    [
        ({"amount": 1000}, "amount and currency"),
        ({"amount": 1000, "currency": "dong"}, "charged.deposit.currency"),
        ({"amount": 1000, "currency": "VND", "note": "x"}, "amount and currency"),
        ({"amount": -1, "currency": "VND"}, "charged.deposit"),
        ({"amount": "many", "currency": "VND"}, "charged.deposit"),
    ],
)
def test_a_charge_object_is_checked_like_any_input(charge, complaint):
    with pytest.raises(RequestError, match=complaint):
        parse_request(req("TW", "factory", 36, 27470, "TWD", deposit=charge))


def test_codes_are_read_in_any_case_and_optional_fields_default():
    request = parse_request(dict(req("tw", "factory", 36, 27470, "twd", deposit={"amount": 1, "currency": "vnd"}), extension=None))
    assert (request.country, request.currency, request.currency_of("deposit")) == ("TW", "TWD", "VND")
    assert request.extension is False and request.contract == "placement"
    assert request.sender is None and request.effective_sender == "service_enterprise"
    # in Korea too the service fee takes the agency's cap; EPS is a note (see test_fees_by_date.py)
    assert parse_request(req("KR", "factory", 36, 1, "KRW")).effective_sender == "service_enterprise"


def test_a_checked_request_cannot_be_changed():
    request = parse_request(req("TW", "factory", 36, 27470, "TWD"))
    with pytest.raises(TypeError):
        request.country = "JP"


def test_a_charge_object_with_a_null_amount_is_a_charge_she_does_not_know():
    request = parse_request(req("TW", "factory", 36, 27470, "TWD", deposit={"amount": None, "currency": "VND"}))
    assert request.amount_of("deposit") is None and request.charge_currencies == ()
