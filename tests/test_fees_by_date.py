"""The law by signing date, values she does not know, lower caps as notes, and fee answers whose
every figure comes from the rule the checker uses (issues #14 and #13 section 7)."""
import datetime as dt
import json
import re

import pytest

from bot.cli.fees import main as fees_main
from bot.facts.fees import check, default_rules, faq_answer, fee_faq, parse_request
from bot.facts.fees.answers import DONT_KNOW, build_request, parse_charge, parse_signed_on
from bot.facts.fees.messages import verdict_messages
from bot.facts.fees.rates import load_rates

TODAY = dt.date(2026, 12, 6)


def request(country="TW", occupation="home_caregiver", months=36, salary=20000, currency="TWD", signed_on=None, **charged):
    return {
        "country": country, "occupation": occupation, "contract_months": months, "monthly_salary": salary,
        "currency": currency, "charged": charged, "signed_on": signed_on,
    }


def run(**kwargs):
    return check(parse_request(request(**kwargs)), today=TODAY)


# --- the law by the day she signed -----------------------------------------------------------------


def test_under_circular_02_2024_the_taiwan_home_care_cap_applies_for_sure():
    verdict = run(signed_on="2025-03-01", service_fee=25000)
    assert verdict.verdict == "over_cap" and verdict.cap_service_fee == 20000  # 0.4 a year, 1 month in all
    assert verdict.decisive[0] == "tw-home-domestic-agri-coastal-cap"


def test_from_30_june_2026_the_old_cap_is_only_the_last_known_one():
    verdict = run(signed_on="2026-06-30", service_fee=25000)
    assert verdict.verdict == "unknown" and verdict.cap_service_fee is None  # never stated as current law
    assert verdict.asks == ["last_known"]
    assert any("last known figure" in reason and "09/2026" in reason for reason in verdict.reasons)
    vi = " ".join(verdict_messages(verdict, "vi"))
    assert "chưa được xác nhận" in vi and "30/06/2026" in vi
    # what the Law itself allows still decides both ways
    assert run(signed_on="2026-08-01", service_fee=60001).verdict == "over_cap"
    assert run(signed_on="2026-08-01", service_fee=20000).verdict == "legal"


def test_the_last_day_of_the_old_circular_is_still_under_it():
    assert run(signed_on="2026-06-29", service_fee=25000).verdict == "over_cap"


def test_before_02_2024_took_effect_its_cap_is_a_maybe_and_before_the_law_nothing_is_known():
    assert run(signed_on="2023-06-01", service_fee=25000).asks == ["period"]
    before_law = run(signed_on="2021-06-01", service_fee=25000)
    assert before_law.verdict == "unknown" and before_law.cap_service_fee is None


def test_without_a_signing_date_the_rules_of_today_apply_and_the_answer_says_so():
    verdict = run(service_fee=25000)
    assert verdict.signed_on == TODAY and verdict.signed_on_assumed is True
    assert verdict.to_dict()["signed_on"] == "2026-12-06"
    assert "today was taken" in verdict.reasons[0]
    assert run(signed_on="2025-03-01").to_dict()["signed_on_assumed"] is False


def test_a_contract_signed_before_the_change_carries_the_transition_note():
    assert any("Art. 3(1)" in reason for reason in run(signed_on="2025-03-01", service_fee=1).reasons)
    assert not any("Art. 3(1)" in reason for reason in run(signed_on="2026-08-01", service_fee=1).reasons)


# --- a value she does not know is never an error ----------------------------------------------------


@pytest.mark.parametrize("charge", ["service_fee", "brokerage_fee", "deposit", "other"])
def test_a_null_charge_or_signing_date_gets_a_verdict_on_the_command_line(charge, capsys, monkeypatch):
    import io

    data = request(signed_on=None, **{name: None for name in ("service_fee", "brokerage_fee", "deposit", "other")})
    data["charged"][charge] = {"amount": None, "currency": "VND"}
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(json.dumps(data).encode())))
    assert fees_main(["check"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] in ("legal", "unknown")


@pytest.mark.parametrize("slot", ["service_fee", "brokerage_fee", "deposit", "other"])
def test_khong_biet_in_the_form_gives_a_verdict_never_an_error(slot):
    charges = {name: parse_charge("0", "TW").value for name in ("service_fee", "brokerage_fee", "deposit", "other")}
    charges[slot] = parse_charge("không biết", "TW").value
    assert charges[slot] == DONT_KNOW
    signed = parse_signed_on("không biết", TODAY).value
    verdict = check(parse_request(build_request("TW", "domestic_worker", "36", "20000 TWD", charges, signed)), today=TODAY)
    assert verdict.verdict in ("legal", "unknown") and verdict.signed_on_assumed


# --- a lower cap of another sender is a note, named only where it can apply -------------------------


def test_korea_factory_gets_the_agency_cap_and_the_eps_no_fee_as_a_note():
    verdict = run(country="KR", occupation="factory", salary=2000000, currency="KRW", signed_on="2025-03-01",
                  service_fee=5000000)
    assert verdict.verdict == "legal" and verdict.cap_service_fee == 6000000
    assert "public-service-unit-no-fee" in [note.rule_id for note in verdict.notes]
    assert any("Trung tâm Lao động ngoài nước: không mất tiền dịch vụ" in m for m in verdict_messages(verdict, "vi"))


def test_e10_fishing_crew_are_never_told_about_the_eps_public_unit():
    verdict = run(country="KR", occupation="fishing_coastal", salary=2000000, currency="KRW", signed_on="2025-03-01",
                  service_fee=3000000)
    assert verdict.cap_service_fee == 4000000
    assert "public-service-unit-no-fee" not in [note.rule_id for note in verdict.notes]
    assert not any("EPS" in m for m in verdict_messages(verdict, "vi") + verdict_messages(verdict, "en"))
    assert "EPS" not in faq_answer("legal_fees", "vi", country="KR", occupation="fishing_coastal", signed_on=TODAY)


# --- every figure in a short answer comes from the rule the checker uses -----------------------------

MARKETS = [
    ("TW", "home_caregiver", "tw-home-domestic-agri-coastal-cap"),
    ("TW", "institutional_caregiver", "tw-institutional-care-cap"),
    ("KR", "fishing_coastal", "kr-e10-coastal-fishing-cap"),
    ("SA", "domestic_worker", "west-asia-domestic-zero"),
    ("KR", "factory", "service-fee-general-cap"),
]


@pytest.mark.parametrize("signed", [dt.date(2025, 3, 1), TODAY])
@pytest.mark.parametrize("country, occupation, rule_id", MARKETS)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_figure_in_the_fee_answer_is_in_the_rule_the_checker_applies(country, occupation, rule_id, language, signed):
    rules = default_rules()
    text = faq_answer("legal_fees", language, country=country, occupation=occupation, signed_on=signed)
    probe = run(country=country, occupation=occupation, salary=1000, currency="USD", signed_on=signed.isoformat(), service_fee=1)
    assert rule_id in [c.id for c in probe.citations]  # the same rule the checker uses
    used = [rules[rule_id]] + [rules[n.rule_id] for n in probe.notes]
    words = " ".join(r.statement.get(language) + " " + (r.sms.get(language) if r.sms else "") + " " + r.citation for r in used)
    text_without_dates = re.sub(r"\d{1,2}/\d{2}/\d{4}|\d{1,2} \w{3} \d{4}|30/06/2026|30 Jun 2026", "", text)
    for figure in re.findall(r"\d+(?:[.,]\d+)?", text_without_dates):
        assert figure in words, (figure, text)


def test_a_taiwan_home_caregiver_hears_her_own_cap_not_the_general_one():
    text = faq_answer("legal_fees", "vi", country="TW", occupation="home_caregiver", signed_on=dt.date(2025, 3, 1))
    assert "0,4" in text and "3 tháng" not in text


# --- penalties and forced savings for interns in Japan ----------------------------------------------


@pytest.mark.parametrize("text, language, words", [
    ("em là tts, công ty bắt đền 100 man nếu về nước sớm", "vi", "phạt tiền khi về sớm"),
    ("nghiep doan giu so tiet kiem cua em", "vi", "tiết kiệm"),
    ("they say I must pay a penalty if I go home early", "en", "penalty for going home early"),
])
def test_a_question_about_a_penalty_is_answered_from_the_japan_rule(text, language, words):
    answer = fee_faq("legal_fees", language, text=text, country="JP", signed_on=TODAY)
    assert words in answer and ("Điều 47" in answer or "Art. 47" in answer)


def test_the_fee_form_tells_an_intern_in_japan_about_penalties_and_savings():
    verdict = run(country="JP", occupation="technical_intern", salary=180000, currency="JPY", signed_on="2025-03-01",
                  service_fee=0)
    assert [rule.id for rule in verdict.tips] == ["jp-ti-no-penalty-no-forced-savings"]
    assert "giữ tiền tiết kiệm" in verdict_messages(verdict, "vi")[-1]
    assert not run(signed_on="2025-03-01", service_fee=0).tips  # not for a caregiver in Taiwan


# --- reference rates: dated, sourced, refreshed offline from a file ---------------------------------


def test_the_shipped_rate_has_a_date_a_source_and_a_confidence():
    rates = load_rates()
    assert rates.date <= TODAY and rates.source.startswith("https://") and rates.confidence in ("high", "medium", "low")
    assert rates.margin(TODAY) > rates.margin(rates.date)  # an old rate decides less


def test_rates_are_refreshed_from_a_file_offline(tmp_path, capsys):
    source = tmp_path / "rates.csv"
    source.write_text("code,vnd_per_unit\nTWD,830.5\nusd,\"26,300\"\n", encoding="utf-8")
    out = tmp_path / "reference.yml"
    argv = ["rates", "update", str(source), "--date", "2026-12-01", "--source", "https://example.org/rates",
            "--source-name", "test rates", "--out", str(out)]
    assert fees_main(argv) == 0
    table = load_rates(out)
    assert table.date == dt.date(2026, 12, 1) and str(table.vnd_per_unit["USD"]) == "26300"
    assert fees_main(["rates", "show", "--file", str(out)]) == 0
    assert "1 TWD = 830.5 VND" in capsys.readouterr().out


@pytest.mark.parametrize("content, extra", [
    ("TWD,830.5\n", []),  # no date or source
    ("TWD,-1\n", ["--date", "2026-12-01", "--source", "https://example.org/r", "--source-name", "x rates"]),
    ("VND,1\n", ["--date", "2026-12-01", "--source", "https://example.org/r", "--source-name", "x rates"]),
])
def test_a_bad_rates_file_changes_nothing(tmp_path, content, extra):
    source, out = tmp_path / "r.csv", tmp_path / "reference.yml"
    source.write_text(content, encoding="utf-8")
    assert fees_main(["rates", "update", str(source), "--out", str(out), *extra]) == 2
    assert not out.exists()


# --- the job menu: her country's jobs, numbered once ------------------------------------------------


@pytest.mark.parametrize("country", ["TW", "KR", "JP", "SA", None])
def test_the_job_menu_on_sms_is_numbered_once(country):
    from actions.fees import occupation_buttons
    from channels.choices import numbered

    text = numbered("Bạn làm nghề gì? Nhắn số:", occupation_buttons("vi", country))
    assert not re.search(r"^\d+\. \d+\.", text, re.M)
    assert ("Thực tập sinh" in text) == (country == "JP")
