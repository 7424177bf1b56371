"""The fee rules in facts/fees/: every rule loads, carries its sources, and a broken rule stops loading."""
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from bot.facts.fees.loader import FEES_DIR, REQUIRED_RULES, FeeRulesError, load_rules
from bot.facts.fees.matching import YES, match
from bot.facts.fees.models import OCCUPATIONS, RuleKind
from bot.facts.fees.request import CheckRequest

FACT_SHEET = Path(__file__).resolve().parents[2] / "shared" / "reference" / "facts.md"

VALID = """
x-law: &law https://example.org/law
rules:
  - id: test-cap
    kind: service_fee_cap
    statement: {vi: "Tối đa 1 tháng lương.", en: "At most 1 month's salary."}
    citation: "Law 69/2020/QH14 Art. 23(4)(a)"
    sources: [*law]
    confidence: high
    source_date: 2020-11-13
    checked: 2026-12-06
    valid_from: 2022-01-01
    service_fee_cap: {months_per_12: 1, max_months_36_plus: 3}
"""


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def write(tmp_path, text, name="broken.yml"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_shipped_rules_load_and_include_every_rule_the_checker_names(rules):
    assert len(rules) >= 40
    for rule_id in REQUIRED_RULES:
        assert rule_id in rules


def test_every_rule_has_a_statement_a_citation_a_source_and_honest_dates(rules):
    typed_in = dt.date(2026, 11, 23)  # the day the fact sheet was transcribed: never a source or check date
    for rule in rules.values():
        assert rule.statement.vi.strip() and rule.statement.en.strip(), rule.id
        assert re.search(r"(Art\.|Annex|Article|Standards|Ministry|ILO|programme)", rule.citation), rule.id
        assert rule.sources, rule.id
        assert typed_in not in (rule.source_date, rule.checked), rule.id
        assert rule.checked is None or rule.checked <= dt.date.today(), rule.id


def test_statements_are_short_enough_for_a_worker(rules):
    for rule in rules.values():
        assert len(rule.statement.en) <= 420, rule.id
        assert len(rule.statement.vi) <= 420, rule.id


def test_rules_from_replaced_or_amended_texts_carry_the_section_0_caveat(rules):
    for rule in rules.values():
        if "Circular 02/2024" in rule.citation and "Annex" in rule.citation:
            assert any("09/2026" in caveat for caveat in rule.caveats), rule.id
            assert rule.confidence.value != "high", rule.id
        if "Annex II" in rule.citation and "Decree 112" in rule.citation:
            assert any("372/2025" in caveat for caveat in rule.caveats), rule.id


def test_a_low_confidence_figure_never_applies_for_sure(rules):
    # kr-eps-deposit is low (secondary sources only): the checker may name it, never decide on it.
    request = CheckRequest.parse_obj({
        "country": "KR", "occupation": "factory", "contract_months": 36, "monthly_salary": 1,
        "currency": "VND", "charged": {}, "sender": "public_service_unit", "signed_on": "2025-03-01",
    })
    for rule in rules.values():
        if rule.numeric and rule.confidence.value == "low":
            assert match(rule, request)[0] != YES, rule.id


#: Sources read after the fact sheet was written (2026-12-06, listed in docs/fees.md).
LATER_SOURCES = {
    "https://vnba.org.vn/vi/lao-dong-di-han-quoc-theo-chuong-trinh-eps-duoc-vay-den-100-trieu-dong-tai-ngan-hang-chinh-sach-xa-hoi-10939.htm",
    "https://iuris.jp/外国人の技能実習の適正な実施及び技能実習生の保護に関する法律-第四十七条/jpn/a/56842",
    "https://gifunobengoshisugi.com/%e6%8a%80%e8%83%bd%e5%ae%9f%e7%bf%92%e7%94%9f%e3%81%ae%e4%bf%9d%e8%ad%b7/",
    "https://github.com/diepxuan/diepxuan.github.io/blob/4685e93e56d26f518d3f1f8dcaef95f0c0312ddb/van-ban/noi-vu-hanh-chinh/thong-tu-09-2026-tt-bnv.md",
}
#: Figures read in those sources or in the Circular 02/2024 annexes on 2026-12-06 (docs/fees.md).
LATER_FIGURES = {"30,000", "5,000", "47", "6", "0.4", "1"}


@pytest.mark.skipif(not FACT_SHEET.exists(), reason="the shared fact sheet is not next to the repository")
def test_every_source_url_and_english_figure_comes_from_the_fact_sheet_or_a_later_source(rules):
    sheet = FACT_SHEET.read_text(encoding="utf-8")
    docs = (Path(__file__).resolve().parents[1] / "docs" / "fees.md").read_text(encoding="utf-8")
    for rule in rules.values():
        for url in rule.sources:
            assert str(url) in sheet or (str(url) in LATER_SOURCES and str(url) in docs), f"{rule.id}: {url}"
        for figure in re.findall(r"\d[\d,]*(?:\.\d+)?", rule.statement.en):
            assert figure in sheet or figure in LATER_FIGURES, f"{rule.id}: {figure} is not in facts.md"


def test_the_caps_copy_the_fact_sheet(rules):
    def cap(rule_id):
        c = rules[rule_id].service_fee_cap
        return (c.months_per_12, c.max_months_36_plus)

    assert cap("service-fee-general-cap") == (Decimal(1), Decimal(3))
    assert cap("service-fee-sea-transport-crew") == (Decimal("1.5"), Decimal(3))
    assert cap("service-fee-extension-cap") == (Decimal("0.5"), None)
    assert cap("tw-institutional-care-cap") == (Decimal("0.7"), Decimal(2))
    assert cap("tw-home-domestic-agri-coastal-cap") == (Decimal("0.4"), Decimal(1))
    assert cap("kr-e10-coastal-fishing-cap") == (Decimal("0.7"), Decimal(2))
    assert cap("jp-high-skilled-designated-cap") == (Decimal("0.7"), Decimal(2))
    for zero in ("jp-ti3-same-organisations-zero", "jp-ssw-after-ti-zero", "sea-domestic-zero",
                 "west-asia-domestic-zero", "au-agriculture-zero", "public-service-unit-no-fee",
                 "outward-investor-no-fee"):
        assert cap(zero)[0] == 0
    assert rules["tw-deposit-cap"].deposit.amount == Decimal(12_000_000)
    assert rules["kr-deposit-cap-enterprise"].deposit.amount == Decimal(36_000_000)
    assert rules["kr-eps-deposit"].deposit.amount == Decimal(100_000_000)
    assert rules["fund-contribution"].amount.value == Decimal(100_000)
    assert rules["fund-contribution"].amount.currency == "VND"


@pytest.mark.parametrize("country", ["TW", "JP", "KR", "MY", "SA", "DE", "AU", "TR", "US"])
@pytest.mark.parametrize("occupation", OCCUPATIONS)
@pytest.mark.parametrize("extension", [False, True])
def test_some_service_fee_cap_surely_applies_to_every_case(rules, country, occupation, extension):
    request = CheckRequest(country=country, occupation=occupation, contract_months=24, monthly_salary=1000,
                           currency="USD", charged={}, extension=extension, sender="service_enterprise")
    sure = [r.id for r in rules.values() if r.kind == RuleKind.service_fee_cap and match(r, request)[0] == YES]
    assert sure, (country, occupation, extension)


def with_scope(scope):
    return VALID.replace("    service_fee_cap:", f"    scope: {scope}\n    service_fee_cap:")


def as_kind(kind, part):
    """VALID turned into a rule of another kind, with its machine-readable part."""
    return VALID.replace("kind: service_fee_cap", f"kind: {kind}").replace(
        "    service_fee_cap: {months_per_12: 1, max_months_36_plus: 3}", f"    {part}" if part else ""
    )


MALFORMED_RULES = [
    # Required fields, types and the strict model.
    (VALID.replace('    citation: "Law 69/2020/QH14 Art. 23(4)(a)"\n', ""), "citation: field required"),
    (VALID.replace('citation: "Law 69/2020/QH14 Art. 23(4)(a)"', "citation: Law"), "citation"),
    (VALID.replace("    sources: [*law]\n", ""), "sources: field required"),
    (VALID.replace("sources: [*law]", "sources:"), "sources: ensure this value has at least 1 items"),
    (VALID.replace("sources: [*law]", "sources: [not a url]"), "sources.0"),
    (VALID.replace("confidence: high", "confidence: sure"), "confidence"),
    (VALID.replace("checked: 2026-12-06", "checked: last year"), "checked"),
    (VALID.replace("statement: {vi: \"Tối đa 1 tháng lương.\", en: \"At most 1 month's salary.\"}",
                   "statement: {vi: \"Tối đa 1 tháng lương.\"}"), "statement.en"),
    (VALID.replace("    citation:", "    sms: {vi: '', en: 'At most 1 month.'}\n    citation:"), "sms.vi"),
    (VALID.replace("    service_fee_cap:", "    confidance: high\n    service_fee_cap:"), "confidance: extra fields not permitted"),
    (VALID.replace("id: test-cap", "id: Test Cap"), "id: string does not match regex"),
    (VALID.replace("kind: service_fee_cap", "kind: cap"), "kind"),
    # FeeRule's own validators.
    (VALID.replace("valid_from: 2022-01-01", "valid_from: 2022-01-01\n    valid_until: 2021-12-31"), "valid_until 2021-12-31 is before"),
    (VALID.replace("checked: 2026-12-06", "checked: 2019-01-01"), "before the source's date"),
    (VALID.replace("valid_from: 2022-01-01", "valid_from: 2022-01-01\n    last_known_after: true"), "need valid_until"),
    (VALID.replace("    service_fee_cap:", "    caveats: ['  ']\n    service_fee_cap:"), "caveats.0: empty caveat"),
    (VALID.replace("kind: service_fee_cap", "kind: prohibited"), "service_fee_cap is required for kind service_fee_cap"),
    (as_kind("deposit", ""), "deposit is required for kind deposit"),
    (as_kind("contribution", ""), "amount is required for kind contribution"),
    # The service-fee cap, the deposit limit and the amount.
    (VALID.replace("months_per_12: 1,", "months_per_12: -1,"), "service_fee_cap.months_per_12"),
    (VALID.replace("max_months_36_plus: 3", "max_months_36_plus: -3"), "service_fee_cap.max_months_36_plus"),
    (as_kind("deposit", "deposit: {kind: some}"), "deposit.kind"),
    (as_kind("deposit", "deposit: {kind: max}"), "a 'max' deposit needs amount and currency"),
    (as_kind("deposit", "deposit: {kind: none, amount: 5, currency: VND}"), "a 'none' deposit takes no amount or currency"),
    (as_kind("deposit", "deposit: {kind: max, amount: 5, currency: dong}"), "deposit.currency"),
    (as_kind("deposit", "deposit: {kind: max, amount: 0, currency: VND}"), "deposit.amount"),
    (as_kind("contribution", "amount: {value: 0, currency: VND}"), "amount.value"),
    (as_kind("contribution", "amount: {value: 100000, currency: dong}"), "amount.currency"),
    # The scope.
    (with_scope("{countries: [Taiwan]}"), "scope.countries.0: not an ISO 3166-1 alpha-2 code: 'Taiwan'"),
    (with_scope("{except_countries: [tw]}"), "scope.except_countries.0: not an ISO 3166-1 alpha-2 code"),
    (with_scope("{regions: [europe]}"), "scope.regions.0: unknown region 'europe'"),
    (with_scope("{occupations: [nurse]}"), "scope.occupations.0: unknown occupation 'nurse'"),
    (with_scope("{japan_categories: [trainee]}"), "scope.japan_categories.0: unknown Japan category 'trainee'"),
    (with_scope("{senders: [cousin]}"), "scope.senders.0: unknown sender 'cousin'"),
    (with_scope("{contracts: [renewal]}"), "scope.contracts.0: unknown contract 'renewal'"),
    (with_scope("{months_from: 0}"), "scope.months_from"),
    (with_scope("{regoins: [americas]}"), "scope.regoins: extra fields not permitted"),
]


@pytest.mark.parametrize("broken, complaint", MALFORMED_RULES, ids=[complaint for _, complaint in MALFORMED_RULES])
def test_a_malformed_rule_stops_loading_naming_the_file_the_rule_and_the_field(tmp_path, broken, complaint):
    with pytest.raises(FeeRulesError) as raised:
        load_rules(write(tmp_path, broken))
    message = str(raised.value)
    assert "broken.yml: rule 'test-cap': " in message or "broken.yml: rule 'Test Cap': " in message
    assert complaint in message


def test_null_caveats_read_as_no_caveats(tmp_path):
    rules = load_rules(write(tmp_path, VALID.replace("    service_fee_cap:", "    caveats:\n    service_fee_cap:")))
    assert rules["test-cap"].caveats == []


def test_a_valid_rule_file_loads(tmp_path):
    rules = load_rules(write(tmp_path, VALID, "good.yml"))
    assert list(rules) == ["test-cap"]
    assert rules.file_of("test-cap") == "good.yml"


@pytest.mark.parametrize(
    "text, complaint",
    [
        ("rules: [\n", "not valid YAML"),
        ("- just a list\n", "mapping"),
        ("rules: []\n", "non-empty list"),
        (VALID + "extra: 1\n", "unknown top-level key"),
    ],
)
def test_a_malformed_file_stops_loading(tmp_path, text, complaint):
    with pytest.raises(FeeRulesError, match=complaint):
        load_rules(write(tmp_path, text))


def test_a_duplicate_id_stops_loading(tmp_path):
    write(tmp_path, VALID, "a.yml")
    write(tmp_path, VALID, "b.yml")
    with pytest.raises(FeeRulesError, match="duplicate id.*a.yml"):
        load_rules(tmp_path)


def test_an_empty_directory_is_an_error(tmp_path):
    with pytest.raises(FeeRulesError, match="no fee rules"):
        load_rules(tmp_path)


def test_the_rules_live_outside_rasa_training_data():
    assert FEES_DIR.parent.name == "facts"
    assert "data" not in FEES_DIR.parts[-3:]
