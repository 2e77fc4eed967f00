"""The seeded 以赛代评 tables (SEEDED in app/domain/promotion.py), one table of cases per
rule set, each written from the notice quoted from domain.md §5 above it.

A case: (division, rank, award, ranked count, current level) → a new level, or the reason
for none. Titles are checked too: only national class I ranks 1–5 carry one."""

import pytest

from app.domain.promotion import (
    DEFAULT_FOR_TIER,
    SEEDED,
    Candidate,
    Reason,
    RuleSet,
    check_rules,
    decide,
    for_tier,
    seeded,
)
from app.domain.vocabulary import Award, CompetitorStatus, DivisionKind, SkillLevel, Tier

EMP, STU = DivisionKind.EMPLOYEE, DivisionKind.STUDENT
SENIOR, TECH, ADV, MID, PRIMARY = (SkillLevel.SENIOR_TECHNICIAN, SkillLevel.TECHNICIAN,
                                    SkillLevel.ADVANCED, SkillLevel.INTERMEDIATE,
                                    SkillLevel.PRIMARY)
GOLD, SILVER, BRONZE = Award.GOLD, Award.SILVER, Award.BRONZE
EXCELLENCE, MEDALLION = Award.EXCELLENCE, Award.MEDALLION
BELOW, AT_CAP = Reason.BELOW_RANGE, Reason.AT_CAP
能手 = "全国技术能手"

Outcome = SkillLevel | Reason
Case = tuple[DivisionKind, int | None, Award | None, int, SkillLevel | None, Outcome, str]


def case(division: DivisionKind, rank: int | None, current: SkillLevel | None,
         outcome: Outcome, title: str = "", award: Award | None = None,
         n: int = 40) -> Case:
    return (division, rank, award, n, current, outcome, title)


# "National class I (e.g. 2017 notice): 职工组 ranks 1–5 → 技师 (already 技师 → 高级技师)
#  plus the 全国技术能手 title; ranks 6–20 → 高级工 (already 高级工 → 技师)."
NATIONAL_CLASS_I = [
    case(EMP, 1, None, TECH, 能手),
    case(EMP, 3, None, TECH, 能手),
    case(EMP, 5, PRIMARY, TECH, 能手),
    case(EMP, 3, ADV, TECH, 能手),  # below the target: straight to it
    case(EMP, 3, TECH, SENIOR, 能手),  # already 技师 → 高级技师
    case(EMP, 3, SENIOR, AT_CAP),
    case(EMP, 6, None, ADV),  # no title below rank 5
    case(EMP, 12, MID, ADV),
    case(EMP, 12, ADV, TECH),  # already 高级工 → 技师
    case(EMP, 20, TECH, AT_CAP),  # 技师 is this range's cap
    case(EMP, 20, SENIOR, AT_CAP),
    case(EMP, 21, None, BELOW),
    case(EMP, None, None, BELOW),
    case(STU, 1, None, BELOW),  # the notice names 职工组 only
    case(STU, 6, ADV, BELOW),
]

# "National 职业技能大赛: 优胜奖 and above → 技师; already 技师 → 高级技师."
NATIONAL_SKILLS_COMPETITION = [
    case(EMP, 1, None, TECH, award=GOLD),
    case(EMP, 2, None, TECH, award=SILVER),
    case(EMP, 3, ADV, TECH, award=BRONZE),
    case(EMP, 9, None, TECH, award=EXCELLENCE),
    case(EMP, 9, PRIMARY, TECH, award=MEDALLION),  # the Medallion counts as 优胜奖
    case(EMP, 9, TECH, SENIOR, award=EXCELLENCE),  # already 技师 → 高级技师
    case(EMP, 1, TECH, SENIOR, award=GOLD),
    case(EMP, 1, SENIOR, AT_CAP, award=GOLD),
    case(EMP, 25, None, BELOW, award=None),  # ranked but no award
    case(EMP, 25, TECH, BELOW, award=None),
    case(STU, 4, None, TECH, award=EXCELLENCE),  # the notice names no division
]

# "Industry class II: 职工组 ranks 1–5 → 技师; ranks 6–20 → 高级工; 学生组 ranks 1–5 →
#  高级工; 学生组 ranks 6–20 → no promotion."  (No "already …" clause: nothing beyond.)
INDUSTRY_CLASS_II = [
    case(EMP, 1, None, TECH),
    case(EMP, 5, ADV, TECH),
    case(EMP, 5, TECH, AT_CAP),
    case(EMP, 5, SENIOR, AT_CAP),
    case(EMP, 6, None, ADV),
    case(EMP, 20, MID, ADV),
    case(EMP, 20, ADV, AT_CAP),
    case(EMP, 20, TECH, AT_CAP),
    case(EMP, 21, None, BELOW),
    case(STU, 1, None, ADV),
    case(STU, 5, PRIMARY, ADV),
    case(STU, 5, ADV, AT_CAP),
    case(STU, 6, None, BELOW),
    case(STU, 20, None, BELOW),
]

# "Municipal class I (the shape used by several provinces): ranks 1–10, 职工 → 技师
#  (already 技师 → 高级技师); 学生 → 高级工."
MUNICIPAL_CLASS_I = [
    case(EMP, 1, None, TECH),
    case(EMP, 10, ADV, TECH),
    case(EMP, 10, TECH, SENIOR),
    case(EMP, 10, SENIOR, AT_CAP),
    case(EMP, 11, None, BELOW),
    case(STU, 1, None, ADV),
    case(STU, 10, MID, ADV),
    case(STU, 10, ADV, AT_CAP),
    case(STU, 10, TECH, AT_CAP),
    case(STU, 11, None, BELOW),
]

# "Municipal class II / district: ranks 1–6, 职工 → 高级工 (already 高级工 → 技师);
#  学生 → 中级工."
MUNICIPAL_CLASS_II = [
    case(EMP, 1, None, ADV),
    case(EMP, 6, MID, ADV),
    case(EMP, 6, ADV, TECH),
    case(EMP, 6, TECH, AT_CAP),
    case(EMP, 7, None, BELOW),
    case(STU, 1, None, MID),
    case(STU, 6, PRIMARY, MID),
    case(STU, 6, MID, AT_CAP),
    case(STU, 6, ADV, AT_CAP),
    case(STU, 7, None, BELOW),
]

# "Enterprise/school: top 30%, → 中级工 (already 中级工 → 高级工)."
# The last rank inside the top 30% is floor(n × 30 / 100), at least 1.
ENTERPRISE = [
    case(EMP, 3, None, MID, n=10),
    case(EMP, 4, None, BELOW, n=10),
    case(EMP, 3, None, MID, n=11),  # 3.3 → 3
    case(EMP, 4, None, BELOW, n=11),
    case(EMP, 1, None, MID, n=3),  # 0.9, but the winner is in the top 30%
    case(EMP, 2, None, BELOW, n=3),
    case(EMP, 1, PRIMARY, MID, n=1),
    case(EMP, 6, MID, ADV, n=20),  # already 中级工 → 高级工
    case(EMP, 6, ADV, AT_CAP, n=20),
    case(EMP, 7, MID, BELOW, n=20),
    case(STU, 2, None, MID, n=7),  # one table for every division
    case(STU, None, None, BELOW, n=7),
]

TABLES: dict[RuleSet, list[Case]] = {
    RuleSet.NATIONAL_CLASS_I: NATIONAL_CLASS_I,
    RuleSet.NATIONAL_SKILLS_COMPETITION: NATIONAL_SKILLS_COMPETITION,
    RuleSet.INDUSTRY_CLASS_II: INDUSTRY_CLASS_II,
    RuleSet.MUNICIPAL_CLASS_I: MUNICIPAL_CLASS_I,
    RuleSet.MUNICIPAL_CLASS_II: MUNICIPAL_CLASS_II,
    RuleSet.ENTERPRISE: ENTERPRISE,
}


def check(rule_set: RuleSet, c: Case) -> None:
    division, rank, award, n, current, outcome, title = c
    candidate = Candidate(7, division, CompetitorStatus.ACTIVE, rank, award, n, current)
    decision = decide(candidate, SEEDED[rule_set])
    if isinstance(outcome, Reason):
        assert (decision.new_level, decision.reason) == (None, outcome)
    else:
        assert (decision.new_level, decision.reason) == (outcome, None)
    assert decision.title == title


@pytest.mark.parametrize("c", NATIONAL_CLASS_I)
def test_national_class_i(c: Case) -> None:
    check(RuleSet.NATIONAL_CLASS_I, c)


@pytest.mark.parametrize("c", NATIONAL_SKILLS_COMPETITION)
def test_national_skills_competition(c: Case) -> None:
    check(RuleSet.NATIONAL_SKILLS_COMPETITION, c)


@pytest.mark.parametrize("c", INDUSTRY_CLASS_II)
def test_industry_class_ii(c: Case) -> None:
    check(RuleSet.INDUSTRY_CLASS_II, c)


@pytest.mark.parametrize("c", MUNICIPAL_CLASS_I)
def test_municipal_class_i(c: Case) -> None:
    check(RuleSet.MUNICIPAL_CLASS_I, c)


@pytest.mark.parametrize("c", MUNICIPAL_CLASS_II)
def test_municipal_class_ii(c: Case) -> None:
    check(RuleSet.MUNICIPAL_CLASS_II, c)


@pytest.mark.parametrize("c", ENTERPRISE)
def test_enterprise(c: Case) -> None:
    check(RuleSet.ENTERPRISE, c)


def test_every_seeded_set_has_a_table_here() -> None:
    assert set(TABLES) == set(RuleSet) == set(SEEDED)


@pytest.mark.parametrize("rule_set", list(RuleSet))
def test_seeded_set_is_a_valid_table(rule_set: RuleSet) -> None:
    assert SEEDED[rule_set]
    assert check_rules(SEEDED[rule_set]) == []
    assert seeded(rule_set) == SEEDED[rule_set]


def test_every_tier_has_a_default_table() -> None:
    assert set(DEFAULT_FOR_TIER) == set(Tier)
    assert set(DEFAULT_FOR_TIER.values()) <= set(SEEDED)
    # "Municipal class II / district" share one notice
    assert DEFAULT_FOR_TIER[Tier.DISTRICT] is RuleSet.MUNICIPAL_CLASS_II
    for tier, rule_set in DEFAULT_FOR_TIER.items():
        assert for_tier(tier) == SEEDED[rule_set]


@pytest.mark.parametrize("rule_set", list(RuleSet))
def test_every_seeded_rule_requires_both_papers_and_one_promotion_a_year(
        rule_set: RuleSet) -> None:
    # "a requirement that theory and practical both pass"; "one competition promotion per
    # person per year (default on)". Take the first case of the table that promotes.
    division, rank, award, n, current, _, _ = next(
        c for c in TABLES[rule_set] if isinstance(c[5], SkillLevel))
    ok = Candidate(7, division, CompetitorStatus.ACTIVE, rank, award, n, current)
    rules = SEEDED[rule_set]
    assert decide(ok, rules).promoted
    for changes, reason in (({"theory_passed": False}, Reason.FAILED_THEORY),
                            ({"practical_passed": False}, Reason.FAILED_PRACTICAL),
                            ({"promoted_this_year": True}, Reason.ALREADY_THIS_YEAR),
                            ({"status": CompetitorStatus.WITHDRAWN}, Reason.WITHDRAWN),
                            ({"status": CompetitorStatus.DISQUALIFIED},
                             Reason.DISQUALIFIED)):
        fields = {**ok.__dict__, **changes}
        assert decide(Candidate(**fields), rules).reason is reason
