"""Appeals (申诉) and arbitration (domain.md §4): a written appeal within the window after
the project ends, decided once and finally by the supervision and arbitration panel.

An upheld appeal against marks reopens the project's signed-off modules (or those the
panel names), audited like any unlock; the chief judge corrects the marks, signs the
modules off again, and the promotions are then recomputed (app.services.promotion).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from app.domain.vocabulary import SchemeStatus, UserRole
from app.extensions import db
from app.models import (
    Appeal,
    Competition,
    Competitor,
    Delegation,
    MarkingScheme,
    Module,
    SkillProject,
    User,
)
from app.models.base import utcnow
from app.services import audit, signoff
from app.services.errors import ServiceError
from app.services.promotion import appeal_deadline
from app.services.transaction import begin_write

SUBJECTS = ("marks", "procedure")
OPEN, UPHELD, DISMISSED = "open", "upheld", "dismissed"
MIN_TEXT, MAX_TEXT = 10, 5000
MAX_APPELLANT = 100

# Who may file: a team leader for their own delegation; organisers take written appeals
# from team leaders at the desk, and the panel records those handed to it directly. Only
# the panel decides.
FILERS = (UserRole.ORGANISER, UserRole.SUPERVISOR, UserRole.TEAM_LEADER)
DECIDERS = (UserRole.SUPERVISOR,)


def file(user: User, project: SkillProject, subject: str, appellant: str, text: str,
         competitor: Competitor | None = None, received_at: datetime | None = None,
         now: datetime | None = None) -> Appeal:
    """Record a written appeal. `received_at` is when it was handed in (default now); it
    decides whether the appeal is in time, and cannot be in the future."""
    now = now or utcnow()
    received_at = received_at or now
    if user.role not in FILERS:
        raise ServiceError("forbidden")
    if subject not in SUBJECTS:
        raise ServiceError("subject_unknown", "subject")
    if subject == "marks" and competitor is None:
        raise ServiceError("competitor_required", "competitor")
    if competitor is not None and competitor.project_id != project.id:
        raise ServiceError("competitor_not_in_project", "competitor")
    if user.role is UserRole.TEAM_LEADER:
        _check_team_leader(user, project, competitor)
    appellant, text = (appellant or "").strip(), (text or "").strip()
    if not appellant or len(appellant) > MAX_APPELLANT:
        raise ServiceError("appellant_required", "appellant", max=MAX_APPELLANT)
    if not MIN_TEXT <= len(text) <= MAX_TEXT:
        raise ServiceError("text_length", "text", min=MIN_TEXT, max=MAX_TEXT)
    if received_at > now:
        raise ServiceError("received_in_future", "received_at")
    competition = project.competition
    deadline = appeal_deadline(project, competition)
    if deadline is not None and received_at > deadline:
        raise ServiceError("appeal_late", "received_at", deadline=deadline)
    begin_write()
    try:
        appeal = Appeal(competition_id=competition.id, project_id=project.id,
                        competitor_id=competitor.id if competitor else None, subject=subject,
                        appellant=appellant, text=text, filed_by=user.id,
                        received_at=received_at, filed_at=now)
        db.session.add(appeal)
        audit.record("appeal.file", appeal, competition_id=competition.id,
                     project=project.code, subject=subject,
                     competitor=competitor.id if competitor else None)
        db.session.commit()
        return appeal
    except Exception:
        db.session.rollback()
        raise


def _check_team_leader(user: User, project: SkillProject, competitor: Competitor | None
                       ) -> None:
    """A team leader appeals within their own competition, and against the marks of
    their own delegation's competitors only."""
    delegation = db.session.get(Delegation, user.delegation_id) if user.delegation_id else None
    if delegation is None or delegation.competition_id != project.competition_id:
        raise ServiceError("forbidden")
    if competitor is not None and competitor.delegation_id != delegation.id:
        raise ServiceError("competitor_not_in_delegation", "competitor")


def decide(user: User, appeal: Appeal, upheld: bool, decision: str,
           reopen: Sequence[str] | None = None) -> list[str]:
    """The panel's final decision. Upholding an appeal against marks reopens the named
    module letters (default: every signed-off module of the project). Returns the
    letters reopened."""
    if user.role not in DECIDERS:
        raise ServiceError("forbidden")
    decision = (decision or "").strip()
    if not signoff.MIN_REASON <= len(decision) <= MAX_TEXT:
        raise ServiceError("decision_length", "decision", min=signoff.MIN_REASON, max=MAX_TEXT)
    begin_write()
    try:
        db.session.refresh(appeal)
        if appeal.status != OPEN:
            raise ServiceError("appeal_decided")  # the decision is final
        reopened: list[str] = []
        if upheld and appeal.subject == "marks":
            reopened = _reopen(user, appeal, decision, reopen)
        appeal.status = UPHELD if upheld else DISMISSED
        appeal.decision, appeal.decided_by, appeal.decided_at = decision, user.id, utcnow()
        appeal.reopened_modules = reopened
        audit.record("appeal.decide", appeal, competition_id=appeal.competition_id,
                     upheld=upheld, reopened=reopened, by=user.username)
        db.session.commit()
        return reopened
    except Exception:
        db.session.rollback()
        raise


def _reopen(user: User, appeal: Appeal, decision: str, letters: Sequence[str] | None
            ) -> list[str]:
    modules = list(db.session.scalars(
        select(Module).join(MarkingScheme, Module.scheme_id == MarkingScheme.id)
        .where(MarkingScheme.project_id == appeal.project_id,
               MarkingScheme.status == SchemeStatus.ACTIVE).order_by(Module.letter)))
    if letters is not None:
        unknown = sorted(set(letters) - {m.letter for m in modules})
        if unknown:
            raise ServiceError("module_unknown", "reopen", modules=", ".join(unknown))
        modules = [m for m in modules if m.letter in set(letters)]
    reason = f"申诉 #{appeal.id}: {decision}"[:signoff.MAX_REASON]
    reopened = []
    for module in modules:
        if module.locked_at is not None:
            signoff.reopen(user, appeal.project, module, reason)
            reopened.append(module.letter)
    return reopened


def for_competition(competition: Competition) -> list[Appeal]:
    return list(db.session.scalars(select(Appeal).where(
        Appeal.competition_id == competition.id).order_by(Appeal.received_at.desc())))

