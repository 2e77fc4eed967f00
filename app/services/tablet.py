"""What a judge's tablet downloads and keeps for offline use (GET /api/v1/judge/assignments)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.domain.marking import JUDGEMENT_SCORES, allowed_measurement_values
from app.domain.vocabulary import AspectType, CompetitorStatus, SchemeStatus
from app.extensions import db
from app.models import (
    Aspect,
    Competitor,
    Judge,
    Mark,
    MarkingScheme,
    SkillProject,
    Substitute,
    User,
)
from app.services import judging


def assignments(user: User, scope: judging.TokenScope) -> dict[str, Any]:
    projects: list[dict[str, Any]] = []
    for judge in judging.judges_of(user):
        substitute_for = _substitute_competitors(judge)
        panel = [p for p in judging.scoring_projects(judge) if scope.allows(p.id)]
        extra = {c.project_id for c in substitute_for} - {p.id for p in panel}
        for project in panel + [p for p in _projects(extra) if scope.allows(p.id)]:
            projects.append(_project(judge, project, panel_member=project in panel,
                                     substitute_for=substitute_for))
    return {"user": {"id": user.id, "username": user.username, "name": user.display_name},
            "projects": projects}


def _substitute_competitors(judge: Judge) -> list[Competitor]:
    return list(db.session.scalars(
        select(Competitor).join(Substitute, Substitute.competitor_id == Competitor.id)
        .where(Substitute.judge_id == judge.id)))


def _projects(ids: set[int]) -> list[SkillProject]:
    if not ids:
        return []
    return list(db.session.scalars(select(SkillProject).where(SkillProject.id.in_(ids))))


def _project(judge: Judge, project: SkillProject, panel_member: bool,
             substitute_for: list[Competitor]) -> dict[str, Any]:
    scheme = db.session.scalar(select(MarkingScheme).where(MarkingScheme.project_id == project.id))
    active = scheme is not None and scheme.status is SchemeStatus.ACTIVE
    if panel_member:
        competitors = list(db.session.scalars(
            select(Competitor).where(Competitor.project_id == project.id,
                                     Competitor.status == CompetitorStatus.ACTIVE)
            .order_by(Competitor.workstation, Competitor.id)))
    else:
        competitors = [c for c in substitute_for if c.project_id == project.id]
    my_marks = db.session.scalars(
        select(Mark).join(Aspect).where(Mark.judge_id == judge.id,
                                        Mark.competitor_id.in_([c.id for c in competitors])))
    return {
        "id": project.id, "code": project.code, "name": project.name,
        "encrypted": project.encrypted, "panel_size": project.panel_size,
        "scheme_active": active, "judge_id": judge.id,
        "competitors": [_competitor(judge, c, project) for c in competitors],
        "modules": [_module(m) for m in scheme.modules] if active and scheme else [],
        "marks": [{"competitor_id": m.competitor_id, "aspect_id": m.aspect_id,
                   "value": m.value, "version": m.version} for m in my_marks],
    }


def _competitor(judge: Judge, competitor: Competitor, project: SkillProject) -> dict[str, Any]:
    row: dict[str, Any] = {"id": competitor.id, "workstation": competitor.workstation}
    if not project.encrypted:  # 加密评分: judges never see names
        row["name"] = competitor.name
    # J is always blocked on a conflict, so the tablet greys the competitor out (回避);
    # `measurement_allowed` says whether M aspects may still be entered.
    conflict = judging.has_conflict(judge, competitor)
    row["conflict"] = conflict
    if conflict:
        row["measurement_allowed"] = not project.block_conflicted_measurement
    return row


def _module(module: Any) -> dict[str, Any]:
    return {"id": module.id, "letter": module.letter, "name": module.name,
            "day": module.marking_day, "locked": module.locked_at is not None,
            "aspects": [_aspect(a) for a in module.aspects]}


def _aspect(aspect: Aspect) -> dict[str, Any]:
    data: dict[str, Any] = {"id": aspect.id, "type": aspect.kind.value,
                            "description": aspect.description, "max_mark": aspect.max_mark}
    if aspect.kind is AspectType.JUDGEMENT:
        data["allowed_values"] = list(JUDGEMENT_SCORES)
        data["descriptors"] = list(aspect.descriptors or [])
    else:
        tolerances = aspect.tolerances or []
        data["allowed_values"] = list(allowed_measurement_values(
            aspect.max_mark, [float(t["value"]) for t in tolerances]))
        data["requirement"] = aspect.requirement
        data["tolerances"] = tolerances
    return data
