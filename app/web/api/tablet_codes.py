"""POST /api/v1/tablet/redeem: a shared tablet trades the chief judge's one-time code for
a bearer token bound to one judge and project. No sign-in (that is the point), so it is
rate-limited per address: six digits can be guessed."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from flask_babel import gettext as _

from app.extensions import limiter
from app.services import tablet_codes
from app.services.errors import ServiceError
from app.web.api import bp

# HTTP status for each refusal.
STATUS = {"code_invalid": 400, "code_unknown": 404, "code_used": 410, "code_expired": 410,
          "account_inactive": 403}


def _redeem_limit() -> str:
    return str(current_app.config.get("TABLET_REDEEM_RATE_LIMIT", "10 per minute"))


@bp.post("/tablet/redeem")
@limiter.limit(_redeem_limit)
def redeem_tablet_code() -> Any:
    body = request.get_json(silent=True)
    raw = body.get("code") if isinstance(body, dict) else None
    try:
        redeemed = tablet_codes.redeem(raw)
    except ServiceError as error:
        return jsonify(error={"code": error.code, "message": message(error.code)}), \
            STATUS.get(error.code, 400)
    return jsonify(token=redeemed.token, project_id=redeemed.project_id,
                   judge_name=redeemed.judge_name,
                   expires_at=redeemed.expires_at.isoformat()), 201


def message(code: str) -> str:
    return {
        "code_invalid": _("A tablet code has 6 digits. Check the code and type it again."),
        "code_unknown": _("This tablet code does not exist. Check it, or ask the chief judge "
                          "for a new one."),
        "code_used": _("This tablet code has already been used. Ask the chief judge for a "
                       "new one."),
        "code_expired": _("This tablet code has expired. Ask the chief judge for a new one."),
        "account_inactive": _("This judge's account is switched off. Ask the chief judge."),
    }.get(code, _("This tablet code cannot be used (%(code)s).", code=code))
