"""A competitor's totals from their marks (domain.md §3–4): which aspects count, the
aspect marks, and the sums the ranking needs. Exact arithmetic; rounded only for display.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from app.domain.marking import PanelRule, PanelStatus, judgement_panel


@dataclass(frozen=True)
class AspectSpec:
    """What the totals need to know of one aspect of the active scheme."""

    id: int
    module: str  # the module's letter
    is_judgement: bool
    max_mark: float


@dataclass(frozen=True)
class Totals:
    total: Fraction
    judgement_total: Fraction
    module_totals: Mapping[str, Fraction]
    counted: int  # aspects that count so far
    expected: int  # aspects in the scheme


def aspect_mark(aspect: AspectSpec, values: Sequence[float], rule: PanelRule) -> Fraction | None:
    """The mark an aspect contributes, or None while it does not count yet.

    J: the panel is complete and within tolerance (max × mean / 3). M: at least one entry,
    and every judge who entered it entered the same value (a second judge confirms it).
    """
    if not values:
        return None
    if aspect.is_judgement:
        result = judgement_panel(aspect.max_mark, [int(v) for v in values], rule)
        return result.mark if result.status is PanelStatus.AGREED else None
    if len(set(values)) != 1:
        return None
    return Fraction(values[0])


def competitor_totals(aspects: Sequence[AspectSpec], values: Mapping[int, Sequence[float]],
                      rule: PanelRule) -> Totals:
    """Sum the aspects that count. `values` maps aspect id to every judge's current value."""
    total = judgement = Fraction(0)
    modules: dict[str, Fraction] = {}
    counted = 0
    for aspect in aspects:
        modules.setdefault(aspect.module, Fraction(0))
        mark = aspect_mark(aspect, values.get(aspect.id, ()), rule)
        if mark is None:
            continue
        counted += 1
        total += mark
        modules[aspect.module] += mark
        if aspect.is_judgement:
            judgement += mark
    return Totals(total, judgement, modules, counted, len(aspects))
