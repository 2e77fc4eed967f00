"""Submitting a mark: the heart of judging. One transaction per submission; the
acknowledgement is built only after the commit, and a retried `client_id` gets the
original acknowledgement back without storing anything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.domain.marking import (
    MarkValueError,
    PanelStatus,
    check_judgement_score,
    check_measurement_value,
    judgement_panel,
)
from app.domain.submission import Submission, SubmissionError, parse_submission
from app.domain.vocabulary import AspectType, SchemeStatus
from app.extensions import db
from app.models import (
    Aspect,
    Competitor,
    Mark,
    MarkingScheme,
    MarkVersion,
    Module,
    SkillProject,
    User,
)
from app.models.base import utcnow
from app.models.sqlite import IMMEDIATE
from app.realtime.publisher import judge_room, project_room, publish
from app.services import judging

# What a mark's status is, as the tablet shows it (domain.md §3 marks lifecycle).
DRAFT, REDISCUSS, SUBMITTED = "draft", "rediscuss", "submitted"


class MarkingError(Exception):
    """A refused submission: a protocol `code`, the field, and numbers for the message."""

    def __init__(self, code: str, field: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params or {}

    def ack(self, message: str) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": message}
        if self.field:
            error["field"] = self.field
        if "current_version" in self.params:
            error["current_version"] = self.params["current_version"]
        return {"ok": False, "error": error}


def submit_mark(user: User, payload: object,
                scope: judging.TokenScope | None = None) -> dict[str, Any]:
    """Store one mark and return the success acknowledgement, or raise MarkingError."""
    try:
        submission = parse_submission(payload)
    except SubmissionError as error:
        raise MarkingError(error.code, error.field) from None

    # This use case owns its transaction, and on SQLite it takes the write lock before
    # reading, so the version check and the write are one step and two writers never
    # meet half-way ("database is locked").
    user_id = user.id  # read before the rollback expires the object
    db.session.rollback()
    db.session.connection(execution_options=IMMEDIATE)
    try:
        replay = _replay(user_id, submission.client_id)
        if replay is not None:
            db.session.rollback()
            return replay
        ack = _store(user_id, submission, scope or judging.TokenScope())
        db.session.commit()
    except IntegrityError:
        # The same client_id committed by another process between our check and insert.
        db.session.rollback()
        replay = _replay(user_id, submission.client_id)
        if replay is None:
            raise
        return replay
    except Exception:
        db.session.rollback()
        raise
    return ack


def _replay(user_id: int, client_id: str) -> dict[str, Any] | None:
    stored = db.session.scalar(select(MarkVersion).where(MarkVersion.client_id == client_id))
    if stored is None:
        return None
    if stored.user_id != user_id:
        raise MarkingError("invalid", "client_id")
    return dict(stored.ack)


def _store(user_id: int, sub: Submission, scope: judging.TokenScope) -> dict[str, Any]:
    # Few round trips: this runs under SQLite's write lock, so every query here is time
    # other judges wait. The competitor comes with its project, the aspect with its
    # module and scheme.
    row = db.session.execute(
        select(Competitor, SkillProject)
        .join(SkillProject, Competitor.project_id == SkillProject.id)
        .where(Competitor.id == sub.competitor_id)).first()
    if row is None:
        raise MarkingError("unknown_competitor", "competitor_id")
    competitor, project = row
    # The module is read under a shared row lock (PostgreSQL), so a sign-off that commits
    # at the same instant cannot let this mark slip in after it.
    found = db.session.execute(
        select(Aspect, Module, MarkingScheme)
        .join(Module, Aspect.module_id == Module.id)
        .join(MarkingScheme, Module.scheme_id == MarkingScheme.id)
        .where(Aspect.id == sub.aspect_id).with_for_update(read=True, of=Module)).first()
    if found is None or found[2].project_id != project.id:
        raise MarkingError("unknown_aspect", "aspect_id")
    aspect, module, scheme = found
    judge = judging.judge_for(user_id, competitor.competition_id)
    if judge is None or not scope.allows(project.id) or not judging.may_score(judge, competitor):
        raise MarkingError("not_assigned", "competitor_id")
    if judging.conflict_applies(judge, competitor, aspect.kind, project):
        raise MarkingError("conflict_of_interest", "competitor_id")
    if scheme.status is not SchemeStatus.ACTIVE:
        raise MarkingError("not_open", "aspect_id")
    if module.locked_at is not None:
        raise MarkingError("locked", "aspect_id", {"module": module.letter})
    value = _checked_value(aspect, sub.raw_value)

    mark = db.session.scalar(
        select(Mark).where(Mark.competitor_id == competitor.id, Mark.aspect_id == aspect.id,
                           Mark.judge_id == judge.id).with_for_update())
    current_version = mark.version if mark else 0
    if sub.expected_version is not None and sub.expected_version != current_version:
        raise MarkingError("stale_version", "expected_version",
                           {"current_version": current_version})
    previous = mark.value if mark else None
    if mark is None:
        mark = Mark(competitor_id=competitor.id, aspect_id=aspect.id, judge_id=judge.id,
                    value=value, version=1)
        db.session.add(mark)
    else:
        mark.value, mark.version, mark.updated_at = value, mark.version + 1, utcnow()
    db.session.flush()

    status = aspect_status(aspect, competitor, project)
    ack = {"ok": True, "mark_id": mark.id, "version": mark.version, "status": status}
    db.session.add(MarkVersion(
        mark_id=mark.id, version=mark.version, client_id=sub.client_id, value=value,
        previous_value=previous, user_id=user_id, device_id=sub.device_id,
        tablet_time=sub.tablet_time, reason=sub.reason, ack=ack))
    _announce(mark, aspect, competitor, project, status)
    return ack


def _checked_value(aspect: Aspect, raw: object) -> float:
    try:
        if aspect.kind is AspectType.JUDGEMENT:
            return float(check_judgement_score(raw))
        tolerances = [float(t["value"]) for t in aspect.tolerances or []]
        return check_measurement_value(raw, aspect.max_mark, tolerances)
    except MarkValueError as error:
        raise MarkingError(error.code, "score" if aspect.kind is AspectType.JUDGEMENT
                           else "value", dict(error.params)) from None


def panel_marks(aspect: Aspect, competitor: Competitor) -> list[Mark]:
    return list(db.session.scalars(
        select(Mark).where(Mark.aspect_id == aspect.id, Mark.competitor_id == competitor.id)))


def aspect_status(aspect: Aspect, competitor: Competitor, project: SkillProject) -> str:
    """draft (panel incomplete), rediscuss (scores too far apart) or submitted."""
    if aspect.kind is AspectType.MEASUREMENT:
        return SUBMITTED
    scores = [int(m.value) for m in panel_marks(aspect, competitor)]
    result = judgement_panel(aspect.max_mark, scores, judging.panel_rule(project))
    return {PanelStatus.INCOMPLETE: DRAFT, PanelStatus.OUT_OF_TOLERANCE: REDISCUSS,
            PanelStatus.AGREED: SUBMITTED}[result.status]


def _announce(mark: Mark, aspect: Aspect, competitor: Competitor, project: SkillProject,
              status: str) -> None:
    """Queue the pushes; they are sent only if this transaction commits."""
    publish("/staff", "mark", {
        "mark_id": mark.id, "competitor_id": competitor.id, "aspect_id": aspect.id,
        "module_id": aspect.module_id, "judge_id": mark.judge_id, "value": mark.value,
        "version": mark.version, "aspect_status": status,
    }, project_room(project.id))
    if status == REDISCUSS:
        for panel_mark in panel_marks(aspect, competitor):
            publish("/judge", "rediscuss", {
                "competitor_id": competitor.id, "aspect_id": aspect.id,
                "scores": sorted(int(m.value) for m in panel_marks(aspect, competitor)),
            }, judge_room(panel_mark.judge_id))
