"""Submitting a mark: the heart of judging.

Two phases, so the database's single write lock (SQLite) is held as briefly as possible:
1. read, outside the lock: the replay check, then who is scoring what and whether they
   may (WAL readers never wait for the writer);
2. write, under the lock (BEGIN IMMEDIATE): re-check what can change in between (the
   module's lock, the scheme's status), then the mark, its version and the panel, in a
   few plain statements, and commit.
The acknowledgement is built only after the commit, and a retried `client_id` gets the
original acknowledgement back without storing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.domain.marking import (
    Affiliation,
    MarkValueError,
    PanelRule,
    PanelStatus,
    check_judgement_score,
    check_measurement_value,
    conflict_blocks,
    conflict_of_interest,
    judgement_panel,
)
from app.domain.submission import Submission, SubmissionError, parse_submission
from app.domain.vocabulary import AspectType, JudgeRole, SchemeStatus
from app.extensions import db
from app.models import (
    Aspect,
    Competitor,
    Judge,
    JudgeAssignment,
    Mark,
    MarkingScheme,
    MarkVersion,
    Module,
    SkillProject,
    Substitute,
    User,
)
from app.models.base import utcnow
from app.models.sqlite import IMMEDIATE
from app.realtime.publisher import judge_room, project_room, publish, refresh_board
from app.services import judging, results

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


@dataclass(frozen=True)
class _Target:
    """What phase 1 learned: the checked value and everything phase 2 writes with."""

    user_id: int
    judge_id: int
    competitor_id: int
    project_id: int
    division_id: int
    aspect_id: int
    module_id: int
    module_letter: str
    kind: AspectType
    max_mark: float
    panel: PanelRule
    value: float


# The statements on this path are built once, at import: building a select() costs
# about as much as running it on SQLite, and this path runs for every mark.
_REPLAY = select(MarkVersion.user_id, MarkVersion.ack).where(
    MarkVersion.client_id == bindparam("client_id"))
_COMPETITOR = (
    select(Competitor.id, Competitor.project_id, Competitor.division_id,
           Competitor.competition_id, Competitor.delegation_id, Competitor.employer,
           SkillProject.panel_size, SkillProject.trim_panel,
           SkillProject.block_conflicted_measurement)
    .join(SkillProject, Competitor.project_id == SkillProject.id)
    .where(Competitor.id == bindparam("competitor_id")))
_ASPECT = (
    select(Aspect.id, Aspect.kind, Aspect.max_mark, Aspect.tolerances, Aspect.module_id,
           Module.letter, MarkingScheme.project_id)
    .join(Module, Aspect.module_id == Module.id)
    .join(MarkingScheme, Module.scheme_id == MarkingScheme.id)
    .where(Aspect.id == bindparam("aspect_id")))
_JUDGE = select(Judge.id, Judge.delegation_id, Judge.employer).where(
    Judge.user_id == bindparam("user_id"), Judge.competition_id == bindparam("competition_id"))
# On the project's panel (裁判员), or the named substitute for this competitor.
_MAY_SCORE = select(or_(
    exists().where(JudgeAssignment.judge_id == bindparam("judge_id"),
                   JudgeAssignment.project_id == bindparam("project_id"),
                   JudgeAssignment.role == JudgeRole.JUDGE),
    exists().where(Substitute.judge_id == bindparam("judge_id"),
                   Substitute.competitor_id == bindparam("competitor_id"))))
# The module is read under a shared row lock (PostgreSQL), so a sign-off that commits at
# the same instant cannot let a mark slip in after it.
_MODULE_STATE = (
    select(Module.locked_at, MarkingScheme.status)
    .join(MarkingScheme, Module.scheme_id == MarkingScheme.id)
    .where(Module.id == bindparam("module_id")).with_for_update(read=True, of=Module))
_MARK = select(Mark.id, Mark.version, Mark.value).where(
    Mark.competitor_id == bindparam("competitor_id"), Mark.aspect_id == bindparam("aspect_id"),
    Mark.judge_id == bindparam("judge_id")).with_for_update()
_PANEL = select(Mark.judge_id, Mark.value).where(
    Mark.aspect_id == bindparam("aspect_id"), Mark.competitor_id == bindparam("competitor_id"))
# Plain table statements: no ORM bookkeeping for rows this use case never reuses.
_MARK_TABLE = cast(Table, Mark.__table__)
_INSERT_MARK = insert(_MARK_TABLE).returning(_MARK_TABLE.c.id)
_UPDATE_MARK = update(_MARK_TABLE).where(_MARK_TABLE.c.id == bindparam("mark_id"))
_INSERT_VERSION = insert(cast(Table, MarkVersion.__table__))


def submit_mark(user: User, payload: object,
                scope: judging.TokenScope | None = None) -> dict[str, Any]:
    """Store one mark and return the success acknowledgement, or raise MarkingError."""
    try:
        submission = parse_submission(payload)
    except SubmissionError as error:
        raise MarkingError(error.code, error.field) from None

    user_id = user.id  # read before the rollback expires the object
    db.session.rollback()  # this use case owns its transactions
    try:
        replay = _replay(user_id, submission.client_id)
        if replay is not None:
            return replay
        target = _target(user_id, submission, scope or judging.TokenScope())
    finally:
        db.session.rollback()  # end the read snapshot before asking for the write lock

    # On SQLite, BEGIN IMMEDIATE takes the write lock before reading, so the version
    # check and the write are one step and two writers never meet half-way.
    db.session.connection(execution_options=IMMEDIATE)
    try:
        ack = _store(target, submission)
        db.session.commit()
    except IntegrityError:
        # The same client_id committed by another connection since our replay check.
        db.session.rollback()
        replay = _replay(user_id, submission.client_id)
        db.session.rollback()
        if replay is None:
            raise
        return replay
    except Exception:
        db.session.rollback()
        raise
    return ack


def _replay(user_id: int, client_id: str) -> dict[str, Any] | None:
    stored = db.session.execute(_REPLAY, {"client_id": client_id}).first()
    if stored is None:
        return None
    if stored.user_id != user_id:
        raise MarkingError("invalid", "client_id")
    return dict(stored.ack)


def _target(user_id: int, sub: Submission, scope: judging.TokenScope) -> _Target:
    """Phase 1: who scores what, may they, and is the value allowed. Plain column reads:
    no ORM objects are built on this path."""
    competitor = db.session.execute(_COMPETITOR, {"competitor_id": sub.competitor_id}).first()
    if competitor is None:
        raise MarkingError("unknown_competitor", "competitor_id")
    aspect = db.session.execute(_ASPECT, {"aspect_id": sub.aspect_id}).first()
    if aspect is None or aspect.project_id != competitor.project_id:
        raise MarkingError("unknown_aspect", "aspect_id")
    judge = db.session.execute(_JUDGE, {"user_id": user_id,
                                        "competition_id": competitor.competition_id}).first()
    if judge is None or not scope.allows(competitor.project_id) or not db.session.scalar(
            _MAY_SCORE, {"judge_id": judge.id, "project_id": competitor.project_id,
                         "competitor_id": competitor.id}):
        raise MarkingError("not_assigned", "competitor_id")
    conflict = conflict_of_interest(Affiliation(judge.delegation_id, judge.employer),
                                     Affiliation(competitor.delegation_id, competitor.employer))
    if conflict is not None and conflict_blocks(aspect.kind is AspectType.JUDGEMENT,
                                                competitor.block_conflicted_measurement):
        raise MarkingError("conflict_of_interest", "competitor_id")
    return _Target(
        user_id=user_id, judge_id=judge.id, competitor_id=competitor.id,
        project_id=competitor.project_id, division_id=competitor.division_id,
        aspect_id=aspect.id, module_id=aspect.module_id,
        module_letter=aspect.letter, kind=aspect.kind, max_mark=aspect.max_mark,
        panel=PanelRule(size=competitor.panel_size, drop_extremes=competitor.trim_panel),
        value=_checked_value(aspect.kind, aspect.max_mark, aspect.tolerances, sub.raw_value))


def _store(target: _Target, sub: Submission) -> dict[str, Any]:
    """Phase 2, under the write lock: every statement here is time other judges wait."""
    module = db.session.execute(_MODULE_STATE, {"module_id": target.module_id}).one()
    if module.status is not SchemeStatus.ACTIVE:
        raise MarkingError("not_open", "aspect_id")
    if module.locked_at is not None:
        raise MarkingError("locked", "aspect_id", {"module": target.module_letter})

    key = {"competitor_id": target.competitor_id, "aspect_id": target.aspect_id,
           "judge_id": target.judge_id}
    current = db.session.execute(_MARK, key).first()
    current_version = current.version if current else 0
    if sub.expected_version is not None and sub.expected_version != current_version:
        raise MarkingError("stale_version", "expected_version",
                           {"current_version": current_version})
    version, now = current_version + 1, utcnow()
    if current is None:
        mark_id = db.session.execute(_INSERT_MARK, {
            **key, "value": target.value, "version": 1, "updated_at": now}).scalar_one()
    else:
        mark_id = current.id
        db.session.execute(_UPDATE_MARK, {"mark_id": mark_id, "value": target.value,
                                          "version": version, "updated_at": now})

    panel = _panel(target)
    status = _status(target, [score for _, score in panel])
    ack = {"ok": True, "mark_id": mark_id, "version": version, "status": status}
    db.session.execute(_INSERT_VERSION, {
        "mark_id": mark_id, "version": version, "client_id": sub.client_id,
        "value": target.value, "previous_value": current.value if current else None,
        "user_id": target.user_id, "device_id": sub.device_id,
        "tablet_time": sub.tablet_time, "server_time": now, "reason": sub.reason, "ack": ack})
    # The competitor's totals change with the mark, in the same transaction; the public
    # board follows after the commit, coalesced (app.realtime.live).
    results.refresh_competitor(target.competitor_id)
    refresh_board(target.project_id, target.division_id)
    _announce(target, mark_id, version, status, panel)
    return ack


def _panel(target: _Target) -> list[tuple[int, int]]:
    """(judge id, score) of every judge's mark on this aspect for this competitor."""
    if target.kind is AspectType.MEASUREMENT:
        return []
    rows = db.session.execute(_PANEL, {"aspect_id": target.aspect_id,
                                       "competitor_id": target.competitor_id})
    return [(judge_id, int(value)) for judge_id, value in rows]


def _status(target: _Target, scores: list[int]) -> str:
    """draft (panel incomplete), rediscuss (scores too far apart) or submitted."""
    if target.kind is AspectType.MEASUREMENT:
        return SUBMITTED
    result = judgement_panel(target.max_mark, scores, target.panel)
    return {PanelStatus.INCOMPLETE: DRAFT, PanelStatus.OUT_OF_TOLERANCE: REDISCUSS,
            PanelStatus.AGREED: SUBMITTED}[result.status]


def _checked_value(kind: AspectType, max_mark: float, tolerances: list[dict[str, Any]] | None,
                   raw: object) -> float:
    try:
        if kind is AspectType.JUDGEMENT:
            return float(check_judgement_score(raw))
        return check_measurement_value(raw, max_mark, [float(t["value"]) for t in tolerances or []])
    except MarkValueError as error:
        raise MarkingError(error.code, "score" if kind is AspectType.JUDGEMENT else "value",
                           dict(error.params)) from None


def _announce(target: _Target, mark_id: int, version: int, status: str,
              panel: list[tuple[int, int]]) -> None:
    """Queue the pushes; they are sent only if this transaction commits."""
    publish("/staff", "mark", {
        "mark_id": mark_id, "competitor_id": target.competitor_id,
        "aspect_id": target.aspect_id, "module_id": target.module_id,
        "judge_id": target.judge_id, "value": target.value, "version": version,
        "aspect_status": status,
    }, project_room(target.project_id))
    if status == REDISCUSS:
        scores = sorted(score for _, score in panel)
        for judge_id, _ in panel:
            publish("/judge", "rediscuss", {
                "competitor_id": target.competitor_id, "aspect_id": target.aspect_id,
                "scores": scores,
            }, judge_room(judge_id))
