from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.vocabulary import CompetitorStatus, JudgeRole
from app.models.accounts import User
from app.models.base import Base, utcnow
from app.models.competition import Competition, Delegation, Division, SkillProject
from app.models.types import enum_column


class ProtectedIdNumber:
    """Columns for a personal ID number that is never stored in the clear.

    `id_hash` is a keyed hash (HMAC) to recognise the same person across rows and events;
    `id_cipher` is the encrypted value, readable only with the server's key; `id_last4`
    is what screens show, masked.
    """

    id_hash: Mapped[str] = mapped_column(String(64))
    id_cipher: Mapped[str] = mapped_column(String(255))
    id_last4: Mapped[str] = mapped_column(String(4))


class Competitor(ProtectedIdNumber, Base):
    """A competitor (选手). One entry per person per competition."""

    __tablename__ = "competitor"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("skill_project.id"), index=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("division.id"), index=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    employer: Mapped[str] = mapped_column(String(200), default="")  # employer or school
    # 5..1 (五级..一级), None = no certificate yet.
    current_level: Mapped[int | None]
    occupation: Mapped[str] = mapped_column(String(100), default="")
    workstation: Mapped[str | None] = mapped_column(String(20))  # 工位号
    team_code: Mapped[str | None] = mapped_column(String(20))  # same code = same team entry
    status: Mapped[CompetitorStatus] = mapped_column(
        enum_column(CompetitorStatus), default=CompetitorStatus.ACTIVE
    )
    # Results: when the competitor finished (a tie-break), the theory exam score (classic
    # method), and the chief judge's recorded decision for a tie nothing else separates.
    completed_at: Mapped[datetime | None]
    theory_score: Mapped[float | None]
    tie_position: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[SkillProject] = relationship()
    division: Mapped[Division] = relationship()
    delegation: Mapped[Delegation] = relationship()

    __table_args__ = (
        UniqueConstraint("competition_id", "id_hash"),
        UniqueConstraint("project_id", "workstation"),
        CheckConstraint("current_level IS NULL OR current_level BETWEEN 1 AND 5",
                        name="level_range"),
    )


class Judge(ProtectedIdNumber, Base):
    """A judge (裁判) of a competition, with what decides conflicts of interest."""

    __tablename__ = "judge"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id"), index=True)
    employer: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), unique=True)

    competition: Mapped[Competition] = relationship()
    delegation: Mapped[Delegation | None] = relationship()
    user: Mapped[User | None] = relationship()
    assignments: Mapped[list["JudgeAssignment"]] = relationship(
        back_populates="judge", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("competition_id", "id_hash"),)


class JudgeAssignment(Base):
    """A judge's role on one project: 裁判长, 裁判员 or 监督."""

    __tablename__ = "judge_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("skill_project.id"), index=True)
    role: Mapped[JudgeRole] = mapped_column(enum_column(JudgeRole))

    judge: Mapped[Judge] = relationship(back_populates="assignments")
    project: Mapped[SkillProject] = relationship()

    __table_args__ = (UniqueConstraint("judge_id", "project_id"),)
