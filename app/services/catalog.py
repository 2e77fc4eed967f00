"""Read-side use cases for the public catalogue: competitions, projects, marking schemes.

Only reads, never a write or a commit. Counts come from grouped queries, so a list of
competitions costs the same few queries whatever its length. What leaves the app is
decided by the serializers in app/web/api/serializers.py, not here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from app.domain.scheme import total_of
from app.domain.vocabulary import DelegationKind
from app.extensions import db
from app.models import (
    Competition,
    Competitor,
    Delegation,
    Judge,
    MarkingScheme,
    Module,
    SkillProject,
    Venue,
    Zone,
)

# Delegations are listed districts first, then industries, enterprises and schools, each
# in the order they were entered (Chinese names have no useful code-point order).
_DELEGATION_ORDER = {kind: rank for rank, kind in enumerate(DelegationKind)}


@dataclass(frozen=True)
class Counts:
    projects: int = 0
    delegations: int = 0
    competitors: int = 0
    judges: int = 0


@dataclass(frozen=True)
class CompetitionSummary:
    competition: Competition
    counts: Counts


@dataclass(frozen=True)
class CompetitionDetail:
    competition: Competition
    counts: Counts
    projects: list[SkillProject]
    delegations: list[Delegation]
    competitors_by_division: dict[int, int] = field(default_factory=dict)
    competitors_by_project: dict[int, int] = field(default_factory=dict)
    competitors_by_delegation: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ProjectDetail:
    project: SkillProject
    scheme: MarkingScheme | None
    scheme_total: float
    competitors_by_division: dict[int, int]


def counts_for(competition_ids: Iterable[int]) -> dict[int, Counts]:
    """Projects, delegations, competitors and judges per competition, four queries in all."""
    ids = list(competition_ids)
    per_model: dict[str, dict[int, int]] = {}
    for name, model in (("projects", SkillProject), ("delegations", Delegation),
                        ("competitors", Competitor), ("judges", Judge)):
        column: InstrumentedAttribute[int] = model.competition_id
        rows = db.session.execute(
            select(column, func.count()).where(column.in_(ids)).group_by(column)
        ).all() if ids else []
        per_model[name] = {row[0]: row[1] for row in rows}
    return {cid: Counts(**{name: counts.get(cid, 0) for name, counts in per_model.items()})
            for cid in ids}


def list_competitions() -> list[CompetitionSummary]:
    """Every competition, newest year first, with its counts."""
    competitions = db.session.scalars(
        select(Competition).order_by(Competition.year.desc(), Competition.id)
    ).all()
    counts = counts_for(c.id for c in competitions)
    return [CompetitionSummary(c, counts[c.id]) for c in competitions]


def competition_detail(competition_id: int) -> CompetitionDetail | None:
    """A competition with its zones and venues, projects and divisions, delegations, and
    competitor counts per project, division and delegation; None if there is none."""
    competition = db.session.scalar(
        select(Competition).where(Competition.id == competition_id).options(
            selectinload(Competition.zones).selectinload(Zone.venues),
            selectinload(Competition.projects).selectinload(SkillProject.divisions),
            selectinload(Competition.delegations),
        )
    )
    if competition is None:
        return None
    in_competition = Competitor.competition_id == competition.id

    def per(column: InstrumentedAttribute[int]) -> dict[int, int]:
        rows = db.session.execute(
            select(column, func.count()).where(in_competition).group_by(column)
        ).all()
        return {row[0]: row[1] for row in rows}

    delegations = sorted(competition.delegations,
                         key=lambda d: (_DELEGATION_ORDER.get(d.kind, 99), d.id))
    return CompetitionDetail(
        competition=competition,
        counts=counts_for([competition.id])[competition.id],
        projects=list(competition.projects),
        delegations=delegations,
        competitors_by_division=per(Competitor.division_id),
        competitors_by_project=per(Competitor.project_id),
        competitors_by_delegation=per(Competitor.delegation_id),
    )


def project_detail(project_id: int) -> ProjectDetail | None:
    """A project with its divisions and its marking scheme (modules and aspects)."""
    project = db.session.scalar(
        select(SkillProject).where(SkillProject.id == project_id).options(
            selectinload(SkillProject.divisions), selectinload(SkillProject.competition),
            selectinload(SkillProject.venue).selectinload(Venue.zone),
        )
    )
    if project is None:
        return None
    scheme = db.session.scalar(
        select(MarkingScheme).where(MarkingScheme.project_id == project.id).options(
            selectinload(MarkingScheme.modules).selectinload(Module.aspects)
        )
    )
    marks = [a.max_mark for m in scheme.modules for a in m.aspects] if scheme else []
    rows = db.session.execute(
        select(Competitor.division_id, func.count())
        .where(Competitor.project_id == project.id).group_by(Competitor.division_id)
    ).all()
    return ProjectDetail(project=project, scheme=scheme, scheme_total=float(total_of(marks)),
                         competitors_by_division={row[0]: row[1] for row in rows})
