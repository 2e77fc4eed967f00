"""Importing competitors and judges into one competition, upserting by ID number.

Each function checks the table, adds the database checks (a workstation or a chief
judge already taken by someone else), and writes the good rows into the current
transaction through `app.services.people`. It never commits: the caller previews
(rolls back) or confirms (commits)."""

from __future__ import annotations

from sqlalchemy import select

from app.domain.identity import mask_last4
from app.domain.sheet_people import Roster, check_competitors, check_judges
from app.domain.sheets import RowError, Table, key_text
from app.domain.vocabulary import JudgeRole
from app.extensions import db
from app.models import Competition, Competitor, Judge, JudgeAssignment
from app.services.imports.outcome import Outcome, status_of
from app.services.people import (
    CompetitorInput,
    JudgeInput,
    put_assignment,
    put_competitor,
    put_judge,
)
from app.services.protection import id_hash


def _roster(competition: Competition) -> Roster:
    return Roster(
        projects={key_text(p.code): frozenset(d.kind for d in p.divisions)
                  for p in competition.projects},
        delegations=frozenset(key_text(d.name) for d in competition.delegations),
    )


def import_competitors(competition: Competition, table: Table) -> Outcome:
    checked = check_competitors(table, _roster(competition))
    outcome = Outcome(errors=list(checked.errors))
    projects = {key_text(p.code): p for p in competition.projects}
    delegations = {key_text(d.name): d for d in competition.delegations}
    existing = {c.id_hash: c for c in db.session.scalars(
        select(Competitor).where(Competitor.competition_id == competition.id))}
    hashes = {row.row: id_hash(row.id_number) for row in checked.rows}
    in_file = set(hashes.values())
    holders = {(c.project_id, key_text(c.workstation)): c for c in existing.values()
               if c.workstation}
    rows = []
    for row in checked.rows:
        project = projects[row.project]
        holder = holders.get((project.id, key_text(row.workstation or "")))
        if row.workstation and holder and holder.id_hash not in in_file:
            outcome.errors.append(RowError(row.row, table.header("workstation"), row.workstation,
                                           "workstation_taken", {"name": holder.name}))
        else:
            rows.append(row)
    # Free the workstations of people who move, so swapping two numbers in one file does
    # not trip the (project, workstation) unique constraint half-way through.
    moving = [existing[hashes[r.row]] for r in rows if hashes[r.row] in existing
              and (existing[hashes[r.row]].project_id, existing[hashes[r.row]].workstation)
              != (projects[r.project].id, r.workstation)]
    for person in moving:
        person.workstation = None
    db.session.flush()
    # One flush at the end instead of one per row (put_competitor's lookup would autoflush):
    # the file has no duplicate ID numbers, so no row needs to see an earlier row's insert.
    with db.session.no_autoflush:
        for row in rows:
            project = projects[row.project]
            division = next(d for d in project.divisions if d.kind is row.division)
            person, changed = put_competitor(competition, CompetitorInput(
                name=row.name, id_number=row.id_number, project=project, division=division,
                delegation=delegations[row.delegation], employer=row.employer,
                current_level=row.current_level, workstation=row.workstation,
                team_code=row.team_code))
            outcome.count(status_of(hashes[row.row] not in existing, changed), {
                "row": row.row, "name": person.name, "id_number": mask_last4(person.id_last4),
                "project": project.code, "division": row.division.value,
                "delegation": delegations[row.delegation].name, "employer": person.employer,
                "current_level": row.current_level, "workstation": row.workstation or "",
                "team_code": row.team_code or ""})
    db.session.flush()
    outcome.errors.sort(key=lambda e: e.row)
    return outcome


def import_judges(competition: Competition, table: Table) -> Outcome:
    checked = check_judges(table, _roster(competition))
    outcome = Outcome(errors=list(checked.errors))
    projects = {key_text(p.code): p for p in competition.projects}
    delegations = {key_text(d.name): d for d in competition.delegations}
    hashes = {row.row: id_hash(row.id_number) for row in checked.rows}
    stored = db.session.execute(
        select(Judge.id_hash, Judge.name, JudgeAssignment.project_id, JudgeAssignment.role)
        .join(JudgeAssignment.judge).where(Judge.competition_id == competition.id)).all()
    assigned = {(s.id_hash, s.project_id) for s in stored}
    in_file = {(hashes[r.row], projects[r.project].id) for r in checked.rows}
    # A stored chief judge the file does not re-assign stays chief: a second one is refused.
    chiefs = {s.project_id: s.name for s in stored
              if s.role is JudgeRole.CHIEF and (s.id_hash, s.project_id) not in in_file}
    cells = dict(table.rows)
    rows = []
    for row in checked.rows:
        chief = chiefs.get(projects[row.project].id)
        if row.role is JudgeRole.CHIEF and chief is not None:
            outcome.errors.append(RowError(row.row, table.header("role"),
                                           table.text(cells[row.row], "role"),
                                           "chief_exists", {"name": chief}))
        else:
            rows.append(row)
    for row in rows:
        project = projects[row.project]
        judge, judge_changed = put_judge(competition, JudgeInput(
            name=row.name, id_number=row.id_number,
            delegation=delegations[row.delegation] if row.delegation else None,
            employer=row.employer))
        role_changed = put_assignment(judge, project, row.role)
        created = (hashes[row.row], project.id) not in assigned
        outcome.count(status_of(created, judge_changed or role_changed), {
            "row": row.row, "name": judge.name, "id_number": mask_last4(judge.id_last4),
            "delegation": delegations[row.delegation].name if row.delegation else "",
            "employer": judge.employer, "project": project.code, "role": row.role.value})
    outcome.errors.sort(key=lambda e: e.row)
    return outcome
