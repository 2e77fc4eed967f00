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

from sqlalchemy import bindparam, func, select

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
_COMPETITOR = (
    select(Competitor.project_id, Competitor.division_id, Competitor.theory_score,
           SkillProject.panel_size, SkillProject.trim_panel, SkillProject.marking_method,
           SkillProject.theory_weight, SkillProject.theory_pass, SkillProject.practical_pass)
    .join(SkillProject, Competitor.project_id == SkillProject.id)
    .where(Competitor.id == bindparam("competitor_id")))
_MARKS = select(Mark.aspect_id, Mark.value).where(Mark.competitor_id == bindparam("competitor_id"))


# ------------------------------------------------------------------ one competitor's totals


def aspects_of(project_id: int) -> list[AspectSpec]:
    return [AspectSpec(id_, letter, kind is AspectType.JUDGEMENT, max_mark)
            for id_, letter, kind, max_mark in db.session.execute(
                _ASPECTS, {"project_id": project_id})]


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
    stored = db.session.get(CompetitorResult, competitor_id)
    if stored is None:
        stored = CompetitorResult(competitor_id=competitor_id)
        db.session.add(stored)
    stored.project_id, stored.division_id = who.project_id, who.division_id
    stored.total, stored.passed = total, passed
    stored.judgement_total = float(totals.judgement_total)
    stored.module_totals = {letter: float(v) for letter, v in totals.module_totals.items()}
    stored.aspects_counted, stored.aspects_expected = totals.counted, totals.expected
    stored.updated_at = utcnow()


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
    return classic_total(theory_score or 0.0, float(totals.total),
                         theory_weight=method.theory_weight,
                         practical_weight=1 - method.theory_weight,
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


def board(project: SkillProject, division: Division, as_of: datetime | None = None
          ) -> BoardResult:
    """The board now (from stored totals), or as the marks stood at `as_of`."""
    competitors = list(db.session.execute(
        select(Competitor, Delegation.name)
        .join(Delegation, Competitor.delegation_id == Delegation.id)
        .where(Competitor.project_id == project.id, Competitor.division_id == division.id)
        .order_by(Competitor.id)))
    ids = [c.id for c, _ in competitors]
    standings = (_standings_as_of(project, ids, as_of) if as_of is not None
                 else _stored_standings(ids))
    zero = _Standing(0.0, 0.0, {}, True, 0, len(aspects_of(project.id)) if ids else 0)
    entries, passed = [], {}
    for competitor, _ in competitors:
        standing = standings.get(competitor.id, zero)
        passed[competitor.id] = standing.passed
        entries.append(Entry(
            key=competitor.id, total=standing.total, judgement_total=standing.judgement_total,
            module_totals=tuple(sorted(standing.module_totals.items())),
            completed_at=competitor.completed_at, chief_position=competitor.tie_position,
            # Nobody is ranked before any of their aspects counts: an all-zero board
            # would otherwise hand out medals in id order.
            ranked=competitor.status is CompetitorStatus.ACTIVE and standing.counted > 0))
    rows = compute_board(entries, settings_for(project, project.competition), passed)
    by_id = {c.id: (c, delegation) for c, delegation in competitors}
    lines = tuple(_line(row, *by_id[row.key], standings.get(row.key, zero)) for row in rows)
    return BoardResult(project, division, lines)


def _line(row: Row, competitor: Competitor, delegation: str, standing: _Standing) -> Line:
    return Line(competitor.id, competitor.name, competitor.delegation_id, delegation,
                competitor.workstation, competitor.status, row.rank, displayed(row.total),
                row.scale_score, row.award, row.tie, standing.counted, standing.expected)


def _stored_standings(ids: Sequence[int]) -> dict[int, _Standing]:
    if not ids:
        return {}
    return {r.competitor_id: _Standing(r.total, r.judgement_total, r.module_totals, r.passed,
                                       r.aspects_counted, r.aspects_expected)
            for r in db.session.scalars(select(CompetitorResult).where(
                CompetitorResult.competitor_id.in_(ids)))}


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
