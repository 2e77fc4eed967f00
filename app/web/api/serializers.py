"""What the public API shows, field by field.

Every field is named here on purpose: a new model column never reaches the public by
accident, and personal data (ID numbers, their hashes and ciphers, and people at all for
now) has no serializer. The OpenAPI schemas in openapi.py describe exactly these shapes,
and a test checks real responses against them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.models import (
    Aspect,
    Competition,
    Delegation,
    Division,
    MarkingScheme,
    Module,
    SkillProject,
    Venue,
    Zone,
)
from app.services.catalog import CompetitionDetail, CompetitionSummary, Counts, ProjectDetail

Json = dict[str, Any]


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def counts(c: Counts) -> Json:
    return {"projects": c.projects, "delegations": c.delegations,
            "competitors": c.competitors, "judges": c.judges}


def _competition_fields(competition: Competition) -> Json:
    return {
        "id": competition.id,
        "name": competition.name,
        "tier": competition.tier.value,
        "year": competition.year,
        "start_date": _date(competition.start_date),
        "end_date": _date(competition.end_date),
        "host": competition.host,
    }


def competition_summary(summary: CompetitionSummary) -> Json:
    return {**_competition_fields(summary.competition), "counts": counts(summary.counts)}


def venue(v: Venue) -> Json:
    return {"id": v.id, "name": v.name, "address": v.address}


def zone(z: Zone) -> Json:
    return {"id": z.id, "name": z.name, "is_main": z.is_main,
            "venues": [venue(v) for v in z.venues]}


def division(d: Division, competitors: dict[int, int]) -> Json:
    return {"id": d.id, "kind": d.kind.value, "competitors": competitors.get(d.id, 0)}


def _project_fields(p: SkillProject) -> Json:
    return {
        "id": p.id,
        "code": p.code,
        "name": p.name,
        "occupation_name": p.occupation_name,
        "occupation_code": p.occupation_code,
        "kind": p.kind.value,
        "team_size": p.team_size,
        "marking_method": p.marking_method.value,
    }


def project_summary(p: SkillProject, detail: CompetitionDetail) -> Json:
    return {
        **_project_fields(p),
        "venue_id": p.venue_id,
        "competitors": detail.competitors_by_project.get(p.id, 0),
        "divisions": [division(d, detail.competitors_by_division) for d in p.divisions],
    }


def delegation(d: Delegation, competitors: dict[int, int]) -> Json:
    return {"id": d.id, "name": d.name, "kind": d.kind.value,
            "competitors": competitors.get(d.id, 0)}


def competition_detail(detail: CompetitionDetail) -> Json:
    competition = detail.competition
    return {
        **_competition_fields(competition),
        "visibility": competition.visibility.value,
        "counts": counts(detail.counts),
        "zones": [zone(z) for z in competition.zones],
        "projects": [project_summary(p, detail) for p in detail.projects],
        "delegations": [delegation(d, detail.competitors_by_delegation)
                        for d in detail.delegations],
    }


def aspect(a: Aspect, letter: str) -> Json:
    return {
        "id": a.id,
        "code": f"{letter}{a.position}",
        "position": a.position,
        "type": a.kind.value,
        "description": a.description,
        "max_mark": a.max_mark,
        "requirement": a.requirement,
        "tolerances": [{"label": str(t.get("label", "")), "value": float(t.get("value", 0))}
                       for t in (a.tolerances or [])],
        "descriptors": list(a.descriptors or []),
    }


def module(m: Module) -> Json:
    return {
        "letter": m.letter,
        "name": m.name,
        "day": m.marking_day,
        "share": m.share,
        "total": sum(a.max_mark for a in m.aspects),
        "aspects": [aspect(a, m.letter) for a in m.aspects],
    }


def scheme(s: MarkingScheme, total: float) -> Json:
    return {
        "status": s.status.value,
        "activated_at": _datetime(s.activated_at),
        "total": total,
        "modules": [module(m) for m in s.modules],
    }


def project_detail(detail: ProjectDetail) -> Json:
    p = detail.project
    place = None
    if p.venue is not None:
        z = p.venue.zone
        place = {**venue(p.venue), "zone": {"id": z.id, "name": z.name, "is_main": z.is_main}}
    return {
        **_project_fields(p),
        "total_marks": p.total_marks,
        "encrypted": p.encrypted,
        "panel_size": p.panel_size,
        "trim_panel": p.trim_panel,
        "competition": {"id": p.competition.id, "name": p.competition.name},
        "venue": place,
        "competitors": sum(detail.competitors_by_division.values()),
        "divisions": [division(d, detail.competitors_by_division) for d in p.divisions],
        "scheme": scheme(detail.scheme, detail.scheme_total) if detail.scheme else None,
    }
