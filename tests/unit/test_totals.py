"""A competitor's totals: which aspects count and what they add up to."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from app.domain.marking import PanelRule
from app.domain.totals import AspectSpec, aspect_mark, competitor_totals

J = AspectSpec(1, "A", True, 6.0)
M = AspectSpec(2, "A", False, 4.0)
B = AspectSpec(3, "B", False, 10.0)
PANEL = PanelRule(size=3)


def test_a_judgement_aspect_counts_only_with_a_full_panel_within_tolerance():
    assert aspect_mark(J, [2, 3], PANEL) is None  # incomplete
    assert aspect_mark(J, [1, 3, 3], PANEL) is None  # spread 2: re-discuss
    assert aspect_mark(J, [2, 3, 3], PANEL) == Fraction(6) * Fraction(8, 3) / 3


def test_a_measurement_counts_when_every_entry_agrees():
    assert aspect_mark(M, [], PANEL) is None
    assert aspect_mark(M, [4.0], PANEL) == 4
    assert aspect_mark(M, [4.0, 0.0], PANEL) is None
    assert aspect_mark(M, [0.0, 0.0], PANEL) == 0


def test_totals_sum_counted_aspects_per_module_and_judgement():
    totals = competitor_totals([J, M, B], {1: [3, 3, 3], 2: [4.0], 3: [0.0, 10.0]}, PANEL)
    assert totals.total == 10
    assert totals.judgement_total == 6
    assert totals.module_totals == {"A": 10, "B": 0}
    assert (totals.counted, totals.expected) == (2, 3)


@given(st.lists(st.integers(0, 3), min_size=3, max_size=3),
       st.sampled_from([0.0, 4.0]), st.booleans())
def test_the_total_is_the_sum_of_its_modules(scores, measured, has_b):
    values = {1: scores, 2: [measured]}
    if has_b:
        values[3] = [10.0]
    totals = competitor_totals([J, M, B], values, PANEL)
    assert totals.total == sum(totals.module_totals.values())
    assert totals.judgement_total <= totals.total
    assert 0 <= totals.total <= J.max_mark + M.max_mark + B.max_mark
