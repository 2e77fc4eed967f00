"""The chief judge's console (live marking grid, queues, sign-off, tablet codes, history)
and the same view, read-only, for supervisors and organisers.

Reading needs a watcher role and, for a chief judge, the chief assignment on the project;
every write needs the project's own chief judge (checked here, and again by the service).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import Competitor, Judge, Module, SkillProject
from app.services import accounts, console, signoff, substitutes, tablet_codes
from app.services.errors import ServiceError
from app.services.local_time import display_zone, local_time
from app.web.chief import bp
from app.web.chief.forms import IssueCodeForm, LockForm, SubstituteForm, UnlockForm
from app.web.chief.messages import blocker_message, chief_message
from app.web.qr import qr_svg
from app.web.security import roles_required

WATCHERS = (UserRole.CHIEF_JUDGE, UserRole.SUPERVISOR, UserRole.ORGANISER)
BLOCKERS_SHOWN = 8  # a refused sign-off names this many open aspects, then "and N more"


# ------------------------------------------------------------------ loading and access


def _watched(pid: int) -> SkillProject:
    project = db.get_or_404(SkillProject, pid)
    if not console.may_watch(current_user, project):
        abort(403)
    return project


def _chiefed(pid: int) -> SkillProject:
    project = db.get_or_404(SkillProject, pid)
    if not console.is_chief(current_user, project):
        abort(403)
    return project


def _module(project: SkillProject, mid: int) -> Module:
    module = db.get_or_404(Module, mid)
    if module.scheme.project_id != project.id:
        abort(404)
    return module


def _competitor(project: SkillProject, cid: int) -> Competitor:
    competitor = db.get_or_404(Competitor, cid)
    if competitor.project_id != project.id:
        abort(404)
    return competitor



@bp.app_template_filter("chief_time")
def chief_time(moment: datetime | None, fmt: str = "%m-%d %H:%M:%S") -> str:
    """A stored UTC time in the event's time zone (Asia/Shanghai unless configured)."""
    return local_time(moment, fmt)


# ------------------------------------------------------------------ pages


@bp.get("/")
@roles_required(*WATCHERS)
def index() -> str:
    projects = console.watchable_projects(current_user)
    schemes = {p.id: console.scheme_of(p) for p in projects}
    return render_template("chief/index.html", projects=projects, schemes=schemes,
                           chief_of={p.id for p in projects
                                     if console.is_chief(current_user, p)})


@bp.get("/projects/<int:pid>")
@roles_required(*WATCHERS)
def open_project(pid: int) -> str | Response:
    project = _watched(pid)
    scheme = console.scheme_of(project)
    if scheme is None or not scheme.modules:
        return render_template("chief/no_scheme.html", project=project,
                               is_chief=console.is_chief(current_user, project))
    # Open the first module still being marked; when all are locked, the last one.
    open_modules = [m for m in scheme.modules if m.locked_at is None]
    module = open_modules[0] if open_modules else scheme.modules[-1]
    return redirect(url_for(".module_page", pid=pid, mid=module.id))


@bp.get("/projects/<int:pid>/modules/<int:mid>")
@roles_required(*WATCHERS)
def module_page(pid: int, mid: int) -> Any:
    project = _watched(pid)
    return _console(project, _module(project, mid))


def _console(project: SkillProject, module: Module, unlock_form: UnlockForm | None = None,
             status: int = 200) -> Any:
    is_chief = console.is_chief(current_user, project)
    grid = console.module_grid(project, module)
    gaps = substitutes.conflicts_needing_substitute(project)
    html = render_template(
        "chief/console.html", project=project, module=module,
        modules=module.scheme.modules, grid=grid, disagreements=console.disagreements(project),
        gaps=gaps, lock_events=console.lock_events(module), is_chief=is_chief,
        lock_form=LockForm() if is_chief else None,
        unlock_form=(unlock_form or UnlockForm()) if is_chief else None,
        staff_token=accounts.session_token(current_user), blocker_message=blocker_message)
    return html, status


@bp.get("/projects/<int:pid>/modules/<int:mid>/live")
@roles_required(*WATCHERS)
def live(pid: int, mid: int) -> Response:
    """The part of the console that marks change, re-rendered for the page to swap in."""
    project = _watched(pid)
    module = _module(project, mid)
    html = render_template("chief/_live.html", project=project, module=module,
                           grid=console.module_grid(project, module),
                           disagreements=console.disagreements(project))
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/projects/<int:pid>/competitors/<int:cid>")
@roles_required(*WATCHERS)
def history(pid: int, cid: int) -> str:
    project = _watched(pid)
    competitor = _competitor(project, cid)
    return render_template("chief/history.html", project=project, competitor=competitor,
                           label=console.competitor_label(competitor, project),
                           lines=console.competitor_history(competitor),
                           modules=_modules(project),
                           is_chief=console.is_chief(current_user, project))


@bp.get("/projects/<int:pid>/competitors/<int:cid>/history.xlsx")
@roles_required(*WATCHERS)
def history_xlsx(pid: int, cid: int) -> Response:
    project = _watched(pid)
    competitor = _competitor(project, cid)
    label = console.competitor_label(competitor, project)
    headers = [_("Server time"), _("Tablet time"), _("Aspect"), _("Type"), _("Description"),
               _("Judge"), _("Account"), _("Device"), _("Old value"), _("New value"),
               _("Version"), _("Reason")]
    title = _("Mark history: %(project)s %(code)s, competitor %(competitor)s",
              project=project.name, code=project.code, competitor=label)
    data = console.history_xlsx(title, headers, console.competitor_history(competitor),
                                display_zone())
    station = competitor.workstation or str(competitor.id)
    return Response(data, headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": f'attachment; filename="history-{project.code}-{station}.xlsx"',
        "Cache-Control": "no-store"})


@bp.get("/projects/<int:pid>/tablets")
@roles_required(*WATCHERS)
def tablets(pid: int) -> str:
    project = _watched(pid)
    return render_template("chief/tablets.html", project=project, modules=_modules(project),
                           judges=tablet_codes.tablet_judges(project),
                           live=tablet_codes.live_codes(project),
                           is_chief=console.is_chief(current_user, project),
                           minutes=current_app.config.get("TABLET_CODE_MINUTES",
                                                          tablet_codes.DEFAULT_CODE_MINUTES))


def _modules(project: SkillProject) -> list[Module]:
    scheme = console.scheme_of(project)
    return list(scheme.modules) if scheme else []


# ------------------------------------------------------------------ the chief's actions


@bp.post("/projects/<int:pid>/modules/<int:mid>/lock")
@roles_required(UserRole.CHIEF_JUDGE)
def lock(pid: int, mid: int) -> Response:
    project = _chiefed(pid)
    module = _module(project, mid)
    if LockForm().validate_on_submit():
        try:
            blockers = signoff.lock_module(current_user, module)
        except ServiceError as error:
            flash(chief_message(error), "danger")
        else:
            if blockers:
                flash(_blocked_message(module, blockers), "danger")
            else:
                flash(_("Module %(letter)s is signed off and locked.", letter=module.letter),
                      "success")
    return redirect(url_for(".module_page", pid=pid, mid=mid))


def _blocked_message(module: Module, blockers: list[console.Blocker]) -> str:
    shown = "; ".join(f"{b.label} {b.aspect_code}: {blocker_message(b.status)}"
                      for b in blockers[:BLOCKERS_SHOWN])
    more = len(blockers) - BLOCKERS_SHOWN
    text = _("Module %(letter)s cannot be signed off yet: %(n)s aspects do not count yet. "
             "%(list)s", letter=module.letter, n=len(blockers), list=shown)
    return text + (" " + _("And %(n)s more.", n=more) if more > 0 else "")


@bp.post("/projects/<int:pid>/modules/<int:mid>/unlock")
@roles_required(UserRole.CHIEF_JUDGE)
def unlock(pid: int, mid: int) -> Any:
    project = _chiefed(pid)
    module = _module(project, mid)
    form = UnlockForm()
    if not form.validate_on_submit():
        if not form.reason.errors:
            abort(400)
        return _console(project, module, unlock_form=form, status=400)
    try:
        signoff.unlock_module(current_user, module, form.reason.data or "")
    except ServiceError as error:
        if error.field == "reason":
            form.reason.errors = [chief_message(error)]
            return _console(project, module, unlock_form=form, status=400)
        flash(chief_message(error), "danger")
    else:
        flash(_("Module %(letter)s is unlocked. Marks can change again.", letter=module.letter),
              "warning")
    return redirect(url_for(".module_page", pid=pid, mid=mid))


@bp.post("/projects/<int:pid>/substitutes")
@roles_required(UserRole.CHIEF_JUDGE)
def assign_substitute(pid: int) -> Response:
    project = _chiefed(pid)
    form = SubstituteForm()
    back = _back_to(project)
    if not form.validate_on_submit():
        flash(_("Choose a substitute judge."), "danger")
        return redirect(back)
    competitor = _competitor(project, _int(form.competitor_id.data))
    judge = db.get_or_404(Judge, form.judge_id.data)
    try:
        substitutes.assign_substitute(current_user, competitor, judge)
    except ServiceError as error:
        flash(chief_message(error), "danger")
    else:
        flash(_("%(judge)s now scores %(competitor)s as a substitute.", judge=judge.name,
                competitor=console.competitor_label(competitor, project)), "success")
    return redirect(back)


def _back_to(project: SkillProject) -> str:
    """Back to the module the chief was looking at (a form field), else the project."""
    mid = request.form.get("module_id", type=int)
    module = db.session.get(Module, mid) if mid else None
    if module is not None and module.scheme.project_id == project.id:
        return url_for(".module_page", pid=project.id, mid=module.id) + "#conflicts"
    return url_for(".open_project", pid=project.id)


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        abort(400)


@bp.post("/projects/<int:pid>/tablets")
@roles_required(UserRole.CHIEF_JUDGE)
def issue_code(pid: int) -> Any:
    project = _chiefed(pid)
    form = IssueCodeForm()
    if not form.validate_on_submit():
        abort(400)
    judge = db.get_or_404(Judge, form.judge_id.data)
    try:
        issued = tablet_codes.issue_code(current_user, judge, project)
    except ServiceError as error:
        flash(chief_message(error), "danger")
        return redirect(url_for(".tablets", pid=pid))
    link = _redeem_link(issued.code)
    # Rendered, not redirected: the code must not end up in a URL, history or log.
    html = render_template("chief/code.html", project=project, modules=_modules(project),
                           issued=issued, link=link, qr=qr_svg(link or issued.code))
    return html, 200, {"Cache-Control": "no-store"}


def _redeem_link(code: str) -> str | None:
    """The tablet's code page with the code filled in, for the QR code to open."""
    try:
        return url_for("judging.code", code=code, _external=True)
    except BuildError:
        return None
