"""Competitors and judges: the writes shared by the organiser's forms, imports and demo.

The `put_*` functions add or update rows in the current transaction and never commit:
the use case that calls them (a form save, an import, the demo seed) owns the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from app.domain.vocabulary import JudgeRole
from app.extensions import db
from app.models import (
    Competition,
    Competitor,
    Delegation,
    Division,
    Judge,
    JudgeAssignment,
    SkillProject,
)
from app.models.sqlite import IMMEDIATE
from app.realtime.publisher import refresh_board
from app.services import results
from app.services.editing import delete, save
from app.services.errors import ServiceError
from app.services.protection import protect


@dataclass(frozen=True)
class CompetitorInput:
    name: str
    id_number: str
    project: SkillProject
    division: Division
    delegation: Delegation
    employer: str = ""
    current_level: int | None = None
    occupation: str = ""
    workstation: str | None = None
    team_code: str | None = None


@dataclass(frozen=True)
class JudgeInput:
    name: str
    id_number: str
    delegation: Delegation | None = None
    employer: str = ""


def put_competitor(competition: Competition, data: CompetitorInput) -> tuple[Competitor, bool]:
    """Add or update the competitor with this ID number. Returns (row, changed)."""
    protected = protect(data.id_number)
    person = db.session.scalar(
        select(Competitor).where(
            Competitor.competition_id == competition.id, Competitor.id_hash == protected.id_hash
        )
    )
    created = person is None
    if person is None:
        person = Competitor(competition_id=competition.id, id_hash=protected.id_hash,
                            id_cipher=protected.id_cipher, id_last4=protected.id_last4)
        db.session.add(person)
    values = {
        "name": data.name.strip(),
        "project_id": data.project.id,
        "division_id": data.division.id,
        "delegation_id": data.delegation.id,
        "employer": data.employer.strip(),
        "current_level": data.current_level,
        "occupation": (data.occupation or data.project.occupation_name).strip(),
        "workstation": (data.workstation or "").strip() or None,
        "team_code": (data.team_code or "").strip() or None,
    }
    changed = _set(person, values) or created
    return person, changed


def put_judge(competition: Competition, data: JudgeInput) -> tuple[Judge, bool]:
    """Add or update the judge with this ID number. Returns (row, changed)."""
    protected = protect(data.id_number)
    judge = db.session.scalar(
        select(Judge).where(Judge.competition_id == competition.id,
                            Judge.id_hash == protected.id_hash)
    )
    created = judge is None
    if judge is None:
        judge = Judge(competition_id=competition.id, id_hash=protected.id_hash,
                      id_cipher=protected.id_cipher, id_last4=protected.id_last4)
        db.session.add(judge)
    values = {
        "name": data.name.strip(),
        "delegation_id": data.delegation.id if data.delegation else None,
        "employer": data.employer.strip(),
    }
    changed = _set(judge, values) or created
    return judge, changed


def put_assignment(judge: Judge, project: SkillProject, role: JudgeRole) -> bool:
    """Assign a judge to a project with a role (or change the role). Returns changed."""
    db.session.flush()
    row = db.session.scalar(
        select(JudgeAssignment).where(JudgeAssignment.judge_id == judge.id,
                                      JudgeAssignment.project_id == project.id)
    )
    if row is None:
        db.session.add(JudgeAssignment(judge_id=judge.id, project_id=project.id, role=role))
        return True
    return _set(row, {"role": role})


def _set(row: object, values: Mapping[str, object]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


def save_competitor(competition: Competition, competitor: Competitor | None,
                    values: dict[str, object], id_number: str | None) -> Competitor:
    """The organiser's competitor form. An empty `id_number` keeps the stored one."""
    division = db.session.get(Division, values.get("division_id"))
    if division is None or division.project_id != values.get("project_id"):
        raise ServiceError("division_not_in_project", "division_id")
    values = {**values}
    if not values.get("occupation"):
        values["occupation"] = division.project.occupation_name
    values.update(_id_values(competitor, id_number))
    before = (competitor.project_id, competitor.division_id) if competitor else None
    saved = save(competitor or Competitor(competition_id=competition.id), values,
                 competition_id=competition.id)
    # Status, theory score, finishing time or board may have changed: the totals and the
    # boards (both, when moved) follow, in a second short transaction (write lock first).
    if not db.session().in_transaction():  # an edit that changed nothing did not commit
        db.session.connection(execution_options=IMMEDIATE)
    results.refresh_competitor(saved.id)
    for project_id, division_id in {before or (saved.project_id, saved.division_id),
                                    (saved.project_id, saved.division_id)}:
        refresh_board(project_id, division_id)
    db.session.commit()
    return saved


def save_judge(competition: Competition, judge: Judge | None, values: dict[str, object],
               id_number: str | None) -> Judge:
    """The organiser's judge form. An empty `id_number` keeps the stored one."""
    values = {**values, **_id_values(judge, id_number)}
    return save(judge or Judge(competition_id=competition.id), values,
                competition_id=competition.id)


def _id_values(person: Competitor | Judge | None, id_number: str | None) -> dict[str, str]:
    """Columns for a typed ID number; none when left empty on an edit (keeps the stored one)."""
    if not id_number:
        if person is None:
            raise ServiceError("id_required", "id_number")
        return {}
    protected = protect(id_number)
    values = {"id_hash": protected.id_hash, "id_last4": protected.id_last4}
    if person is None or person.id_hash != protected.id_hash:
        values["id_cipher"] = protected.id_cipher
    return values


def assign_judge(judge: Judge, project: SkillProject, role: JudgeRole) -> JudgeAssignment:
    """Assign (or re-role) a judge on a project. A project has at most one chief judge."""
    if role is JudgeRole.CHIEF:
        chief = db.session.scalar(
            select(JudgeAssignment).where(JudgeAssignment.project_id == project.id,
                                          JudgeAssignment.role == JudgeRole.CHIEF,
                                          JudgeAssignment.judge_id != judge.id)
        )
        if chief is not None:
            raise ServiceError("chief_taken", "role", name=chief.judge.name)
    row = db.session.scalar(
        select(JudgeAssignment).where(JudgeAssignment.judge_id == judge.id,
                                      JudgeAssignment.project_id == project.id)
    ) or JudgeAssignment(judge_id=judge.id, project_id=project.id)
    return save(row, {"role": role}, competition_id=judge.competition_id)


def unassign_judge(assignment: JudgeAssignment) -> None:
    delete(assignment, competition_id=assignment.judge.competition_id)
