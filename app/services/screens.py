"""Named screens in the hall (大屏): what each shows, changed live from the console."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Competition, Screen
from app.models.base import utcnow
from app.realtime.publisher import publish
from app.services import audit
from app.services.errors import ServiceError

SHOWS = ("rotate", "project", "medals", "ceremony")


def named(competition: Competition, name: str) -> Screen | None:
    return db.session.scalar(select(Screen).where(Screen.competition_id == competition.id,
                                                  Screen.name == name))


def of(competition: Competition) -> list[Screen]:
    return list(db.session.scalars(select(Screen).where(
        Screen.competition_id == competition.id).order_by(Screen.name)))


def room(screen: Screen) -> str:
    return f"live:screen:{screen.id}"


def payload(screen: Screen) -> dict[str, Any]:
    return {"name": screen.name, "show": screen.show, "project_id": screen.project_id,
            "division_id": screen.division_id, "rotate_seconds": screen.rotate_seconds}


def point(competition: Competition, screen: Screen | None, data: dict[str, Any]) -> Screen:
    """Create a screen or point it elsewhere; the screen follows as soon as this commits."""
    show = data["show"]
    if show not in SHOWS:
        raise ServiceError("invalid", field="show")
    if show in ("project", "ceremony") and data.get("project_id") is None:
        raise ServiceError("required", field="project_id")
    project_ids = {p.id for p in competition.projects}
    if data.get("project_id") is not None and data["project_id"] not in project_ids:
        raise ServiceError("invalid", field="project_id")
    if screen is None:
        screen = Screen(competition_id=competition.id, name=data["name"])
        db.session.add(screen)
    screen.show, screen.project_id = show, data.get("project_id")
    screen.division_id = data.get("division_id")
    screen.rotate_seconds = int(data.get("rotate_seconds") or 15)
    screen.updated_at = utcnow()
    db.session.flush()
    audit.record("screen.point", screen, competition.id, after=payload(screen))
    publish("/live", "screen_update", payload(screen), room(screen))
    db.session.commit()
    return screen
