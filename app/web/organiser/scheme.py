"""The marking-scheme editor: modules, aspects, running total, activation."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.models import Aspect, Module, SkillProject
from app.services import schemes
from app.services.errors import ServiceError
from app.web.messages import scheme_problem_message, service_message
from app.web.organiser import bp
from app.web.organiser.common import attach_error, crumbs_for, form_page, get_or_404
from app.web.organiser.scheme_forms import AspectForm, ModuleForm


def _editor_url(project_id: int, anchor: str = "") -> str:
    return url_for(".scheme", pid=project_id) + (f"#{anchor}" if anchor else "")


@bp.get("/projects/<int:pid>/scheme")
def scheme(pid: int) -> str:
    project = get_or_404(SkillProject, pid)
    summary = schemes.scheme_summary(project)
    problems_by_place: dict[tuple[str | None, int | None], list[str]] = {}
    for p in summary.problems:
        problems_by_place.setdefault((p.module, p.aspect), []).append(
            scheme_problem_message(p.code, p.params))
    return render_template("organiser/scheme.html", project=project, summary=summary,
                           problems=problems_by_place, competition=project.competition,
                           crumbs=crumbs_for(project.competition, project),
                           heading=_("Marking scheme"))


@bp.route("/projects/<int:pid>/scheme/modules/new", methods=["GET", "POST"])
@bp.route("/modules/<int:mid>/edit", methods=["GET", "POST"])
def module_form(pid: int | None = None, mid: int | None = None) -> str | Response:
    module = get_or_404(Module, mid) if mid else None
    project = get_or_404(SkillProject, module.scheme.project_id if module else pid or 0)
    form = ModuleForm(obj=module)
    return form_page(
        form, lambda: schemes.save_module(schemes.ensure_scheme(project), module, form.values()),
        success_url=lambda m: _editor_url(project.id, f"module-{m.id}"),
        message=_("Module saved."), heading=_("Edit module") if module else _("New module"),
        crumbs=crumbs_for(project.competition, project),
        cancel_url=_editor_url(project.id),
    )


@bp.route("/modules/<int:mid>/aspects/new", methods=["GET", "POST"])
@bp.route("/aspects/<int:aid>/edit", methods=["GET", "POST"])
def aspect_form(mid: int | None = None, aid: int | None = None) -> str | Response:
    aspect = get_or_404(Aspect, aid) if aid else None
    module = aspect.module if aspect else get_or_404(Module, mid or 0)
    project = get_or_404(SkillProject, module.scheme.project_id)
    form = AspectForm()
    if aspect is not None and request.method == "GET":
        form.load(aspect)
    if form.validate_on_submit():
        try:
            saved = schemes.save_aspect(module, aspect, form.values())
        except schemes.SchemeProblems as error:
            for p in error.problems:
                message = scheme_problem_message(p.code, p.params)
                attach_error(form, form.field_for(p.field), message)
        except ServiceError as error:
            flash(service_message(error), "danger")
        else:
            flash(_("Aspect saved."), "success")
            return redirect(_editor_url(project.id, f"aspect-{saved.id}"))
    return render_template(
        "organiser/aspect_form.html", form=form, module=module, project=project,
        heading=_("Edit aspect") if aspect else _("New aspect in module %(letter)s",
                                                  letter=module.letter),
        crumbs=[*crumbs_for(project.competition, project),
                (_("Marking scheme"), _editor_url(project.id))],
        cancel_url=_editor_url(project.id, f"module-{module.id}"),
        module_total=sum(a.max_mark for a in module.aspects if a is not aspect),
    )


@bp.post("/modules/<int:mid>/delete")
def delete_module(mid: int) -> Response:
    module = get_or_404(Module, mid)
    project_id = module.scheme.project_id
    _flash_result(lambda: schemes.delete_module(module), _("Module deleted."))
    return redirect(_editor_url(project_id))


@bp.post("/aspects/<int:aid>/delete")
def delete_aspect(aid: int) -> Response:
    aspect = get_or_404(Aspect, aid)
    project_id = aspect.module.scheme.project_id
    _flash_result(lambda: schemes.delete_aspect(aspect), _("Aspect deleted."))
    return redirect(_editor_url(project_id))


@bp.post("/projects/<int:pid>/scheme/<any(activate, draft):action>")
def scheme_status(pid: int, action: str) -> Response:
    project = get_or_404(SkillProject, pid)
    if action == "activate":
        _flash_result(lambda: schemes.activate(project), _("The marking scheme is active."))
    else:
        _flash_result(lambda: schemes.return_to_draft(project),
                      _("The marking scheme is back in draft and can be edited."))
    return redirect(_editor_url(pid))


def _flash_result(action, success: str) -> None:  # type: ignore[no-untyped-def]
    try:
        action()
    except ServiceError as error:
        flash(service_message(error), "danger")
    else:
        flash(success, "success")

