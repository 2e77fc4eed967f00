"""Ranks (domain.md §4): the national rule is that ranks are never tied (排名不并列).

Entries are ordered by their total; entries showing the same total go through a
configurable tie-break chain, and every tie is recorded with the step that decided it,
so the board can show the reason. When the whole chain cannot separate two entries,
they are listed in key order and flagged `undecided`: the chief judge has to record a
decision (the "chief" step) before results are published.

Totals, judgement totals and module totals are compared as displayed, rounded to
2 decimals, so float noise (0.1 + 0.2 = 0.30000000000000004) never decides a rank.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

TOTAL_DECIMALS = 2

JUDGEMENT = "judgement"  # the higher total of judgement (J) marks
COMPLETION = "completion"  # the earlier completion time
CHIEF = "chief"  # the order recorded by the chief judge
MODULE_PREFIX = "module:"  # "module:C": the higher total in module C
# Not a chain step: the note of entries the chain could not separate, listed by key.
KEY_ORDER = "key"

DEFAULT_CHAIN: tuple[str, ...] = (JUDGEMENT, COMPLETION, CHIEF)

_MODULE_LETTER = re.compile(r"[A-Z][A-Z0-9]{0,7}")


def displayed(value: float) -> float:
    """A total as it is shown and compared: rounded to 2 decimals."""
    return round(value, TOTAL_DECIMALS)


@dataclass(frozen=True)
class Entry:
    """One competitor (or team) on one board: a skill project's division.

    `module_totals` is a tuple of (letter, total) pairs rather than a mapping so that an
    entry stays hashable and immutable; it is stored sorted with upper-case letters, and
    `module_total(letter)` reads it (a module without marks counts as 0).
    `ranked=False` is for withdrawn or disqualified competitors: they are listed last,
    without a rank.
    """

    key: int
    total: float
    judgement_total: float = 0.0
    module_totals: tuple[tuple[str, float], ...] = ()
    completed_at: datetime | None = None
    chief_position: int | None = None
    ranked: bool = True

    def __post_init__(self) -> None:
        # NaN would make every comparison false and the order arbitrary.
        numbers = (self.total, self.judgement_total, *(t for _, t in self.module_totals))
        if not all(math.isfinite(n) for n in numbers):
            raise ValueError(f"entry {self.key}: totals must be finite numbers")
        modules = tuple(sorted((letter.upper(), total) for letter, total in self.module_totals))
        letters = [letter for letter, _ in modules]
        if len(set(letters)) != len(letters):
            raise ValueError(f"entry {self.key}: a module appears twice in {letters}")
        object.__setattr__(self, "module_totals", modules)

    def module_total(self, letter: str) -> float:
        wanted = letter.upper()
        return next((total for got, total in self.module_totals if got == wanted), 0.0)


@dataclass(frozen=True)
class TieNote:
    """Why an entry that shows the same total as others has its place.

    `step` is the chain step that finally separated it from every entry it was tied
    with (e.g. with A, B, C tied: "judgement" puts C below A and B, "completion" then
    puts A above B; A and B get "completion", C gets "judgement").
    `undecided` is True when the whole chain could not separate it from at least one
    other entry; its place then comes from the key order only (step == "key") and
    the chief judge must decide.
    """

    step: str
    tied_with: tuple[int, ...]  # the other entries showing the same total, in board order
    undecided: bool


@dataclass(frozen=True)
class Ranked:
    key: int
    rank: int | None  # None: not ranked (withdrawn, disqualified)
    total: float  # as displayed: rounded to 2 decimals
    tie: TieNote | None


def _chain_step(code: str) -> str:
    """One step, normalised ("Module:c" -> "module:C"), or ValueError."""
    step = code.strip()
    lowered = step.lower()
    if lowered in (JUDGEMENT, COMPLETION, CHIEF):
        return lowered
    if lowered.startswith(MODULE_PREFIX):
        letter = step[len(MODULE_PREFIX) :].strip().upper()
        if _MODULE_LETTER.fullmatch(letter):
            return MODULE_PREFIX + letter
        raise ValueError(
            f"tie-break step {step!r}: a module step names a module letter, e.g. module:C"
        )
    raise ValueError(
        f"unknown tie-break step {step!r}; use judgement, module:<letter>, completion or chief"
    )


def validate_chain(chain: Iterable[str]) -> tuple[str, ...]:
    """The chain with its steps normalised; ValueError on unknown or repeated steps.

    An empty chain is allowed: every tie is then undecided (or shared, with allow_ties).
    """
    steps = tuple(_chain_step(code) for code in chain)
    repeated = sorted({step for step in steps if steps.count(step) > 1})
    if repeated:
        raise ValueError(f"tie-break step repeated: {', '.join(repeated)}")
    return steps


def parse_chain(text: str) -> tuple[str, ...]:
    """Read a chain as an organiser types it: "judgement, module:C, completion, chief"."""
    if not text.strip():
        return ()
    codes = text.split(",")
    if any(not code.strip() for code in codes):
        raise ValueError(f"empty tie-break step in {text!r}")
    return validate_chain(codes)


# Naive completion times are taken as UTC, so naive and aware ones can be compared.
_EPOCH_NAIVE = datetime(1970, 1, 1)
_EPOCH_AWARE = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# Every step orders entries by a (group, value) pair, smaller first. The group puts a
# missing value (no completion time, no chief decision) after every recorded one.
_SortKey = tuple[int, float]


def _completion_key(entry: Entry) -> _SortKey:
    done = entry.completed_at
    if done is None:
        return (1, 0)
    epoch = _EPOCH_NAIVE if done.tzinfo is None else _EPOCH_AWARE
    return (0, (done - epoch) // _MICROSECOND)  # whole microseconds: exact


def _step_key(step: str) -> Callable[[Entry], _SortKey]:
    if step == JUDGEMENT:
        return lambda e: (0, -displayed(e.judgement_total))
    if step == COMPLETION:
        return _completion_key
    if step == CHIEF:
        return lambda e: (1, 0) if e.chief_position is None else (0, e.chief_position)
    letter = step.removeprefix(MODULE_PREFIX)
    return lambda e: (0, -displayed(e.module_total(letter)))


# A run of entries the chain placed together, and the step that isolated it (None when
# the chain ran out with more than one entry left: undecided).
_Cluster = tuple[tuple[Entry, ...], str | None]


def _separate(
    members: Sequence[Entry],
    steps: Sequence[tuple[str, Callable[[Entry], _SortKey]]],
    decided_by: str | None,
) -> list[_Cluster]:
    if len(members) == 1:
        return [(tuple(members), decided_by)]
    if not steps:
        return [(tuple(sorted(members, key=lambda e: e.key)), None)]
    (step, key), rest = steps[0], steps[1:]
    clusters: list[_Cluster] = []
    group: list[Entry] = []
    for entry in sorted(members, key=key):
        if group and key(group[0]) != key(entry):
            clusters += _separate(group, rest, step)
            group = []
        group.append(entry)
    clusters += _separate(group, rest, step)
    return clusters


def rank(
    entries: Iterable[Entry], chain: Sequence[str] = DEFAULT_CHAIN, allow_ties: bool = False
) -> tuple[Ranked, ...]:
    """The board, best first: distinct ranks 1..n, then the unranked entries (rank None).

    With `allow_ties`, entries the chain cannot separate share a rank, and the next rank
    skips (standard competition ranking: 1, 2, 2, 4).
    """
    steps = [(step, _step_key(step)) for step in validate_chain(chain)]
    entries = list(entries)
    keys = [e.key for e in entries]
    if len(set(keys)) != len(keys):
        raise ValueError("an entry key appears twice on the board")

    by_total: dict[float, list[Entry]] = {}
    for entry in entries:
        if entry.ranked:
            by_total.setdefault(displayed(entry.total), []).append(entry)

    board: list[Ranked] = []
    for total in sorted(by_total, reverse=True):
        tied = by_total[total]
        if len(tied) == 1:
            board.append(Ranked(tied[0].key, len(board) + 1, total, None))
            continue
        clusters = _separate(tied, steps, None)
        order = tuple(e.key for members, _ in clusters for e in members)
        for members, step in clusters:
            shared = len(board) + 1
            for entry in members:
                note = TieNote(
                    step=KEY_ORDER if step is None else step,
                    tied_with=tuple(k for k in order if k != entry.key),
                    undecided=step is None,
                )
                place = shared if allow_ties else len(board) + 1
                board.append(Ranked(entry.key, place, total, note))

    unranked = sorted(
        (e for e in entries if not e.ranked), key=lambda e: (-displayed(e.total), e.key)
    )
    board += [Ranked(e.key, None, displayed(e.total), None) for e in unranked]
    return tuple(board)
