"""Skill projects and their divisions."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import Competition, JudgeAssignment, SkillProject, Venue, Zone
from app.services import organising
from app.web import labels
from app.web.organiser import bp
from app.web.organiser.common import crumbs_for, form_page, get_or_404
from app.web.organiser.forms import ProjectForm


@bp.get("/competitions/<int:cid>/projects")
def projects(cid: int) -> str:
    comp = get_or_404(Competition, cid)
    q = request.args.get("q", "").strip()
    query = select(SkillProject).where(SkillProject.competition_id == cid)
    if q:
        query = query.where(or_(SkillProject.name.contains(q), SkillProject.code.contains(q),
                                SkillProject.occupation_name.contains(q)))
    rows = db.session.scalars(query.order_by(SkillProject.code)).all()
    return render_template("organiser/projects.html", competition=comp, projects=rows, q=q,
                           counts={p.id: organising.project_counts(p) for p in rows},
                           crumbs=crumbs_for(), heading=comp.name)


def _project_form(comp: Competition, project: SkillProject | None) -> ProjectForm:
    form = ProjectForm(obj=project)
    form.show_local_time()
    if project is not None and request.method == "GET":
        form.divisions.data = [d.kind.value for d in project.divisions]
    venues = db.session.scalars(
        select(Venue).join(Zone).where(Zone.competition_id == comp.id).order_by(Venue.name)
    ).all()
    form.venue_id.choices = labels.options(
        [("", _("Not set"))] + [(v.id, f"{v.zone.name} · {v.name}") for v in venues])
    return form


@bp.route("/competitions/<int:cid>/projects/new", methods=["GET", "POST"])
def new_project(cid: int) -> str | Response:
    comp = get_or_404(Competition, cid)
    form = _project_form(comp, None)
    return form_page(
        form, lambda: organising.save_project(comp, None, form.values(), form.division_kinds()),
        success_url=lambda p: url_for(".project", pid=p.id),
        message=_("Skill project created."), heading=_("New skill project"),
        crumbs=crumbs_for(comp), cancel_url=url_for(".projects", cid=cid),
    )


@bp.route("/projects/<int:pid>/edit", methods=["GET", "POST"])
def edit_project(pid: int) -> str | Response:
    project = get_or_404(SkillProject, pid)
    comp = project.competition
    form = _project_form(comp, project)
    return form_page(
        form, lambda: organising.save_project(comp, project, form.values(),
                                              form.division_kinds()),
        success_url=lambda p: url_for(".project", pid=p.id),
        message=_("Skill project saved."), heading=_("Edit skill project"),
        crumbs=crumbs_for(comp, project), cancel_url=url_for(".project", pid=pid),
    )


@bp.get("/projects/<int:pid>")
def project(pid: int) -> str:
    project = get_or_404(SkillProject, pid)
    assignments = db.session.scalars(
        select(JudgeAssignment).where(JudgeAssignment.project_id == pid)
        .order_by(JudgeAssignment.role)
    ).all()
    from app.services.schemes import scheme_summary

    return render_template("organiser/project.html", project=project,
                           competition=project.competition, assignments=assignments,
                           counts=organising.project_counts(project),
                           scheme=scheme_summary(project),
                           crumbs=crumbs_for(project.competition), heading=project.name)
