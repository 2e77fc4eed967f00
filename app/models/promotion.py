"""以赛代评: promotion rules (versioned), decisions, appeals and certificates.

History is kept, never rewritten: an edited rule is a new version and the old row stays
for the decisions that used it; a changed decision is a new current row and the old one
stays, revoked or superseded; a certificate number is never reused.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.vocabulary import Award, DivisionKind
from app.models.accounts import User
from app.models.base import Base, utcnow
from app.models.competition import Competition, SkillProject
from app.models.people import Competitor
from app.models.types import enum_column


class PromotionRule(Base):
    """One version of one row of a competition's promotion table (app.domain.promotion).

    `rule_key` names the row across versions. Editing retires the current version
    (`retired_at`) and adds the next one, so a decision keeps pointing at the exact terms
    it was made under.
    """

    __tablename__ = "promotion_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"), index=True)
    rule_key: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)  # order in the table
    basis: Mapped[str] = mapped_column(String(10))  # rank | award | top_share
    division: Mapped[DivisionKind | None] = mapped_column(enum_column(DivisionKind))
    rank_from: Mapped[int | None]
    rank_to: Mapped[int | None]
    min_award: Mapped[Award | None] = mapped_column(enum_column(Award))
    top_percent: Mapped[int | None]
    target_level: Mapped[int]
    bump: Mapped[bool] = mapped_column(default=True)
    cap_level: Mapped[int | None]
    require_pass: Mapped[bool] = mapped_column(default=True)
    title: Mapped[str] = mapped_column(String(50), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("competition_id", "rule_key", "version"),)


class Promotion(Base):
    """The engine's decision for one competitor: promoted (with a status) or not (with a
    reason). One current decision per competitor; earlier ones stay as history.

    status: proposed → approved → issued, or revoked; `superseded` is a proposal the
    engine replaced before anyone approved it; `not_promoted` carries `reason`.
    """

    __tablename__ = "promotion"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"), index=True)
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitor.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("skill_project.id"), index=True)
    # The person across events: Competitor.id_hash (a keyed hash of the ID number).
    person_hash: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int]
    current: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(20))
    old_level: Mapped[int | None]
    new_level: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(50), default="")
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("promotion_rule.id"))
    rank: Mapped[int | None]
    # The published result the decision used: rank, entry rank, award, totals, passes.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str] = mapped_column(Text, default="")

    competitor: Mapped[Competitor] = relationship()
    project: Mapped[SkillProject] = relationship()
    rule: Mapped[PromotionRule | None] = relationship()
    certificate: Mapped["Certificate | None"] = relationship(back_populates="promotion")

    __table_args__ = (
        # One current decision per competitor.
        Index("uq_promotion_current", "competitor_id", unique=True,
              sqlite_where=text("current"), postgresql_where=text("current")),
        # Never promoted twice to the same level, in this or any other competition.
        Index("uq_promotion_person_level", "person_hash", "new_level", unique=True,
              sqlite_where=text("status IN ('proposed', 'approved', 'issued')"),
              postgresql_where=text("status IN ('proposed', 'approved', 'issued')")),
    )


class Appeal(Base):
    """A written appeal (申诉) to the supervision and arbitration panel (监督仲裁组).

    `received_at` is when the written appeal reached the panel (it may be entered later
    from paper) and decides whether it was in time; the panel's decision is final.
    """

    __tablename__ = "appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("skill_project.id"), index=True)
    competitor_id: Mapped[int | None] = mapped_column(ForeignKey("competitor.id"))
    subject: Mapped[str] = mapped_column(String(10))  # marks | procedure
    appellant: Mapped[str] = mapped_column(String(100))  # the team leader who signed it
    text: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[int] = mapped_column(ForeignKey("user.id"))
    received_at: Mapped[datetime]
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open|upheld|dismissed
    decision: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    reopened_modules: Mapped[list[str]] = mapped_column(JSON, default=list)

    project: Mapped[SkillProject] = relationship()
    competitor: Mapped[Competitor | None] = relationship()
    filer: Mapped[User] = relationship(foreign_keys=[filed_by])
    decider: Mapped[User | None] = relationship(foreign_keys=[decided_by])


class Certificate(Base):
    """A 职业技能等级证书 issued for an approved promotion. What it certifies is copied
    in, so the certificate reads the same whatever is edited later; only its status can
    change (revoked, with the reason)."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(22), unique=True)
    promotion_id: Mapped[int] = mapped_column(ForeignKey("promotion.id"), unique=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_last4: Mapped[str] = mapped_column(String(4))
    occupation_name: Mapped[str] = mapped_column(String(100))
    occupation_code: Mapped[str] = mapped_column(String(20), default="")
    level: Mapped[int]
    issuing_body: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date]
    competition_name: Mapped[str] = mapped_column(String(200))
    project_name: Mapped[str] = mapped_column(String(100))
    rank: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), default="valid")  # valid | revoked
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str] = mapped_column(Text, default="")

    promotion: Mapped[Promotion] = relationship(back_populates="certificate")
    competition: Mapped[Competition] = relationship()


class CertificateSerial(Base):
    """The last serial issued under one number prefix (everything but the serial), so a
    number is never reused, even after its certificate is revoked."""

    __tablename__ = "certificate_serial"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
