"""`python -m bot directory check`: what in the referral directory needs a human's attention.

Lists the entries whose source is older than the maximum age (two years by default) or has no
date, the entries nobody has compared with their source, the low-confidence entries, the entries
with caveats, the covered countries without any entry with a phone and those without an
emergency number. Listing them is information: the exit status is 0 whenever the data is valid,
2 when it is malformed (the error names the file and the entry) or the arguments are wrong.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import List, NoReturn, Optional, TextIO

from bot.facts.directory import DIRECTORY_DIR, CheckReport, DirectoryError, check_directory
from bot.facts.directory.check import MAX_SOURCE_AGE_DAYS

USAGE_ERROR = 2
DATA_ERROR = 2
USAGE = (
    "usage: python -m bot directory check [--max-age-days N] [--today YYYY-MM-DD] [--json] "
    "[--dir PATH]"
)


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would exit; we return 2 instead
        raise _UsageError(message)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("the maximum age cannot be negative")
    return value


def _parser() -> _Parser:
    parser = _Parser(
        prog="python -m bot directory",
        description="Referral directory tools.",
    )
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    check = commands.add_parser(
        "check",
        help="validate the directory and list what needs re-checking",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    check.add_argument(
        "--max-age-days",
        type=_days,
        default=MAX_SOURCE_AGE_DAYS,
        metavar="N",
        help=f"list entries whose source is more than N days old (default {MAX_SOURCE_AGE_DAYS})",
    )
    check.add_argument(
        "--today", type=_date, default=None, metavar="YYYY-MM-DD", help="the date to measure age from"
    )
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.add_argument(
        "--dir",
        type=Path,
        default=DIRECTORY_DIR,
        metavar="PATH",
        help=f"the directory of country files (default {DIRECTORY_DIR})",
    )
    return parser


def _print_human(result: CheckReport, out: TextIO) -> None:
    def section(title: str, lines: List[str]) -> None:
        print(f"\n{title}: {len(lines) if lines else 'none'}", file=out)
        for line in lines:
            print(f"  {line}", file=out)

    counts = result["entries_by_country"]
    print(
        f"Directory valid: {result['services']} services. "
        + ", ".join(f"{code} {n}" for code, n in counts.items()),
        file=out,
    )
    section(
        f"Sources more than {result['max_age_days']} days old on {result['today']}",
        [
            f"{e['id']} ({e['country']}): source of {e['source_date']}, {e['age_days']} days"
            for e in result["stale"]
        ],
    )
    section("Sources without a date", [f"{e['id']} ({e['country']})" for e in result["undated"]])
    section(
        "Never compared with their source (no checked date)",
        [f"{e['id']} ({e['country']})" for e in result["unchecked"]],
    )
    section("Low confidence", [f"{e['id']} ({e['country']})" for e in result["low_confidence"]])
    section(
        "Entries with caveats",
        [f"{e['id']} ({e['country']}, {e['confidence']}): {e['caveat']}" for e in result["caveats"]],
    )
    section("Covered countries without any entry with a phone", list(result["countries_without_phone"]))
    section(
        "Covered countries without an emergency number",
        list(result["countries_without_emergency_number"]),
    )
    section(
        "Country notes",
        [f"{code}: {text}" for code, text in sorted(result["country_caveats"].items())],
    )


def main(
    argv: Optional[List[str]] = None, out: Optional[TextIO] = None, err: Optional[TextIO] = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except _UsageError as error:
        print(USAGE, file=err)
        print(f"error: {error}", file=err)
        return USAGE_ERROR
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    if args.command != "check":
        print(USAGE, file=err)
        print("error: name the tool: check", file=err)
        return USAGE_ERROR

    today = args.today or dt.date.today()
    if not args.dir.is_dir():
        message = f"{args.dir}: no such directory"
        _fail(message, args.json, out, err)
        return USAGE_ERROR
    try:
        result = check_directory(args.dir, today, args.max_age_days)
    except DirectoryError as error:
        _fail(str(error), args.json, out, err)
        return DATA_ERROR
    if args.json:
        json.dump(result, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        _print_human(result, out)
    return 0


def _fail(message: str, as_json: bool, out: TextIO, err: TextIO) -> None:
    if as_json:
        json.dump({"valid": False, "error": message}, out, ensure_ascii=False)
        out.write("\n")
    print(f"Directory invalid: {message}", file=err)


if __name__ == "__main__":
    sys.exit(main())
