"""Substitute judges (WorldSkills' fourth expert): when panel members have a conflict of
interest with a competitor, the chief judge names another judge of the competition to
score that competitor in their place, so the judgement panel is complete again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.domain.vocabulary import JudgeRole, UserRole
from app.extensions import db
from app.models import Competitor, Judge, JudgeAssignment, SkillProject, Substitute, User
from app.realtime.publisher import judge_room, project_room, publish
from app.services import audit, console, judging
from app.services.errors import ServiceError

# Accounts that can hold a tablet and score (the judging API and socket accept these).
SCORING_ROLES = (UserRole.JUDGE, UserRole.CHIEF_JUDGE)


@dataclass(frozen=True)
class Gap:
    """A competitor whose judgement panel is short because of conflicts of interest."""

    competitor: Competitor
    label: str
    conflicted: list[Judge]  # panel members who may not score them (回避)
    substitutes: list[Judge]  # already named for them
    available: int  # judges who may score them: panel without conflicts, and substitutes
    needed: int  # how many more the panel needs
    candidates: list[Judge]  # who could be named


def conflicts_needing_substitute(project: SkillProject) -> list[Gap]:
    """Competitors for whom fewer than panel_size judges without a conflict remain."""
    facts = _Facts.of(project)
    gaps = []
    for competitor in console.active_competitors(project):
        gap = _gap(project, competitor, facts)
        if gap is not None:
            gaps.append(gap)
    return gaps


@dataclass(frozen=True)
class _Facts:
    """What decides who may stand in, loaded once per project (a handful of queries,
    however many competitors and judges there are)."""

    panel: list[Judge]
    judges: list[Judge]  # every judge of the competition
    roles: dict[int, JudgeRole]  # judge id → role on this project
    substitutes: dict[int, list[Judge]]  # competitor id → named substitutes
    accounts: dict[int, User]  # user id → account

    @classmethod
    def of(cls, project: SkillProject) -> _Facts:
        judges = list(db.session.scalars(
            select(Judge).where(Judge.competition_id == project.competition_id)
            .order_by(Judge.name, Judge.id)))
        roles = dict(db.session.execute(
            select(JudgeAssignment.judge_id, JudgeAssignment.role)
            .where(JudgeAssignment.project_id == project.id)).all())
        substitutes: dict[int, list[Judge]] = {}
        for row in console.project_substitutes(project):
            substitutes.setdefault(row.competitor_id, []).append(row.judge)
        user_ids = [j.user_id for j in judges if j.user_id is not None]
        accounts = {u.id: u for u in db.session.scalars(
            select(User).where(User.id.in_(user_ids)))} if user_ids else {}
        return cls(console.panel_judges(project), judges, roles, substitutes, accounts)

    def refusal(self, competitor: Competitor, judge: Judge) -> str | None:
        """Why this judge cannot stand in for this competitor, or None."""
        if judge.competition_id != competitor.competition_id:
            return "other_competition"
        if judging.has_conflict(judge, competitor):
            return "conflict_of_interest"
        role = self.roles.get(judge.id)
        if role is JudgeRole.JUDGE:
            return "already_on_panel"
        if role is not None:
            return "not_a_marker"  # the project's chief judge or supervisor does not score it
        if judge in self.substitutes.get(competitor.id, []):
            return "already_substitute"
        user = self.accounts.get(judge.user_id) if judge.user_id else None
        if user is not None and (not user.active or user.role not in SCORING_ROLES):
            return "cannot_score"
        return None


def _gap(project: SkillProject, competitor: Competitor, facts: _Facts) -> Gap | None:
    conflicted = [j for j in facts.panel if judging.has_conflict(j, competitor)]
    named = facts.substitutes.get(competitor.id, [])
    able = {j.id for j in facts.panel if j not in conflicted} | {j.id for j in named}
    needed = project.panel_size - len(able)
    if needed <= 0:
        return None
    candidates = [j for j in facts.judges
                  if j.id not in able and facts.refusal(competitor, j) is None]
    return Gap(competitor, console.competitor_label(competitor, project), conflicted,
               named, len(able), needed, candidates)


def assign_substitute(chief_user: User, competitor: Competitor, judge: Judge) -> Substitute:
    """Name `judge` to score `competitor` in place of a conflicted panel member."""
    project = competitor.project
    if not console.is_chief(chief_user, project):
        raise ServiceError("forbidden")
    facts = _Facts.of(project)
    refusal = facts.refusal(competitor, judge)
    if refusal is not None:
        raise ServiceError(refusal, "judge_id")
    if _gap(project, competitor, facts) is None:
        raise ServiceError("not_needed", "competitor_id")
    row = Substitute(competitor_id=competitor.id, judge_id=judge.id, assigned_by=chief_user.id)
    db.session.add(row)
    try:
        audit.record("substitute", row, competition_id=competitor.competition_id,
                     competitor_id=competitor.id, judge_id=judge.id, by=chief_user.username)
        # The substitute's tablet reloads its assignments; other consoles refresh.
        publish("/judge", "reassigned", {}, judge_room(judge.id))
        publish("/staff", "substitute", {"competitor_id": competitor.id, "judge_id": judge.id},
                project_room(project.id))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError("already_substitute", "judge_id") from None
    except Exception:
        db.session.rollback()
        raise
    return row
