"""python -m bot fees check: one JSON request on stdin, one JSON verdict on stdout.

Input::

    {"country": "TW", "occupation": "domestic_worker", "contract_months": 36,
     "monthly_salary": 20000, "currency": "TWD",
     "charged": {"service_fee": 25000, "brokerage_fee": null, "deposit": null, "other": null}}

A charge paid in another currency than the salary is an object: "deposit": {"amount": 30000000,
"currency": "VND"}; the checker never converts, so such a charge is compared only with caps in
its own currency (else "unknown").

Optional: "extension" (true/false), "sender" (service_enterprise, public_service_unit,
outward_investor), "japan_category" (country JP only; see bot.facts.fees.models.JAPAN_CATEGORIES).

Optional too: "signed_on" ("YYYY-MM-DD", the day she signed: the rules in force that day apply;
null or left out: today). A value she does not know is null and gets a verdict, never an error.

Output: {"verdict", "cap_service_fee", "reasons", "citations", "signed_on", "signed_on_assumed",
"notes"}; exit 0 for any verdict, 2 for bad input (the reason on stderr), 1 when the fee rules
themselves are broken.

python -m bot fees rates show: the reference exchange rates, their date and source.
python -m bot fees rates update FILE [--date YYYY-MM-DD] [--source URL] [--source-name TEXT]
    [--confidence high|medium|low] [--out PATH]: replaces them from a CSV ("code,vnd_per_unit"
    lines) or JSON file, offline; nothing is written unless every rate is valid.
"""
from __future__ import annotations

import json
import sys
from typing import List, Optional

USAGE = "usage: python -m bot fees check < request.json | fees rates show | fees rates update FILE --date D --source URL"


def _read_stdin() -> str:
    from bot.facts.fees.request import MAX_INPUT_BYTES, RequestError

    raw = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    if len(raw) > MAX_INPUT_BYTES:
        raise RequestError(f"input is larger than {MAX_INPUT_BYTES} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RequestError("input is not UTF-8 text") from None


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(argv or [])
    if argv and argv[0] in ("-h", "--help", "help"):
        print(__doc__.strip())
        return 0
    if argv[:1] == ["rates"]:
        return _rates(argv[1:])
    if argv != ["check"]:
        print(f"fees: expected the command 'check' or 'rates'. {USAGE}", file=sys.stderr)
        return 2

    from bot.facts.fees.checker import check
    from bot.facts.fees.loader import FeeRulesError
    from bot.facts.fees.request import RequestError, parse_json

    try:
        request = parse_json(_read_stdin())
    except RequestError as error:
        print(f"fees check: bad input: {error}", file=sys.stderr)
        return 2
    try:
        verdict = check(request)
    except FeeRulesError as error:
        print(f"fees check: the fee rules in facts/fees/ are broken: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - never a traceback on the command line
        print(f"fees check: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    try:
        print(json.dumps(verdict.to_dict(), ensure_ascii=False), flush=True)
    except BrokenPipeError:  # the reader went away (e.g. `| head`): nothing left to say
        sys.stdout = None  # no second error at interpreter exit
        return 1
    return 0


def _rates(argv: List[str]) -> int:
    import argparse
    from pathlib import Path

    from bot.facts.fees.rates import RATES_FILE, RatesError, load_rates, read_rates_source, write_rates

    parser = argparse.ArgumentParser(prog="python -m bot fees rates")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="the reference rates, their date and source")
    show.add_argument("--file", type=Path, default=RATES_FILE)
    update = commands.add_parser("update", help="replace the reference rates from a CSV or JSON file")
    update.add_argument("file", type=Path)
    update.add_argument("--date", help="the day the rates are for (YYYY-MM-DD)")
    update.add_argument("--source", help="the URL the rates were read from")
    update.add_argument("--source-name", dest="source_name", help="who published them, in words")
    update.add_argument("--confidence", choices=("high", "medium", "low"))
    update.add_argument("--out", type=Path, default=RATES_FILE)
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0) and 2
    try:
        if args.command == "show":
            table = load_rates(args.file)
        else:
            overrides = {"date": args.date, "source": args.source, "source_name": args.source_name,
                         "confidence": args.confidence}
            table = read_rates_source(args.file, overrides)
            write_rates(table, args.out)
    except RatesError as error:
        print(f"fees rates: {error}", file=sys.stderr)
        return 2
    print(f"{table.date} {table.source_name} ({table.confidence}) {table.source}")
    for code, rate in sorted(table.vnd_per_unit.items()):
        print(f"  1 {code} = {rate} VND")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
