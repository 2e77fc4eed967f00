"""The judges' REST endpoints: the same service and codes as the /judge socket."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request
from flask_babel import force_locale

from app.services import tablet
from app.services.marking import MarkingError, submit_mark
from app.web.api import bp
from app.web.api.auth import JUDGING_ROLES, bearer_required
from app.web.messages import marking_message

# HTTP status for each refusal code of the protocol.
STATUS = {"invalid": 400, "out_of_range": 422, "unknown_aspect": 404,
          "unknown_competitor": 404, "not_assigned": 403, "conflict_of_interest": 403,
          "locked": 409, "stale_version": 409, "not_open": 409}


@bp.get("/judge/assignments")
@bearer_required(*JUDGING_ROLES)
def judge_assignments() -> Any:
    return jsonify(tablet.assignments(g.api_user, g.token_scope))


@bp.post("/marks")
@bearer_required(*JUDGING_ROLES)
def post_mark() -> Any:
    try:
        ack = submit_mark(g.api_user, request.get_json(silent=True), g.token_scope)
    except MarkingError as error:
        with force_locale(g.api_user.locale or "zh"):
            body = error.ack(marking_message(error.code, error.params))
        return jsonify(body), STATUS.get(error.code, 400)
    return jsonify(ack), 201 if ack["version"] == 1 else 200
