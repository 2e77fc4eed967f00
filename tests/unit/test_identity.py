import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.identity import (
    IdNumberError,
    check_character,
    mask_last4,
    normalise_id_number,
    validate_id_number,
)


def test_a_published_sample_number_is_valid() -> None:
    # The worked example of GB 11643-1999: 11010519491231002X.
    assert validate_id_number("11010519491231002X") == "11010519491231002X"


def test_lower_case_x_and_spaces_are_normalised() -> None:
    assert validate_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    assert normalise_id_number("a b") == "AB"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("12345", "format"),
        ("11010519491231002Y", "format"),
        ("1101051949123100", "format"),
        ("110105194902300021", "birth_date"),  # 30 February
        ("110105194912310021", "checksum"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(raw: str, code: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        validate_id_number(raw)
    assert caught.value.code == code


@given(st.from_regex(r"\A3101\d{2}19[5-9]\d(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])\d{3}\Z"))
def test_any_single_digit_typo_is_caught(first17: str) -> None:
    number = first17 + check_character(first17)
    assert validate_id_number(number) == number
    for position in range(17):
        digit = int(number[position])
        typo = number[:position] + str((digit + 1) % 10) + number[position + 1:]
        with pytest.raises(IdNumberError):
            validate_id_number(typo)


def test_mask_shows_only_the_last_four() -> None:
    assert mask_last4("002X") == "**************002X"
    assert len(mask_last4("1234")) == 18
