"""`python -m bot fees check`: one JSON object in, one JSON object out; bad input exits 2."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable

TAIWAN = {
    "country": "TW",
    "occupation": "domestic_worker",
    "contract_months": 36,
    "monthly_salary": 20000,
    "currency": "TWD",
    "charged": {"service_fee": 25000, "brokerage_fee": None, "deposit": None, "other": None},
    "signed_on": "2025-03-01",  # under Circular 02/2024: the Taiwan cap of 0.4 month applies for sure
}


def fees(stdin, *args):
    env = dict(os.environ, PYTHONPATH=str(REPO), RASA_TELEMETRY_ENABLED="false")
    return subprocess.run(
        [PYTHON, "-m", "bot", "fees", *(args or ("check",))],
        input=stdin.encode("utf-8") if isinstance(stdin, str) else stdin,
        capture_output=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )


def test_a_valid_request_gets_one_json_verdict():
    done = fees(json.dumps(TAIWAN))
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("utf-8")
    assert out.count("\n") == 1
    verdict = json.loads(out)
    assert set(verdict) >= {"verdict", "cap_service_fee", "reasons", "citations"}  # fields may be added
    assert verdict["signed_on"] == "2025-03-01" and verdict["signed_on_assumed"] is False
    assert verdict["verdict"] == "over_cap"
    assert verdict["cap_service_fee"] == 20000
    assert any("25,000 TWD" in reason for reason in verdict["reasons"])
    cited = {c["id"]: c for c in verdict["citations"]}
    rule = cited["tw-home-domestic-agri-coastal-cap"]
    assert rule["citation"].startswith("Circular 21/2021")
    assert rule["sources"] and rule["confidence"] == "medium"
    assert (rule["source_date"], rule["valid_from"], rule["valid_until"]) == ("2024-02-23", "2024-05-15", "2026-06-29")
    assert done.stderr == b""


@pytest.mark.parametrize(
    "charged, verdict",
    [
        ({"service_fee": 20000}, "legal"),
        ({"brokerage_fee": 1}, "prohibited"),
        ({"deposit": 1000}, "legal"),  # the cap is in VND: 1,000 TWD is far under it at the reference rate
        ({"deposit": 100000}, "over_cap"),  # and 100,000 TWD far over
        ({"other": 500}, "unknown"),
        ({}, "legal"),
    ],
)
def test_every_verdict_exits_0(charged, verdict):
    done = fees(json.dumps(dict(TAIWAN, charged=charged)))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verdict"] == verdict


def test_cap_is_null_when_it_cannot_be_computed():
    request = dict(TAIWAN, country="JP", occupation="specified_skilled", currency="JPY",
                   monthly_salary=200000, charged={"service_fee": 1000})
    done = fees(json.dumps(request))
    assert done.returncode == 0
    out = json.loads(done.stdout)
    assert out["verdict"] == "unknown" and out["cap_service_fee"] is None


@pytest.mark.parametrize(
    "stdin, complaint",
    [
        ("", "no input"),
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('"TW"', "JSON object"),
        (json.dumps(dict(TAIWAN, country="Taiwan")), "country"),
        (json.dumps(dict(TAIWAN, occupation="maid")), "occupation"),
        (json.dumps(dict(TAIWAN, contract_months=0)), "contract_months"),
        (json.dumps(dict(TAIWAN, monthly_salary=-1)), "monthly_salary"),
        (json.dumps(dict(TAIWAN, monthly_salary="20000")), "monthly_salary"),
        (json.dumps(dict(TAIWAN, charged={"service_fee": -5})), "service_fee"),
        (json.dumps(dict(TAIWAN, charged={"service_fee": "5k"})), "service_fee"),
        (json.dumps({k: v for k, v in TAIWAN.items() if k != "currency"}), "missing required field"),
        ('{"country": "TW", "monthly_salary": Infinity}', "Infinity"),
        (b"\xff\xfe not utf-8", "UTF-8"),
        ("{" * 100000, "larger than"),
        (json.dumps(TAIWAN).replace("20000", "1e999999"), "implausibly large"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(stdin, complaint):
    done = fees(stdin)
    assert done.returncode == 2
    assert done.stdout == b""
    err = done.stderr.decode("utf-8")
    assert complaint in err
    assert "Traceback" not in err


def test_an_unknown_subcommand_exits_2():
    done = fees("{}", "explain")
    assert done.returncode == 2
    assert b"check" in done.stderr and b"Traceback" not in done.stderr


def test_the_cli_main_reads_stdin(monkeypatch, capsys):
    import io

    from bot.cli.fees import main

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(json.dumps(TAIWAN).encode())))
    assert main(["check"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "over_cap"


def test_a_charge_in_another_currency_is_an_object_with_its_currency():
    request = dict(TAIWAN, charged={"service_fee": 20000, "deposit": {"amount": 30000000, "currency": "VND"}})
    done = fees(json.dumps(request))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["verdict"] == "over_cap"  # the deposit in dong is over the cap in dong
    assert any("30,000,000 VND" in reason for reason in out["reasons"])
