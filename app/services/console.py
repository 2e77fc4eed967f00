"""The chief judge's console, read side: who may watch a project, the marking grid of a
module (competitors × aspects × judges), the queue of panels out of tolerance, and every
version of every mark of a competitor, with its .xlsx export.

Nothing here writes. The grid is computed from the current marks with the same domain
rules the marking service applies, so the console and the tablets never disagree.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy import select

from app.domain.marking import PanelRule, PanelStatus, conflict_blocks, judgement_panel
from app.domain.vocabulary import AspectType, CompetitorStatus, JudgeRole, UserRole
from app.extensions import db
from app.models import (
    Aspect,
    Competition,
    Competitor,
    Judge,
    JudgeAssignment,
    Mark,
    MarkingScheme,
    MarkVersion,
    Module,
    ModuleLockEvent,
    SkillProject,
    Substitute,
    User,
)
from app.services import judging

# An aspect of one competitor, as the console colours it.
EMPTY, DRAFT, REDISCUSS, SUBMITTED = "empty", "draft", "rediscuss", "submitted"
STATUSES = (EMPTY, DRAFT, REDISCUSS, SUBMITTED)

# Roles that watch every project read-only: supervision and arbitration read everything
# (domain.md §2), organisers run the event. Chief judges watch only their own projects.
READ_ONLY_ROLES = (UserRole.SUPERVISOR, UserRole.ORGANISER)


# ------------------------------------------------------------------ who may watch and act


def chief_judge(user: User, project: SkillProject) -> Judge | None:
    """The judge record through which this user is the project's chief judge, if any."""
    if user.role is not UserRole.CHIEF_JUDGE or not user.active:
        return None
    judge: Judge | None = db.session.scalar(
        select(Judge).join(JudgeAssignment)
        .where(Judge.user_id == user.id, JudgeAssignment.project_id == project.id,
               JudgeAssignment.role == JudgeRole.CHIEF))
    return judge


def is_chief(user: User, project: SkillProject) -> bool:
    """Only the project's own chief judge signs off, unlocks, issues codes and substitutes."""
    return chief_judge(user, project) is not None


def may_watch(user: User, project: SkillProject) -> bool:
    if not user.active:
        return False
    return user.role in READ_ONLY_ROLES or is_chief(user, project)


def watchable_projects(user: User) -> list[SkillProject]:
    query = select(SkillProject).join(Competition).order_by(
        Competition.year.desc(), Competition.name, SkillProject.code)
    if user.role in READ_ONLY_ROLES:
        return list(db.session.scalars(query))
    if user.role is not UserRole.CHIEF_JUDGE:
        return []
    return list(db.session.scalars(
        query.join(JudgeAssignment, JudgeAssignment.project_id == SkillProject.id)
        .join(Judge, Judge.id == JudgeAssignment.judge_id)
        .where(Judge.user_id == user.id, JudgeAssignment.role == JudgeRole.CHIEF)))


# ------------------------------------------------------------------ the project's people


def scheme_of(project: SkillProject) -> MarkingScheme | None:
    scheme: MarkingScheme | None = db.session.scalar(
        select(MarkingScheme).where(MarkingScheme.project_id == project.id))
    return scheme


def active_competitors(project: SkillProject) -> list[Competitor]:
    return list(db.session.scalars(
        select(Competitor).where(Competitor.project_id == project.id,
                                 Competitor.status == CompetitorStatus.ACTIVE)
        .order_by(Competitor.workstation, Competitor.id)))


def panel_judges(project: SkillProject) -> list[Judge]:
    """The project's marking panel (裁判员), in a stable order."""
    return list(db.session.scalars(
        select(Judge).join(JudgeAssignment)
        .where(JudgeAssignment.project_id == project.id, JudgeAssignment.role == JudgeRole.JUDGE)
        .order_by(Judge.name, Judge.id)))


def project_substitutes(project: SkillProject) -> list[Substitute]:
    return list(db.session.scalars(
        select(Substitute).join(Competitor, Competitor.id == Substitute.competitor_id)
        .where(Competitor.project_id == project.id).order_by(Substitute.id)))


def competitor_label(competitor: Competitor, project: SkillProject) -> str:
    """工位号 only when the project marks encrypted entries; otherwise the name too."""
    station = competitor.workstation or f"#{competitor.id}"
    return station if project.encrypted else f"{station} {competitor.name}"


# ------------------------------------------------------------------ the grid


@dataclass(frozen=True)
class Column:
    """A judge column of the grid; a substitute scores only the competitors they replace for."""

    judge_id: int
    name: str
    substitute: bool


@dataclass(frozen=True)
class Entry:
    judge_id: int
    value: float
    version: int


@dataclass(frozen=True)
class Cell:
    """One aspect of one competitor: each judge's current mark and what they add up to."""

    aspect: Aspect
    status: str
    entries: dict[int, Entry]
    conflicted: frozenset[int]  # judges who may not score this competitor here (回避)
    eligible: frozenset[int]  # judges who may: the panel without conflicts, and substitutes
    mark: float | None  # the aspect mark once it counts
    spread: int | None  # J: max − min of the counted scores

    def entry(self, judge_id: int) -> Entry | None:
        return self.entries.get(judge_id)

    @property
    def values(self) -> list[float]:
        return [e.value for e in self.entries.values()]


@dataclass(frozen=True)
class Row:
    competitor_id: int
    workstation: str | None
    name: str | None  # None on encrypted projects: the console never holds it
    label: str
    cells: list[Cell]

    @property
    def total(self) -> float:
        """The module marks that count so far (aspects whose panel agreed)."""
        return sum(c.mark for c in self.cells if c.mark is not None)

    @property
    def complete(self) -> bool:
        return all(c.status == SUBMITTED for c in self.cells)


@dataclass(frozen=True)
class Progress:
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts.get(SUBMITTED, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class Blocker:
    """Why a module cannot be signed off yet: one aspect of one competitor."""

    competitor_id: int
    label: str
    aspect_code: str
    status: str  # empty | draft | rediscuss


@dataclass(frozen=True)
class Grid:
    project: SkillProject
    module: Module
    aspects: list[Aspect]
    columns: list[Column]
    rows: list[Row]

    @property
    def locked(self) -> bool:
        return self.module.locked_at is not None

    @property
    def judge_names(self) -> dict[int, str]:
        return {c.judge_id: c.name for c in self.columns}

    @property
    def progress(self) -> Progress:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            for cell in row.cells:
                counts[cell.status] += 1
        return Progress(counts)

    def blockers(self) -> list[Blocker]:
        return [Blocker(row.competitor_id, row.label, aspect_code(cell.aspect), cell.status)
                for row in self.rows for cell in row.cells if cell.status != SUBMITTED]


def aspect_code(aspect: Aspect) -> str:
    return f"{aspect.module.letter}{aspect.position}"


def module_grid(project: SkillProject, module: Module) -> Grid:
    """Competitors × aspects × judges for one module, from a handful of queries."""
    competitors = active_competitors(project)
    panel = panel_judges(project)
    substitutes = project_substitutes(project)
    columns = [Column(j.id, j.name, False) for j in panel]
    seen = {j.id for j in panel}
    for sub in substitutes:
        if sub.judge_id not in seen:
            seen.add(sub.judge_id)
            columns.append(Column(sub.judge_id, sub.judge.name, True))
    subs_by_competitor: dict[int, set[int]] = defaultdict(set)
    for sub in substitutes:
        subs_by_competitor[sub.competitor_id].add(sub.judge_id)

    aspects = list(module.aspects)
    entries = _entries([a.id for a in aspects], [c.id for c in competitors])
    # Marks of a judge since taken off the panel still count, so they are shown too.
    others = {judge_id for by_judge in entries.values() for judge_id in by_judge} - seen
    for judge in _judges(others):
        columns.append(Column(judge.id, judge.name, False))
    rule = judging.panel_rule(project)
    rows = []
    for competitor in competitors:
        conflicted = frozenset(j.id for j in panel if judging.has_conflict(j, competitor))
        cells = []
        for aspect in aspects:
            blocks = conflict_blocks(aspect.kind is AspectType.JUDGEMENT,
                                     project.block_conflicted_measurement)
            blocked = conflicted if blocks else frozenset()
            eligible = frozenset({j.id for j in panel} - blocked) | frozenset(
                subs_by_competitor[competitor.id])
            cells.append(_cell(aspect, entries.get((competitor.id, aspect.id), {}), blocked,
                               eligible, rule))
        rows.append(Row(competitor.id, competitor.workstation,
                        None if project.encrypted else competitor.name,
                        competitor_label(competitor, project), cells))
    return Grid(project, module, aspects, columns, rows)


def _judges(ids: set[int]) -> list[Judge]:
    if not ids:
        return []
    return list(db.session.scalars(select(Judge).where(Judge.id.in_(ids)).order_by(Judge.name)))


def _entries(aspect_ids: list[int], competitor_ids: list[int]
             ) -> dict[tuple[int, int], dict[int, Entry]]:
    found: dict[tuple[int, int], dict[int, Entry]] = defaultdict(dict)
    if not aspect_ids or not competitor_ids:
        return found
    for mark in db.session.scalars(select(Mark).where(Mark.aspect_id.in_(aspect_ids),
                                                      Mark.competitor_id.in_(competitor_ids))):
        found[(mark.competitor_id, mark.aspect_id)][mark.judge_id] = Entry(
            mark.judge_id, mark.value, mark.version)
    return found


def _cell(aspect: Aspect, entries: dict[int, Entry], conflicted: frozenset[int],
          eligible: frozenset[int], rule: PanelRule) -> Cell:
    values = [e.value for e in entries.values()]
    if not values:
        return Cell(aspect, EMPTY, entries, conflicted, eligible, None, None)
    if aspect.kind is AspectType.MEASUREMENT:
        # One agreed entry is enough; two judges who entered different values must agree
        # before the aspect counts (domain.md §3: "a second judge confirms it").
        if len(set(values)) == 1:
            return Cell(aspect, SUBMITTED, entries, conflicted, eligible, values[0], None)
        return Cell(aspect, REDISCUSS, entries, conflicted, eligible, None, None)
    # Every mark counts, as in app.services.marking.aspect_status, so both agree.
    result = judgement_panel(aspect.max_mark, [int(v) for v in values], rule)
    status = {PanelStatus.INCOMPLETE: DRAFT, PanelStatus.OUT_OF_TOLERANCE: REDISCUSS,
              PanelStatus.AGREED: SUBMITTED}[result.status]
    mark = float(result.mark) if result.mark is not None else None
    return Cell(aspect, status, entries, conflicted, eligible, mark, result.spread)


# ------------------------------------------------------------------ the tolerance queue


@dataclass(frozen=True)
class Disagreement:
    """A panel out of tolerance (J) or measurement entries that differ (M)."""

    module: Module
    aspect: Aspect
    competitor_id: int
    label: str
    scores: list[tuple[str, float]]  # (judge name, value), highest first
    spread: float


def disagreements(project: SkillProject) -> list[Disagreement]:
    """Every aspect the panel must re-discuss, across the project's unlocked modules."""
    scheme = scheme_of(project)
    if scheme is None:
        return []
    names = _judge_names(project)
    found = []
    for module in scheme.modules:
        if module.locked_at is not None:
            continue
        for row in module_grid(project, module).rows:
            for cell in row.cells:
                if cell.status != REDISCUSS:
                    continue
                scores = sorted(((names.get(e.judge_id, "?"), e.value)
                                 for e in cell.entries.values()), key=lambda s: -s[1])
                found.append(Disagreement(module, cell.aspect, row.competitor_id, row.label,
                                          scores, max(cell.values) - min(cell.values)))
    return found


def _judge_names(project: SkillProject) -> dict[int, str]:
    return dict(db.session.execute(
        select(Judge.id, Judge.name).where(Judge.competition_id == project.competition_id)
    ).all())


# ------------------------------------------------------------------ lock log


def lock_events(module: Module) -> list[ModuleLockEvent]:
    return list(db.session.scalars(
        select(ModuleLockEvent).where(ModuleLockEvent.module_id == module.id)
        .order_by(ModuleLockEvent.at.desc(), ModuleLockEvent.id.desc())))


# ------------------------------------------------------------------ history and export


@dataclass(frozen=True)
class HistoryLine:
    """One version of one mark: who, when (server and tablet), which device, old → new, why."""

    server_time: datetime
    tablet_time: datetime | None
    aspect_code: str
    aspect_description: str
    kind: str
    judge_name: str
    username: str
    device_id: str
    previous_value: float | None
    value: float
    version: int
    reason: str


def competitor_history(competitor: Competitor) -> list[HistoryLine]:
    rows = db.session.execute(
        select(MarkVersion, Mark, Aspect, Module, Judge, User)
        .join(Mark, Mark.id == MarkVersion.mark_id)
        .join(Aspect, Aspect.id == Mark.aspect_id)
        .join(Module, Module.id == Aspect.module_id)
        .join(Judge, Judge.id == Mark.judge_id)
        .join(User, User.id == MarkVersion.user_id)
        .where(Mark.competitor_id == competitor.id)
        .order_by(MarkVersion.server_time, MarkVersion.id)).all()
    return [HistoryLine(v.server_time, v.tablet_time, f"{module.letter}{aspect.position}",
                        aspect.description, aspect.kind.value, judge.name, user.username,
                        v.device_id, v.previous_value, v.value, v.version, v.reason)
            for v, _mark, aspect, module, judge, user in rows]


def history_xlsx(title: str, headers: list[str], lines: Iterable[HistoryLine],
                 zone: tzinfo) -> bytes:
    """The history as a workbook. Times are shown in the event's time zone (Excel keeps no
    zone), and values as numbers so they can be summed."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "history"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF6")
    for line in lines:
        sheet.append([
            _local(line.server_time, zone), _local(line.tablet_time, zone), line.aspect_code,
            line.kind, line.aspect_description, line.judge_name, line.username, line.device_id,
            line.previous_value, line.value, line.version, line.reason])
    for column, width in zip("ABCDEFGHIJKL", (20, 20, 8, 6, 28, 14, 14, 18, 10, 10, 8, 40),
                             strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3, max_col=2):
        for cell in row:
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
            cell.alignment = Alignment(horizontal="left")
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _local(moment: datetime | None, zone: tzinfo) -> datetime | None:
    return moment.astimezone(zone).replace(tzinfo=None) if moment is not None else None
