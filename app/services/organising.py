"""Organiser use cases for the event itself: competitions, zones, venues, projects,
divisions and delegations. Each function is one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.domain.vocabulary import DivisionKind
from app.extensions import db
from app.models import (
    Competition,
    Competitor,
    Delegation,
    Division,
    Judge,
    JudgeAssignment,
    SkillProject,
    Venue,
    Zone,
)
from app.services import live_feed
from app.services.editing import delete, save
from app.services.errors import ServiceError


def save_competition(competition: Competition | None, values: dict[str, Any]) -> Competition:
    """Create or edit a competition. A change of public visibility follows the results
    console's rules: refused once the results are published, and every board is
    recomputed for the public after the commit."""
    if competition is not None and values.get("visibility") not in (None,
                                                                    competition.visibility):
        if competition.published_at is not None:
            raise ServiceError("published_final", "visibility")
        live_feed.refresh_competition(competition)
    return save(competition or Competition(), values, competition_id=None)


def save_zone(competition: Competition, zone: Zone | None, values: dict[str, Any]) -> Zone:
    zone = zone or Zone(competition_id=competition.id)
    return save(zone, values, competition_id=competition.id)


def save_venue(zone: Zone, venue: Venue | None, values: dict[str, Any]) -> Venue:
    venue = venue or Venue(zone_id=zone.id)
    return save(venue, values, competition_id=zone.competition_id)


def save_delegation(competition: Competition, delegation: Delegation | None,
                    values: dict[str, Any]) -> Delegation:
    delegation = delegation or Delegation(competition_id=competition.id)
    return save(delegation, values, competition_id=competition.id)


def save_project(competition: Competition, project: SkillProject | None,
                 values: dict[str, Any], divisions: set[DivisionKind]) -> SkillProject:
    """Save a project and its divisions. A division that has competitors cannot be removed."""
    if not divisions:
        raise ServiceError("no_division", "divisions")
    project = project or SkillProject(competition_id=competition.id)
    current = {d.kind: d for d in project.divisions}
    for kind, division in current.items():
        if kind not in divisions and _division_in_use(division):
            raise ServiceError("division_in_use", "divisions", division=kind.value)
    added = [k for k in DivisionKind if k in divisions and k not in current]
    removed = [d for k, d in current.items() if k not in divisions]
    for kind in added:
        project.divisions.append(Division(kind=kind))
    for division in removed:
        project.divisions.remove(division)
    extra = {}
    if added or removed:
        extra["divisions"] = {"added": [k.value for k in added],
                              "removed": [d.kind.value for d in removed]}
    return save(project, values, competition_id=competition.id, extra_changes=extra)


def _division_in_use(division: Division) -> bool:
    if division.id is None:
        return False
    return bool(db.session.scalar(
        select(func.count()).select_from(Competitor).where(Competitor.division_id == division.id)
    ))


def delete_row(row: Any, competition_id: int) -> None:
    delete(row, competition_id=competition_id)


def competition_counts(competition: Competition) -> dict[str, int]:
    def count(model: Any, column: Any) -> int:
        return int(db.session.scalar(
            select(func.count()).select_from(model).where(column == competition.id)
        ) or 0)

    return {
        "projects": count(SkillProject, SkillProject.competition_id),
        "delegations": count(Delegation, Delegation.competition_id),
        "competitors": count(Competitor, Competitor.competition_id),
        "judges": count(Judge, Judge.competition_id),
    }


def project_counts(project: SkillProject) -> dict[str, int]:
    competitors = db.session.scalar(
        select(func.count()).select_from(Competitor).where(Competitor.project_id == project.id)
    )
    judges = db.session.scalar(
        select(func.count()).select_from(JudgeAssignment)
        .where(JudgeAssignment.project_id == project.id)
    )
    return {"competitors": int(competitors or 0), "judges": int(judges or 0)}
