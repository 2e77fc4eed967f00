import itertools
import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.scale import ScaleSettings, standardise

DEFAULT = ScaleSettings()
totals = st.integers(min_value=0, max_value=10_000).map(lambda t: t / 100)  # 0.00..100.00


def test_a_worked_example() -> None:
    # Median 70, pstdev sqrt(200 / 3) = 8.1650: 80 is 1.2247 SD above, 60 as far below.
    assert standardise({1: 60.0, 2: 70.0, 3: 80.0}, DEFAULT) == {1: 675.51, 2: 700.0, 3: 724.49}


def test_centre_and_k_are_configurable() -> None:
    scores = standardise({1: 60.0, 2: 70.0, 3: 80.0}, ScaleSettings(centre=500, k=100))
    assert scores == {1: 377.53, 2: 500.0, 3: 622.47}


def test_the_median_not_the_mean_is_the_centre() -> None:
    # One outlier pulls the mean to 55 but the median stays 80.
    scores = standardise({1: 10.0, 2: 70.0, 3: 80.0, 4: 81.0, 5: 82.0}, DEFAULT)
    assert scores[3] == 700.0
    assert scores[1] < 700 < scores[4] < scores[5]


def test_an_even_board_centres_on_the_middle_pair() -> None:
    scores = standardise({1: 60.0, 2: 70.0, 3: 80.0, 4: 90.0}, DEFAULT)
    assert scores[2] < 700 < scores[3]
    assert scores[2] - 700 == pytest.approx(700 - scores[3])


@pytest.mark.parametrize("raw", [{}, {7: 88.5}, {1: 50.0, 2: 50.0, 3: 50.0}])
def test_no_spread_gives_everyone_the_centre(raw: dict[int, float]) -> None:
    assert standardise(raw, ScaleSettings(centre=650)) == {key: 650 for key in raw}


@pytest.mark.parametrize("k", [0, -20, math.nan, math.inf])
def test_k_must_be_a_positive_number(k: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        ScaleSettings(k=k)


@given(st.lists(totals, min_size=1, max_size=30))
def test_monotonic_and_rounded(values: list[float]) -> None:
    scores = standardise(dict(enumerate(values)), DEFAULT)
    by_raw = sorted(range(len(values)), key=lambda i: values[i])
    for lower, higher in itertools.pairwise(by_raw):
        assert scores[lower] <= scores[higher]
        if values[lower] == values[higher]:
            assert scores[lower] == scores[higher]
    assert all(round(s, 2) == s for s in scores.values())


@given(st.lists(totals, min_size=1, max_size=29).map(lambda v: v + v[:1]))
def test_a_competitor_on_the_median_gets_the_centre(values: list[float]) -> None:
    if len(values) % 2 == 0:  # make the median a member of the board
        values = values[:-1]
    scores = standardise(dict(enumerate(values)), DEFAULT)
    middle = statistics.median(values)
    assert all(scores[i] == 700.0 for i, v in enumerate(values) if v == middle)


@given(st.lists(totals, min_size=2, max_size=30, unique=True))
def test_one_standard_deviation_is_k_points(values: list[float]) -> None:
    scores = standardise(dict(enumerate(values)), DEFAULT)
    middle, spread = statistics.median(values), statistics.pstdev(values)
    for i, value in enumerate(values):
        assert scores[i] == pytest.approx(700 + 20 * (value - middle) / spread, abs=0.005)
