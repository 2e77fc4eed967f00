"""The WorldSkills scale (domain.md §4): raw totals standardised to compare across skills.

WorldSkills does not publish its exact formula, so the choices are ours and configurable:

    WSS = centre + k × (raw − median) / SD

- the centre is the board's median, not its mean, so one very weak or very strong
  competitor does not shift everybody else;
- the spread is the population standard deviation (statistics.pstdev) of the board's raw
  totals: the board is the whole population, not a sample of one;
- with fewer than two totals, or when every total is the same (SD = 0), there is nothing
  to spread: everyone gets the centre;
- scores are rounded to 2 decimals, so a threshold such as "≥ 700 earns a Medallion" is
  decided on the number people see, never on float noise.

The result is monotonic: a higher raw total never gets a lower scale score.
Callers pass the totals as displayed (see ranking.displayed), so two competitors
shown with the same total also get the same scale score.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

SCALE_DECIMALS = 2


@dataclass(frozen=True)
class ScaleSettings:
    """How a project standardises its totals (configurable per project)."""

    centre: float = 700.0
    k: float = 20.0  # scale points per standard deviation

    def __post_init__(self) -> None:
        if not math.isfinite(self.centre):
            raise ValueError("the scale centre must be a finite number")
        # k ≤ 0 would flatten or invert the order of the competitors.
        if not (math.isfinite(self.k) and self.k > 0):
            raise ValueError("the scale factor k must be a positive number")


def standardise(raw: Mapping[K, float], settings: ScaleSettings) -> dict[K, float]:
    """Scale score of every key: centre + k × (raw − median) / pstdev, to 2 decimals."""
    values = list(raw.values())
    if len(values) < 2:
        return {key: settings.centre for key in raw}
    spread = statistics.pstdev(values)  # exact arithmetic: equal totals give exactly 0
    if spread == 0:
        return {key: settings.centre for key in raw}
    middle = statistics.median(values)
    return {
        key: round(settings.centre + settings.k * (value - middle) / spread, SCALE_DECIMALS)
        for key, value in raw.items()
    }
