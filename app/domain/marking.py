"""Marking rules (domain.md §3): judgement panels, measurement values, aspect marks,
and conflicts of interest. Pure functions over plain values, exact arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

JUDGEMENT_SCORES = (0, 1, 2, 3)


class PanelStatus(StrEnum):
    INCOMPLETE = "incomplete"  # fewer scores than the panel has judges
    OUT_OF_TOLERANCE = "out_of_tolerance"  # max − min > the allowed spread: re-discuss
    AGREED = "agreed"  # the aspect counts


@dataclass(frozen=True)
class PanelRule:
    """How a judgement panel works for one project (configurable per project)."""

    size: int = 3
    # Some domestic events use 5 judges and drop the highest and the lowest score.
    drop_extremes: bool = False
    max_spread: int = 1

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError("a panel has at least one judge")
        if self.drop_extremes and self.size < 3:
            raise ValueError("dropping the highest and lowest needs at least 3 judges")


@dataclass(frozen=True)
class PanelResult:
    status: PanelStatus
    counted: tuple[int, ...]  # the scores the mark is the mean of
    spread: int | None  # max − min of the counted scores
    mark: Fraction | None  # max_mark × mean / 3 when agreed, else None


def counted_scores(scores: Sequence[int], rule: PanelRule) -> tuple[int, ...]:
    """The scores that count: all of them, or all but one highest and one lowest."""
    ordered = tuple(sorted(scores))
    return ordered[1:-1] if rule.drop_extremes else ordered


def judgement_mark(max_mark: float, scores: Sequence[int]) -> Fraction:
    """Aspect mark = max × mean(scores) / 3, exactly."""
    if not scores:
        raise ValueError("no scores")
    return Fraction(max_mark) * Fraction(sum(scores), len(scores)) / 3


def judgement_panel(max_mark: float, scores: Sequence[int], rule: PanelRule) -> PanelResult:
    """Decide a J aspect from its panel's scores.

    It counts only when every judge of the panel has scored and the counted scores
    differ by at most `max_spread`. With `drop_extremes` the spread is checked on the
    scores that remain, since those are what the mark is made of.
    """
    for score in scores:
        check_judgement_score(score)
    if len(scores) < rule.size:
        return PanelResult(PanelStatus.INCOMPLETE, (), None, None)
    counted = counted_scores(scores, rule)
    spread = max(counted) - min(counted)
    if spread > rule.max_spread:
        return PanelResult(PanelStatus.OUT_OF_TOLERANCE, counted, spread, None)
    return PanelResult(PanelStatus.AGREED, counted, spread, judgement_mark(max_mark, counted))


class MarkValueError(ValueError):
    """Why a value is refused; `code` matches the protocol's error codes."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def check_judgement_score(score: object) -> int:
    """A J score is an integer 0, 1, 2 or 3 (not 2.5, not True)."""
    if isinstance(score, bool) or not isinstance(score, int | float):
        raise MarkValueError("invalid")
    if isinstance(score, float) and not score.is_integer():
        raise MarkValueError("out_of_range", allowed=JUDGEMENT_SCORES)
    if int(score) not in JUDGEMENT_SCORES:
        raise MarkValueError("out_of_range", allowed=JUDGEMENT_SCORES)
    return int(score)


def allowed_measurement_values(max_mark: float, tolerances: Sequence[float]) -> tuple[float, ...]:
    """An M aspect is marked 0, its max, or a value from its tolerance table."""
    return tuple(sorted({0.0, float(max_mark), *(float(t) for t in tolerances)}))


def check_measurement_value(value: object, max_mark: float, tolerances: Sequence[float]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MarkValueError("invalid")
    allowed = allowed_measurement_values(max_mark, tolerances)
    if Fraction(value) not in {Fraction(a) for a in allowed}:
        raise MarkValueError("out_of_range", allowed=allowed)
    return float(value)


@dataclass(frozen=True)
class Affiliation:
    """What decides a conflict of interest: delegation and employer (or school)."""

    delegation_id: int | None
    employer: str = ""


class ConflictReason(StrEnum):
    SAME_DELEGATION = "same_delegation"
    SAME_EMPLOYER = "same_employer"


def _normalise_employer(name: str) -> str:
    return "".join(name.split()).casefold()


def conflict_of_interest(judge: Affiliation, competitor: Affiliation) -> ConflictReason | None:
    """回避: a judge never scores a competitor of their own delegation or employer."""
    if judge.delegation_id is not None and judge.delegation_id == competitor.delegation_id:
        return ConflictReason.SAME_DELEGATION
    employer = _normalise_employer(judge.employer)
    if employer and employer == _normalise_employer(competitor.employer):
        return ConflictReason.SAME_EMPLOYER
    return None


def conflict_blocks(is_judgement: bool, block_measurement: bool) -> bool:
    """Judgement marks are always blocked; measurement marks when the project says so."""
    return is_judgement or block_measurement
