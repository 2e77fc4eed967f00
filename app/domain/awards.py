"""Awards and delegation tables (domain.md §4).

Defaults, all configurable per event:
- gold, silver and bronze for ranks 1, 2, 3;
- 优胜奖 (EXCELLENCE) for the ranks after the medals down to the top half of the
  ranked participants: rank ≤ ceil(n / 2);
- or, WorldSkills style, a Medallion for Excellence for a scale score ≥ 700 without a medal.

Awards follow ranks, so with allow_ties two entries sharing rank 2 both get silver.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.domain.ranking import Ranked
from app.domain.vocabulary import Award

TOP_HALF = "top_half"  # 优胜奖 down to rank ceil(n / 2)
MEDALLION = "medallion"  # Medallion for Excellence above the scale threshold
NO_MERIT = "none"  # medals only
MERIT_RULES = (TOP_HALF, MEDALLION, NO_MERIT)

MEDALS = (Award.GOLD, Award.SILVER, Award.BRONZE)
MERIT_AWARDS = (Award.EXCELLENCE, Award.MEDALLION)


@dataclass(frozen=True)
class AwardSettings:
    medals: int = 3  # ranks 1..medals get gold, silver, bronze in that order
    merit: str = TOP_HALF
    medallion_threshold: float = 700.0

    def __post_init__(self) -> None:
        if not 0 <= self.medals <= len(MEDALS):
            raise ValueError(f"medals must be between 0 and {len(MEDALS)}, not {self.medals}")
        if self.merit not in MERIT_RULES:
            raise ValueError(f"unknown merit rule {self.merit!r}; use {', '.join(MERIT_RULES)}")
        if not math.isfinite(self.medallion_threshold):
            raise ValueError("the medallion threshold must be a finite number")


def assign_awards(
    ranked: Sequence[Ranked],
    settings: AwardSettings,
    scale: Mapping[int, float] | None = None,
    passed: Mapping[int, bool] | None = None,
) -> dict[int, Award | None]:
    """The award of every entry of one board (None: no award).

    n counts the ranked entries only. A competitor who did not pass (classic method:
    theory or practical below its pass mark; `passed[key] is False`) gets no award, and
    nobody moves up into it: the others keep the award their own rank earns, so a
    failed rank 2 leaves silver unawarded. An entry missing from `passed` has passed.
    Unranked entries (rank None) get None.
    """
    if settings.merit == MEDALLION and scale is None:
        raise ValueError("the medallion rule needs scale scores")
    passed = passed or {}
    n = sum(1 for r in ranked if r.rank is not None)
    top_half = math.ceil(n / 2)
    awards: dict[int, Award | None] = {}
    for row in ranked:
        awards[row.key] = None
        if row.rank is None or not passed.get(row.key, True):
            continue
        if row.rank <= settings.medals:
            awards[row.key] = MEDALS[row.rank - 1]
        elif settings.merit == TOP_HALF and row.rank <= top_half:
            awards[row.key] = Award.EXCELLENCE
        elif settings.merit == MEDALLION and scale is not None:
            score = scale.get(row.key)
            if score is not None and score >= settings.medallion_threshold:
                awards[row.key] = Award.MEDALLION
    return awards


@dataclass(frozen=True)
class TeamPoints:
    """Points per award for the delegation table; 优胜奖 and Medallion both count as merit."""

    gold: int = 4
    silver: int = 3
    bronze: int = 2
    merit: int = 1


@dataclass(frozen=True)
class DelegationRow:
    delegation_id: int
    gold: int
    silver: int
    bronze: int
    merit: int  # 优胜奖 and Medallions for Excellence
    points: int
    rank: int  # shared when gold, silver and bronze are all equal


def medal_table(
    awards: Iterable[tuple[int, Award | None]], points: TeamPoints
) -> tuple[DelegationRow, ...]:
    """The delegation medal table from (delegation_id, award) pairs, one per entry.

    Ordered by gold, then silver, then bronze, then merit (all more first), then
    delegation id. The rank counts medals only, and is shared by delegations with the
    same gold, silver and bronze (1, 2, 2, 4). A delegation whose entries won nothing
    still has a row of zeros.
    """
    counts: dict[int, list[int]] = {}
    for delegation_id, award in awards:
        tally = counts.setdefault(delegation_id, [0, 0, 0, 0])
        if award in MEDALS:
            tally[MEDALS.index(award)] += 1
        elif award in MERIT_AWARDS:
            tally[3] += 1

    order = sorted(counts.items(), key=lambda item: ([-c for c in item[1]], item[0]))
    table: list[DelegationRow] = []
    for position, (delegation_id, (gold, silver, bronze, merit)) in enumerate(order, start=1):
        medals = (gold, silver, bronze)
        above = table[-1] if table else None
        same_medals = above is not None and (above.gold, above.silver, above.bronze) == medals
        table.append(
            DelegationRow(
                delegation_id=delegation_id,
                gold=gold,
                silver=silver,
                bronze=bronze,
                merit=merit,
                points=gold * points.gold
                + silver * points.silver
                + bronze * points.bronze
                + merit * points.merit,
                rank=above.rank if above is not None and same_medals else position,
            )
        )
    return tuple(table)
