from datetime import UTC, datetime, timedelta, timezone
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.ranking import (
    DEFAULT_CHAIN,
    KEY_ORDER,
    Entry,
    Ranked,
    TieNote,
    parse_chain,
    rank,
)

NOON = datetime(2025, 5, 20, 12, 0)


def order(board: tuple[Ranked, ...]) -> list[int]:
    return [r.key for r in board]


def ranks(board: tuple[Ranked, ...]) -> dict[int, int | None]:
    return {r.key: r.rank for r in board}


def notes(board: tuple[Ranked, ...]) -> dict[int, TieNote | None]:
    return {r.key: r.tie for r in board}


# --- totals ------------------------------------------------------------------------------


def test_higher_total_ranks_first_and_untied_entries_have_no_note() -> None:
    board = rank([Entry(1, 70.0), Entry(2, 90.5), Entry(3, 80.25)])
    assert order(board) == [2, 3, 1]
    assert ranks(board) == {2: 1, 3: 2, 1: 3}
    assert all(r.tie is None for r in board)


def test_float_noise_never_decides_a_rank() -> None:
    # 0.1 + 0.2 as floats is 0.30000000000000004: it shows as 0.30, so it is a tie and
    # the chain (here the judgement total) decides, not the noise.
    noisy = 0.1 + 0.2
    assert noisy > 0.3
    board = rank([Entry(1, noisy, judgement_total=1.0), Entry(2, 0.3, judgement_total=2.0)])
    assert order(board) == [2, 1]
    assert [r.total for r in board] == [0.3, 0.3]
    assert board[0].tie == TieNote("judgement", (1,), undecided=False)


def test_float_noise_in_judgement_and_module_totals_does_not_decide_either() -> None:
    noisy = 0.1 + 0.2
    entries = [
        Entry(1, 50.0, judgement_total=noisy, module_totals=(("A", noisy),), completed_at=NOON),
        Entry(2, 50.0, judgement_total=0.3, module_totals=(("A", 0.3),),
              completed_at=NOON - timedelta(seconds=1)),
    ]
    for chain in (("judgement", "completion"), ("module:A", "completion")):
        board = rank(entries, chain)
        assert order(board) == [2, 1]
        assert board[0].tie == TieNote("completion", (1,), False)


def test_totals_that_differ_in_the_second_decimal_are_not_tied() -> None:
    board = rank([Entry(1, 80.01, judgement_total=50), Entry(2, 80.02, judgement_total=0)])
    assert order(board) == [2, 1] and all(r.tie is None for r in board)


# --- each chain step ---------------------------------------------------------------------


def test_judgement_total_breaks_a_tie() -> None:
    board = rank([Entry(1, 85.5, judgement_total=30.0), Entry(2, 85.5, judgement_total=31.5)])
    assert order(board) == [2, 1]
    assert notes(board) == {
        2: TieNote("judgement", (1,), False),
        1: TieNote("judgement", (2,), False),
    }


def test_a_module_step_breaks_a_tie_in_the_configured_order() -> None:
    one = Entry(1, 85.5, module_totals=(("A", 40.0), ("C", 20.0)))
    two = Entry(2, 85.5, module_totals=(("A", 30.0), ("c", 25.0)))  # letters are case-blind
    assert order(rank([one, two], chain=("module:C", "module:A"))) == [2, 1]
    assert order(rank([one, two], chain=("module:A", "module:C"))) == [1, 2]
    assert rank([one, two], chain=("module:A",))[0].tie == TieNote("module:A", (2,), False)


def test_a_module_without_marks_counts_as_zero() -> None:
    board = rank([Entry(1, 50.0), Entry(2, 50.0, module_totals=(("B", 0.5),))], ("module:B",))
    assert order(board) == [2, 1] and board[0].tie is not None
    assert board[0].tie.step == "module:B"


def test_earlier_completion_breaks_a_tie_and_no_time_counts_as_latest() -> None:
    entries = [
        Entry(1, 85.5, completed_at=NOON + timedelta(minutes=5)),
        Entry(2, 85.5, completed_at=None),
        Entry(3, 85.5, completed_at=NOON),
    ]
    board = rank(entries)
    assert order(board) == [3, 1, 2]
    assert {r.tie.step for r in board if r.tie} == {"completion"}
    assert not any(r.tie.undecided for r in board if r.tie)


def test_one_microsecond_is_enough_and_aware_times_compare_as_instants() -> None:
    board = rank([Entry(1, 9.0, completed_at=NOON + timedelta(microseconds=1)),
                  Entry(2, 9.0, completed_at=NOON)])
    assert order(board) == [2, 1]
    shanghai = timezone(timedelta(hours=8))
    # 19:00 in Shanghai is 11:00 UTC: earlier than 12:00 UTC.
    board = rank([Entry(1, 9.0, completed_at=NOON.replace(tzinfo=UTC)),
                  Entry(2, 9.0, completed_at=datetime(2025, 5, 20, 19, 0, tzinfo=shanghai))])
    assert order(board) == [2, 1]


def test_the_chief_judges_decision_breaks_what_is_left() -> None:
    entries = [
        Entry(1, 85.5, completed_at=NOON, chief_position=2),
        Entry(2, 85.5, completed_at=NOON, chief_position=1),
        Entry(3, 85.5, completed_at=NOON, chief_position=None),
    ]
    board = rank(entries)
    assert order(board) == [2, 1, 3]  # no decision counts after a decision
    assert notes(board)[2] == TieNote("chief", (1, 3), False)


def test_three_way_tie_each_entry_gets_the_step_that_isolated_it() -> None:
    entries = [
        Entry(10, 70.0, judgement_total=20.0, completed_at=NOON + timedelta(minutes=1)),
        Entry(11, 70.0, judgement_total=20.0, completed_at=NOON),
        Entry(12, 70.0, judgement_total=18.0, completed_at=NOON),
        Entry(13, 90.0),
    ]
    board = rank(entries)
    assert order(board) == [13, 11, 10, 12]
    assert notes(board) == {
        13: None,
        11: TieNote("completion", (10, 12), False),
        10: TieNote("completion", (11, 12), False),
        12: TieNote("judgement", (11, 10), False),
    }


# --- undecided ties ----------------------------------------------------------------------


def test_entries_the_chain_cannot_separate_are_flagged_and_listed_by_key() -> None:
    entries = [Entry(key, 60.0, judgement_total=5.0, completed_at=NOON) for key in (9, 4, 7)]
    board = rank(entries + [Entry(1, 60.0, judgement_total=6.0)])
    assert order(board) == [1, 4, 7, 9]
    assert ranks(board) == {1: 1, 4: 2, 7: 3, 9: 4}  # never tied by default
    assert notes(board)[1] == TieNote("judgement", (4, 7, 9), False)
    assert notes(board)[7] == TieNote(KEY_ORDER, (1, 4, 9), True)
    assert [r.tie.undecided for r in board if r.tie] == [False, True, True, True]


def test_an_empty_chain_leaves_every_tie_undecided() -> None:
    board = rank([Entry(2, 5.0, judgement_total=9), Entry(1, 5.0)], chain=())
    assert order(board) == [1, 2] and all(r.tie and r.tie.undecided for r in board)


def test_allow_ties_shares_ranks_the_competition_way() -> None:
    entries = [Entry(1, 90.0), Entry(2, 80.0), Entry(3, 80.0), Entry(4, 70.0)]
    assert [r.rank for r in rank(entries, allow_ties=True)] == [1, 2, 2, 4]
    assert [r.rank for r in rank(entries)] == [1, 2, 3, 4]


def test_allow_ties_still_uses_the_chain_first() -> None:
    entries = [
        Entry(1, 80.0, judgement_total=3),
        Entry(2, 80.0, judgement_total=2),
        Entry(3, 80.0, judgement_total=2),
        Entry(4, 79.0),
    ]
    assert ranks(rank(entries, allow_ties=True)) == {1: 1, 2: 2, 3: 2, 4: 4}


# --- unranked ----------------------------------------------------------------------------


def test_withdrawn_and_disqualified_come_last_without_rank_or_note() -> None:
    entries = [Entry(1, 99.0, ranked=False), Entry(2, 50.0), Entry(3, 50.0), Entry(4, 10.0,
               ranked=False), Entry(5, 99.0, ranked=False)]
    board = rank(entries)
    assert order(board) == [2, 3, 1, 5, 4]
    assert ranks(board) == {2: 1, 3: 2, 1: None, 5: None, 4: None}
    assert notes(board)[1] is None and notes(board)[2] == TieNote(KEY_ORDER, (3,), True)


# --- validation --------------------------------------------------------------------------


def test_parse_chain_reads_what_an_organiser_types() -> None:
    assert DEFAULT_CHAIN == ("judgement", "completion", "chief")
    assert parse_chain("judgement, module:C, completion, chief") == (
        "judgement", "module:C", "completion", "chief")
    assert parse_chain(" Judgement ,MODULE: b1") == ("judgement", "module:B1")
    assert parse_chain("  ") == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("judgement, fastest", "unknown tie-break step 'fastest'"),
        ("judgement, completion, judgement", "repeated: judgement"),
        ("module:C, module:c", "repeated: module:C"),
        ("module:", "module letter"),
        ("module:1", "module letter"),
        ("judgement,,chief", "empty tie-break step"),
    ],
)
def test_parse_chain_refuses_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_chain(text)


def test_rank_refuses_a_bad_chain_duplicate_keys_and_nan() -> None:
    with pytest.raises(ValueError, match="unknown"):
        rank([Entry(1, 1.0)], chain=("speed",))
    with pytest.raises(ValueError, match="twice"):
        rank([Entry(1, 1.0), Entry(1, 2.0)])
    with pytest.raises(ValueError, match="finite"):
        Entry(1, float("nan"))
    with pytest.raises(ValueError, match="twice"):
        Entry(1, 1.0, module_totals=(("a", 1.0), ("A", 2.0)))


def test_an_entry_is_hashable() -> None:
    entry = Entry(1, 1.0, module_totals=(("b", 1.0), ("A", 2.0)))
    assert entry.module_totals == (("A", 2.0), ("B", 1.0))
    assert hash(entry) == hash(Entry(1, 1.0, module_totals=(("A", 2.0), ("B", 1.0))))


# --- properties --------------------------------------------------------------------------

# Few distinct values, so ties are common and every step of the chain gets work.
entries_strategy = st.lists(
    st.builds(
        lambda total, noise, j, mod, minute, chief, ranked: (
            total + noise, j, mod, minute, chief, ranked),
        st.sampled_from([60.0, 70.5, 70.5, 80.0]),
        st.sampled_from([0.0, 1e-9, -1e-9]),
        st.sampled_from([10.0, 12.5]),
        st.sampled_from([0.0, 5.0]),
        st.none() | st.integers(0, 2),
        st.none() | st.integers(1, 2),
        st.booleans() | st.just(True),
    ),
    max_size=14,
).map(
    lambda rows: [
        Entry(
            key=key,
            total=total,
            judgement_total=j,
            module_totals=(("C", mod),),
            completed_at=None if minute is None else NOON + timedelta(minutes=minute),
            chief_position=chief,
            ranked=ranked,
        )
        for key, (total, j, mod, minute, chief, ranked) in enumerate(rows, start=100)
    ]
)
chains = st.permutations(["judgement", "module:C", "completion", "chief"]).flatmap(
    lambda steps: st.integers(0, 4).map(lambda n: tuple(steps[:n]))
)


def step_value(entry: Entry, step: str) -> tuple[int, float]:
    """A reference for one step, written independently: smaller is better."""
    if step == "judgement":
        return (0, -round(entry.judgement_total, 2))
    if step == "completion":
        if entry.completed_at is None:
            return (1, 0)
        return (0, (entry.completed_at - NOON).total_seconds())
    if step == "chief":
        return (1, 0) if entry.chief_position is None else (0, entry.chief_position)
    return (0, -round(entry.module_total(step.split(":")[1]), 2))


@given(entries_strategy, chains, st.booleans())
def test_ranks_follow_the_chain_then_the_key(
    entries: list[Entry], chain: tuple[str, ...], allow_ties: bool
) -> None:
    board = rank(entries, chain, allow_ties)
    competing = [e for e in entries if e.ranked]

    def reference(e: Entry) -> tuple[object, ...]:
        return (-round(e.total, 2), *(step_value(e, s) for s in chain), e.key)

    expected = sorted(competing, key=reference)
    assert order(board)[: len(competing)] == [e.key for e in expected]
    assert all(r.rank is None and r.tie is None for r in board[len(competing):])
    if not allow_ties:
        assert [r.rank for r in board[: len(competing)]] == list(range(1, len(competing) + 1))
    else:  # 1 + the number of entries strictly better
        for r, e in zip(board, expected, strict=False):
            better = sum(1 for o in competing if reference(o)[:-1] < reference(e)[:-1])
            assert r.rank == better + 1


@given(entries_strategy, chains)
def test_every_tie_note_names_the_step_that_isolated_the_entry(
    entries: list[Entry], chain: tuple[str, ...]
) -> None:
    board = {r.key: r for r in rank(entries, chain)}
    competing = [e for e in entries if e.ranked]
    for e in competing:
        tied = [o for o in competing if o.key != e.key and round(o.total, 2) == round(e.total, 2)]
        note = board[e.key].tie
        if not tied:
            assert note is None
            continue
        assert note is not None
        assert sorted(note.tied_with) == sorted(o.key for o in tied)
        # For each tied neighbour: the first step that tells them apart (None: none does).
        first_difference = [
            next((i for i, s in enumerate(chain) if step_value(e, s) != step_value(o, s)), None)
            for o in tied
        ]
        if None in first_difference:
            assert note.undecided and note.step == KEY_ORDER
        else:
            assert not note.undecided
            assert note.step == chain[max(i for i in first_difference if i is not None)]


@given(entries_strategy, chains, st.booleans(), st.randoms())
def test_the_order_of_input_does_not_matter(
    entries: list[Entry], chain: tuple[str, ...], allow_ties: bool, random: Random
) -> None:
    shuffled = list(entries)
    random.shuffle(shuffled)
    assert rank(shuffled, chain, allow_ties) == rank(entries, chain, allow_ties)


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=30, unique=True))
def test_a_higher_displayed_total_always_ranks_better(hundredths: list[int]) -> None:
    # Judgement totals that favour the lower total must not matter.
    entries = [Entry(i, h / 100, judgement_total=-h) for i, h in enumerate(hundredths)]
    board = rank(entries)
    totals = [r.total for r in board]
    assert totals == sorted(totals, reverse=True)
    assert sorted(r.rank for r in board if r.rank is not None) == list(range(1, len(entries) + 1))
