"""Public pages: what every spectator, phone and projector in the hall sees.

Each page is drawn from the public views as last sent on /live (live_feed snapshots) and
carries their `seq`, so its script subscribes with `last_seq` and picks up exactly the
updates sent since the page was made. Nothing here reads app.services.results: what the
public may see is decided by app.services.public_view alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, render_template, request, url_for
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import Competition, Division, SkillProject
from app.services import live_feed, public_view, screens
from app.services.public_view import Phase
from app.web.live import bp
from app.web.live.labels import (
    MERIT_COLUMN,
    PHASE_NOTE,
    award_label,
    client_labels,
    division_label,
    phase_label,
    status_label,
    tie_label,
)
from app.web.qr import qr_svg

DEFAULT_ROTATE_SECONDS = 15  # as a new named screen (app.models.Screen.rotate_seconds)
MIN_ROTATE_SECONDS, MAX_ROTATE_SECONDS = 5, 600  # as the console allows


@dataclass(frozen=True)
class DivisionCard:
    division: Division
    summary: dict[str, Any]  # {phase, progress} as last sent on /live

    @property
    def phase(self) -> str:
        return str(self.summary.get("phase") or Phase.HIDDEN.value)

    @property
    def percent(self) -> float | None:
        progress = self.summary.get("progress")
        return progress.get("percent") if progress else None


@dataclass(frozen=True)
class ProjectCard:
    project: SkillProject
    divisions: list[DivisionCard]


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"phase_label": phase_label, "award_label": award_label, "tie_label": tie_label,
            "status_label": status_label, "division_label": division_label,
            "phase_notes": PHASE_NOTE}


@bp.get("/<int:competition_id>")
def home(competition_id: int) -> str:
    """Every project with its live status, and the ways to its boards."""
    competition = db.get_or_404(Competition, competition_id)
    snapshot = live_feed.competition_snapshot(competition)
    summaries = {(b["project_id"], b["division_id"]): b for b in snapshot.data["boards"]}
    projects = [ProjectCard(project, [DivisionCard(d, summaries.get((project.id, d.id), {}))
                                      for d in project.divisions])
                for project in competition.projects]
    phase = _overall_phase(competition, snapshot.data["boards"])
    config = {"competitionId": competition.id, "seq": snapshot.seq,
              "labels": client_labels()}
    return render_template("live/home.html", competition=competition, projects=projects,
                           phase=phase, phase_note=PHASE_NOTE[phase], config=config)


@bp.get("/<int:competition_id>/p/<int:project_id>")
def board(competition_id: int, project_id: int) -> str:
    """One division's leaderboard (?division=<id>; the project's first by default)."""
    project = _project(competition_id, project_id)
    division = _division(project, request.args.get("division"))
    snapshot = _board_snapshot(project, division)
    config = {"competitionId": competition_id, "projectId": project.id,
              "divisionId": division.id, "seq": snapshot.seq, "board": snapshot.data,
              "labels": client_labels()}
    return render_template("live/board.html", competition=project.competition,
                           project=project, division=division, board=snapshot.data,
                           phase=Phase(snapshot.data["phase"]), config=config)


@bp.get("/<int:competition_id>/medals")
def medals(competition_id: int) -> str:
    """The delegations' medal table, from the public boards only."""
    competition = db.get_or_404(Competition, competition_id)
    snapshot = live_feed.competition_snapshot(competition)
    phase = _overall_phase(competition, snapshot.data["boards"])
    config = {"competitionId": competition.id, "seq": snapshot.seq,
              "labels": client_labels(), "merit": _merit_column(competition)}
    return render_template("live/medals.html", competition=competition,
                           medals=snapshot.data["medals"]["rows"], phase=phase,
                           merit=_merit_column(competition), config=config)


@bp.get("/<int:competition_id>/screen")
def screen(competition_id: int) -> Response | str:
    """The hall's projector: large type, rotating through the boards, or following a
    named screen (?name=) that the organiser points from the console."""
    competition = db.get_or_404(Competition, competition_id)
    name = (request.args.get("name") or "").strip()[:50] or None
    named = screens.named(competition, name) if name else None
    overview = live_feed.competition_snapshot(competition)
    boards, qr = [], {}
    for project in competition.projects:
        for division in project.divisions:
            snapshot = _board_snapshot(project, division)
            boards.append({"project_id": project.id, "division_id": division.id,
                           "code": project.code, "name": project.name,
                           "division": division_label(division.kind),
                           "seq": snapshot.seq, "board": snapshot.data})
            link = url_for(".board", competition_id=competition.id, project_id=project.id,
                           division=division.id, _external=True)
            qr[f"{project.id}:{division.id}"] = qr_svg(link)
    qr["medals"] = qr_svg(url_for(".medals", competition_id=competition.id, _external=True))
    config = {
        "competitionId": competition.id, "seq": overview.seq,
        "screen": screens.payload(named) if named else None,
        "screenName": name if named else None,
        "boards": boards, "medals": overview.data["medals"]["rows"],
        "merit": _merit_column(competition), "labels": client_labels(),
        "rotateSeconds": _rotate_seconds(request.args.get("seconds")),
    }
    return render_template("live/screen.html", competition=competition, name=name,
                           known=named is not None, qr=qr, config=config)


# ------------------------------------------------------------------ helpers


def _project(competition_id: int, project_id: int) -> SkillProject:
    project = db.session.get(SkillProject, project_id)
    if project is None or project.competition_id != competition_id:
        abort(404)
    return project


def _division(project: SkillProject, wanted: str | None) -> Division:
    if not project.divisions:
        abort(404)
    if wanted is None or wanted == "":
        return project.divisions[0]
    for division in project.divisions:
        if str(division.id) == wanted:
            return division
    abort(404)


def _board_snapshot(project: SkillProject, division: Division) -> live_feed.Snapshot:
    try:
        return live_feed.board_snapshot(project, division)
    except LookupError:
        abort(404)


def _overall_phase(competition: Competition, boards: list[dict[str, Any]]) -> Phase:
    """The competition's phase as its boards were last sent: they share it, except a
    board in its ceremony. A competition without boards has the read model's phase."""
    phases = [Phase(b["phase"]) for b in boards if b.get("phase")]
    others = [p for p in phases if p is not Phase.CEREMONY]
    if others:
        return others[0]
    return Phase.CEREMONY if phases else public_view.competition_phase(competition)


def _rotate_seconds(wanted: str | None) -> int:
    """?seconds= for a screen without a name (a named screen's comes from the console)."""
    try:
        seconds = int(wanted or DEFAULT_ROTATE_SECONDS)
    except ValueError:
        return DEFAULT_ROTATE_SECONDS
    return max(MIN_ROTATE_SECONDS, min(seconds, MAX_ROTATE_SECONDS))


def _merit_column(competition: Competition) -> str | None:
    """The medal table's column for 优胜奖 or the Medallion; None when there is neither."""
    text = MERIT_COLUMN.get(competition.merit_award)
    return str(text) if text is not None else None
