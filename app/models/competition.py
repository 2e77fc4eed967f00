from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.vocabulary import (
    DelegationKind,
    DivisionKind,
    MarkingMethod,
    ProjectKind,
    Tier,
    Visibility,
)
from app.models.base import Base, utcnow
from app.models.types import enum_column


class Competition(Base):
    """An event (赛事) such as 上海市第二届职业技能大赛."""

    __tablename__ = "competition"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    tier: Mapped[Tier] = mapped_column(enum_column(Tier))
    year: Mapped[int]
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    host: Mapped[str] = mapped_column(String(200), default="")
    # Visibility settings, used by the live-results issue: what the public sees while
    # marking goes on, when the public board freezes, and when results were published.
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.LIVE
    )
    freeze_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    # Awards (domain.md §4), configurable per event: medals for ranks 1..medal_count, then
    # 优胜奖 for the top half ("top_half"), a Medallion at >= 700 on the scale ("medallion"),
    # or nothing more ("none"); and the delegation table's team points.
    medal_count: Mapped[int] = mapped_column(default=3)
    merit_award: Mapped[str] = mapped_column(String(10), default="top_half")
    points_gold: Mapped[int] = mapped_column(default=4)
    points_silver: Mapped[int] = mapped_column(default=3)
    points_bronze: Mapped[int] = mapped_column(default=2)
    points_merit: Mapped[int] = mapped_column(default=1)
    # The last sequence number sent to the live audience (/live); the event log and every
    # board update carry it.
    live_seq: Mapped[int] = mapped_column(default=0)
    # 以赛代评 (domain.md §5–6): how long after a project ends appeals are accepted, the
    # one-promotion-per-person-per-year rule, and the assessment body whose certificate
    # numbers this event issues: [YS] + body code + province + body serial.
    appeal_window_minutes: Mapped[int] = mapped_column(default=120)
    one_promotion_per_year: Mapped[bool] = mapped_column(default=True)
    certificate_body_type: Mapped[str] = mapped_column(String(1), default="S")
    certificate_body_code: Mapped[str] = mapped_column(String(4), default="0000")
    certificate_province: Mapped[str] = mapped_column(String(2), default="31")
    certificate_body_serial: Mapped[str | None] = mapped_column(String(6))
    issuing_body: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    zones: Mapped[list["Zone"]] = relationship(
        back_populates="competition", cascade="all, delete-orphan", order_by="Zone.id"
    )
    projects: Mapped[list["SkillProject"]] = relationship(
        back_populates="competition", order_by="SkillProject.code"
    )
    delegations: Mapped[list["Delegation"]] = relationship(
        back_populates="competition", order_by="Delegation.name"
    )

    __table_args__ = (
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
                        name="dates_ordered"),
    )


class Zone(Base):
    """A zone (赛区): 主赛区 or 分赛区."""

    __tablename__ = "zone"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    is_main: Mapped[bool] = mapped_column(default=False)

    competition: Mapped[Competition] = relationship(back_populates="zones")
    venues: Mapped[list["Venue"]] = relationship(
        back_populates="zone", cascade="all, delete-orphan", order_by="Venue.id"
    )

    __table_args__ = (UniqueConstraint("competition_id", "name"),)


class Venue(Base):
    """A venue (赛场) inside a zone."""

    __tablename__ = "venue"

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")

    zone: Mapped[Zone] = relationship(back_populates="venues")

    __table_args__ = (UniqueConstraint("zone_id", "name"),)


class SkillProject(Base):
    """A skill project (赛项), tied to an occupation; individual or team."""

    __tablename__ = "skill_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    occupation_name: Mapped[str] = mapped_column(String(100))
    occupation_code: Mapped[str] = mapped_column(String(20), default="")
    kind: Mapped[ProjectKind] = mapped_column(enum_column(ProjectKind))
    # 1 = individual; 2 or 3 = people per team entry.
    team_size: Mapped[int] = mapped_column(default=1)
    total_marks: Mapped[float] = mapped_column(default=100.0)
    marking_method: Mapped[MarkingMethod] = mapped_column(
        enum_column(MarkingMethod), default=MarkingMethod.WORLDSKILLS
    )
    # 加密评分: judges see workstation numbers only.
    encrypted: Mapped[bool] = mapped_column(default=False)
    # Judgement panel: judges per J aspect, and 5-judge "drop highest and lowest".
    panel_size: Mapped[int] = mapped_column(default=3)
    trim_panel: Mapped[bool] = mapped_column(default=False)
    # Conflict of interest blocks J always; for M it is configurable (domain.md §2).
    block_conflicted_measurement: Mapped[bool] = mapped_column(default=True)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"))
    # Ranking: the tie-break chain (app.domain.ranking step codes, comma separated), and
    # the optional WorldSkills scale (centre + k × (raw − median) / SD).
    tie_break_chain: Mapped[str] = mapped_column(String(200),
                                                 default="judgement,completion,chief")
    use_scale: Mapped[bool] = mapped_column(default=False)
    scale_centre: Mapped[float] = mapped_column(default=700.0)
    scale_k: Mapped[float] = mapped_column(default=20.0)
    # The classic method: theory × weight + practical × (1 − weight), with pass marks.
    theory_weight: Mapped[float] = mapped_column(default=0.2)
    theory_pass: Mapped[float | None] = mapped_column(default=60.0)
    practical_pass: Mapped[float | None] = mapped_column(default=60.0)
    # When the project's competition ends: appeals are accepted until the competition's
    # appeal window after it.
    ends_at: Mapped[datetime | None]

    competition: Mapped[Competition] = relationship(back_populates="projects")
    venue: Mapped[Venue | None] = relationship()
    divisions: Mapped[list["Division"]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Division.kind"
    )

    __table_args__ = (
        UniqueConstraint("competition_id", "code"),
        UniqueConstraint("competition_id", "name"),
        CheckConstraint("team_size BETWEEN 1 AND 5", name="team_size_range"),
        CheckConstraint("total_marks > 0", name="total_positive"),
        CheckConstraint("panel_size BETWEEN 1 AND 9", name="panel_size_range"),
    )


class Division(Base):
    """A division (组别) of a project: 职工组 and 学生组 rank separately."""

    __tablename__ = "division"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("skill_project.id"), index=True)
    kind: Mapped[DivisionKind] = mapped_column(enum_column(DivisionKind))

    project: Mapped[SkillProject] = relationship(back_populates="divisions")

    __table_args__ = (UniqueConstraint("project_id", "kind"),)


class Delegation(Base):
    """A delegation (代表队): a district, industry, enterprise or school team."""

    __tablename__ = "delegation"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[DelegationKind] = mapped_column(enum_column(DelegationKind))

    competition: Mapped[Competition] = relationship(back_populates="delegations")

    __table_args__ = (UniqueConstraint("competition_id", "name"),)
