"""Signing a module off: the chief judge locks it once every aspect of every active
competitor counts, and unlocks it only with a written reason (domain.md §3).

Each use case is one transaction that takes the write lock first (BEGIN IMMEDIATE on
SQLite, as mark submission does), so no mark slips in between the completeness check and
the lock. Locks and unlocks are kept in ModuleLockEvent and in the audit log, and pushed
to tablets and consoles only after the commit.
"""

from __future__ import annotations

from sqlalchemy import select

from app.domain.vocabulary import SchemeStatus
from app.extensions import db
from app.models import Module, ModuleLockEvent, SkillProject, User
from app.models.base import utcnow
from app.realtime.publisher import project_room, publish
from app.services import audit, console
from app.services.errors import ServiceError
from app.services.transaction import begin_write

# A reason says what happened and why; a handful of characters is the least that can.
# Four, because a Chinese reason such as 申诉复核 says it in four.
MIN_REASON = 4
MAX_REASON = 1000


def lock_module(chief_user: User, module: Module) -> list[console.Blocker]:
    """Sign the module off and lock it. Returns what stops it (nothing is written then);
    an empty list means it is locked. Raises ServiceError when the user may not."""
    project = _project(module)
    begin_write()
    try:
        _require_chief(chief_user, project)
        _lock_row(module)
        if module.scheme.status is not SchemeStatus.ACTIVE:
            raise ServiceError("not_open")
        if module.locked_at is not None:
            raise ServiceError("already_locked")
        blockers = console.module_grid(project, module).blockers()
        if blockers:
            db.session.rollback()
            return blockers
        module.locked_at, module.locked_by = utcnow(), chief_user.id
        db.session.add(ModuleLockEvent(module_id=module.id, action="lock", user_id=chief_user.id))
        audit.record("module_lock", module, competition_id=project.competition_id,
                     module=module.letter, by=chief_user.username)
        _announce(project, module, locked=True)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _recompute_promotions(project)
    return []


def _recompute_promotions(project: SkillProject) -> None:
    # Signed off again after an upheld appeal: the promotions that depended on the old
    # marks are recomputed (and revoked where they no longer hold) in their own
    # transaction. Nothing happens before the engine has run for the competition.
    from app.services import promotion  # here: promotion builds on results and ceremony

    promotion.rerun_if_decided(project.competition)


def unlock_module(chief_user: User, module: Module, reason: str) -> None:
    """Unlock a signed-off module; the written reason is kept with the unlock."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ServiceError("reason_required", "reason", min=MIN_REASON)
    if len(reason) > MAX_REASON:
        raise ServiceError("reason_too_long", "reason", max=MAX_REASON)
    project = _project(module)
    begin_write()
    try:
        _require_chief(chief_user, project)
        _lock_row(module)
        if module.locked_at is None:
            raise ServiceError("not_locked")
        reopen(chief_user, project, module, reason)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def reopen(user: User, project: SkillProject, module: Module, reason: str) -> None:
    """Unlock a locked module in the caller's transaction: the chief judge's unlock, or
    the arbitration panel's when it upholds an appeal. Kept and audited like any unlock."""
    module.locked_at, module.locked_by = None, None
    db.session.add(ModuleLockEvent(module_id=module.id, action="unlock", reason=reason,
                                   user_id=user.id))
    audit.record("module_unlock", module, competition_id=project.competition_id,
                 module=module.letter, reason=reason, by=user.username)
    _announce(project, module, locked=False)


def _project(module: Module) -> SkillProject:
    project = db.session.get(SkillProject, module.scheme.project_id)
    assert project is not None
    return project



def _lock_row(module: Module) -> None:
    # PostgreSQL: hold the module row until commit, so two sign-offs (or a sign-off and an
    # unlock) never interleave. SQLite already holds the database write lock.
    db.session.scalar(select(Module).where(Module.id == module.id).with_for_update())


def _require_chief(user: User, project: SkillProject) -> None:
    if not console.is_chief(user, project):
        raise ServiceError("forbidden")


def _announce(project: SkillProject, module: Module, locked: bool) -> None:
    data = {"module_id": module.id, "locked": locked}
    publish("/judge", "module_locked", data, project_room(project.id))
    publish("/staff", "module_lock", {**data, "letter": module.letter}, project_room(project.id))
