"""The public read model: the ONE place that decides what the public may see.

Every public surface (pages, the REST API, /live events, exports, the projector, and the
published results that promotions read) asks this module, never `app.services.results`
directly. What it returns has already been filtered:

- hidden: nothing but the list of projects;
- progress: how much marking is done, no totals, ranks or awards;
- live: provisional ranks;
- frozen (from `freeze_at`): everything as the marks stood at the freeze, including
  what is derived from them (ranks, awards, medal counts, movement);
- ceremony: the board being revealed shows only the steps revealed so far;
- published: the final results.
Staff keep seeing live results through app.services.results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from app.domain.awards import MERIT_AWARDS, DelegationRow, TeamPoints, medal_table
from app.domain.vocabulary import Award, Visibility
from app.extensions import db
from app.models import BoardState, Competition, Delegation, Division, SkillProject
from app.models.base import utcnow
from app.services import results
from app.services.results import Line


class Phase(StrEnum):
    HIDDEN = "hidden"
    PROGRESS = "progress"
    LIVE = "live"
    FROZEN = "frozen"
    CEREMONY = "ceremony"
    PUBLISHED = "published"


# The ceremony, award by award: each step unveils one more group, lowest award first.
AWARD_STEPS: tuple[tuple[Award, ...], ...] = (MERIT_AWARDS, (Award.BRONZE,), (Award.SILVER,),
                                              (Award.GOLD,))
RANK, AWARD = "rank", "award"


def competition_phase(competition: Competition, now: datetime | None = None) -> Phase:
    """What the public sees of the whole competition (a board in its ceremony aside)."""
    now = now or utcnow()
    if competition.published_at is not None and competition.published_at <= now:
        return Phase.PUBLISHED
    if competition.visibility is Visibility.HIDDEN:
        return Phase.HIDDEN
    if competition.freeze_at is not None and competition.freeze_at <= now:
        return Phase.FROZEN if competition.visibility is Visibility.LIVE else Phase.PROGRESS
    return Phase.LIVE if competition.visibility is Visibility.LIVE else Phase.PROGRESS


def frozen_progress(competition: Competition, now: datetime | None = None) -> bool:
    """Progress too is shown as it stood at the freeze (activity after it is news)."""
    now = now or utcnow()
    return competition.freeze_at is not None and competition.freeze_at <= now \
        and competition_phase(competition, now) in (Phase.FROZEN, Phase.PROGRESS)


@dataclass(frozen=True)
class PublicBoard:
    project: SkillProject
    division: Division
    phase: Phase
    lines: tuple[Line, ...]  # empty unless ranks may be shown
    counted: int | None  # aspects counted, None when hidden
    expected: int | None
    reveal_mode: str | None = None
    reveal_step: int = 0
    reveal_steps: int = 0  # how many steps the ceremony has in all
    pending: int = 0  # ceremony: places not yet revealed

    @property
    def progress(self) -> float | None:
        if self.counted is None or not self.expected:
            return None
        return round(100 * self.counted / self.expected, 1)

    @property
    def shows_ranks(self) -> bool:
        return self.phase in (Phase.LIVE, Phase.FROZEN, Phase.CEREMONY, Phase.PUBLISHED)


def board_state(project: SkillProject, division: Division) -> BoardState | None:
    return db.session.scalar(select(BoardState).where(
        BoardState.project_id == project.id, BoardState.division_id == division.id))


def public_board(project: SkillProject, division: Division, now: datetime | None = None,
                 state: BoardState | None = None) -> PublicBoard:
    """`state`: the board's BoardState when the caller holds it already (the live feed)."""
    now = now or utcnow()
    competition = project.competition
    phase = competition_phase(competition, now)
    state = state if state is not None else board_state(project, division)
    if phase is not Phase.PUBLISHED and state is not None and state.reveal_mode:
        return _ceremony(project, division, state)
    if phase is Phase.HIDDEN:
        return PublicBoard(project, division, phase, (), None, None)
    as_of = competition.freeze_at if frozen_progress(competition, now) else None
    board = results.board(project, division, as_of=as_of)
    lines = board.lines if phase in (Phase.LIVE, Phase.FROZEN, Phase.PUBLISHED) else ()
    return PublicBoard(project, division, phase, lines, board.counted, board.expected)


def _ceremony(project: SkillProject, division: Division, state: BoardState) -> PublicBoard:
    """Final results, unveiled step by step: from the bottom rank up, or award by award."""
    final = results.board(project, division).lines
    ranked = [line for line in final if line.rank is not None]
    if state.reveal_mode == RANK:
        steps = len(ranked)
        shown = ranked[len(ranked) - min(state.reveal_step, steps):] if state.reveal_step else []
    else:
        steps = len(AWARD_STEPS)
        unveiled = {a for group in AWARD_STEPS[:state.reveal_step] for a in group}
        shown = [line for line in ranked if line.award in unveiled]
    return PublicBoard(project, division, Phase.CEREMONY, tuple(shown), None, None,
                       state.reveal_mode, state.reveal_step, steps, len(ranked) - len(shown))


# ------------------------------------------------------------------ the competition


@dataclass(frozen=True)
class MedalRow:
    delegation: str
    row: DelegationRow


@dataclass(frozen=True)
class PublicMedals:
    phase: Phase
    rows: tuple[MedalRow, ...] = field(default=())


def public_boards(competition: Competition, now: datetime | None = None) -> list[PublicBoard]:
    now = now or utcnow()
    return [public_board(p, d, now) for p, d in results.boards_of(competition)]


def public_medals(competition: Competition, now: datetime | None = None,
                  boards: Sequence[PublicBoard] | None = None) -> PublicMedals:
    """The medal table, from the public boards only: what the public cannot see on a
    board never reaches the medal table either."""
    now = now or utcnow()
    phase = competition_phase(competition, now)
    boards = public_boards(competition, now) if boards is None else boards
    pairs = [(line.delegation_id, line.award) for b in boards for line in b.lines]
    if not pairs:
        return PublicMedals(phase)
    points = TeamPoints(competition.points_gold, competition.points_silver,
                        competition.points_bronze, competition.points_merit)
    names = dict(db.session.execute(select(Delegation.id, Delegation.name).where(
        Delegation.competition_id == competition.id)).all())
    table = medal_table(pairs, points)
    return PublicMedals(phase, tuple(MedalRow(names.get(r.delegation_id, ""), r) for r in table))


# ------------------------------------------------------------------ JSON, for API and /live


def board_payload(board: PublicBoard) -> dict[str, Any]:
    """The public board as JSON: what the REST snapshot returns and /live deltas patch."""
    return {
        "project_id": board.project.id,
        "division_id": board.division.id,
        "phase": board.phase.value,
        "progress": {"counted": board.counted, "expected": board.expected,
                     "percent": board.progress} if board.counted is not None else None,
        "ceremony": {"mode": board.reveal_mode, "step": board.reveal_step,
                     "steps": board.reveal_steps, "pending": board.pending}
        if board.phase is Phase.CEREMONY else None,
        "rows": sorted((line_payload(line, hide_workstation=board.project.encrypted
                                     and board.phase is not Phase.PUBLISHED)
                        for line in board.lines), key=row_order),
    }


def row_order(row: dict[str, Any]) -> tuple[bool, int, int]:
    """Ranked rows by rank, then the unranked; clients sort deltas with the same key."""
    return (row["rank"] is None, row["rank"] or 0, row["competitor_id"])


def line_payload(line: Line, hide_workstation: bool = False) -> dict[str, Any]:
    """One row. `hide_workstation`: under encrypted marking (加密评分) judges must not link
    a workstation to a name, so the public does not see the pair before publication."""
    return {
        "competitor_id": line.competitor_id,
        "name": line.name,
        "delegation_id": line.delegation_id,
        "delegation": line.delegation,
        "workstation": None if hide_workstation else line.workstation,
        "status": line.status.value,
        "rank": line.rank,
        "total": line.total,
        "scale": line.scale_score,
        "award": line.award.value if line.award else None,
        "tie": {"step": line.tie.step, "undecided": line.tie.undecided} if line.tie else None,
    }


def medals_payload(medals: PublicMedals) -> dict[str, Any]:
    return {
        "phase": medals.phase.value,
        "rows": [{"delegation_id": m.row.delegation_id, "delegation": m.delegation,
                  "rank": m.row.rank, "gold": m.row.gold, "silver": m.row.silver,
                  "bronze": m.row.bronze, "merit": m.row.merit, "points": m.row.points}
                 for m in medals.rows],
    }
