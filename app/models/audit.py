from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from app.models.accounts import User
from app.models.base import Base, utcnow


class AuditEvent(Base):
    """One organiser action. Append-only: the ORM refuses updates and deletes, and the
    migration adds database triggers that refuse them too."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competition.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    user: Mapped[User | None] = relationship()


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper: Mapper[AuditEvent], connection: object, target: AuditEvent) -> None:
    raise AppendOnlyError("the audit log is append-only")
