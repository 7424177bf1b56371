import json

import pytest

from bot.__main__ import main as bot_main
from bot.cli.directory import main

GOOD = """
country: TW
caveat: No emergency number in this test file.
services:
  - id: tw-old
    country: TW
    type: labour_hotline
    names: {vi: Tên, en: Name}
    phones: [{number: "1955"}]
    sources: [https://example.org/source]
    confidence: low
    source_date: 2020-01-31
    caveat: a weak source
  - id: tw-new
    country: TW
    type: police
    names: {vi: Cảnh sát, en: Police}
    phones: [{number: "110"}]
    needs: [emergency]
    warning: {vi: Lưu ý, en: Note}
    sources: [https://example.org/source]
    confidence: high
    source_date: 2026-06-30
    checked: 2026-07-01
  - id: tw-undated
    country: TW
    type: labour_authority
    names: {vi: Tên, en: Name}
    phones: [{number: "+886223381600"}]
    sources: [https://example.org/source]
    confidence: medium
"""


def _run(capsys, argv):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_shipped_directory_is_valid(capsys):
    code, out, err = _run(capsys, ["check"])
    assert code == 0, err
    assert "Directory valid" in out
    assert "without an emergency number" in out


def test_json_output_lists_what_needs_attention(capsys):
    code, out, _ = _run(capsys, ["check", "--json", "--today", "2026-11-23"])
    assert code == 0
    result = json.loads(out)
    assert result["valid"] is True
    # Every covered country has a number to call; Myanmar has no sourced emergency number yet.
    assert result["countries_without_phone"] == []
    assert result["countries_without_emergency_number"] == ["MM"]
    assert result["max_age_days"] == 730  # two years by default
    assert result["undated"] and result["stale"]
    assert all(entry["caveat"] for entry in result["caveats"])
    assert {entry["id"] for entry in result["low_confidence"]}
    assert result["entries_by_country"]["TW"] > 0


def test_max_age_and_today_decide_what_is_stale(tmp_path, capsys):
    (tmp_path / "TW.yml").write_text(GOOD, encoding="utf-8")
    args = ["check", "--dir", str(tmp_path), "--json", "--today", "2026-11-23"]
    code, out, _ = _run(capsys, args)
    assert code == 0
    result = json.loads(out)
    assert [e["id"] for e in result["stale"]] == ["tw-old"]
    assert [e["id"] for e in result["undated"]] == ["tw-undated"]
    assert [e["id"] for e in result["unchecked"]] == ["tw-old", "tw-undated"]
    assert [e["id"] for e in result["low_confidence"]] == ["tw-old"]
    assert [e["id"] for e in result["caveats"]] == ["tw-old"]
    assert result["country_caveats"] == {"TW": "No emergency number in this test file."}
    assert "TW" not in result["countries_without_emergency_number"]
    assert "VN" in result["countries_without_phone"]

    code, out, _ = _run(capsys, args + ["--max-age-days", "100"])
    assert [e["id"] for e in json.loads(out)["stale"]] == ["tw-old", "tw-new"]
    code, out, _ = _run(capsys, args + ["--max-age-days", "5000"])
    assert json.loads(out)["stale"] == []


def test_human_output_names_the_entries(tmp_path, capsys):
    (tmp_path / "TW.yml").write_text(GOOD, encoding="utf-8")
    code, out, _ = _run(capsys, ["check", "--dir", str(tmp_path), "--today", "2026-11-23"])
    assert code == 0
    assert "tw-old (TW): source of 2020-01-31" in out
    assert "Sources without a date: 1" in out and "tw-undated (TW)" in out
    assert "a weak source" in out


@pytest.mark.parametrize("as_json", [False, True])
def test_a_malformed_file_exits_2_naming_file_and_entry(tmp_path, capsys, as_json):
    (tmp_path / "TW.yml").write_text(GOOD.replace("confidence: high", "confidence: sure"), encoding="utf-8")
    code, out, err = _run(capsys, ["check", "--dir", str(tmp_path)] + (["--json"] if as_json else []))
    assert code == 2
    assert "TW.yml" in err and "tw-new" in err and "confidence" in err
    if as_json:
        assert json.loads(out)["valid"] is False


def test_broken_yaml_exits_2(tmp_path, capsys):
    (tmp_path / "JP.yml").write_text("services: [", encoding="utf-8")
    code, _, err = _run(capsys, ["check", "--dir", str(tmp_path)])
    assert code == 2 and "JP.yml" in err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["check", "--max-age-days", "soon"],
        ["check", "--max-age-days", "-1"],
        ["check", "--today", "yesterday"],
        ["check", "--bogus"],
        ["check", "--dir", "/no/such/directory"],
    ],
)
def test_bad_arguments_exit_2_with_usage(capsys, argv):
    code, _, err = _run(capsys, argv)
    assert code == 2
    assert "usage" in err or "no such directory" in err


def test_help_exits_0(capsys):
    code, out, _ = _run(capsys, ["check", "--help"])
    assert code == 0 and "--max-age-days" in out


def test_reached_from_python_m_bot(tmp_path, capsys):
    (tmp_path / "TW.yml").write_text(GOOD, encoding="utf-8")
    assert bot_main(["directory", "check", "--dir", str(tmp_path)]) == 0
    (tmp_path / "TW.yml").write_text("services: 3", encoding="utf-8")
    assert bot_main(["directory", "check", "--dir", str(tmp_path)]) == 2
    assert bot_main(["directory", "check", "--max-age-days", "x"]) == 2
