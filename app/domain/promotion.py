"""以赛代评: promotion by competition (domain.md §5).

A rule maps (division, rank range or award or top share) to a target skill level, with
"already at or above the target → one level up", a cap, a pass requirement and an
optional title. `decide` gives one competitor's decision from their published result and
their history; `check_rules` says what is wrong with a rule table before it is saved.

Levels are SkillLevel numbers: a *smaller* number is a *higher* level (1 = 高级技师), so
"one level up" is `level - 1` and "above the cap" is `level < cap`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from app.domain.vocabulary import Award, CompetitorStatus, DivisionKind, SkillLevel, Tier

# The highest level promotion can reach: 特级技师 and 首席技师 are appointed, not promoted.
TOP_LEVEL = SkillLevel.SENIOR_TECHNICIAN


class Basis(StrEnum):
    """What a rule looks at on the published board."""

    RANK = "rank"  # ranks rank_from..rank_to
    AWARD = "award"  # this award or a better one (优胜奖 and above)
    TOP_SHARE = "top_share"  # the first top_percent % of the ranked competitors


class Reason(StrEnum):
    """Why a competitor is not promoted (domain.md §5)."""

    BELOW_RANGE = "below_range"
    FAILED_THEORY = "failed_theory"
    FAILED_PRACTICAL = "failed_practical"
    ALREADY_THIS_YEAR = "already_this_year"
    AT_CAP = "at_cap"
    WITHDRAWN = "withdrawn"
    DISQUALIFIED = "disqualified"


# Better first; the Medallion for Excellence counts as much as 优胜奖.
_AWARD_ORDER = {Award.GOLD: 0, Award.SILVER: 1, Award.BRONZE: 2, Award.EXCELLENCE: 3,
                Award.MEDALLION: 3}


@dataclass(frozen=True)
class Rule:
    """One row of a competition's promotion table. `division` None: every division."""

    target: SkillLevel
    basis: Basis = Basis.RANK
    division: DivisionKind | None = None
    rank_from: int | None = None
    rank_to: int | None = None
    min_award: Award | None = None
    top_percent: int | None = None
    bump: bool = True  # already at or above the target → one level up
    cap: SkillLevel | None = None  # the highest level this rule gives; None: TOP_LEVEL
    require_pass: bool = True  # theory and practical must both pass
    title: str = ""  # e.g. 全国技术能手
    key: int = 0  # the rule's identity across versions (0: not stored yet)
    version: int = 1

    @property
    def highest(self) -> SkillLevel:
        return self.cap if self.cap is not None else TOP_LEVEL

    def matches(self, candidate: Candidate) -> bool:
        if self.division is not None and self.division is not candidate.division:
            return False
        if candidate.rank is None:
            return False
        if self.basis is Basis.RANK:
            return (self.rank_from or 1) <= candidate.rank <= (self.rank_to or 0)
        if self.basis is Basis.AWARD:
            return (candidate.award is not None and self.min_award is not None
                    and _AWARD_ORDER[candidate.award] <= _AWARD_ORDER[self.min_award])
        return candidate.rank <= top_share_last_rank(self.top_percent or 0, candidate.ranked_count)


def top_share_last_rank(percent: int, ranked_count: int) -> int:
    """The last rank inside the top `percent` %: floor(n × p / 100), and at least rank 1
    when anyone is ranked (the winner of a board of three is in its top 30%)."""
    if ranked_count <= 0 or percent <= 0:
        return 0
    return max(1, math.floor(ranked_count * percent / 100))


@dataclass(frozen=True)
class Candidate:
    """What the engine knows of one competitor: their published result and history."""

    key: int
    division: DivisionKind
    status: CompetitorStatus
    rank: int | None  # None: not ranked
    award: Award | None
    ranked_count: int  # ranked competitors on the same board
    current_level: SkillLevel | None  # None: no certificate yet
    theory_passed: bool = True
    practical_passed: bool = True
    promoted_this_year: bool = False  # by another competition in the same calendar year


@dataclass(frozen=True)
class Decision:
    key: int
    new_level: SkillLevel | None  # None: not promoted
    reason: Reason | None  # None: promoted
    rule: Rule | None  # the rule that matched (also when it then refused)
    title: str = ""

    @property
    def promoted(self) -> bool:
        return self.new_level is not None


def decide(candidate: Candidate, rules: Sequence[Rule], one_per_year: bool = True
           ) -> Decision:
    """One competitor's decision. Checks run in the order a person would ask them:
    still in the competition, then the rule, then the pass marks, the year, the cap."""
    if candidate.status is CompetitorStatus.WITHDRAWN:
        return Decision(candidate.key, None, Reason.WITHDRAWN, None)
    if candidate.status is CompetitorStatus.DISQUALIFIED:
        return Decision(candidate.key, None, Reason.DISQUALIFIED, None)
    rule = next((r for r in rules if r.matches(candidate)), None)
    if rule is None:
        return Decision(candidate.key, None, Reason.BELOW_RANGE, None)
    if rule.require_pass and not candidate.theory_passed:
        return Decision(candidate.key, None, Reason.FAILED_THEORY, rule)
    if rule.require_pass and not candidate.practical_passed:
        return Decision(candidate.key, None, Reason.FAILED_PRACTICAL, rule)
    if one_per_year and candidate.promoted_this_year:
        return Decision(candidate.key, None, Reason.ALREADY_THIS_YEAR, rule)
    level = new_level(candidate.current_level, rule)
    if level is None:
        return Decision(candidate.key, None, Reason.AT_CAP, rule)
    return Decision(candidate.key, level, None, rule, rule.title)


def new_level(current: SkillLevel | None, rule: Rule) -> SkillLevel | None:
    """The level a rule gives someone at `current`, or None when it gives nothing more."""
    if current is None or current > rule.target:
        return rule.target  # below the target (a larger number): straight to it
    if not rule.bump:
        return None
    up = current - 1
    if up < rule.highest:
        return None
    return SkillLevel(up)


def entry_ranks(board_order: Sequence[tuple[int, int | None, str | None]]
                ) -> dict[int, int | None]:
    """Ranks by entry: `board_order` is (key, board rank, team code) best first. The
    members of a team entry share its place, that of its best-ranked member, and the
    entry is counted once, so the next entry's rank is one more (a board ranks team
    members one by one; a promotion table speaks of entries)."""
    ranks: dict[int, int | None] = {}
    team_rank: dict[str, int] = {}
    entries = 0
    for key, board_rank, team in sorted(board_order, key=lambda r: (r[1] is None, r[1] or 0)):
        if board_rank is None:
            ranks[key] = team_rank.get(team) if team else None
            continue
        if team and team in team_rank:
            ranks[key] = team_rank[team]
            continue
        entries += 1
        ranks[key] = entries
        if team:
            team_rank[team] = entries
    return ranks


def as_team_entries(candidates: Sequence[Candidate], teams: dict[int, str]
                    ) -> list[Candidate]:
    """Every member of a team entry is treated alike: they share the entry's rank and
    award (its best-ranked member's) and pass only if every member passed. Personal
    facts stay personal: status, current level and this year's history."""
    members: dict[str, list[Candidate]] = {}
    for c in candidates:
        if teams.get(c.key):  # an empty code is no team
            members.setdefault(teams[c.key], []).append(c)
    shared: dict[str, Candidate] = {}
    for team, group in members.items():
        ranked = [c for c in group if c.rank is not None]
        best = min(ranked, key=lambda c: c.rank or 0) if ranked else group[0]
        shared[team] = replace(
            best, theory_passed=all(c.theory_passed for c in group),
            practical_passed=all(c.practical_passed for c in group))
    result = []
    for c in candidates:
        entry = shared.get(teams[c.key]) if teams.get(c.key) else None
        if entry is None:
            result.append(c)
            continue
        result.append(replace(c, rank=entry.rank, award=entry.award,
                              theory_passed=entry.theory_passed,
                              practical_passed=entry.practical_passed))
    return result


# ------------------------------------------------------------------ checking a table


@dataclass(frozen=True)
class RuleProblem:
    """What is wrong with a rule table; `index` is the rule's row (0-based), `code` is
    stable, for translation."""

    index: int
    code: str
    other: int | None = None  # the row it overlaps


def check_rule(rule: Rule) -> list[str]:
    """What is wrong with one rule on its own (codes)."""
    problems = []
    if rule.basis is Basis.RANK:
        if rule.rank_from is None or rule.rank_to is None:
            problems.append("rank_range_missing")
        elif not 1 <= rule.rank_from <= rule.rank_to:
            problems.append("rank_range_order")
    elif rule.basis is Basis.AWARD:
        if rule.min_award is None:
            problems.append("award_missing")
    elif rule.top_percent is None or not 1 <= rule.top_percent <= 100:
        problems.append("percent_range")
    if rule.cap is not None and rule.target < rule.cap:
        problems.append("target_above_cap")
    return problems


def check_rules(rules: Sequence[Rule]) -> list[RuleProblem]:
    """Every problem of a table: each rule's own, then overlaps. Two rules overlap when
    one competitor could match both: the same division (or either for every division)
    and intersecting ranks; rules of another basis, or two award or top-share rules,
    in the same division always overlap (a gold medallist is also "优胜奖 and above")."""
    found = [RuleProblem(i, code) for i, rule in enumerate(rules) for code in check_rule(rule)]
    for i, a in enumerate(rules):
        for j in range(i + 1, len(rules)):
            if _overlap(a, rules[j]):
                found.append(RuleProblem(j, "overlap", i))
    return found


# A rule with one of these problems can match nobody.
_UNMATCHABLE = {"rank_range_missing", "rank_range_order", "award_missing", "percent_range"}


def _overlap(a: Rule, b: Rule) -> bool:
    if a.division is not None and b.division is not None and a.division is not b.division:
        return False
    if a.basis is not b.basis or a.basis is not Basis.RANK:
        return True
    if _UNMATCHABLE & {*check_rule(a), *check_rule(b)}:
        return False  # a rule that matches nobody is reported as such, not as an overlap
    return not (a.rank_to < b.rank_from or b.rank_to < a.rank_from)  # type: ignore[operator]


# ------------------------------------------------------------------ the seeded tables


def _rank(division: DivisionKind | None, first: int, last: int, target: SkillLevel,
          cap: SkillLevel | None = None, bump: bool = True, title: str = "") -> Rule:
    return Rule(target=target, basis=Basis.RANK, division=division, rank_from=first,
                rank_to=last, bump=bump, cap=cap, title=title)


_EMPLOYEE, _STUDENT = DivisionKind.EMPLOYEE, DivisionKind.STUDENT
_SENIOR, _TECH = SkillLevel.SENIOR_TECHNICIAN, SkillLevel.TECHNICIAN
_ADV, _MID = SkillLevel.ADVANCED, SkillLevel.INTERMEDIATE


class RuleSet(StrEnum):
    NATIONAL_CLASS_I = "national_class_i"
    NATIONAL_SKILLS_COMPETITION = "national_skills_competition"
    INDUSTRY_CLASS_II = "industry_class_ii"
    MUNICIPAL_CLASS_I = "municipal_class_i"
    MUNICIPAL_CLASS_II = "municipal_class_ii"
    ENTERPRISE = "enterprise"


# The published notices of domain.md §5, as written there. Where a notice says
# "already X → Y" the cap is Y; where it says nothing, a competitor already at the
# target gains nothing (bump off).
SEEDED: dict[RuleSet, tuple[Rule, ...]] = {
    RuleSet.NATIONAL_CLASS_I: (
        _rank(_EMPLOYEE, 1, 5, _TECH, cap=_SENIOR, title="全国技术能手"),
        _rank(_EMPLOYEE, 6, 20, _ADV, cap=_TECH),
    ),
    RuleSet.NATIONAL_SKILLS_COMPETITION: (
        Rule(target=_TECH, basis=Basis.AWARD, min_award=Award.EXCELLENCE, cap=_SENIOR),
    ),
    RuleSet.INDUSTRY_CLASS_II: (
        _rank(_EMPLOYEE, 1, 5, _TECH, cap=_TECH, bump=False),
        _rank(_EMPLOYEE, 6, 20, _ADV, cap=_ADV, bump=False),
        _rank(_STUDENT, 1, 5, _ADV, cap=_ADV, bump=False),
    ),
    RuleSet.MUNICIPAL_CLASS_I: (
        _rank(_EMPLOYEE, 1, 10, _TECH, cap=_SENIOR),
        _rank(_STUDENT, 1, 10, _ADV, cap=_ADV, bump=False),
    ),
    RuleSet.MUNICIPAL_CLASS_II: (
        _rank(_EMPLOYEE, 1, 6, _ADV, cap=_TECH),
        _rank(_STUDENT, 1, 6, _MID, cap=_MID, bump=False),
    ),
    RuleSet.ENTERPRISE: (
        Rule(target=_MID, basis=Basis.TOP_SHARE, top_percent=30, cap=_ADV),
    ),
}

# The table a new competition starts from, by its tier.
DEFAULT_FOR_TIER: dict[Tier, RuleSet] = {
    Tier.WORLD_SELECTION: RuleSet.NATIONAL_SKILLS_COMPETITION,
    Tier.NATIONAL_I: RuleSet.NATIONAL_CLASS_I,
    Tier.NATIONAL_II: RuleSet.INDUSTRY_CLASS_II,
    Tier.MUNICIPAL_I: RuleSet.MUNICIPAL_CLASS_I,
    Tier.MUNICIPAL_II: RuleSet.MUNICIPAL_CLASS_II,
    Tier.DISTRICT: RuleSet.MUNICIPAL_CLASS_II,
    Tier.ENTERPRISE: RuleSet.ENTERPRISE,
}


def seeded(rule_set: RuleSet) -> tuple[Rule, ...]:
    return SEEDED[rule_set]


def for_tier(tier: Tier) -> tuple[Rule, ...]:
    return SEEDED[DEFAULT_FOR_TIER[tier]]


def same_terms(a: Rule, b: Rule) -> bool:
    """Whether two rules say the same thing, whatever their identity and version."""
    return replace(a, key=0, version=1) == replace(b, key=0, version=1)


def ranks_are_untied(ranks: Iterable[int | None]) -> bool:
    """The ranked entries of a board hold ranks 1..k, each once: no two competitors can
    straddle a range boundary (the national rule 排名不并列)."""
    given = sorted(r for r in ranks if r is not None)
    return given == list(range(1, len(given) + 1))
