from flask import jsonify
from werkzeug.wrappers import Response

from app.web.api import bp


@bp.get("/competitions")
def competitions() -> Response:
    return jsonify(competitions=[])
