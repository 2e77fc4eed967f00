"""The public read API (/api/v1): thin views over app.services.catalog.

No login: these endpoints show only what anyone may see. Bearer tokens are for the
judges' endpoints that later issues add (see docs/api.md).
"""

from flask import jsonify
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.services import catalog
from app.web.api import bp, serializers
from app.web.api.openapi import document


def _not_found(message: str) -> tuple[Response, int]:
    # The same shape app/web/errors.py gives every /api/ error, with a precise message.
    return jsonify(error={"code": "not_found", "message": message}), 404


@bp.get("/competitions")
def competitions() -> Response:
    rows = catalog.list_competitions()
    return jsonify(competitions=[serializers.competition_summary(row) for row in rows])


@bp.get("/competitions/<int:competition_id>")
def competition(competition_id: int) -> Response | tuple[Response, int]:
    detail = catalog.competition_detail(competition_id)
    if detail is None:
        return _not_found(_("There is no competition with id %(id)s.", id=competition_id))
    return jsonify(serializers.competition_detail(detail))


@bp.get("/projects/<int:project_id>")
def project(project_id: int) -> Response | tuple[Response, int]:
    detail = catalog.project_detail(project_id)
    if detail is None:
        return _not_found(_("There is no skill project with id %(id)s.", id=project_id))
    return jsonify(serializers.project_detail(detail))


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
