"""Marking-scheme rules (domain.md §3): max marks in 0.5 steps, four descriptors for
every judgement aspect, modules within their share, and a total that adds up.

Every problem carries a stable `code`, the place it belongs to and the numbers the
message needs, so the web layer can put a translated message next to the right field.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from app.domain.vocabulary import AspectType


@dataclass(frozen=True)
class AspectSpec:
    kind: AspectType
    max_mark: float
    description: str = ""
    descriptors: tuple[str, ...] = ()
    tolerances: tuple[float, ...] = ()


@dataclass(frozen=True)
class ModuleSpec:
    letter: str
    aspects: tuple[AspectSpec, ...]
    share: float | None = None


@dataclass(frozen=True)
class Problem:
    code: str
    field: str  # which input it belongs to: max_mark, descriptors, tolerances, share, total…
    module: str | None = None  # module letter
    aspect: int | None = None  # 1-based aspect position within the module
    params: dict[str, object] = dataclasses.field(default_factory=dict)


def is_half_step(value: float) -> bool:
    return Fraction(value) * 2 == int(Fraction(value) * 2)


def total_of(marks: list[float] | tuple[float, ...]) -> Fraction:
    """Exact sum: 0.5 steps add up without float drift, and 100 means exactly 100."""
    return sum((Fraction(m) for m in marks), Fraction(0))


def aspect_problems(aspect: AspectSpec) -> list[Problem]:
    """Problems of one aspect on its own."""
    problems = []
    if aspect.max_mark <= 0:
        problems.append(Problem("max_not_positive", "max_mark"))
    elif not is_half_step(aspect.max_mark):
        problems.append(Problem("max_not_half_step", "max_mark", params={"value": aspect.max_mark}))
    if aspect.kind is AspectType.JUDGEMENT:
        filled = [d for d in aspect.descriptors if d.strip()]
        if len(aspect.descriptors) != 4 or len(filled) != 4:
            problems.append(
                Problem("descriptors_missing", "descriptors", params={"count": len(filled)})
            )
    else:
        for value in aspect.tolerances:
            if value < 0 or value > aspect.max_mark:
                problems.append(
                    Problem("tolerance_out_of_range", "tolerances",
                            params={"value": value, "max": aspect.max_mark})
                )
        if len(set(aspect.tolerances)) != len(aspect.tolerances):
            problems.append(Problem("tolerance_duplicate", "tolerances"))
    return problems


def module_problems(module: ModuleSpec) -> list[Problem]:
    """Each aspect's problems, plus the first aspect that takes the module over its share."""
    problems = []
    running = Fraction(0)
    over_reported = False
    for position, aspect in enumerate(module.aspects, start=1):
        for p in aspect_problems(aspect):
            problems.append(Problem(p.code, p.field, module.letter, position, p.params))
        running += Fraction(aspect.max_mark)
        if module.share is not None and running > Fraction(module.share) and not over_reported:
            over_reported = True
            problems.append(
                Problem("over_module_share", "max_mark", module.letter, position,
                        {"share": module.share, "total": float(running)})
            )
    return problems


def scheme_problems(modules: list[ModuleSpec], project_total: float) -> list[Problem]:
    """Everything that stops a scheme from being activated. Empty means it may be."""
    problems: list[Problem] = []
    letters = [m.letter for m in modules]
    for letter in sorted({x for x in letters if letters.count(x) > 1}):
        problems.append(Problem("module_letter_duplicate", "letter", letter))
    for module in modules:
        problems.extend(module_problems(module))
        if not module.aspects:
            problems.append(Problem("module_empty", "aspects", module.letter))
    total = total_of([a.max_mark for m in modules for a in m.aspects])
    if total != Fraction(project_total):
        problems.append(
            Problem("total_mismatch", "total",
                    params={"total": float(total), "expected": project_total})
        )
    shares = [m.share for m in modules]
    if shares and all(s is not None for s in shares):
        share_total = total_of([s for s in shares if s is not None])
        if share_total != Fraction(project_total):
            problems.append(
                Problem("shares_mismatch", "share",
                        params={"total": float(share_total), "expected": project_total})
            )
    return problems


def running_total(modules: list[ModuleSpec]) -> float:
    return float(total_of([a.max_mark for m in modules for a in m.aspects]))



def parse_tolerances(text: str) -> tuple[tuple[str, float], ...]:
    """Parse a tolerance table written as `label=value; label=value`.

    `满分=2; 偏差≤0.5mm=1; 超差=0` → (("满分", 2.0), ("偏差≤0.5mm", 1.0), ("超差", 0.0)).
    Full-width characters (；＝２．５) and line breaks are accepted, since organisers type
    them in Excel. Raises ValueError naming the entry that is not `label=number`; "nan"
    or "inf" are not numbers here.
    """
    normalised = unicodedata.normalize("NFKC", text)
    table = []
    for entry in (e.strip() for e in re.split(r"[;\n]", normalised)):
        if not entry:
            continue
        label, sep, value = entry.rpartition("=")
        if not sep or not label.strip() or not _NUMBER.fullmatch(value.strip()):
            raise ValueError(entry)
        table.append((label.strip(), float(value.strip())))
    return tuple(table)


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
