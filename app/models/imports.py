from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class ImportJob(Base):
    """An uploaded spreadsheet waiting for the organiser to confirm it.

    The file is kept so that the confirm step re-reads exactly what was previewed, from
    any server process.
    """

    __tablename__ = "import_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # competitors | judges | scheme
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("skill_project.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="preview")  # preview|committed
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
