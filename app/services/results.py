"""Results, staff side: each competitor's totals kept current with every mark, and the
board of a project × division computed from them (or from the marks as they stood at a
moment, for a frozen public board).

Incremental by design: a mark refreshes one competitor's stored totals in the mark's own
transaction (`refresh_competitor`); a board is then a re-sort of one row per competitor
of that board (`board`), never a recompute of the event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import selectinload

from app.domain.awards import AwardSettings
from app.domain.marking import PanelRule
from app.domain.ranking import Entry, TieNote, displayed, parse_chain
from app.domain.results import BoardSettings, Row, classic_total, compute_board
from app.domain.scale import ScaleSettings
from app.domain.totals import AspectSpec, Totals, competitor_totals
from app.domain.vocabulary import (
    AspectType,
    Award,
    CompetitorStatus,
    MarkingMethod,
    SchemeStatus,
)
from app.extensions import db
from app.models import (
    Aspect,
    Competition,
    Competitor,
    CompetitorResult,
    Delegation,
    Division,
    Mark,
    MarkingScheme,
    MarkVersion,
    Module,
    SkillProject,
)
from app.models.base import utcnow

_ASPECTS = (
    select(Aspect.id, Module.letter, Aspect.kind, Aspect.max_mark)
    .join(Module, Aspect.module_id == Module.id)
    .join(MarkingScheme, Module.scheme_id == MarkingScheme.id)
    .where(MarkingScheme.project_id == bindparam("project_id"),
           MarkingScheme.status == SchemeStatus.ACTIVE)
    .order_by(Module.letter, Aspect.position))
# FOR NO KEY UPDATE OF competitor (PostgreSQL; SQLite's write lock does it already): two
# marks on one competitor committing side by side would each total the marks without the
# other's, and the later write would store a total missing a mark. NO KEY: a plain FOR
# UPDATE would deadlock with the KEY SHARE lock each mark's foreign key takes.
_COMPETITOR = (
    select(Competitor.project_id, Competitor.division_id, Competitor.theory_score,
           SkillProject.panel_size, SkillProject.trim_panel, SkillProject.marking_method,
           SkillProject.theory_weight, SkillProject.theory_pass, SkillProject.practical_pass)
    .join(SkillProject, Competitor.project_id == SkillProject.id)
    .where(Competitor.id == bindparam("competitor_id"))
    .with_for_update(of=Competitor, key_share=True))
_MARKS = select(Mark.aspect_id, Mark.value).where(Mark.competitor_id == bindparam("competitor_id"))
_RESULT_TABLE = cast(Table, CompetitorResult.__table__)
_UPDATE_RESULT = update(_RESULT_TABLE).where(
    _RESULT_TABLE.c.competitor_id == bindparam("key"))
_INSERT_RESULT = insert(_RESULT_TABLE)


# ------------------------------------------------------------------ one competitor's totals


_ACTIVATED = select(MarkingScheme.activated_at).where(
    MarkingScheme.project_id == bindparam("project_id"),
    MarkingScheme.status == SchemeStatus.ACTIVE)
# An active scheme cannot be edited (app.services.schemes), and activating it again
# stamps a new activated_at, so (project, activated_at) names one unchanging list.
_aspect_cache: dict[tuple[int, datetime], list[AspectSpec]] = {}


def aspects_of(project_id: int) -> list[AspectSpec]:
    """The active scheme's aspects, or [] while the project has no active scheme."""
    activated = db.session.scalar(_ACTIVATED, {"project_id": project_id})
    if activated is None:
        return []
    key = (project_id, activated)
    if key not in _aspect_cache:
        if len(_aspect_cache) > 1000:
            _aspect_cache.clear()
        _aspect_cache[key] = [
            AspectSpec(id_, letter, kind is AspectType.JUDGEMENT, max_mark)
            for id_, letter, kind, max_mark in db.session.execute(
                _ASPECTS, {"project_id": project_id})]
    return _aspect_cache[key]


def refresh_competitor(competitor_id: int) -> None:
    """Recompute and store one competitor's totals from their current marks. Runs inside
    the caller's transaction (the mark's), so totals and marks always agree."""
    who = db.session.execute(_COMPETITOR, {"competitor_id": competitor_id}).one()
    values: dict[int, list[float]] = defaultdict(list)
    for aspect_id, value in db.session.execute(_MARKS, {"competitor_id": competitor_id}):
        values[aspect_id].append(value)
    totals = competitor_totals(aspects_of(who.project_id), values,
                               PanelRule(size=who.panel_size, drop_extremes=who.trim_panel))
    total, passed = _final_total(who, who.theory_score, totals)
    row = {"competitor_id": competitor_id, "project_id": who.project_id,
           "division_id": who.division_id, "total": total, "passed": passed,
           "judgement_total": float(totals.judgement_total),
           "module_totals": {letter: float(v) for letter, v in totals.module_totals.items()},
           "aspects_counted": totals.counted, "aspects_expected": totals.expected,
           "updated_at": utcnow()}
    # Update first: after a competitor's first mark the row exists, and this runs on the
    # marking path under the write lock.
    updated = cast(CursorResult[Any], db.session.execute(
        _UPDATE_RESULT, {**row, "key": competitor_id}))
    if updated.rowcount == 0:
        db.session.execute(_INSERT_RESULT, row)


def refresh_project(project: SkillProject) -> int:
    """Recompute every competitor of a project (after a scheme or method change); the
    caller commits. Returns how many were refreshed."""
    ids = list(db.session.scalars(select(Competitor.id).where(
        Competitor.project_id == project.id)))
    for competitor_id in ids:
        refresh_competitor(competitor_id)
    return len(ids)


def _final_total(project: SkillProject | object, theory_score: float | None,
                 totals: Totals) -> tuple[float, bool]:
    """The total that ranks, and whether the pass marks were met (classic method only).
    `project` is a SkillProject or a row carrying the same method columns."""
    method: SkillProject = project  # type: ignore[assignment]
    if method.marking_method is not MarkingMethod.CLASSIC:
        return float(totals.total), True
    # Exactly 1 − w: in floats, 1 − 0.7 is 0.30000000000000004, and classic_total
    # checks that the two weights add up to 100%.
    practical_weight = float(1 - Fraction(repr(method.theory_weight)))
    return classic_total(theory_score or 0.0, float(totals.total),
                         theory_weight=method.theory_weight,
                         practical_weight=practical_weight,
                         theory_pass=method.theory_pass, practical_pass=method.practical_pass)


# ------------------------------------------------------------------ a board


@dataclass(frozen=True)
class Line:
    """One competitor on a board, as staff see it; the public read model filters it."""

    competitor_id: int
    name: str
    delegation_id: int
    delegation: str
    workstation: str | None
    status: CompetitorStatus
    rank: int | None
    total: float
    scale_score: float | None
    award: Award | None
    tie: TieNote | None
    counted: int
    expected: int


@dataclass(frozen=True)
class BoardResult:
    project: SkillProject
    division: Division
    lines: tuple[Line, ...]

    @property
    def counted(self) -> int:
        return sum(line.counted for line in self.lines)

    @property
    def expected(self) -> int:
        return sum(line.expected for line in self.lines)


def settings_for(project: SkillProject, competition: Competition) -> BoardSettings:
    scale = ScaleSettings(project.scale_centre, project.scale_k) if project.use_scale else None
    merit = competition.merit_award
    if merit == "medallion" and scale is None:
        merit = "none"  # the Medallion needs the scale; a project without it gives medals only
    return BoardSettings(chain=parse_chain(project.tie_break_chain),
                         awards=AwardSettings(medals=competition.medal_count, merit=merit),
                         scale=scale)


@dataclass(frozen=True)
class _Standing:
    total: float
    judgement_total: float
    module_totals: Mapping[str, float]
    passed: bool
    counted: int
    expected: int


_BOARD_COLUMNS = (
    select(Competitor.id, Competitor.name, Competitor.delegation_id, Delegation.name,
           Competitor.workstation, Competitor.status, Competitor.completed_at,
           Competitor.tie_position, CompetitorResult.total, CompetitorResult.judgement_total,
           CompetitorResult.module_totals, CompetitorResult.passed,
           CompetitorResult.aspects_counted, CompetitorResult.aspects_expected)
    .join(Delegation, Competitor.delegation_id == Delegation.id)
    .add_columns(Competitor.project_id, Competitor.division_id)
    .outerjoin(CompetitorResult, CompetitorResult.competitor_id == Competitor.id))
_BOARD = (_BOARD_COLUMNS.where(Competitor.project_id == bindparam("project_id"),
                               Competitor.division_id == bindparam("division_id"))
          .order_by(Competitor.id))


def board(project: SkillProject, division: Division, as_of: datetime | None = None
          ) -> BoardResult:
    """The board now (from stored totals), or as the marks stood at `as_of`. One query of
    plain rows: this runs for every live update."""
    found = db.session.execute(_BOARD, {"project_id": project.id, "division_id": division.id}
                               ).all()
    standings = (_standings_as_of(project, [r[0] for r in found], as_of) if as_of is not None
                 else _stored(found))
    return _board_from_rows(project, division, found, standings)


def _board_from_rows(project: SkillProject, division: Division, found: Sequence[Any],
                     standings: Mapping[int, _Standing]) -> BoardResult:
    if all(r[0] in standings for r in found):
        zero = _Standing(0.0, 0.0, {}, True, 0, 0)  # not used: everyone has totals
    else:
        zero = _Standing(0.0, 0.0, {}, True, 0, len(aspects_of(project.id)))
    entries, passed = [], {}
    for r in found:
        standing = standings.get(r[0], zero)
        passed[r[0]] = standing.passed
        entries.append(Entry(
            key=r[0], total=standing.total, judgement_total=standing.judgement_total,
            module_totals=tuple(sorted(standing.module_totals.items())),
            completed_at=r.completed_at, chief_position=r.tie_position,
            # Nobody is ranked before any of their aspects counts: an all-zero board
            # would otherwise hand out medals in id order.
            ranked=r.status is CompetitorStatus.ACTIVE and standing.counted > 0))
    rows = compute_board(entries, settings_for(project, project.competition), passed)
    by_id = {r[0]: r for r in found}
    lines = tuple(_line(row, by_id[row.key], standings.get(row.key, zero)) for row in rows)
    return BoardResult(project, division, lines)


def _line(row: Row, who: Any, standing: _Standing) -> Line:
    return Line(row.key, who[1], who[2], who[3], who.workstation, who.status, row.rank,
                displayed(row.total), row.scale_score, row.award, row.tie, standing.counted,
                standing.expected)


def _standings_as_of(project: SkillProject, ids: Sequence[int], moment: datetime
                     ) -> dict[int, _Standing]:
    """Totals from each mark's latest version stored at or before `moment`: the marks
    history is append-only, so this view of the past never changes."""
    if not ids:
        return {}
    latest = (select(MarkVersion.mark_id, func.max(MarkVersion.version).label("version"))
              .where(MarkVersion.server_time <= moment).group_by(MarkVersion.mark_id)
              .subquery())
    rows = db.session.execute(
        select(Mark.competitor_id, Mark.aspect_id, MarkVersion.value)
        .join(latest, latest.c.mark_id == Mark.id)
        .join(MarkVersion, (MarkVersion.mark_id == Mark.id)
              & (MarkVersion.version == latest.c.version))
        .where(Mark.competitor_id.in_(ids)))
    values: dict[int, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for competitor_id, aspect_id, value in rows:
        values[competitor_id][aspect_id].append(value)
    aspects = aspects_of(project.id)
    rule = PanelRule(size=project.panel_size, drop_extremes=project.trim_panel)
    theory = dict(db.session.execute(select(Competitor.id, Competitor.theory_score).where(
        Competitor.id.in_(ids))).all())
    standings = {}
    for competitor_id in ids:
        totals = competitor_totals(aspects, values.get(competitor_id, {}), rule)
        total, passed = _final_total(project, theory.get(competitor_id), totals)
        standings[competitor_id] = _Standing(
            total, float(totals.judgement_total),
            {k: float(v) for k, v in totals.module_totals.items()}, passed,
            totals.counted, totals.expected)
    return standings


def boards_of(competition: Competition) -> Iterable[tuple[SkillProject, Division]]:
    for project in competition.projects:
        for division in project.divisions:
            yield project, division


# ------------------------------------------------------------------ the whole event


def competition_boards(competition: Competition) -> list[BoardResult]:
    """Every board of the event from the stored totals: one query, then a re-sort per
    board. This is what a full results recompute costs once totals are kept per mark."""
    # The projects with their divisions in one more query, not one per project (held
    # here: the session keeps only weak references).
    projects = db.session.scalars(
        select(SkillProject).where(SkillProject.competition_id == competition.id)
        .options(selectinload(SkillProject.divisions))).all()
    found = db.session.execute(
        _BOARD_COLUMNS.where(Competitor.competition_id == competition.id)
        .order_by(Competitor.id)).all()
    boards = list(_boards_from_rows(competition, found))
    del projects
    return boards


def _boards_from_rows(competition: Competition, found: Sequence[Any]
                      ) -> Iterable[BoardResult]:
    by_board: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for r in found:
        by_board[(r.project_id, r.division_id)].append(r)
    for project, division in boards_of(competition):
        rows = by_board.get((project.id, division.id), [])
        yield _board_from_rows(project, division, rows, _stored(rows))


def _stored(found: Sequence[Any]) -> dict[int, _Standing]:
    return {r[0]: _Standing(r.total, r.judgement_total, r.module_totals, r.passed,
                            r.aspects_counted, r.aspects_expected)
            for r in found if r.total is not None}
