"""The judge's tablet page (touch-first, offline outbox).

The page is a shell: everything it shows comes from GET /api/v1/judge/assignments and
every mark goes over the /judge socket, both with a token. A judge signed in with a
password gets a short-lived session token embedded in the page ("session" mode); a
shared tablet signed in with a one-time code keeps its token in localStorage and asks
for the shell with ?mode=tablet ("token" mode), so no login session is needed.
"""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, make_response, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from app.services import accounts
from app.web.api.auth import JUDGING_ROLES
from app.web.judging import bp

TABLET_MODE = "tablet"  # /judge/?mode=tablet: the shell for a code-signed-in tablet
# Where a tablet trades its one-time code for a token (app/web/api, the tablet-code work).
REDEEM_URL = "/api/v1/tablet/redeem"


@bp.get("/")
def tablet() -> str | Response:
    # ?mode=tablet always means the code-signed-in tablet, even if someone's password
    # session is still open in this browser: the judge who typed the code must not end
    # up scoring as whoever forgot to sign out.
    if request.args.get("mode") == TABLET_MODE:
        context = {"mode": "token", "token": None, "user_id": None, "user_name": ""}
    elif not current_user.is_authenticated:
        from app.extensions import login_manager

        return login_manager.unauthorized()  # type: ignore[no-any-return]
    elif current_user.role not in JUDGING_ROLES:
        abort(403)
    else:
        context = {"mode": "session", "token": accounts.session_token(current_user),
                   "user_id": current_user.id,
                   "user_name": current_user.display_name or current_user.username}
    response = make_response(render_template("judging/tablet.html", **context))
    # The service worker keeps its own copy for offline reloads; nothing else should.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/code")
def code() -> Response:
    response = make_response(render_template("judging/code.html", redeem_url=REDEEM_URL))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/sw.js")
def service_worker() -> Response:
    """Served from /judge/ so its scope covers the tablet page (a file under /static/
    could only control /static/)."""
    script = Path(str(current_app.static_folder), "js", "judge", "sw.js").read_text("utf-8")
    response = make_response(script)
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"  # a new worker is picked up at once
    response.headers["Service-Worker-Allowed"] = "/judge/"
    return response
