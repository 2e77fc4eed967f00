"""Competitor and judge sheets: columns, and each row checked on its own and against the
rest of the file. What needs the database (an ID number, a workstation or a chief judge
already stored) is checked by the service on the rows this returns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from app.domain.identity import IdNumberError, validate_id_number
from app.domain.sheets import (
    Cell,
    ColumnSpec,
    RowError,
    Table,
    check_length,
    groups_of_duplicates,
    key_text,
    parse_division,
    parse_level,
    parse_role,
)
from app.domain.vocabulary import DivisionKind, JudgeRole

V = TypeVar("V")

COMPETITOR_COLUMNS = (
    ColumnSpec("name", "姓名", "name", max_length=50),
    ColumnSpec("id_number", "身份证号", "id_number"),
    ColumnSpec("project_code", "赛项代码", "project_code"),
    ColumnSpec("division", "组别", "division"),
    ColumnSpec("delegation", "代表队", "delegation"),
    ColumnSpec("employer", "工作单位或学校", "employer", max_length=200),
    ColumnSpec("current_level", "现技能等级", "current_level"),
    ColumnSpec("workstation", "工位号", "workstation", required=False, max_length=20),
    ColumnSpec("team_code", "团队编号", "team_code", required=False, max_length=20),
)

JUDGE_COLUMNS = (
    ColumnSpec("name", "姓名", "name", max_length=50),
    ColumnSpec("id_number", "身份证号", "id_number"),
    ColumnSpec("delegation", "代表队", "delegation", required=False),
    ColumnSpec("employer", "工作单位", "employer", max_length=200),
    ColumnSpec("project_code", "赛项代码", "project_code"),
    ColumnSpec("role", "角色", "role"),
)


@dataclass(frozen=True)
class Roster:
    """What the file may refer to, as matching keys (see `key_text`)."""

    projects: dict[str, frozenset[DivisionKind]]  # project code -> its divisions
    delegations: frozenset[str]


@dataclass(frozen=True)
class CompetitorRow:
    row: int
    name: str
    id_number: str  # validated and normalised
    project: str  # key of the project code
    division: DivisionKind
    delegation: str  # key of the delegation name
    employer: str
    current_level: int | None
    workstation: str | None
    team_code: str | None


@dataclass(frozen=True)
class JudgeRow:
    row: int
    name: str
    id_number: str
    delegation: str | None
    employer: str
    project: str
    role: JudgeRole


R = TypeVar("R", CompetitorRow, JudgeRow)


@dataclass
class Checked(Generic[R]):
    rows: list[R] = field(default_factory=list)  # rows with no error
    errors: list[RowError] = field(default_factory=list)


class _Row:
    """One row being read: collects its errors, and gives each cell as text."""

    def __init__(self, table: Table, number: int, cells: Sequence[Cell]) -> None:
        self.table, self.number, self.cells = table, number, cells
        self.errors: list[RowError] = []

    def text(self, key: str) -> str:
        return self.table.text(self.cells, key)

    def fail(self, key: str, code: str, **params: object) -> None:
        self.errors.append(
            RowError(self.number, self.table.header(key), self.text(key), code, params))

    def required(self, key: str) -> str:
        value = self.text(key)
        if not value:
            self.fail(key, "required")
        elif (problem := check_length(self.table, self.number, key, value)) is not None:
            self.errors.append(problem)
        return value

    def optional(self, key: str) -> str:
        value = self.text(key)
        if value and (problem := check_length(self.table, self.number, key, value)):
            self.errors.append(problem)
        return value

    def id_number(self) -> str:
        raw = self.table.raw(self.cells, "id_number")
        if isinstance(raw, float):
            # Excel kept the number as a float: its last digits are already gone.
            self.fail("id_number", "id_as_number")
            return ""
        if not self.text("id_number"):
            self.fail("id_number", "required")
            return ""
        try:
            return validate_id_number(self.text("id_number"))
        except IdNumberError as error:
            self.fail("id_number", f"id_{error.code}")
            return ""

    def parsed(self, key: str, parse: Callable[[str], V], code: str) -> V | None:
        try:
            return parse(self.text(key))
        except ValueError:
            self.fail(key, code)
            return None


def check_competitors(table: Table, roster: Roster) -> Checked[CompetitorRow]:
    candidates: list[tuple[CompetitorRow, list[RowError]]] = []
    for number, cells in table.rows:
        r = _Row(table, number, cells)
        name = r.required("name")
        id_number = r.id_number()
        project = key_text(r.required("project_code"))
        divisions = roster.projects.get(project)
        if project and divisions is None:
            r.fail("project_code", "unknown_project")
        division = r.parsed("division", parse_division, "division_invalid") \
            if r.required("division") else None
        if division is not None and divisions is not None and division not in divisions:
            r.fail("division", "division_not_in_project", project=r.text("project_code"))
        delegation = key_text(r.required("delegation"))
        if delegation and delegation not in roster.delegations:
            r.fail("delegation", "unknown_delegation")
        employer = r.optional("employer")
        level = r.parsed("current_level", parse_level, "level_invalid")
        workstation = r.optional("workstation") or None
        team_code = r.optional("team_code") or None
        row = CompetitorRow(number, name, id_number, project, division or DivisionKind.EMPLOYEE,
                            delegation, employer, level, workstation, team_code)
        candidates.append((row, r.errors))
    _flag(table, candidates, "id_number", "duplicate_id_number",
          lambda c: c.id_number or None)
    _flag(table, candidates, "workstation", "duplicate_workstation",
          lambda c: (c.project, key_text(c.workstation)) if c.workstation else None)
    return _split(candidates)


def check_judges(table: Table, roster: Roster) -> Checked[JudgeRow]:
    candidates: list[tuple[JudgeRow, list[RowError]]] = []
    for number, cells in table.rows:
        r = _Row(table, number, cells)
        name = r.required("name")
        id_number = r.id_number()
        delegation = key_text(r.optional("delegation")) or None
        if delegation and delegation not in roster.delegations:
            r.fail("delegation", "unknown_delegation")
        employer = r.optional("employer")
        project = key_text(r.required("project_code"))
        if project and project not in roster.projects:
            r.fail("project_code", "unknown_project")
        role = r.parsed("role", parse_role, "role_invalid") if r.required("role") else None
        row = JudgeRow(number, name, id_number, delegation, employer, project,
                       role or JudgeRole.JUDGE)
        candidates.append((row, r.errors))
    _flag(table, candidates, "project_code", "duplicate_assignment",
          lambda j: (j.id_number, j.project) if j.id_number and j.project else None)
    _flag(table, candidates, "role", "several_chiefs",
          lambda j: j.project if j.project and j.role is JudgeRole.CHIEF else None)
    _flag_differing_details(table, candidates)
    return _split(candidates)


def _flag(table: Table, candidates: list[tuple[R, list[RowError]]], key: str, code: str,
          key_of: Callable[[R], object]) -> None:
    """Every row of a group sharing a key gets an error naming the other rows, so that
    none of them is imported silently with "only the valid rows"."""
    keyed = [(k, row.row) for row, _ in candidates if (k := key_of(row)) is not None]
    others = groups_of_duplicates(keyed)
    cells = dict(table.rows)
    for row, errors in candidates:
        if row.row in others:
            errors.append(RowError(row.row, table.header(key), table.text(cells[row.row], key),
                                   code, {"rows": ", ".join(map(str, others[row.row]))}))


def _flag_differing_details(table: Table,
                            candidates: list[tuple[JudgeRow, list[RowError]]]) -> None:
    """A judge on several projects takes one row per project; the person's own details
    must then agree, or the last row would silently win."""
    first: dict[str, JudgeRow] = {}
    cells = dict(table.rows)
    for row, errors in candidates:
        if not row.id_number:
            continue
        seen = first.setdefault(row.id_number, row)
        for key, mine, theirs in (("name", row.name, seen.name),
                                  ("delegation", row.delegation, seen.delegation),
                                  ("employer", row.employer, seen.employer)):
            if mine != theirs:
                errors.append(RowError(row.row, table.header(key),
                                       table.text(cells[row.row], key),
                                       "details_differ", {"row": seen.row}))


def _split(candidates: list[tuple[R, list[RowError]]]) -> Checked[R]:
    result: Checked[R] = Checked()
    for row, errors in candidates:
        if errors:
            result.errors.extend(errors)
        else:
            result.rows.append(row)
    return result
