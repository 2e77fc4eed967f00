"""以赛代评 engine (app/domain/promotion.py, domain.md §5): properties of `decide`, team
entries, the untied-rank guarantee and `check_rules`. The seeded tables have their own
file (test_promotion_seeded.py).

Levels are SkillLevel numbers: a smaller number is a higher level (1 = 高级技师)."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.promotion import (
    TOP_LEVEL,
    Basis,
    Candidate,
    Decision,
    Reason,
    Rule,
    RuleProblem,
    as_team_entries,
    check_rule,
    check_rules,
    decide,
    entry_ranks,
    ranks_are_untied,
    top_share_last_rank,
)
from app.domain.ranking import Entry, rank
from app.domain.vocabulary import Award, CompetitorStatus, DivisionKind, SkillLevel

EMP, STU = DivisionKind.EMPLOYEE, DivisionKind.STUDENT
ACTIVE = CompetitorStatus.ACTIVE
SENIOR, TECH, ADV, MID, PRIMARY = (SkillLevel.SENIOR_TECHNICIAN, SkillLevel.TECHNICIAN,
                                    SkillLevel.ADVANCED, SkillLevel.INTERMEDIATE,
                                    SkillLevel.PRIMARY)

levels = st.sampled_from(SkillLevel)
divisions = st.sampled_from(DivisionKind)
any_division = st.none() | divisions
awards = st.none() | st.sampled_from(Award)


@st.composite
def valid_rules(draw: st.DrawFn) -> Rule:
    """Any rule check_rule accepts: a well-formed basis and a cap at or above the target."""
    target = draw(levels)
    basis = draw(st.sampled_from(Basis))
    fields: dict[str, object] = {}
    if basis is Basis.RANK:
        first = draw(st.integers(1, 30))
        fields.update(rank_from=first, rank_to=draw(st.integers(first, 40)))
    elif basis is Basis.AWARD:
        fields["min_award"] = draw(st.sampled_from(Award))
    else:
        fields["top_percent"] = draw(st.integers(1, 100))
    cap = draw(st.none() | st.sampled_from([lv for lv in SkillLevel if lv <= target]))
    rule = Rule(target=target, basis=basis, division=draw(any_division), cap=cap,
                bump=draw(st.booleans()), require_pass=draw(st.booleans()),
                title=draw(st.sampled_from(["", "全国技术能手"])), **fields)  # type: ignore[arg-type]
    assert check_rule(rule) == []  # the strategy itself must only give valid rules
    return rule


@st.composite
def candidates(draw: st.DrawFn, key: int = 1) -> Candidate:
    ranked_count = draw(st.integers(0, 40))
    ranked = ranked_count > 0 and draw(st.booleans() | st.just(True))
    return Candidate(
        key=key, division=draw(divisions), status=draw(st.sampled_from(CompetitorStatus)),
        rank=draw(st.integers(1, ranked_count)) if ranked else None,
        award=draw(awards) if ranked else None, ranked_count=ranked_count,
        current_level=draw(st.none() | levels), theory_passed=draw(st.booleans()),
        practical_passed=draw(st.booleans()), promoted_this_year=draw(st.booleans()))


def cand(rank: int | None = 1, current: SkillLevel | None = None, **kw: object) -> Candidate:
    facts: dict[str, object] = dict(key=1, division=EMP, status=ACTIVE, rank=rank, award=None,
                                    ranked_count=40, current_level=current)
    facts.update(kw)
    return Candidate(**facts)  # type: ignore[arg-type]


def rank_rule(first: int, last: int, target: SkillLevel = TECH, **kw: object) -> Rule:
    return Rule(target=target, basis=Basis.RANK, rank_from=first, rank_to=last,
                **kw)  # type: ignore[arg-type]


# --- decide: idempotence and the cap ---------------------------------------------------


@given(candidates(), st.lists(valid_rules(), max_size=4), st.booleans())
def test_decide_twice_gives_the_same_decision(c: Candidate, rules: list[Rule],
                                              one_per_year: bool) -> None:
    assert decide(c, rules, one_per_year) == decide(c, rules, one_per_year)


@given(candidates(), st.lists(valid_rules(), min_size=1, max_size=4))
def test_applying_the_decision_and_deciding_again_never_passes_the_cap(
        c: Candidate, rules: list[Rule]) -> None:
    # Re-running on the same result with the level applied may bump once more (a bump
    # rule says "already at the target → one up"), but never past the matched rule's
    # cap, never above TOP_LEVEL, and the chain ends: at most 5 steps from no certificate
    # (straight to the target, say 五级) up to 一级.
    c = replace(c, promoted_this_year=False)
    steps = 0
    decision = decide(c, rules)
    while decision.promoted:
        assert decision.rule is not None and decision.new_level is not None
        assert decision.new_level >= decision.rule.highest
        assert decision.new_level >= TOP_LEVEL
        if c.current_level is not None:
            assert decision.new_level < c.current_level
        c = replace(c, current_level=decision.new_level)
        decision = decide(c, rules)
        steps += 1
        assert steps <= len(SkillLevel)
    assert decision.reason is not None


@given(candidates(), st.lists(valid_rules(), min_size=1, max_size=4))
def test_once_the_promotion_is_recorded_for_the_year_a_rerun_promotes_nobody(
        c: Candidate, rules: list[Rule]) -> None:
    # decide() alone is not idempotent under bump rules (see the test above); what stops
    # a second promotion on a re-run is the year's history, with one_per_year on.
    first = decide(c, rules)
    if first.promoted:
        again = replace(c, current_level=first.new_level, promoted_this_year=True)
        assert decide(again, rules) == Decision(c.key, None, Reason.ALREADY_THIS_YEAR,
                                                first.rule)


@given(valid_rules(), candidates(), st.booleans())
def test_a_valid_rule_never_promotes_above_its_cap_and_always_promotes_upwards(
        rule: Rule, c: Candidate, one_per_year: bool) -> None:
    decision = decide(c, [rule], one_per_year)
    if decision.promoted:
        assert decision.new_level is not None
        assert decision.new_level >= rule.highest
        assert decision.new_level >= TOP_LEVEL
        if c.current_level is not None:
            assert decision.new_level < c.current_level
        assert decision.reason is None and decision.rule == rule
        assert decision.title == rule.title
    else:
        assert decision.reason is not None and decision.title == ""


@given(valid_rules(), candidates())
def test_a_rule_without_bump_never_promotes_anyone_already_at_the_target(
        rule: Rule, c: Candidate) -> None:
    rule = replace(rule, bump=False)
    decision = decide(c, [rule], one_per_year=False)
    if decision.promoted:
        assert decision.new_level == rule.target
        assert c.current_level is None or c.current_level > rule.target


# --- one promotion per year ----------------------------------------------------------------


@given(candidates(), st.lists(valid_rules(), max_size=4))
def test_promoted_this_year_never_promotes_when_one_per_year(
        c: Candidate, rules: list[Rule]) -> None:
    c = replace(c, promoted_this_year=True)
    assert not decide(c, rules, one_per_year=True).promoted
    assert not decide(c, rules).promoted  # one_per_year is on by default


@given(candidates(), st.lists(valid_rules(), max_size=4))
def test_without_one_per_year_the_year_history_changes_nothing(
        c: Candidate, rules: list[Rule]) -> None:
    this_year = decide(replace(c, promoted_this_year=True), rules, one_per_year=False)
    assert this_year == decide(replace(c, promoted_this_year=False), rules, one_per_year=False)
    assert this_year.reason is not Reason.ALREADY_THIS_YEAR


def test_without_one_per_year_someone_promoted_this_year_may_be_promoted_again() -> None:
    c = cand(rank=1, promoted_this_year=True)
    rules = [rank_rule(1, 5)]
    assert decide(c, rules, one_per_year=False) == Decision(1, TECH, None, rules[0])
    assert decide(c, rules) == Decision(1, None, Reason.ALREADY_THIS_YEAR, rules[0])


# --- untied ranks: nobody straddles a range boundary ---------------------------------------

board_entries = st.lists(
    st.tuples(st.sampled_from([50.0, 60.0, 60.001, 60.004, 75.5, 90.0]),  # many equal totals
              st.sampled_from([0.0, 10.0, 20.0]), st.booleans() | st.just(True)),
    max_size=30)


def entries_of(rows: list[tuple[float, float, bool]]) -> list[Entry]:
    return [Entry(key, total, judgement_total=j, ranked=ranked)
            for key, (total, j, ranked) in enumerate(rows, start=1)]


@settings(deadline=None)
@given(board_entries)
def test_default_ranking_is_always_untied(rows: list[tuple[float, float, bool]]) -> None:
    board = rank(entries_of(rows))
    assert ranks_are_untied(r.rank for r in board)
    assert sum(r.rank is not None for r in board) == sum(ranked for _, _, ranked in rows)


@settings(deadline=None)
@given(board_entries, st.integers(1, 35), st.integers(0, 35), any_division)
def test_a_rank_rule_matches_exactly_the_ranks_inside_its_range(
        rows: list[tuple[float, float, bool]], first: int, length: int,
        division: DivisionKind | None) -> None:
    board = rank(entries_of(rows))
    k = sum(r.rank is not None for r in board)
    rule = rank_rule(first, first + length, division=division)
    assert check_rule(rule) == []
    pool = [Candidate(r.key, division or EMP, ACTIVE, r.rank, None, k, None) for r in board]
    assert decide(Candidate(0, STU if division is EMP else EMP, ACTIVE, first, None, k, None),
                  [rule]).promoted is (division is None)
    matched = {c.key for c in pool if rule.matches(c)}
    wanted = {r.key for r in board if r.rank is not None and first <= r.rank <= first + length}
    assert matched == wanted
    inside = set(range(first, first + length + 1)) & set(range(1, k + 1))
    assert len(matched) == len(inside)


@pytest.mark.parametrize(
    ("ranks", "untied"),
    [([], True), ([None], True), ([1], True), ([2, 1, None, 3], True), ([1, 1], False),
     ([1, 2, 2], False), ([2, 3], False), ([1, 3], False), ([0, 1], False)],
)
def test_ranks_are_untied(ranks: list[int | None], untied: bool) -> None:
    assert ranks_are_untied(ranks) is untied


# --- team entries --------------------------------------------------------------------------


@st.composite
def team_boards(draw: st.DrawFn) -> list[tuple[int, int | None, str | None]]:
    """A board in order: keys 1..n, board ranks 1..k then None, each in a team or not."""
    n = draw(st.integers(0, 15))
    k = draw(st.integers(0, n))
    teams = draw(st.lists(st.none() | st.sampled_from(["T1", "T2", "T3", "T4"]),
                          min_size=n, max_size=n))
    rows = [(key, key if key <= k else None, teams[key - 1]) for key in range(1, n + 1)]
    return draw(st.permutations(rows))  # the input order must not matter


@given(team_boards())
def test_entry_ranks_share_a_team_place_and_count_each_entry_once(
        rows: list[tuple[int, int | None, str | None]]) -> None:
    ranks = entry_ranks(rows)
    assert set(ranks) == {key for key, _, _ in rows}
    # the entries in board order: a team is one entry, at its best-ranked member's place
    order: list[str | int] = []
    for key, board_rank, team in sorted(rows, key=lambda r: r[0]):
        entry = team or key
        if board_rank is not None and entry not in order:
            order.append(entry)
    expected_entry_rank = {entry: place for place, entry in enumerate(order, start=1)}
    for key, _, team in rows:
        assert ranks[key] == expected_entry_rank.get(team or key)
    given_ranks = {expected_entry_rank[e] for e in order}
    assert given_ranks == set(range(1, len(order) + 1))  # 1..E, no gaps


def test_entry_ranks_example() -> None:
    # board: A1 1st, solo 2nd, A2 3rd, B1 4th, B2 5th, solo 6th, A3 and a solo unranked
    rows = [(1, 1, "A"), (2, 2, None), (3, 3, "A"), (4, 4, "B"), (5, 5, "B"), (6, 6, None),
            (7, None, "A"), (8, None, None)]
    assert entry_ranks(rows) == {1: 1, 2: 2, 3: 1, 4: 3, 5: 3, 6: 4, 7: 1, 8: None}


@st.composite
def teams_with_shared_personal_facts(draw: st.DrawFn) -> list[Candidate]:
    """Two or three members of one entry: their results differ, their personal facts
    (status, current level, this year's history) are the same."""
    size = draw(st.integers(2, 3))
    ranked_count = draw(st.integers(size, 40))
    base = Candidate(0, draw(divisions), draw(st.sampled_from(CompetitorStatus)), None, None,
                     ranked_count, draw(st.none() | levels),
                     promoted_this_year=draw(st.booleans()))
    ranks = draw(st.lists(st.none() | st.integers(1, ranked_count), min_size=size,
                          max_size=size, unique=True))
    return [replace(base, key=key, rank=r, award=draw(awards) if r else None,
                    theory_passed=draw(st.booleans()), practical_passed=draw(st.booleans()))
            for key, r in enumerate(ranks, start=1)]


@given(teams_with_shared_personal_facts(), st.lists(valid_rules(), max_size=4))
def test_team_members_with_the_same_personal_facts_get_the_same_decision(
        members: list[Candidate], rules: list[Rule]) -> None:
    solo = Candidate(99, members[0].division, ACTIVE, 1, Award.GOLD, 40, None)
    entries = as_team_entries([*members, solo], {c.key: "T" for c in members})
    assert entries[-1] == solo  # a competitor outside any team is left alone
    shared = entries[:-1]
    ranked = [c.rank for c in members if c.rank is not None]
    for c in shared:
        assert c.rank == (min(ranked) if ranked else None)
        assert c.theory_passed is all(m.theory_passed for m in members)
        assert c.practical_passed is all(m.practical_passed for m in members)
    decisions = {replace(decide(c, rules), key=0) for c in shared}
    assert len(decisions) == 1


def test_a_team_members_personal_status_and_level_still_matter() -> None:
    rules = [rank_rule(1, 5, TECH, cap=SENIOR)]
    lead = cand(rank=2, key=1, award=Award.SILVER)
    mate = cand(rank=None, key=2)
    withdrawn = cand(rank=None, key=3, status=CompetitorStatus.WITHDRAWN)
    already = cand(rank=9, key=4, current=TECH)
    entries = as_team_entries([lead, mate, withdrawn, already],
                              {1: "T", 2: "T", 3: "T", 4: "T"})
    assert [c.rank for c in entries] == [2, 2, 2, 2]
    assert [c.award for c in entries] == [Award.SILVER] * 4
    assert [decide(c, rules).new_level for c in entries] == [TECH, TECH, None, SENIOR]
    assert decide(entries[2], rules).reason is Reason.WITHDRAWN


def test_one_member_failing_theory_fails_the_whole_entry() -> None:
    rules = [rank_rule(1, 5)]
    entries = as_team_entries([cand(rank=1, key=1), cand(rank=2, key=2, theory_passed=False)],
                              {1: "T", 2: "T"})
    assert [decide(c, rules).reason for c in entries] == [Reason.FAILED_THEORY] * 2


def test_an_empty_team_code_does_not_merge_competitors_outside_any_team() -> None:
    pool = [cand(rank=1, key=1), cand(rank=5, key=2), cand(rank=9, key=3)]
    assert entry_ranks([(1, 1, ""), (2, 5, None), (3, 9, None)]) == {1: 1, 2: 2, 3: 3}
    assert [c.rank for c in as_team_entries(pool, {1: ""})] == [1, 5, 9]


# --- check_rules ---------------------------------------------------------------------------


@given(st.integers(1, 30), st.integers(0, 10), st.integers(1, 30), st.integers(0, 10),
       any_division, any_division)
def test_rank_rules_overlap_when_a_competitor_could_match_both(
        a_from: int, a_len: int, b_from: int, b_len: int, a_div: DivisionKind | None,
        b_div: DivisionKind | None) -> None:
    a = rank_rule(a_from, a_from + a_len, division=a_div)
    b = rank_rule(b_from, b_from + b_len, target=ADV, division=b_div)
    intersect = bool(set(range(a_from, a_from + a_len + 1))
                     & set(range(b_from, b_from + b_len + 1)))
    same_board = a_div is None or b_div is None or a_div is b_div
    expected = [RuleProblem(1, "overlap", 0)] if intersect and same_board else []
    assert check_rules([a, b]) == expected


def test_overlap_examples() -> None:
    assert check_rules([rank_rule(1, 5, division=EMP), rank_rule(5, 20, ADV, division=EMP)]) \
        == [RuleProblem(1, "overlap", 0)]
    assert check_rules([rank_rule(1, 5, division=EMP), rank_rule(6, 20, ADV, division=EMP)]) \
        == []
    assert check_rules([rank_rule(1, 5, division=EMP), rank_rule(1, 5, ADV, division=STU)]) \
        == []
    # a rule for every division meets both
    assert check_rules([rank_rule(1, 5, division=EMP), rank_rule(3, 8, ADV),
                        rank_rule(1, 5, division=STU)]) == [
        RuleProblem(1, "overlap", 0), RuleProblem(2, "overlap", 1)]


def test_award_and_top_share_rules_overlap_anything_on_the_same_board() -> None:
    gold = Rule(TECH, Basis.AWARD, division=EMP, min_award=Award.GOLD)
    merit = Rule(ADV, Basis.AWARD, division=EMP, min_award=Award.EXCELLENCE)
    share = Rule(MID, Basis.TOP_SHARE, division=EMP, top_percent=30)
    assert check_rules([gold, merit]) == [RuleProblem(1, "overlap", 0)]
    assert check_rules([rank_rule(1, 5, division=EMP), share]) == [RuleProblem(1, "overlap", 0)]
    assert check_rules([gold, replace(merit, division=STU)]) == []


@pytest.mark.parametrize(
    ("rule", "codes"),
    [
        (rank_rule(1, 5, ADV, cap=TECH), []),
        (rank_rule(1, 5, TECH, cap=TECH), []),
        (rank_rule(1, 5, TECH, cap=ADV), ["target_above_cap"]),
        (rank_rule(1, 5, SENIOR, cap=PRIMARY), ["target_above_cap"]),
        (Rule(TECH, Basis.RANK, rank_from=1), ["rank_range_missing"]),
        (Rule(TECH, Basis.RANK, rank_to=5), ["rank_range_missing"]),
        (Rule(TECH), ["rank_range_missing"]),
        (rank_rule(0, 5), ["rank_range_order"]),
        (rank_rule(6, 5), ["rank_range_order"]),
        (rank_rule(-3, -1), ["rank_range_order"]),
        (rank_rule(5, 5), []),
        (Rule(TECH, Basis.AWARD), ["award_missing"]),
        (Rule(TECH, Basis.AWARD, min_award=Award.EXCELLENCE), []),
        (Rule(MID, Basis.TOP_SHARE), ["percent_range"]),
        (Rule(MID, Basis.TOP_SHARE, top_percent=0), ["percent_range"]),
        (Rule(MID, Basis.TOP_SHARE, top_percent=101), ["percent_range"]),
        (Rule(MID, Basis.TOP_SHARE, top_percent=1), []),
        (Rule(MID, Basis.TOP_SHARE, top_percent=100), []),
        (Rule(MID, Basis.TOP_SHARE, top_percent=0, cap=PRIMARY),
         ["percent_range", "target_above_cap"]),
    ],
)
def test_check_rule_codes(rule: Rule, codes: list[str]) -> None:
    assert check_rule(rule) == codes
    assert check_rules([rule]) == [RuleProblem(0, code) for code in codes]


def test_check_rules_lists_each_rules_own_problems_by_row_before_the_overlaps() -> None:
    rules = [rank_rule(1, 5), Rule(TECH, Basis.RANK, rank_from=7), rank_rule(4, 9, ADV, cap=MID)]
    assert check_rules(rules) == [RuleProblem(1, "rank_range_missing"),
                                  RuleProblem(2, "target_above_cap"),
                                  RuleProblem(2, "overlap", 0)]


def test_a_reversed_range_is_reported_once_not_also_as_an_overlap() -> None:
    assert check_rules([rank_rule(1, 5), rank_rule(3, 2)]) == [
        RuleProblem(1, "rank_range_order")]


# --- reasons, in the order a person asks -----------------------------------------------


def test_reason_order() -> None:
    rule = rank_rule(1, 5, TECH, cap=TECH)  # already 技师 → at the cap
    worst = dict(theory_passed=False, practical_passed=False, promoted_this_year=True)
    for status, reason in ((CompetitorStatus.WITHDRAWN, Reason.WITHDRAWN),
                           (CompetitorStatus.DISQUALIFIED, Reason.DISQUALIFIED)):
        for rank_ in (1, 30, None):  # before the rule is even looked at
            got = decide(cand(rank_, TECH, status=status, **worst), [rule])
            assert got == Decision(1, None, reason, None)
    assert decide(cand(30, TECH, **worst), [rule]) == Decision(1, None, Reason.BELOW_RANGE, None)
    assert decide(cand(None, TECH, **worst), [rule]).reason is Reason.BELOW_RANGE
    assert decide(cand(1, TECH, **worst), [rule]) == Decision(
        1, None, Reason.FAILED_THEORY, rule)
    worst["theory_passed"] = True
    assert decide(cand(1, TECH, **worst), [rule]) == Decision(
        1, None, Reason.FAILED_PRACTICAL, rule)
    worst["practical_passed"] = True
    assert decide(cand(1, TECH, **worst), [rule]) == Decision(
        1, None, Reason.ALREADY_THIS_YEAR, rule)
    worst["promoted_this_year"] = False
    assert decide(cand(1, TECH, **worst), [rule]) == Decision(1, None, Reason.AT_CAP, rule)
    assert decide(cand(1, ADV, **worst), [rule]) == Decision(1, TECH, None, rule)


def test_without_require_pass_failed_papers_do_not_matter() -> None:
    rule = rank_rule(1, 5, require_pass=False)
    got = decide(cand(1, theory_passed=False, practical_passed=False), [rule])
    assert got == Decision(1, TECH, None, rule)


def test_the_first_matching_rule_decides() -> None:
    narrow, wide = rank_rule(1, 3, TECH, title="能手"), rank_rule(1, 20, ADV)
    assert decide(cand(2), [narrow, wide]) == Decision(1, TECH, None, narrow, "能手")
    assert decide(cand(2), [wide, narrow]) == Decision(1, ADV, None, wide)
    assert decide(cand(8), [narrow, wide]) == Decision(1, ADV, None, wide)


@given(candidates(), st.lists(valid_rules(), max_size=4), st.booleans())
def test_a_decision_is_promoted_exactly_when_it_has_no_reason(
        c: Candidate, rules: list[Rule], one_per_year: bool) -> None:
    d = decide(c, rules, one_per_year)
    assert d.key == c.key
    assert (d.reason is None) is d.promoted
    if d.reason in (Reason.WITHDRAWN, Reason.DISQUALIFIED, Reason.BELOW_RANGE):
        assert d.rule is None
    else:  # the rule that matched is recorded, also when it then refused
        assert d.rule is not None and d.rule.matches(c)
        assert d.rule == next(r for r in rules if r.matches(c))


def test_award_rule_counts_better_awards_and_the_medallion_as_merit() -> None:
    rule = Rule(TECH, Basis.AWARD, min_award=Award.BRONZE)
    got = {a: decide(cand(4, award=a), [rule]).promoted for a in [*Award, None]}
    assert got == {Award.GOLD: True, Award.SILVER: True, Award.BRONZE: True,
                   Award.EXCELLENCE: False, Award.MEDALLION: False, None: False}
    merit = replace(rule, min_award=Award.MEDALLION)
    assert all(decide(cand(4, award=a), [merit]).promoted for a in Award)


# --- top share -----------------------------------------------------------------------------


@given(st.integers(1, 100), st.integers(0, 100_000))
def test_top_share_last_rank_is_the_floor_and_at_least_one(percent: int, n: int) -> None:
    expected = max(1, n * percent // 100) if n > 0 else 0
    assert top_share_last_rank(percent, n) == expected


@pytest.mark.parametrize(
    ("percent", "n", "last"),
    [(30, 0, 0), (30, 1, 1), (30, 3, 1), (30, 4, 1), (30, 10, 3), (30, 11, 3), (30, 20, 6),
     (100, 7, 7), (1, 99, 1), (1, 200, 2), (0, 10, 0), (-5, 10, 0)],
)
def test_top_share_last_rank_examples(percent: int, n: int, last: int) -> None:
    assert top_share_last_rank(percent, n) == last


@given(st.integers(1, 100), st.integers(1, 60), st.data())
def test_top_share_rule_matches_the_ranks_up_to_the_last_one(
        percent: int, n: int, data: st.DataObject) -> None:
    rule = Rule(MID, Basis.TOP_SHARE, top_percent=percent)
    rank_ = data.draw(st.integers(1, n))
    assert rule.matches(cand(rank_, ranked_count=n)) is (
        rank_ <= top_share_last_rank(percent, n))
