"""Check digits and masking for the identifiers that link records across agencies.

* Unified social credit code (USCC, 统一社会信用代码), GB 32100-2015: 18 characters;
  positions 9-17 embed the organisation code of GB 11714, which has its own check.
* Resident identity number (公民身份号码), GB 11643-1999: 18 characters: a 6-digit area
  code, the birth date as YYYYMMDD (a real date, 1800-2099), a sequence number and an
  ISO 7064 MOD 11-2 check character. A number born on 1990-13-45 is invalid whatever its
  check character says (python-stdnum's ``stdnum.cn.ric`` is the oracle in the tests).

Checks never "correct" a code: a mistyped code is reported as invalid, because guessing
which character a clerk got wrong would invent a link the data does not support.
"""

from __future__ import annotations

import operator
import re
from datetime import date
from enum import StrEnum

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
# w_i = 3^(i-1) mod 31 for positions 1..17.
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

# GB 11714 organisation code: 8 body characters (digits or capitals) and a check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_VALUE = {ch: i for i, ch in enumerate(_ORG_ALPHABET)}

ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_NUMBER_CHECK = "10X98765432"  # index = (sum mod 11)

ID_NUMBER_PATTERN = re.compile(
    # 18 characters (birth year 19xx/20xx), or the 15-digit form issued before 1999
    r"(?<![0-9])[1-9][0-9]{5}(?:(?:19|20)[0-9]{9}[0-9Xx]"
    r"|[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3})(?![0-9A-Za-z])"
)
PHONE_PATTERN = re.compile(
    # a mobile number, with or without +86 / 0086 / 86 before it and spaces or dashes
    # between its groups (138 1234 5678, 138-1234-5678); not the decimals of a number
    r"(?<![0-9.])(?:(?:\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])"
)


class CodeStatus(StrEnum):
    """Outcome of checking an identifier as found in a source row."""

    VALID = "valid"
    INVALID = "invalid"  # present, but wrong length, alphabet or check character
    MISSING = "missing"


def uscc_check_char(first17: str) -> str:
    """Return the 18th (check) character for the first 17 characters of a USCC.

    >>> uscc_check_char("91512081MA62K0260")
    'E'
    """
    values = list(map(_USCC_VALUE.get, first17))
    if len(values) != 17 or None in values:
        raise ValueError(f"not 17 USCC characters: {first17!r}")
    total = sum(map(operator.mul, values, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True when ``code`` is 18 USCC characters with a correct check character."""
    if len(code) != 18 or any(ch not in _USCC_VALUE for ch in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def uscc_status(raw: str | None) -> CodeStatus:
    """Classify a USCC cell as found in a source (after whitespace is stripped)."""
    if raw is None or not raw.strip():
        return CodeStatus.MISSING
    return CodeStatus.VALID if is_valid_uscc(raw.strip()) else CodeStatus.INVALID


def org_code_check_char(first8: str) -> str:
    """Check character of a GB 11714 organisation code body (8 digits or capitals)."""
    values = list(map(_ORG_VALUE.get, first8))
    if len(values) != 8 or None in values:
        raise ValueError(f"not 8 organisation-code characters: {first8!r}")
    total = sum(map(operator.mul, values, _ORG_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(area_code: str, org_body: str, *, authority: str = "9", kind: str = "1") -> str:
    """Build a valid USCC from its parts (used by the synthetic world).

    ``authority`` 9 = market regulation; ``kind`` 1 = enterprise, 2 = individual business.
    ``org_body`` is the 8-character organisation-code body; its GB 11714 check is appended.
    """
    org_code = org_body + org_code_check_char(org_body)
    first17 = authority + kind + area_code + org_code
    return first17 + uscc_check_char(first17)


def id_number_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a resident identity number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"not 17 digits: {first17!r}")
    total = sum(map(operator.mul, map(int, first17), ID_NUMBER_WEIGHTS))
    return ID_NUMBER_CHECK[total % 11]


def is_valid_id_number(number: str) -> bool:
    """True for an 18-character resident identity number with an area code starting 1-8,
    a real birth date and a correct check character.

    >>> is_valid_id_number("11010519491231002X"), is_valid_id_number("110105194913310027")
    (True, False)
    """
    number = number.upper()
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        return False
    if number[0] not in "12345678" or birth_date(number) is None:
        return False
    return id_number_check_char(number[:17]) == number[17]


def birth_date(number: str) -> date | None:
    """The birth date an 18-character ID number carries, or None when it is no real date
    (month 13, 30 February) or falls outside 1800-2099."""
    year, month, day = number[6:10], number[10:12], number[12:14]
    if not (year + month + day).isdigit() or not "1800" <= year <= "2099":
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def mask_id_number(number: str) -> str:
    """Keep region and check character, hide birth date and sequence: 440607********123X."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """Hide the middle of a mobile number: 138****5678 (+86 and separators dropped)."""
    digits = re.sub(r"[\s+-]", "", phone)  # stars stay: masking twice changes nothing
    if len(digits) > 11 and digits.startswith(("0086", "86")):
        digits = digits[-11:]
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_personal_numbers(text: str) -> str:
    """Mask every ID number and mobile phone number appearing anywhere in free text."""
    text = ID_NUMBER_PATTERN.sub(lambda m: mask_id_number(m.group(0)), text)
    return PHONE_PATTERN.sub(lambda m: mask_phone(m.group(0)), text)
