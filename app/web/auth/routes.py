from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from app.domain.vocabulary import UserRole
from app.extensions import limiter, login_manager
from app.models import User
from app.services import accounts
from app.web.auth import bp
from app.web.auth.forms import LoginForm
from app.web.security import is_safe_next

HOME_BY_ROLE = {
    UserRole.ORGANISER: "organiser.competitions",
    # Chief judges run the marking console; they do not score (only panel judges do).
    UserRole.CHIEF_JUDGE: "chief.index",
    UserRole.SUPERVISOR: "chief.index",
    UserRole.JUDGE: "judging.tablet",
    UserRole.TEAM_LEADER: "organiser.team_leader_home",
}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    from app.extensions import db

    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user and user.active else None


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> str | Response:
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(form.username.data or "", form.password.data or "")
        if user is None:
            flash(_("Wrong username or password."), "danger")
        else:
            session.clear()  # a fresh session on login: no fixation
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
            login_user(user)
            target = form.next.data
            if is_safe_next(target):
                return redirect(target)
            return redirect(url_for(HOME_BY_ROLE.get(user.role, "public.index")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    session.clear()
    return redirect(url_for("public.index"))


@bp.get("/lang/<code>")
def set_language(code: str) -> Response:
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for("public.index"))


@login_manager.unauthorized_handler
def unauthorized() -> Response:
    if request.path.startswith("/api/"):
        from flask import jsonify

        response = jsonify(error={"code": "unauthorized", "message": _("Sign in first.")})
        response.status_code = 401
        return response
    flash(_("Please sign in to continue."), "warning")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
