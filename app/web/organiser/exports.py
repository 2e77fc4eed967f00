"""Staff result sheets: /organiser/projects/<id>/results.xlsx|csv|pdf?division=<id>.

The live results (app.services.exports.staff_sheet), whatever the public may see: for the
organisers, the supervisors, and the project's own chief judge, who signs the sheet. Other
people get 403, also for a project that does not exist, so a chief judge cannot probe
which project ids exist.
"""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user
from werkzeug.wrappers import Response

from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import SkillProject
from app.services import console, exports
from app.web.live.exports import FORMATS, division_of, sheet_response
from app.web.organiser import bp, open_to_watchers
from app.web.security import roles_required

WATCHERS = (UserRole.ORGANISER, UserRole.SUPERVISOR, UserRole.CHIEF_JUDGE)


@bp.get(f"/projects/<int:pid>/results.<{FORMATS}:fmt>")
@open_to_watchers
@roles_required(*WATCHERS)
def results_export(pid: int, fmt: str) -> Response:
    project = db.session.get(SkillProject, pid)
    if project is None:
        abort(404 if current_user.role is UserRole.ORGANISER else 403)
    if not console.may_watch(current_user, project):
        abort(403)
    division = division_of(project, request.args.get("division"))
    return sheet_response(exports.staff_sheet(project, division), fmt)
