"""Phone numbers of the referral directory: parsed and validated for their country, and shown in
a form derived from the parsed number, so that a typo cannot reach a worker.

A number is E.164 ("+84981848484"), a national number dialled inside the country ("0120250168",
"15770071"), or a short code ("1955"). Google's libphonenumber metadata (the ``phonenumbers``
package) decides whether the first two are valid numbers of the country. Its short-number data
does not know every service line (Taiwan's 1955, Korea's 1345), so short codes are checked
against the list below instead: a short code is added here, with the entry that needs it, only
when a source names it.
"""
from __future__ import annotations

import re
from typing import Dict, FrozenSet, Optional, Set

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

#: The short codes the directory may list, per country (ISO 3166-1 alpha-2). Each is the number
#: of an entry in facts/directory/<country>.yml, whose sources name it.
SHORT_CODES: Dict[str, FrozenSet[str]] = {
    "VN": frozenset({"111", "112", "113", "114", "115"}),
    "TW": frozenset({"110", "113", "118", "119", "1955"}),
    "JP": frozenset({"110", "118", "119"}),
    "KR": frozenset({"112", "119", "1345", "1350"}),
    "MY": frozenset({"999"}),
    "SA": frozenset({"911", "937", "997", "999", "19911"}),
    "AE": frozenset({"901", "999", "80060"}),
    "SG": frozenset({"995", "999"}),
    "TH": frozenset({"191", "199", "1155", "1300", "1669", "1694"}),
    "CN": frozenset({"110", "120"}),
    "DE": frozenset({"112", "116016"}),
    "RO": frozenset({"112"}),
    "QA": frozenset({"999"}),
    "KW": frozenset({"112"}),
    "KH": frozenset({"117"}),
    "LA": frozenset({"1191"}),
    "MM": frozenset(),
}

_SHORT = re.compile(r"^\d{3,6}$")
_DIGITS = re.compile(r"\D")


class PhoneError(ValueError):
    """The number is not a valid number of its country."""


def digits(text: str) -> str:
    return _DIGITS.sub("", text)


def is_short_code(number: str) -> bool:
    return bool(_SHORT.match(number))


def _parsed(number: str, region: str) -> phonenumbers.PhoneNumber:
    try:
        parsed = phonenumbers.parse(number, None if number.startswith("+") else region)
    except NumberParseException as problem:
        raise PhoneError(f"{number!r} cannot be read as a phone number: {problem}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneError(f"{number} is not a valid phone number (libphonenumber)")
    found = phonenumbers.region_code_for_number(parsed)
    if found != region:
        raise PhoneError(f"{number} is a number of {found}, not of {region} (write 'region: {found}' if that is meant)")
    return parsed


def display_of(number: str, region: str) -> str:
    """The number as a worker reads it: international form for E.164, national form for a
    national number, the digits for a short code. PhoneError when it is not valid for ``region``."""
    if is_short_code(number):
        if number not in SHORT_CODES.get(region, frozenset()):
            raise PhoneError(
                f"short code {number} is not on {region}'s list of short codes (bot/facts/directory/phones.py)"
            )
        return number
    parsed = _parsed(number, region)
    form = PhoneNumberFormat.INTERNATIONAL if number.startswith("+") else PhoneNumberFormat.NATIONAL
    return phonenumbers.format_number(parsed, form)


def digit_forms(number: str, region: str) -> Set[str]:
    """Every way of writing the number's digits a text may use: as stored, international without
    the +, and national with its trunk prefix ("842438249517", "02438249517")."""
    forms = {digits(number)}
    if is_short_code(number):
        return forms
    parsed = _parsed(number, region)
    for form in (PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.NATIONAL):
        forms.add(digits(phonenumbers.format_number(parsed, form)))
    return forms


def same_number(display: str, number: str, region: str) -> bool:
    """Whether ``display`` (as a source writes it) has the digits of ``number`` in one of its forms."""
    return digits(display) in digit_forms(number, region)


#: Runs of digits in free text, the separators a phone number is written with included.
NUMBER_IN_TEXT = re.compile(r"\+?\d(?:[\d .\-]*\d)?")


def numbers_in(text: Optional[str]) -> Set[str]:
    """The digit strings of 4 digits or more that ``text`` contains (hours like 9:00 are not)."""
    found = set()
    for match in NUMBER_IN_TEXT.finditer(text or ""):
        run = digits(match.group())
        if len(run) >= 4:
            found.add(run)
    return found
