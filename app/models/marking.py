from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from app.models.accounts import User
from app.models.audit import AppendOnlyError
from app.models.base import Base, utcnow
from app.models.people import Competitor, Judge
from app.models.scheme import Aspect, Module


class Mark(Base):
    """One judge's current mark for one competitor on one aspect.

    J: the judge's score 0–3. M: the value awarded. Every change is kept in MarkVersion;
    `version` counts them, so an edit can say which version it replaces.
    """

    __tablename__ = "mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitor.id"), index=True)
    aspect_id: Mapped[int] = mapped_column(ForeignKey("aspect.id"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id"), index=True)
    value: Mapped[float]
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    competitor: Mapped[Competitor] = relationship()
    aspect: Mapped[Aspect] = relationship()
    judge: Mapped[Judge] = relationship()

    __table_args__ = (UniqueConstraint("competitor_id", "aspect_id", "judge_id"),)


class MarkVersion(Base):
    """Every version of every mark, append-only: who, when (server and tablet clocks),
    from which device, old and new value, and why.

    `client_id` is the tablet's UUID for the submission; the UNIQUE constraint makes a
    retried submission store nothing new, and `ack` is the acknowledgement it got.
    """

    __tablename__ = "mark_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    mark_id: Mapped[int] = mapped_column(ForeignKey("mark.id"), index=True)
    version: Mapped[int]
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    value: Mapped[float]
    previous_value: Mapped[float | None]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    device_id: Mapped[str] = mapped_column(String(100), default="")
    tablet_time: Mapped[datetime | None]
    server_time: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    ack: Mapped[dict[str, Any]] = mapped_column(JSON)

    mark: Mapped[Mark] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("mark_id", "version"),)


class ModuleLockEvent(Base):
    """A module signed off and locked, or unlocked with a written reason (append-only).
    The module's current state is on Module.locked_at."""

    __tablename__ = "module_lock_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # lock | unlock
    reason: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    module: Mapped[Module] = relationship()
    user: Mapped[User] = relationship()


class Substitute(Base):
    """A judge who scores one competitor in place of a panel member who has a conflict
    of interest with them (WorldSkills' fourth expert)."""

    __tablename__ = "substitute"

    id: Mapped[int] = mapped_column(primary_key=True)
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitor.id"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id"), index=True)
    assigned_by: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    competitor: Mapped[Competitor] = relationship()
    judge: Mapped[Judge] = relationship()

    __table_args__ = (UniqueConstraint("competitor_id", "judge_id"),)


class TabletCode(Base):
    """A one-time sign-in code for a shared tablet, issued by the chief judge; only its
    hash is stored. Using it binds the tablet to that judge and project."""

    __tablename__ = "tablet_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("skill_project.id"))
    issued_by: Mapped[int] = mapped_column(ForeignKey("user.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    judge: Mapped[Judge] = relationship()


@event.listens_for(MarkVersion, "before_update")
@event.listens_for(MarkVersion, "before_delete")
@event.listens_for(ModuleLockEvent, "before_update")
@event.listens_for(ModuleLockEvent, "before_delete")
def _refuse_change(mapper: Mapper[Any], connection: object, target: object) -> None:
    raise AppendOnlyError(f"{type(target).__tablename__} is append-only")  # type: ignore[attr-defined]
