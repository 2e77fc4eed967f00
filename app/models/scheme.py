from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.vocabulary import AspectType, SchemeStatus
from app.models.base import Base
from app.models.types import enum_column


class MarkingScheme(Base):
    """A project's marking scheme. It may be activated only once its aspects add up."""

    __tablename__ = "marking_scheme"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("skill_project.id"), unique=True)
    status: Mapped[SchemeStatus] = mapped_column(
        enum_column(SchemeStatus), default=SchemeStatus.DRAFT
    )
    activated_at: Mapped[datetime | None]

    modules: Mapped[list["Module"]] = relationship(
        back_populates="scheme", cascade="all, delete-orphan", order_by="Module.letter"
    )


class Module(Base):
    """A module or sub-criterion (模块), lettered A, B, C…, with its day of marking."""

    __tablename__ = "module"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("marking_scheme.id"), index=True)
    letter: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    marking_day: Mapped[int | None]
    # The module's share of the project total; None = no share set, only the total counts.
    share: Mapped[float | None]
    # Signed off and locked by the chief judge: its marks no longer change.
    locked_at: Mapped[datetime | None]
    locked_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    scheme: Mapped[MarkingScheme] = relationship(back_populates="modules")
    aspects: Mapped[list["Aspect"]] = relationship(
        back_populates="module", cascade="all, delete-orphan", order_by="Aspect.position"
    )

    __table_args__ = (
        UniqueConstraint("scheme_id", "letter"),
        CheckConstraint("share IS NULL OR share > 0", name="share_positive"),
    )


class Aspect(Base):
    """An aspect (评分点): a measurement (M) or judgement (J) mark with a max."""

    __tablename__ = "aspect"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    # Order within the module; with the module letter it is the aspect's natural key.
    position: Mapped[int]
    kind: Mapped[AspectType] = mapped_column(enum_column(AspectType, length=1))
    description: Mapped[str] = mapped_column(Text)
    max_mark: Mapped[float]
    # M: the requirement, and optionally a tolerance table [{"label": str, "value": float}].
    requirement: Mapped[str] = mapped_column(Text, default="")
    tolerances: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # J: the four descriptors for scores 0, 1, 2, 3.
    descriptors: Mapped[list[str] | None] = mapped_column(JSON)

    module: Mapped[Module] = relationship(back_populates="aspects")

    __table_args__ = (
        UniqueConstraint("module_id", "position"),
        CheckConstraint("max_mark > 0", name="max_mark_positive"),
    )
