from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.marking import (
    Affiliation,
    ConflictReason,
    MarkValueError,
    PanelRule,
    PanelStatus,
    allowed_measurement_values,
    check_judgement_score,
    check_measurement_value,
    conflict_blocks,
    conflict_of_interest,
    judgement_mark,
    judgement_panel,
)

scores = st.integers(min_value=0, max_value=3)
half_steps = st.integers(min_value=1, max_value=40).map(lambda h: h / 2)


def test_the_worked_example() -> None:
    # Max 3, scores 2, 2, 3: mark = 3 × (7/3) / 3 = 7/3.
    result = judgement_panel(3, [2, 2, 3], PanelRule())
    assert result.status is PanelStatus.AGREED
    assert result.mark == Fraction(7, 3)


def test_a_panel_that_differs_by_two_is_flagged_and_does_not_count() -> None:
    result = judgement_panel(2, [1, 3, 2], PanelRule())
    assert result.status is PanelStatus.OUT_OF_TOLERANCE
    assert result.spread == 2 and result.mark is None


def test_an_incomplete_panel_does_not_count() -> None:
    assert judgement_panel(2, [3, 3], PanelRule()).status is PanelStatus.INCOMPLETE
    assert judgement_panel(2, [3, 3], PanelRule(size=2)).status is PanelStatus.AGREED


def test_five_judges_drop_the_highest_and_lowest() -> None:
    rule = PanelRule(size=5, drop_extremes=True)
    result = judgement_panel(3, [0, 2, 2, 3, 3], rule)
    assert result.counted == (2, 2, 3)
    assert result.status is PanelStatus.AGREED and result.mark == Fraction(7, 3)
    # The spread is checked on what remains: 0 and 3 are dropped, 1..2 is fine.
    assert judgement_panel(3, [0, 1, 2, 2, 3], rule).status is PanelStatus.AGREED
    assert judgement_panel(3, [0, 0, 2, 3, 3], rule).status is PanelStatus.OUT_OF_TOLERANCE


@given(half_steps, st.lists(scores, min_size=1, max_size=9))
def test_aspect_mark_is_max_times_mean_over_three(max_mark: float, panel: list[int]) -> None:
    mark = judgement_mark(max_mark, panel)
    assert mark == Fraction(max_mark) * sum(panel) / (3 * len(panel))
    assert 0 <= mark <= max_mark
    assert (mark == max_mark) == all(s == 3 for s in panel)
    assert (mark == 0) == all(s == 0 for s in panel)


@given(half_steps, st.lists(scores, min_size=3, max_size=3))
def test_a_three_judge_panel_counts_exactly_when_the_spread_is_at_most_one(
    max_mark: float, panel: list[int]
) -> None:
    result = judgement_panel(max_mark, panel, PanelRule())
    agreed = max(panel) - min(panel) <= 1
    assert (result.status is PanelStatus.AGREED) == agreed
    assert (result.mark is not None) == agreed


@given(half_steps, st.permutations([0, 1, 2, 3, 3]))
def test_the_order_judges_score_in_does_not_matter(max_mark: float, panel: list[int]) -> None:
    rule = PanelRule(size=5, drop_extremes=True)
    assert judgement_panel(max_mark, panel, rule) == judgement_panel(
        max_mark, sorted(panel), rule)


@pytest.mark.parametrize("bad", [4, -1, 2.5])
def test_judgement_scores_outside_0_to_3_are_out_of_range(bad: object) -> None:
    with pytest.raises(MarkValueError) as caught:
        check_judgement_score(bad)
    assert caught.value.code == "out_of_range"


@pytest.mark.parametrize("bad", [True, "2", None, [2]])
def test_judgement_scores_of_the_wrong_type_are_invalid(bad: object) -> None:
    with pytest.raises(MarkValueError) as caught:
        check_judgement_score(bad)
    assert caught.value.code == "invalid"


def test_measurement_is_zero_max_or_a_tolerance_value() -> None:
    assert allowed_measurement_values(2, [1, 0.5]) == (0.0, 0.5, 1.0, 2.0)
    assert check_measurement_value(2, 2, []) == 2.0
    assert check_measurement_value(0.5, 2, [1, 0.5]) == 0.5
    with pytest.raises(MarkValueError) as caught:
        check_measurement_value(1.5, 2, [1])
    assert caught.value.code == "out_of_range"
    assert caught.value.params["allowed"] == (0.0, 1.0, 2.0)
    with pytest.raises(MarkValueError):
        check_measurement_value("2", 2, [])


def test_conflicts_of_interest() -> None:
    judge = Affiliation(delegation_id=7, employer="上海电气集团 ")
    assert conflict_of_interest(judge, Affiliation(7, "别的单位")) is ConflictReason.SAME_DELEGATION
    assert conflict_of_interest(judge, Affiliation(8, "上海电气集团")) is \
        ConflictReason.SAME_EMPLOYER
    assert conflict_of_interest(judge, Affiliation(8, "宝武集团")) is None
    # An unknown employer or delegation never matches another unknown one.
    assert conflict_of_interest(Affiliation(None, ""), Affiliation(None, "")) is None


def test_conflicts_always_block_judgement_and_block_measurement_when_configured() -> None:
    assert conflict_blocks(is_judgement=True, block_measurement=False)
    assert conflict_blocks(is_judgement=False, block_measurement=True)
    assert not conflict_blocks(is_judgement=False, block_measurement=False)
