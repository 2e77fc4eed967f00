"""Results and the live audience: per-competitor totals kept up to date with every mark,
the last board each audience was sent, the event log that lets a spectator catch up, and
the named screens in the hall. All of it is derived from marks and can be rebuilt.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class CompetitorResult(Base):
    """A competitor's current totals, updated in the same transaction as each mark, so a
    board re-sort reads one row per competitor instead of every mark."""

    __tablename__ = "competitor_result"

    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitor.id"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("skill_project.id"), index=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("division.id"), index=True)
    total: Mapped[float] = mapped_column(default=0.0)
    judgement_total: Mapped[float] = mapped_column(default=0.0)
    module_totals: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    passed: Mapped[bool] = mapped_column(default=True)
    aspects_counted: Mapped[int] = mapped_column(default=0)  # aspects that count so far
    aspects_expected: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class BoardState(Base):
    """One board (project × division) as the public last saw it, and its ceremony.

    `rows` is the public view last sent on /live; the next update is the difference from
    it, so deltas are right whichever server process sends them. `reveal_mode` and
    `reveal_step` drive the ceremony.
    """

    __tablename__ = "board_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("skill_project.id"))
    division_id: Mapped[int] = mapped_column(ForeignKey("division.id"))
    rows: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    seq: Mapped[int] = mapped_column(default=0)  # the competition seq of its last update
    reveal_mode: Mapped[str | None] = mapped_column(String(10))  # rank | award
    reveal_step: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("project_id", "division_id"),)


class LiveEvent(Base):
    """The bounded log of what /live sent, by the competition's sequence number, so a
    reconnecting spectator can be sent exactly what it missed."""

    __tablename__ = "live_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"))
    seq: Mapped[int]
    project_id: Mapped[int | None] = mapped_column(ForeignKey("skill_project.id"))
    event: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("competition_id", "seq"),)


class Screen(Base):
    """A named display in the hall (大屏), pointed from the console at what it shows."""

    __tablename__ = "screen"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    # rotate (all projects in turn) | project | medals | ceremony
    show: Mapped[str] = mapped_column(String(10), default="rotate")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("skill_project.id"))
    division_id: Mapped[int | None] = mapped_column(ForeignKey("division.id"))
    rotate_seconds: Mapped[int] = mapped_column(default=15)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("competition_id", "name"),)
