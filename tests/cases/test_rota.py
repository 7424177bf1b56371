"""The duty rota: validation at load, and who is alerted when."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from bot.cases.officers import DESTINATION_COUNTRIES
from bot.cases.rota import RotaError, configured_rota, load_rota, on_duty, parse_range, parse_rota
from bot.runtime.settings import Settings

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "rota.example.yml"
UTC = dt.timezone.utc

DESK = {"id": "vn-desk", "name": "Desk", "contacts": {"telegram": "-1000000000100"}}


def officer(id, countries=("TW",), timezone="Asia/Taipei", hours=("daily 08:00-20:00",), backups=(), **extra):
    return {"id": id, "name": id, "countries": list(countries), "timezone": timezone,
            "hours": list(hours), "contacts": {"sms": "+84900000001"}, "backups": list(backups), **extra}


def rota(*officers, desk=None):
    return parse_rota({"desk": desk or DESK, "officers": list(officers)}, source="rota.yml")


def chain(the_rota, country, at):
    return [o.id for o in on_duty(the_rota, country, at)]


# --- the example file ------------------------------------------------------------------------


def test_the_example_rota_is_valid_and_covers_every_destination():
    example = load_rota(EXAMPLE)
    assert example.countries_without_officers() == []
    assert {c for o in example.officers for c in o.countries} == set(DESTINATION_COUNTRIES)
    assert example.desk.timezone == "Asia/Ho_Chi_Minh" and example.desk.role == "desk"


def test_the_example_rota_is_visibly_fake():
    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    entries = [document["desk"], *document["officers"]]
    for entry in entries:
        assert "EXAMPLE" in entry["name"]
        sms = entry["contacts"].get("sms")
        assert sms is None or re.fullmatch(r"\+84900000\d{3}", sms), sms
        chat = entry["contacts"].get("telegram")
        assert chat is None or re.fullmatch(r"-?100000\d+", chat), chat
    assert EXAMPLE.read_text(encoding="utf-8").startswith("# EXAMPLE")


def test_the_example_rota_sits_outside_rasa_training_data():
    assert "data" not in EXAMPLE.relative_to(REPO).parts


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry, message",
    [
        (officer("tw-a", timezone="Asia/Taipai"), "'Asia/Taipai' is not an IANA time zone"),
        (officer("tw-a", timezone="UTC+8"), "not an IANA time zone"),
        (officer("tw-a", hours=["mon-fri 08:00-25:00"]), "not a time of day"),
        (officer("tw-a", hours=["mon-fri 8-18"]), "is not like 'mon-fri 08:00-18:00'"),
        (officer("tw-a", hours=["mon,fry 08:00-18:00"]), "'fry' is not a day"),
        (officer("tw-a", hours=["mon-fry 08:00-18:00"]), "'mon-fry' is not a range of days"),
        (officer("tw-a", hours=["mon 08:00-08:00"]), "starts and ends at the same time"),
        (officer("tw-a", hours=[]), "at least one range"),
        (officer("tw-a", countries=["Taiwan"]), "unknown country 'Taiwan'"),
        (officer("tw-a", countries=[]), "no countries"),
        (officer("tw-a", contacts={}), "at least one contact channel"),
        (officer("tw-a", contacts={"sms": "0912 345 678"}), "E.164"),
        (officer("tw-a", contacts={"telegram": "@lan"}), "Telegram chat id"),
        (officer("tw-a", mobile="+84900000001"), "extra fields not permitted"),
        (officer("tw-a", backups=["tw-ghost"]), "backup 'tw-ghost' is not on the rota"),
        (officer("tw-a", backups=["tw-a"]), "lists itself as its backup"),
    ],
)
def test_a_malformed_entry_is_refused_naming_the_file_and_the_entry(entry, message):
    with pytest.raises(RotaError) as raised:
        rota(officer("tw-ok"), entry)
    assert str(raised.value).startswith("rota.yml: entry tw-a: ")
    assert message in str(raised.value)


def test_a_backup_cycle_is_refused_with_the_loop_shown():
    with pytest.raises(RotaError, match=r"rota.yml: entry tw-a: the backup chain loops: tw-a -> tw-b -> tw-c -> tw-a"):
        rota(officer("tw-a", backups=["tw-b"]), officer("tw-b", backups=["tw-c"]), officer("tw-c", backups=["tw-a"]))


def test_duplicate_ids_and_a_missing_desk_are_refused():
    with pytest.raises(RotaError, match="entry tw-a: duplicate id"):
        rota(officer("tw-a"), officer("tw-a"))
    with pytest.raises(RotaError, match="entry vn-desk: duplicate id"):
        rota(officer("vn-desk"))
    with pytest.raises(RotaError, match="no 'desk:'"):
        parse_rota({"officers": []}, "rota.yml")
    with pytest.raises(RotaError, match="desk.*Asia/Ho_Chi_Minh"):
        rota(desk={**DESK, "timezone": "Asia/Bangkok"})
    with pytest.raises(RotaError, match="entry vn-desk: the desk has no backups"):
        rota(officer("tw-a"), desk={**DESK, "backups": ["tw-a"]})
    with pytest.raises(RotaError, match="entry #2: "):
        rota(officer("tw-a"), {"name": "no id"})


def test_a_broken_file_is_named(tmp_path):
    path = tmp_path / "rota.yml"
    path.write_text("desk: [unclosed\n", encoding="utf-8")
    with pytest.raises(RotaError, match=f"{re.escape(str(path))}: not valid YAML"):
        load_rota(path)
    with pytest.raises(RotaError, match="cannot read the rota"):
        load_rota(tmp_path / "missing.yml")
    path.write_text(yaml.safe_dump({"desk": {**DESK, "hours": ["always"]}}), encoding="utf-8")
    with pytest.raises(RotaError, match=f"{re.escape(str(path))}: entry vn-desk: hours"):
        load_rota(path)


def test_contact_details_never_show_in_a_repr():
    the_rota = rota(officer("tw-a"))
    assert "+84900000001" not in repr(the_rota.get("tw-a")) + str(the_rota.get("tw-a").contacts)


# --- on-duty hours ---------------------------------------------------------------------------


def test_hours_parse_days_ranges_and_whole_days():
    assert parse_range("mon-fri 08:00-18:00").days == frozenset(range(5))
    assert parse_range("fri-mon 08:00-18:00").days == frozenset({4, 5, 6, 0})
    assert parse_range("sat,sun 00:00-24:00").end == 24 * 60
    assert parse_range("24/7").days == frozenset(range(7))


def test_overnight_shifts_run_into_the_next_day():
    the_rota = rota(officer("tw-night", hours=["fri 22:00-06:00"]))
    taipei = dt.timezone(dt.timedelta(hours=8))
    friday_late = dt.datetime(2026, 11, 27, 23, 30, tzinfo=taipei)  # a Friday
    assert chain(the_rota, "TW", friday_late) == ["tw-night", "vn-desk"]
    assert chain(the_rota, "TW", friday_late + dt.timedelta(hours=6)) == ["tw-night", "vn-desk"]  # Sat 05:30
    assert chain(the_rota, "TW", friday_late + dt.timedelta(hours=7)) == ["vn-desk"]  # Sat 06:30
    assert chain(the_rota, "TW", friday_late - dt.timedelta(days=1)) == ["vn-desk"]  # Thu 23:30
    assert chain(the_rota, "TW", dt.datetime(2026, 11, 27, 5, 0, tzinfo=taipei)) == ["vn-desk"]  # Fri 05:00


def test_one_instant_is_day_in_asia_and_night_in_europe():
    the_rota = rota(
        officer("jp-a", countries=["JP"], timezone="Asia/Tokyo", hours=["mon-fri 09:00-18:00"]),
        officer("de-a", countries=["DE"], timezone="Europe/Berlin", hours=["mon-fri 09:00-18:00"]),
    )
    monday_0200_utc = dt.datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Tokyo 11:00, Berlin 03:00
    assert chain(the_rota, "JP", monday_0200_utc) == ["jp-a", "vn-desk"]
    assert chain(the_rota, "DE", monday_0200_utc) == ["vn-desk"]
    monday_1000_utc = monday_0200_utc + dt.timedelta(hours=8)  # Tokyo 19:00, Berlin 11:00
    assert chain(the_rota, "JP", monday_1000_utc) == ["vn-desk"]
    assert chain(the_rota, "DE", monday_1000_utc) == ["de-a", "vn-desk"]


def test_local_hours_follow_daylight_saving_time():
    the_rota = rota(officer("de-a", countries=["DE"], timezone="Europe/Berlin", hours=["mon-fri 08:00-18:00"]))
    winter = dt.datetime(2026, 1, 12, 7, 30, tzinfo=UTC)  # Monday 08:30 CET
    summer = dt.datetime(2026, 7, 13, 6, 30, tzinfo=UTC)  # Monday 08:30 CEST
    assert chain(the_rota, "DE", winter) == ["de-a", "vn-desk"]
    assert chain(the_rota, "DE", summer) == ["de-a", "vn-desk"]
    assert chain(the_rota, "DE", winter - dt.timedelta(hours=1)) == ["vn-desk"]  # 07:30 CET


def test_the_chain_is_on_duty_officers_then_backups_then_the_desk():
    the_rota = rota(
        officer("tw-day", hours=["daily 08:00-20:00"], backups=["tw-b1", "vn-desk"]),
        officer("tw-also", hours=["daily 08:00-20:00"], backups=["tw-b2", "tw-b1"]),
        officer("tw-night", hours=["daily 20:00-08:00"], backups=["tw-day"]),
        officer("tw-b1", hours=["mon 01:00-02:00"], backups=["kr-far"]),
        officer("tw-b2", hours=["mon 01:00-02:00"]),
        officer("kr-far", countries=["KR"], timezone="Asia/Seoul", hours=["mon 01:00-02:00"]),
    )
    noon_taipei = dt.datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
    # On duty in rota order, then backups level by level, each once, the desk last.
    assert chain(the_rota, "TW", noon_taipei) == ["tw-day", "tw-also", "tw-b1", "tw-b2", "kr-far", "vn-desk"]
    midnight_taipei = dt.datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    assert chain(the_rota, "tw", midnight_taipei) == ["tw-night", "tw-day", "tw-b1", "kr-far", "vn-desk"]
    assert chain(the_rota, "KR", noon_taipei) == ["vn-desk"]


def test_the_desk_is_always_there_even_outside_its_hours():
    the_rota = rota(officer("tw-a"), desk={**DESK, "hours": ["mon 09:00-10:00"]})
    sunday_night = dt.datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    for country in ("TW", "KW", None, "ZZ"):
        assert chain(the_rota, country, sunday_night)[-1] == "vn-desk"


def test_on_duty_refuses_a_time_without_a_zone():
    with pytest.raises(ValueError, match="aware datetime"):
        on_duty(rota(officer("tw-a")), "TW", dt.datetime(2026, 11, 23, 8, 0))


def test_example_rota_resolution_at_one_moment():
    example = load_rota(EXAMPLE)
    # Monday 2026-11-23 03:00 UTC: Taipei 11:00, Riyadh 06:00, Berlin 04:00.
    at = dt.datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert chain(example, "TW", at) == ["tw-nguyen-thi-lan", "tw-do-van-khoa", "vn-desk"]
    assert chain(example, "SA", at) == ["vn-desk"]
    assert chain(example, "DE", at) == ["vn-desk"]


def test_the_rota_file_is_named_by_rota_file():
    assert configured_rota(Settings(rota_file=None)) is None
    rota = configured_rota(Settings(rota_file=str(EXAMPLE)))
    assert rota is not None and rota.desk.id == "vn-desk"
