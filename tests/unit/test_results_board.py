from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.awards import AwardSettings
from app.domain.ranking import Entry, TieNote
from app.domain.results import (
    Board,
    BoardSettings,
    Row,
    classic_total,
    compute_board,
    diff,
)
from app.domain.scale import ScaleSettings
from app.domain.vocabulary import Award

G, S, B, E, M = Award.GOLD, Award.SILVER, Award.BRONZE, Award.EXCELLENCE, Award.MEDALLION
NOON = datetime(2025, 5, 20, 12, 0)
WORLDSKILLS = BoardSettings(awards=AwardSettings(merit="medallion"), scale=ScaleSettings())


# --- classic scoring ---------------------------------------------------------------------


def test_classic_total_is_twenty_eighty_in_exact_decimals() -> None:
    assert classic_total(75, 80) == (79.0, True)  # 15 + 64, not 79.00000000000001
    assert classic_total(88.5, 91.25) == (90.7, True)
    assert classic_total(90, 80, theory_weight=0.3, practical_weight=0.7) == (83.0, True)


def test_both_parts_must_pass() -> None:
    assert classic_total(59.5, 100) == (pytest.approx(91.9), False)
    assert classic_total(100, 59.5) == (pytest.approx(67.6), False)
    assert classic_total(60, 60) == (60.0, True)
    assert classic_total(10, 95, theory_pass=None) == (78.0, True)
    assert classic_total(90, 50, practical_pass=50) == (58.0, True)


@pytest.mark.parametrize(("theory", "practical"), [(0.3, 0.8), (-0.2, 1.2)])
def test_classic_weights_must_make_a_whole(theory: float, practical: float) -> None:
    with pytest.raises(ValueError, match="weight"):
        classic_total(80, 80, theory_weight=theory, practical_weight=practical)


# --- one board ---------------------------------------------------------------------------


def test_a_worldskills_board_ranks_scales_and_awards() -> None:
    entries = [
        Entry(1, 80.0),
        Entry(2, 70.0),
        Entry(3, 60.0),
        Entry(4, 75.0, judgement_total=20.0),
        Entry(5, 75.0, judgement_total=21.0),
        Entry(6, 95.0, ranked=False),  # withdrawn: listed last, outside median and SD
    ]
    rows = compute_board(entries, WORLDSKILLS)
    # Ranked totals 80, 75, 75, 70, 60: median 75, pstdev sqrt(46) = 6.7823.
    # With the withdrawn 95 included the median would still be 75 but the SD 10.57.
    assert rows == (
        Row(1, 1, 80.0, 714.74, G, None),
        Row(5, 2, 75.0, 700.0, S, TieNote("judgement", (4,), False)),
        Row(4, 3, 75.0, 700.0, B, TieNote("judgement", (5,), False)),
        Row(2, 4, 70.0, 685.26, None, None),
        Row(3, 5, 60.0, 655.77, None, None),
        Row(6, None, 95.0, None, None, None),
    )


def test_a_national_board_has_no_scale_and_gives_the_top_half_优胜奖() -> None:
    entries = [Entry(key, 90.0 - key) for key in range(1, 8)]
    rows = compute_board(entries, BoardSettings(), passed={1: False})
    assert [(r.rank, r.award, r.scale_score) for r in rows] == [
        (1, None, None), (2, S, None), (3, B, None), (4, E, None),
        (5, None, None), (6, None, None), (7, None, None)]


def test_board_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="scale"):
        BoardSettings(awards=AwardSettings(merit="medallion"))
    with pytest.raises(ValueError, match="unknown tie-break step"):
        BoardSettings(chain=("judgement", "luck"))
    assert BoardSettings(chain=("Module:b",)).chain == ("module:B",)


def test_diff_keeps_new_and_changed_rows_in_board_order() -> None:
    before = (Row(1, 1, 9.0, None, G, None), Row(2, 2, 8.0, None, S, None))
    after = (Row(3, 1, 9.5, None, G, None), Row(1, 2, 9.0, None, S, None),
             Row(2, 3, 8.0, None, S, None))
    assert diff(before, after) == after
    assert diff(before, before) == ()
    assert diff(after, after[:1] + (Row(1, 2, 9.0, None, S, None),)) == ()


# --- live updates ------------------------------------------------------------------------


def test_a_small_change_sends_a_small_delta() -> None:
    board = Board([Entry(key, 90.0 - key) for key in range(1, 11)], BoardSettings())
    change = board.update(Entry(10, 80.5))  # from 80.0: still last
    assert change.changed == (Row(10, 10, 80.5, None, None, None),)
    assert change.movement == {} and change.removed == ()
    assert change.rows == board.rows


def test_overtaking_moves_the_others_down_and_passes_the_awards_on() -> None:
    board = Board([Entry(key, 90.0 - key) for key in range(1, 11)], BoardSettings())
    change = board.update(Entry(6, 88.5))  # from rank 6 to rank 2
    assert change.movement == {6: 4, 2: -1, 3: -1, 4: -1, 5: -1}
    assert [(r.key, r.rank, r.award) for r in change.changed] == [
        (6, 2, S), (2, 3, B), (3, 4, E), (4, 5, E), (5, 6, None)]


def test_a_tie_appearing_changes_both_rows() -> None:
    board = Board([Entry(1, 90.0, completed_at=NOON), Entry(2, 80.0), Entry(3, 70.0)],
                  BoardSettings())
    change = board.update(Entry(2, 90.0, completed_at=NOON + timedelta(minutes=3)))
    assert change.changed == (
        Row(1, 1, 90.0, None, G, TieNote("completion", (2,), False)),
        Row(2, 2, 90.0, None, S, TieNote("completion", (1,), False)),
    )
    assert change.movement == {}


def test_a_new_total_moves_every_scale_score() -> None:
    board = Board([Entry(key, 60.0 + key) for key in range(1, 6)], WORLDSKILLS)
    change = board.update(Entry(6, 99.0))
    assert {r.key for r in change.changed} == {1, 2, 3, 4, 5, 6}


def test_adding_withdrawing_and_removing() -> None:
    board = Board([Entry(1, 70.0), Entry(2, 60.0)], BoardSettings())
    added = board.update(Entry(3, 80.0))
    assert [(r.key, r.rank) for r in added.rows] == [(3, 1), (1, 2), (2, 3)]
    assert added.movement == {1: -1, 2: -1}  # a newcomer arrives: it does not "move"
    withdrawn = board.update(Entry(3, 80.0, ranked=False))
    assert [(r.key, r.rank) for r in withdrawn.rows] == [(1, 1), (2, 2), (3, None)]
    assert withdrawn.movement == {1: 1, 2: 1}
    removed = board.remove(3)
    assert removed.removed == (3,) and removed.changed == () and removed.movement == {}
    with pytest.raises(KeyError):
        board.remove(3)
    with pytest.raises(ValueError, match="twice"):
        Board([Entry(1, 1.0), Entry(1, 2.0)], BoardSettings())


def test_a_failed_pass_mark_is_part_of_the_update() -> None:
    board = Board([Entry(1, 90.0), Entry(2, 80.0)], BoardSettings(), passed={1: False})
    assert [r.award for r in board.rows] == [None, S]
    change = board.update(Entry(1, 90.0), passed=True)
    assert change.changed == (Row(1, 1, 90.0, None, G, None),)


# --- property: incremental updates agree with a full computation --------------------------

entry_states = st.builds(
    Entry,
    key=st.integers(1, 12),
    total=st.sampled_from([55.0, 70.5, 70.5, 81.25, 90.0]),
    judgement_total=st.sampled_from([10.0, 12.0]),
    completed_at=st.none() | st.sampled_from([NOON, NOON + timedelta(minutes=7)]),
    chief_position=st.none() | st.integers(1, 3),
    ranked=st.booleans() | st.just(True),
)
operations = st.lists(
    st.tuples(entry_states, st.booleans()) | st.integers(1, 12),  # update(entry, passed) | remove
    max_size=25,
)
board_settings = st.sampled_from(
    [BoardSettings(), BoardSettings(allow_ties=True), WORLDSKILLS,
     BoardSettings(chain=(), allow_ties=True, awards=AwardSettings(medals=1)),
     BoardSettings(awards=AwardSettings(merit="none"), scale=ScaleSettings(centre=500, k=100))]
)


@settings(max_examples=200)
@given(st.lists(entry_states, max_size=8, unique_by=lambda e: e.key), board_settings, operations)
def test_updates_give_the_same_rows_as_computing_the_final_board(
    start: list[Entry], config: BoardSettings, ops: list[tuple[Entry, bool] | int]
) -> None:
    board = Board(start, config)
    entries = {e.key: e for e in start}
    passed: dict[int, bool] = {}
    for op in ops:
        before = board.rows
        if isinstance(op, int):
            if op not in entries:
                continue
            del entries[op]
            passed.pop(op, None)
            change = board.remove(op)
            assert change.removed == (op,)
        else:
            entry, ok = op
            entries[entry.key] = entry
            passed[entry.key] = ok
            change = board.update(entry, passed=ok)
            assert change.removed == ()

        expected = compute_board(entries.values(), config, passed)
        assert change.rows == board.rows == expected
        old = {r.key: r for r in before}
        assert change.changed == tuple(r for r in expected if old.get(r.key) != r)
        unchanged = [r for r in expected if r not in change.changed]
        assert all(old[r.key] == r for r in unchanged)
        assert change.movement == {
            r.key: old_rank - r.rank
            for r in expected
            if r.key in old
            and (old_rank := old[r.key].rank) is not None
            and r.rank is not None
            and old_rank != r.rank
        }
