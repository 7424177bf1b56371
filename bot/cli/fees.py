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

Output: {"verdict", "cap_service_fee", "reasons", "citations"}; exit 0 for any verdict,
2 for bad input (the reason on stderr), 1 when the fee rules themselves are broken.
"""
from __future__ import annotations

import json
import sys
from typing import List, Optional

USAGE = "usage: python -m bot fees check < request.json"


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
    if argv != ["check"]:
        print(f"fees: expected the command 'check'. {USAGE}", file=sys.stderr)
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
