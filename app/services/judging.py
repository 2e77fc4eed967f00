"""Who may score whom: the judge behind a user, their projects, panels and conflicts.

Shared by the mark submission, the tablet's assignment download and the chief judge's
console, so all three apply the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.domain.marking import Affiliation, PanelRule, conflict_blocks, conflict_of_interest
from app.domain.vocabulary import AspectType, JudgeRole
from app.extensions import db
from app.models import Competitor, Judge, JudgeAssignment, SkillProject, Substitute, User


def judges_of(user: User) -> list[Judge]:
    """The judge records (one per competition) signed in as this user."""
    return list(db.session.scalars(select(Judge).where(Judge.user_id == user.id)))


def judge_for(user_id: int, competition_id: int) -> Judge | None:
    judge: Judge | None = db.session.scalar(
        select(Judge).where(Judge.user_id == user_id, Judge.competition_id == competition_id))
    return judge


def scoring_projects(judge: Judge) -> list[SkillProject]:
    """Projects where this judge sits on the marking panel (裁判员)."""
    return list(db.session.scalars(
        select(SkillProject).join(JudgeAssignment)
        .where(JudgeAssignment.judge_id == judge.id, JudgeAssignment.role == JudgeRole.JUDGE)
        .order_by(SkillProject.code)))


def marking_project_ids(judge: Judge) -> set[int]:
    """Projects whose pushes this judge needs: their panels, and any project where they
    substitute for a conflicted panel member."""
    substitute_for = db.session.scalars(
        select(Competitor.project_id).join(Substitute, Substitute.competitor_id == Competitor.id)
        .where(Substitute.judge_id == judge.id))
    return {p.id for p in scoring_projects(judge)} | set(substitute_for)


def is_substitute(judge: Judge, competitor: Competitor) -> bool:
    return db.session.scalar(
        select(Substitute.id).where(Substitute.judge_id == judge.id,
                                    Substitute.competitor_id == competitor.id)) is not None


def may_score(judge: Judge, competitor: Competitor) -> bool:
    """On the project's panel, or named substitute for this competitor."""
    assigned = db.session.scalar(
        select(JudgeAssignment.id).where(JudgeAssignment.judge_id == judge.id,
                                         JudgeAssignment.project_id == competitor.project_id,
                                         JudgeAssignment.role == JudgeRole.JUDGE))
    return assigned is not None or is_substitute(judge, competitor)


def has_conflict(judge: Judge, competitor: Competitor) -> bool:
    return conflict_of_interest(
        Affiliation(judge.delegation_id, judge.employer),
        Affiliation(competitor.delegation_id, competitor.employer),
    ) is not None


def conflict_applies(judge: Judge, competitor: Competitor, aspect_type: AspectType,
                     project: SkillProject) -> bool:
    return has_conflict(judge, competitor) and conflict_blocks(
        aspect_type is AspectType.JUDGEMENT, project.block_conflicted_measurement)


def panel_rule(project: SkillProject) -> PanelRule:
    return PanelRule(size=project.panel_size, drop_extremes=project.trim_panel)


@dataclass(frozen=True)
class TokenScope:
    """What a bearer token allows: any project of the user's, or one (a tablet code)."""

    project_id: int | None = None

    def allows(self, project_id: int) -> bool:
        return self.project_id is None or self.project_id == project_id
