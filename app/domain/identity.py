"""Personal ID numbers (居民身份证号码): validation and masking.

Only the 18-character resident ID is accepted: 17 digits and a check character
computed by ISO 7064 MOD 11-2 (GB 11643-1999). A typo in one digit fails the check.
"""

import re
from datetime import date

_FORMAT = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


class IdNumberError(ValueError):
    """Why an ID number is refused; `code` is stable, for translation."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalise_id_number(raw: str) -> str:
    """Upper-case and strip spaces, so '3101 0119…x' and '310101…X' are the same person."""
    return re.sub(r"\s+", "", raw or "").upper()


def check_character(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def validate_id_number(raw: str) -> str:
    """Return the normalised number, or raise IdNumberError(code).

    Codes: `empty`, `format` (not 17 digits + digit/X), `birth_date` (no such date),
    `checksum` (the last character does not match).
    """
    number = normalise_id_number(raw)
    if not number:
        raise IdNumberError("empty")
    if not _FORMAT.match(number):
        raise IdNumberError("format")
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("birth_date") from None
    if check_character(number[:17]) != number[17]:
        raise IdNumberError("checksum")
    return number


def mask_last4(last4: str) -> str:
    """What a screen shows: the last four characters only, e.g. '**************123X'."""
    return "*" * 14 + last4
