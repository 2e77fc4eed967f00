"""Certificate numbers (app/domain/certificates.py, domain.md §6): 22 characters,
`[YS]` + 21 digits, "Check it with ^[YS]\\d{21}$; the level digit must match the
certificate's level"."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.certificates import (
    MAX_SERIAL,
    NUMBER,
    CertificateNumberError,
    IssuingBody,
    ParsedNumber,
    check_number,
    format_number,
    normalise_number,
    parse_number,
    prefix,
)
from app.domain.vocabulary import SkillLevel

SHANGHAI = IssuingBody("Y", "0000", "31", "000001")
EXAMPLE = "Y000031000001263000012"  # SHANGHAI, 2026, 三级/高级工, serial 12
ASCII_NUMBER = re.compile(r"^[YS][0-9]{21}$")  # the published pattern, read as ASCII


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


bodies = st.builds(IssuingBody, st.sampled_from(["Y", "S"]), digits(4), digits(2), digits(6))
years = st.integers(2000, 2099)
levels = st.sampled_from(SkillLevel)
serials = st.integers(1, MAX_SERIAL)


def code_of(call: object, *args: object) -> str:
    with pytest.raises(CertificateNumberError) as info:
        call(*args)  # type: ignore[operator]
    return info.value.code


# --- formatting and parsing --------------------------------------------------------------


def test_example_number() -> None:
    assert format_number(SHANGHAI, 2026, SkillLevel.ADVANCED, 12) == EXAMPLE
    assert prefix(SHANGHAI, 2026, SkillLevel.ADVANCED) == EXAMPLE[:16]
    assert parse_number(EXAMPLE) == ParsedNumber(SHANGHAI, 26, SkillLevel.ADVANCED, 12)


@given(bodies, years, levels, serials)
def test_format_then_parse_round_trips(body: IssuingBody, year: int, level: SkillLevel,
                                       serial: int) -> None:
    number = format_number(body, year, level, serial)
    assert len(number) == 22
    assert NUMBER.match(number) and ASCII_NUMBER.match(number)
    assert number[15] == str(int(level))  # position 16 (1-based) is the level digit
    assert number[13:15] == f"{year % 100:02d}"
    assert number.startswith(prefix(body, year, level))
    assert parse_number(number) == ParsedNumber(body, year % 100, level, serial)
    assert check_number(number, level) == number


@given(bodies, years, levels, levels, serials)
def test_check_number_refuses_another_level(body: IssuingBody, year: int, level: SkillLevel,
                                            other: SkillLevel, serial: int) -> None:
    number = format_number(body, year, level, serial)
    if other != level:
        assert code_of(check_number, number, other) == "level_mismatch"
    else:
        assert check_number(number, other) == number


@given(st.text(alphabet="YSys0123456789 -xX\t", max_size=26))
def test_parse_accepts_exactly_the_published_format(raw: str) -> None:
    # Over ASCII input: either refused as format/level, or the parts print back as typed.
    number = normalise_number(raw)
    try:
        parsed = parse_number(raw)
    except CertificateNumberError as e:
        assert e.code == ("level" if ASCII_NUMBER.match(number) else "format")
        return
    assert ASCII_NUMBER.match(number)
    b = parsed.body
    assert number == (f"{b.body_type}{b.body_code}{b.province}{b.body_serial}"
                      f"{parsed.year:02d}{int(parsed.level)}{parsed.serial:06d}")


@pytest.mark.parametrize(
    "raw",
    ["", "Y", EXAMPLE[:-1], EXAMPLE + "0", "X" + EXAMPLE[1:], "0" + EXAMPLE[1:],
     "YY" + EXAMPLE[2:], EXAMPLE[:10] + "A" + EXAMPLE[11:], EXAMPLE[:10] + "-" + EXAMPLE[11:],
     "Y" + "0" * 22, "y-000031000001263000012", EXAMPLE + "\u200b", "ＹＹ"],
)
def test_bad_formats(raw: str) -> None:
    assert code_of(parse_number, raw) == "format"
    assert code_of(check_number, raw, SkillLevel.ADVANCED) == "format"


@pytest.mark.parametrize("digit", ["0", "6", "7", "8", "9"])
def test_level_digit_outside_1_to_5_is_refused(digit: str) -> None:
    raw = EXAMPLE[:15] + digit + EXAMPLE[16:]
    assert NUMBER.match(raw)  # well formed, yet no level has that code
    assert code_of(parse_number, raw) == "level"
    assert code_of(check_number, raw, SkillLevel.ADVANCED) == "level"


@pytest.mark.parametrize("level", list(SkillLevel))
def test_each_level_digit_parses_to_its_level(level: SkillLevel) -> None:
    raw = EXAMPLE[:15] + str(int(level)) + EXAMPLE[16:]
    assert parse_number(raw).level is level
    assert check_number(raw, level) == raw


def test_parse_does_not_check_what_format_refuses() -> None:
    # Numbers from other bodies are checked against the published pattern only, so a
    # serial 000000 parses although this system never issues one (format_number: serial).
    assert parse_number("Y000031000001263000000").serial == 0
    assert code_of(format_number, SHANGHAI, 2026, SkillLevel.ADVANCED, 0) == "serial"


@pytest.mark.parametrize("raw", [EXAMPLE[:16] + "００００１２",
                                 EXAMPLE[:13] + "２６" + EXAMPLE[15:],
                                 EXAMPLE[:15] + "３" + EXAMPLE[16:],
                                 EXAMPLE[:16] + "٠٠٠٠١٢",  # Arabic-Indic digits
                                 "Y" + "００００" + EXAMPLE[5:]])
def test_only_ascii_digits_are_digits(raw: str) -> None:
    try:
        got = check_number(raw, SkillLevel.ADVANCED)
    except CertificateNumberError as e:
        assert e.code == "format"
    else:
        assert got == EXAMPLE


# --- the issuing body ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "code"),
    [
        (("X", "0000", "31", "000001"), "body_type"),
        (("y", "0000", "31", "000001"), "body_type"),  # not normalised here
        (("", "0000", "31", "000001"), "body_type"),
        (("YS", "0000", "31", "000001"), "body_type"),
        (("Y", "000", "31", "000001"), "body_code"),
        (("Y", "00000", "31", "000001"), "body_code"),
        (("Y", "00a0", "31", "000001"), "body_code"),
        (("Y", "００００", "31", "000001"), "body_code"),  # full-width digits
        (("Y", "0000", "3", "000001"), "province"),
        (("Y", "0000", "311", "000001"), "province"),
        (("Y", "0000", "3 ", "000001"), "province"),
        (("Y", "0000", "31", "00001"), "body_serial"),
        (("Y", "0000", "31", "0000001"), "body_serial"),
        (("Y", "0000", "31", "00000x"), "body_serial"),
        (("Y", "0000", "31", "-00001"), "body_serial"),
    ],
)
def test_issuing_body_codes(parts: tuple[str, str, str, str], code: str) -> None:
    assert code_of(IssuingBody, *parts) == code


def test_issuing_body_accepts_both_body_types() -> None:
    assert IssuingBody("S", "1234", "31", "999999").body_type == "S"
    assert format_number(IssuingBody("S", "1234", "31", "999999"), 2026, SkillLevel.PRIMARY,
                         1) == "S123431999999265000001"


def test_error_is_a_value_error_with_a_stable_code() -> None:
    error = CertificateNumberError("serial")
    assert isinstance(error, ValueError) and error.code == "serial" and str(error) == "serial"


# --- bounds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("serial", [1, 2, 999_999])
def test_serial_bounds_inside(serial: int) -> None:
    number = format_number(SHANGHAI, 2026, SkillLevel.ADVANCED, serial)
    assert parse_number(number).serial == serial
    assert MAX_SERIAL == 999_999


@pytest.mark.parametrize("serial", [0, -1, 1_000_000, 10**7])
def test_serial_bounds_outside(serial: int) -> None:
    assert code_of(format_number, SHANGHAI, 2026, SkillLevel.ADVANCED, serial) == "serial"


@pytest.mark.parametrize(("year", "printed"), [(2000, "00"), (2009, "09"), (2099, "99")])
def test_year_bounds_inside(year: int, printed: str) -> None:
    assert prefix(SHANGHAI, year, SkillLevel.ADVANCED)[13:15] == printed


@pytest.mark.parametrize("year", [1999, 2100, 26, 0])
def test_year_bounds_outside(year: int) -> None:
    assert code_of(prefix, SHANGHAI, year, SkillLevel.ADVANCED) == "year"
    assert code_of(format_number, SHANGHAI, year, SkillLevel.ADVANCED, 1) == "year"


# --- what a person types ----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [EXAMPLE, " " + EXAMPLE + " ", "y000031000001263000012", "Y 0000 31 000001 26 3 000012",
     "y0000\t31\n000001 26 3 000012\n", "Y0000\u300031000001263000012"],  # 全角空格
)
def test_normalise_drops_whitespace_and_accepts_lower_case(raw: str) -> None:
    assert normalise_number(raw) == EXAMPLE
    assert check_number(raw, SkillLevel.ADVANCED) == EXAMPLE
    assert parse_number(raw) == parse_number(EXAMPLE)


def test_normalise_lower_case_s_and_empty_input() -> None:
    assert normalise_number(" s1234 ") == "S1234"
    assert normalise_number("") == ""
    assert normalise_number(None) == ""  # type: ignore[arg-type]


@given(bodies, years, levels, serials, st.lists(st.integers(0, 22), max_size=5),
       st.booleans())
def test_spaces_anywhere_and_lower_case_letter_parse_alike(
        body: IssuingBody, year: int, level: SkillLevel, serial: int, cuts: list[int],
        lower: bool) -> None:
    number = format_number(body, year, level, serial)
    typed = number.lower() if lower else number
    for cut in sorted(cuts, reverse=True):
        typed = typed[:cut] + " " + typed[cut:]
    assert check_number(typed, level) == number
