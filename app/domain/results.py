"""A results board (domain.md §4): one skill project's division, ranked, scaled and awarded.

`compute_board` is the whole rule; `Board` keeps one board's entries and, when one entry
changes, recomputes that board only and reports the rows that changed: the small delta
a live audience is sent. A board is small (tens of entries), so recomputing it is cheap,
and it is the only correct way: one new total can move the median and SD of the scale,
the top half of the 优胜奖 and every tie in between.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from app.domain.awards import MEDALLION, AwardSettings, assign_awards
from app.domain.ranking import DEFAULT_CHAIN, Entry, TieNote, rank, validate_chain
from app.domain.scale import ScaleSettings, standardise
from app.domain.vocabulary import Award


@dataclass(frozen=True)
class BoardSettings:
    chain: tuple[str, ...] = DEFAULT_CHAIN
    allow_ties: bool = False  # the national rule is False: 排名不并列
    awards: AwardSettings = field(default_factory=AwardSettings)
    scale: ScaleSettings | None = None  # None: the project does not use the WorldSkills scale

    def __post_init__(self) -> None:
        object.__setattr__(self, "chain", validate_chain(self.chain))
        if self.awards.merit == MEDALLION and self.scale is None:
            raise ValueError("Medallions for Excellence need the WorldSkills scale")


def _exact(value: float) -> Fraction:
    # The decimal the organiser typed (0.2, not the binary float nearest to it).
    return Fraction(repr(float(value)))


def classic_total(
    theory: float,
    practical: float,
    theory_weight: float = 0.2,
    practical_weight: float = 0.8,
    theory_pass: float | None = 60.0,
    practical_pass: float | None = 60.0,
) -> tuple[float, bool]:
    """Classic Chinese scoring (domain.md §3): (weighted total, whether both parts passed).

    The total is computed in exact decimals (75 × 0.2 + 80 × 0.8 is 79, not
    79.00000000000001). Both parts must reach their pass mark; None means no pass mark.
    """
    if theory_weight < 0 or practical_weight < 0:
        raise ValueError("weights cannot be negative")
    if _exact(theory_weight) + _exact(practical_weight) != 1:
        raise ValueError("the theory and practical weights must add up to 1 (100%)")
    total = _exact(theory) * _exact(theory_weight) + _exact(practical) * _exact(practical_weight)
    passed = (theory_pass is None or theory >= theory_pass) and (
        practical_pass is None or practical >= practical_pass
    )
    return float(total), passed


@dataclass(frozen=True)
class Row:
    key: int
    rank: int | None
    total: float  # as displayed: 2 decimals
    scale_score: float | None  # None: no scale on this project, or not ranked
    award: Award | None
    tie: TieNote | None


def compute_board(
    entries: Iterable[Entry], settings: BoardSettings, passed: Mapping[int, bool] | None = None
) -> tuple[Row, ...]:
    """Rank, standardise and award one board; rows best first, unranked last.

    Only ranked entries feed the scale's median and SD: a withdrawn competitor's
    partial total would otherwise drag everybody's scale score.
    """
    ranked = rank(entries, settings.chain, settings.allow_ties)
    scale: dict[int, float] | None = None
    if settings.scale is not None:
        scale = standardise({r.key: r.total for r in ranked if r.rank is not None}, settings.scale)
    awards = assign_awards(ranked, settings.awards, scale, passed)
    return tuple(
        Row(
            key=r.key,
            rank=r.rank,
            total=r.total,
            scale_score=None if scale is None else scale.get(r.key),
            award=awards[r.key],
            tie=r.tie,
        )
        for r in ranked
    )


def diff(before: Sequence[Row], after: Sequence[Row]) -> tuple[Row, ...]:
    """The rows of `after` that are new or differ in any field from the same key before."""
    previous = {row.key: row for row in before}
    return tuple(row for row in after if previous.get(row.key) != row)


@dataclass(frozen=True)
class BoardChange:
    rows: tuple[Row, ...]  # the whole board after the change
    changed: tuple[Row, ...]  # only the rows that are new or differ, in board order
    movement: dict[int, int]  # key -> old rank − new rank (positive: moved up)
    removed: tuple[int, ...] = ()  # keys no longer on the board


def _movement(before: Sequence[Row], after: Sequence[Row]) -> dict[int, int]:
    # Only entries ranked both before and after move; a new or newly ranked entry arrives.
    old = {row.key: row.rank for row in before}
    return {
        row.key: old_rank - row.rank
        for row in after
        if row.rank is not None
        and (old_rank := old.get(row.key)) is not None
        and old_rank != row.rank
    }


class Board:
    """The entries of one board and its current rows; changes recompute this board only."""

    def __init__(
        self,
        entries: Iterable[Entry],
        settings: BoardSettings,
        passed: Mapping[int, bool] | None = None,
    ) -> None:
        self.settings = settings
        self._entries: dict[int, Entry] = {}
        for entry in entries:
            if entry.key in self._entries:
                raise ValueError(f"entry {entry.key} appears twice on the board")
            self._entries[entry.key] = entry
        self._passed = {key: ok for key, ok in (passed or {}).items() if key in self._entries}
        self._rows = self._compute()

    @property
    def rows(self) -> tuple[Row, ...]:
        return self._rows

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(self._entries.values())

    def _compute(self) -> tuple[Row, ...]:
        return compute_board(self._entries.values(), self.settings, self._passed)

    def _apply(self, removed: tuple[int, ...] = ()) -> BoardChange:
        before, self._rows = self._rows, self._compute()
        return BoardChange(
            rows=self._rows,
            changed=diff(before, self._rows),
            movement=_movement(before, self._rows),
            removed=removed,
        )

    def update(self, entry: Entry, passed: bool = True) -> BoardChange:
        """Add the entry, or replace the one with its key; `passed` is its whole new state."""
        self._entries[entry.key] = entry
        self._passed[entry.key] = passed
        return self._apply()

    def remove(self, key: int) -> BoardChange:
        """Take an entry off the board (KeyError if it is not on it)."""
        del self._entries[key]
        self._passed.pop(key, None)
        return self._apply(removed=(key,))
