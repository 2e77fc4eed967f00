"""Public results (/api/v1): full snapshots of the live boards and of the medal table.

No login. A spectator's page loads these first, then follows the /live namespace; a client
that fell too far behind on /live loads them again. They serve the public view exactly as
/live last sent it (app.services.live_feed, which asks app.services.public_view what may be
shown), with the competition's `seq`, so the /live deltas numbered after `seq` apply to it.

Cacheable: the ETag is the competition's seq and its phase. The phase is in it because it
changes with the clock (at `freeze_at`, at `published_at`) without any new seq.
"""

from __future__ import annotations

import re
from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import Competition, Division, SkillProject
from app.services import live_feed, public_view
from app.web.api import bp

MAX_AGE = 2  # seconds: a board moves every few seconds during marking
_DIGITS = re.compile(r"[0-9]+")  # int() would also take "+1", " 1", "1_0" and "١"
_LARGEST_ID = 2**63 - 1  # the database's integers; a larger number names nothing


def _error(status: int, code: str, message: str) -> tuple[Response, int]:
    # The shape app/web/errors.py gives every /api/ error, with a precise message.
    return jsonify(error={"code": code, "message": message}), status


def _cacheable(body: dict[str, Any], competition: Competition, seq: int,
               phase: public_view.Phase) -> Response:
    """`body` with its ETag and cache headers, or an empty 304 when the client has it."""
    tag = f"{competition.id}-{seq}-{phase.value}"
    fresh = request.if_none_match.contains_weak(tag)
    response = Response(status=304) if fresh else jsonify(body)
    response.set_etag(tag, weak=True)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response


@bp.get("/projects/<int:project_id>/leaderboard")
def leaderboard(project_id: int) -> Response | tuple[Response, int]:
    """One division's board (`?division=<id>`), or every division's."""
    project = db.session.get(SkillProject, project_id)
    if project is None:
        return _error(404, "not_found",
                      _("There is no skill project with id %(id)s.", id=project_id))
    competition = project.competition
    raw = request.args.get("division")
    if raw is None:
        divisions = list(project.divisions)
    elif not _DIGITS.fullmatch(raw):
        return _error(400, "bad_request",
                      _("The division must be given by its id, a whole number."))
    else:
        number = int(raw)
        division = db.session.get(Division, number) if number <= _LARGEST_ID else None
        if division is None or division.project_id != project.id:
            return _error(404, "not_found",
                          _("This skill project has no division with id %(id)s.", id=raw))
        divisions = [division]
    snapshots = [live_feed.board_snapshot(project, division) for division in divisions]
    seq = max((s.seq for s in snapshots), default=competition.live_seq)
    phase = public_view.competition_phase(competition)
    if raw is None:
        body = {"seq": seq, "boards": [s.data for s in snapshots]}
    else:
        body = {"seq": seq, "board": snapshots[0].data}
    return _cacheable(body, competition, seq, phase)


@bp.get("/competitions/<int:competition_id>/medals")
def medals(competition_id: int) -> Response | tuple[Response, int]:
    """The delegations' medal table, from the public boards only."""
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        return _error(404, "not_found",
                      _("There is no competition with id %(id)s.", id=competition_id))
    snapshot = live_feed.competition_snapshot(competition)
    phase = public_view.competition_phase(competition)
    body = {"seq": snapshot.seq, "phase": phase.value, "rows": snapshot.data["medals"]["rows"]}
    return _cacheable(body, competition, snapshot.seq, phase)
