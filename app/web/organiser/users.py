"""User accounts: who may sign in, with which role; their API tokens."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import User
from app.services import accounts
from app.web.organiser import bp
from app.web.organiser.common import attach_error, crumbs_for, get_or_404
from app.web.organiser.user_forms import UserForm


@bp.get("/users")
def users() -> str:
    q = request.args.get("q", "").strip()
    query = select(User).order_by(User.role, User.username)
    if q:
        query = query.where(or_(User.username.contains(q), User.display_name.contains(q)))
    rows = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=50,
                       error_out=False)
    return render_template("organiser/users.html", rows=rows, q=q, crumbs=crumbs_for(),
                           heading=_("User accounts"))


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:uid>/edit", methods=["GET", "POST"])
def user_form(uid: int | None = None) -> str | Response:
    user = get_or_404(User, uid) if uid else None
    form = UserForm(obj=user)
    form.setup(editing=user is not None)
    if form.validate_on_submit():
        try:
            saved = accounts.save_user(user, form.values(), form.password.data or None)
        except accounts.AccountError as error:
            attach_error(form, error.field, account_message(error.code))
        else:
            flash(_("User account saved."), "success")
            return redirect(url_for(".user_form", uid=saved.id))
    return render_template("organiser/user_form.html", form=form, user=user,
                           crumbs=[*crumbs_for(), (_("User accounts"), url_for(".users"))],
                           heading=_("Edit user account") if user else _("New user account"),
                           cancel_url=url_for(".users"))


@bp.post("/users/<int:uid>/revoke-tokens")
def revoke_tokens(uid: int) -> Response:
    user = get_or_404(User, uid)
    count = accounts.revoke_tokens(user)
    flash(_("%(n)s token(s) revoked.", n=count), "success")
    return redirect(url_for(".user_form", uid=uid))


def account_message(code: str) -> str:
    return {
        "username_taken": _("This username is taken."),
        "username_invalid": _("A username has 1 to 64 characters."),
        "password_too_short": _("A password needs at least 8 characters."),
        "delegation_required": _("A team leader needs the delegation they speak for."),
        "password_required": _("Set a password for a new account."),
        "last_organiser": _("This is the last active organiser account; it cannot lose that "
                            "role or be deactivated."),
    }.get(code, code)
