"""Certificate numbers of 职业技能等级证书 (domain.md §6).

22 characters: `[YS]` + 21 digits.

    position  content
    1         Y = employer-run assessment body, S = social assessment organisation
    2–5       body code (0000 for provincially filed bodies)
    6–7       province code (Shanghai 31)
    8–13      body serial
    14–15     year, two digits
    16        level 1–5
    17–22     serial
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.domain.vocabulary import SkillLevel

NUMBER = re.compile(r"^[YS]\d{21}$", re.ASCII)  # ASCII digits only, not ０ or ٠
BODY_TYPES = ("Y", "S")
MAX_SERIAL = 999_999


class CertificateNumberError(ValueError):
    """Why a number or its parts are refused; `code` is stable, for translation."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IssuingBody:
    """The assessment body's part of every number it issues."""

    body_type: str  # Y or S
    body_code: str  # 4 digits
    province: str  # 2 digits
    body_serial: str  # 6 digits

    def __post_init__(self) -> None:
        if self.body_type not in BODY_TYPES:
            raise CertificateNumberError("body_type")
        for value, width, code in ((self.body_code, 4, "body_code"),
                                   (self.province, 2, "province"),
                                   (self.body_serial, 6, "body_serial")):
            if len(value) != width or not value.isascii() or not value.isdigit():
                raise CertificateNumberError(code)


def prefix(body: IssuingBody, year: int, level: SkillLevel) -> str:
    """The first 16 characters: everything but the serial. Serials count per prefix."""
    if not 2000 <= year <= 2099:
        raise CertificateNumberError("year")
    return f"{body.body_type}{body.body_code}{body.province}{body.body_serial}" \
           f"{year % 100:02d}{int(SkillLevel(level))}"


def format_number(body: IssuingBody, year: int, level: SkillLevel, serial: int) -> str:
    if not 1 <= serial <= MAX_SERIAL:
        raise CertificateNumberError("serial")
    return f"{prefix(body, year, level)}{serial:06d}"


@dataclass(frozen=True)
class ParsedNumber:
    body: IssuingBody
    year: int  # two digits as printed, e.g. 26
    level: SkillLevel
    serial: int


def parse_number(raw: str) -> ParsedNumber:
    """The parts of a well-formed number, or CertificateNumberError: `format` (not
    [YS] + 21 digits) or `level` (the level digit is not 1–5)."""
    number = normalise_number(raw)
    if not NUMBER.match(number):
        raise CertificateNumberError("format")
    level_digit = int(number[15])
    if level_digit not in {int(level) for level in SkillLevel}:
        raise CertificateNumberError("level")
    return ParsedNumber(IssuingBody(number[0], number[1:5], number[5:7], number[7:13]),
                        int(number[13:15]), SkillLevel(level_digit), int(number[16:22]))


def check_number(raw: str, level: SkillLevel) -> str:
    """The normalised number when it is well formed and its level digit is `level`."""
    parsed = parse_number(raw)
    if parsed.level != level:
        raise CertificateNumberError("level_mismatch")
    return normalise_number(raw)


def normalise_number(raw: str) -> str:
    """What a person types: spaces dropped, a lower-case y or s accepted, and the
    full-width digits of a Chinese input method read as the digits they are."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or "")).upper()
