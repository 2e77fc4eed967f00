import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.awards import (
    AwardSettings,
    DelegationRow,
    TeamPoints,
    assign_awards,
    medal_table,
)
from app.domain.ranking import Entry, Ranked, rank
from app.domain.vocabulary import Award

G, S, B, E, M = Award.GOLD, Award.SILVER, Award.BRONZE, Award.EXCELLENCE, Award.MEDALLION


def board(n: int) -> tuple[Ranked, ...]:
    """n ranked entries, keys 1..n holding ranks 1..n."""
    return rank(Entry(key, 100.0 - key) for key in range(1, n + 1))


def in_rank_order(awards: dict[int, Award | None]) -> list[Award | None]:
    return [awards[key] for key in sorted(awards)]


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, [G]),
        (2, [G, S]),
        (3, [G, S, B]),
        (4, [G, S, B, None]),  # ceil(4 / 2) = 2: the top half is all medals
        (7, [G, S, B, E, None, None, None]),  # ceil(7 / 2) = 4
        (10, [G, S, B, E, E, None, None, None, None, None]),
    ],
)
def test_medals_then_the_top_half(n: int, expected: list[Award | None]) -> None:
    assert in_rank_order(assign_awards(board(n), AwardSettings())) == expected


def test_no_merit_rule_gives_medals_only_and_medals_are_configurable() -> None:
    assert in_rank_order(assign_awards(board(7), AwardSettings(merit="none"))) == [
        G, S, B, None, None, None, None]
    assert in_rank_order(assign_awards(board(7), AwardSettings(medals=1))) == [
        G, E, E, E, None, None, None]
    assert in_rank_order(assign_awards(board(3), AwardSettings(medals=0))) == [E, E, None]


def test_medallion_for_a_scale_score_of_700_or_more_without_a_medal() -> None:
    scale = {1: 760.0, 2: 740.0, 3: 720.0, 4: 700.0, 5: 699.99, 6: 650.0}
    awards = assign_awards(board(6), AwardSettings(merit="medallion"), scale=scale)
    assert in_rank_order(awards) == [G, S, B, M, None, None]
    higher_bar = AwardSettings(merit="medallion", medallion_threshold=710)
    assert in_rank_order(assign_awards(board(6), higher_bar, scale=scale)) == [
        G, S, B, None, None, None]


def test_medallion_rule_without_scale_scores_is_an_error() -> None:
    with pytest.raises(ValueError, match="scale"):
        assign_awards(board(3), AwardSettings(merit="medallion"))


def test_a_competitor_who_did_not_pass_gets_nothing_and_nobody_moves_up() -> None:
    awards = assign_awards(board(7), AwardSettings(), passed={2: False, 4: False, 5: True})
    assert in_rank_order(awards) == [G, None, B, None, None, None, None]
    scale = {key: 720.0 for key in range(1, 6)}
    awards = assign_awards(board(5), AwardSettings(merit="medallion"), scale, {4: False})
    assert in_rank_order(awards) == [G, S, B, None, M]


def test_unranked_entries_get_nothing_and_do_not_count_in_n() -> None:
    entries = [Entry(key, 100.0 - key) for key in range(1, 8)]
    entries += [Entry(key, 99.0, ranked=False) for key in range(8, 12)]
    awards = assign_awards(rank(entries), AwardSettings())
    assert in_rank_order(awards) == [G, S, B, E, None, None, None, None, None, None, None]


def test_shared_ranks_share_the_award() -> None:
    entries = [Entry(1, 90.0), Entry(2, 80.0), Entry(3, 80.0), Entry(4, 70.0), Entry(5, 60.0),
               Entry(6, 60.0), Entry(7, 50.0), Entry(8, 40.0)]
    awards = assign_awards(rank(entries, allow_ties=True), AwardSettings())
    # Ranks 1, 2, 2, 4, 5, 5, 7, 8: medals for ranks ≤ 3, 优胜奖 for the top half, rank ≤ 4.
    assert in_rank_order(awards) == [G, S, S, E, None, None, None, None]


@pytest.mark.parametrize(
    ("settings", "message"),
    [({"medals": 4}, "medals"), ({"medals": -1}, "medals"), ({"merit": "half"}, "merit"),
     ({"medallion_threshold": math.nan}, "threshold")],
)
def test_award_settings_are_validated(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AwardSettings(**settings)  # type: ignore[arg-type]


@given(st.integers(0, 60), st.integers(0, 3))
def test_award_counts_follow_the_rule_for_any_board_size(n: int, medals: int) -> None:
    awards = list(assign_awards(board(n), AwardSettings(medals=medals)).values())
    assert sum(a in (G, S, B) for a in awards) == min(n, medals)
    assert awards.count(E) == max(0, math.ceil(n / 2) - medals)
    assert awards.count(None) == n - min(n, max(medals, math.ceil(n / 2)))


# --- delegation tables -------------------------------------------------------------------


def test_medal_table_orders_by_gold_then_silver_then_bronze_then_merit() -> None:
    pairs = [
        (10, S), (10, S), (10, B),  # no gold, 2 silver, 1 bronze
        (20, G), (20, None),  # 1 gold beats any number of silvers
        (30, S), (30, S), (30, B), (30, E), (30, M),  # ties 10 on medals, more merit: listed first
        (40, None), (40, None),  # entries but no awards: still listed
        (50, B), (50, B), (50, B),
        (5, S), (5, S), (5, B),  # same as 10 in everything: the lower id first
    ]
    table = medal_table(pairs, TeamPoints())
    assert [row.delegation_id for row in table] == [20, 30, 5, 10, 50, 40]
    assert [row.rank for row in table] == [1, 2, 2, 2, 5, 6]
    assert table[1] == DelegationRow(30, gold=0, silver=2, bronze=1, merit=2, points=10, rank=2)
    assert table[-1] == DelegationRow(40, 0, 0, 0, 0, 0, rank=6)


def test_team_points_default_to_4_3_2_1_and_are_configurable() -> None:
    pairs = [(1, G), (1, S), (1, B), (1, E), (1, M), (1, None)]
    assert medal_table(pairs, TeamPoints())[0].points == 4 + 3 + 2 + 1 + 1
    assert medal_table(pairs, TeamPoints(gold=10, silver=5, bronze=1, merit=0))[0].points == 16


def test_an_empty_medal_table() -> None:
    assert medal_table([], TeamPoints()) == ()


@given(st.lists(st.tuples(st.integers(1, 6), st.sampled_from([G, S, B, E, M, None]))))
def test_medal_table_properties(pairs: list[tuple[int, Award | None]]) -> None:
    table = medal_table(pairs, TeamPoints())
    assert sorted(row.delegation_id for row in table) == sorted({d for d, _ in pairs})
    for row in table:
        mine = [a for d, a in pairs if d == row.delegation_id]
        assert (row.gold, row.silver, row.bronze) == (mine.count(G), mine.count(S), mine.count(B))
        assert row.merit == mine.count(E) + mine.count(M)
        medals = (row.gold, row.silver, row.bronze)
        better = [o for o in table if (o.gold, o.silver, o.bronze) > medals]
        assert row.rank == len(better) + 1
    keys = [(-r.gold, -r.silver, -r.bronze, -r.merit, r.delegation_id) for r in table]
    assert keys == sorted(keys)
