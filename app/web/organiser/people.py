"""Delegations, competitors and judges, with the judges' project assignments."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import Competition, Competitor, Delegation, Judge, JudgeAssignment, SkillProject
from app.services import organising, people
from app.services.errors import ServiceError
from app.web.messages import service_message
from app.web.organiser import bp
from app.web.organiser.common import crumbs_for, form_page, get_or_404
from app.web.organiser.forms import DelegationForm
from app.web.organiser.people_forms import AssignmentForm, CompetitorForm, JudgeForm


def _owned(row: Competitor | Judge | Delegation | None, comp: Competition) -> None:
    if row is not None and row.competition_id != comp.id:
        abort(404)


@bp.get("/competitions/<int:cid>/delegations")
def delegations(cid: int) -> str:
    comp = get_or_404(Competition, cid)
    q = request.args.get("q", "").strip()
    query = select(Delegation).where(Delegation.competition_id == cid)
    if q:
        query = query.where(Delegation.name.contains(q))
    rows = db.session.scalars(query.order_by(Delegation.kind, Delegation.name)).all()
    return render_template("organiser/delegations.html", competition=comp, delegations=rows,
                           q=q, crumbs=crumbs_for(), heading=comp.name)


@bp.route("/competitions/<int:cid>/delegations/new", methods=["GET", "POST"])
@bp.route("/competitions/<int:cid>/delegations/<int:did>/edit", methods=["GET", "POST"])
def delegation_form(cid: int, did: int | None = None) -> str | Response:
    comp = get_or_404(Competition, cid)
    delegation = get_or_404(Delegation, did) if did else None
    _owned(delegation, comp)
    form = DelegationForm(obj=delegation)
    return form_page(
        form, lambda: organising.save_delegation(comp, delegation, form.values()),
        success_url=lambda d: url_for(".delegations", cid=cid),
        message=_("Delegation saved."),
        heading=_("Edit delegation") if delegation else _("New delegation"),
        crumbs=crumbs_for(comp), cancel_url=url_for(".delegations", cid=cid),
    )


@bp.get("/competitions/<int:cid>/competitors")
def competitors(cid: int) -> str:
    comp = get_or_404(Competition, cid)
    q = request.args.get("q", "").strip()
    project_id = request.args.get("project", type=int)
    delegation_id = request.args.get("delegation", type=int)
    query = (select(Competitor).where(Competitor.competition_id == cid)
             .options(joinedload(Competitor.project), joinedload(Competitor.delegation),
                      joinedload(Competitor.division)))
    if q:
        query = query.where(or_(Competitor.name.contains(q), Competitor.employer.contains(q),
                                Competitor.workstation == q, Competitor.id_last4 == q.upper()))
    if project_id:
        query = query.where(Competitor.project_id == project_id)
    if delegation_id:
        query = query.where(Competitor.delegation_id == delegation_id)
    rows = db.paginate(query.order_by(Competitor.project_id, Competitor.workstation,
                                      Competitor.id),
                       page=request.args.get("page", 1, type=int), per_page=50,
                       error_out=False)
    return render_template(
        "organiser/competitors.html", competition=comp, rows=rows, q=q,
        project_id=project_id, delegation_id=delegation_id,
        projects=db.session.scalars(select(SkillProject).where(SkillProject.competition_id == cid)
                                    .order_by(SkillProject.code)).all(),
        delegations=comp.delegations, crumbs=crumbs_for(), heading=comp.name)


@bp.route("/competitions/<int:cid>/competitors/new", methods=["GET", "POST"])
@bp.route("/competitions/<int:cid>/competitors/<int:pid>/edit", methods=["GET", "POST"])
def competitor_form(cid: int, pid: int | None = None) -> str | Response:
    comp = get_or_404(Competition, cid)
    competitor = get_or_404(Competitor, pid) if pid else None
    _owned(competitor, comp)
    form = CompetitorForm(obj=competitor)
    if competitor is not None and request.method == "GET":
        form.id_number.data = ""
    form.setup(comp, competitor.id_last4 if competitor else None)
    return form_page(
        form, lambda: people.save_competitor(comp, competitor, form.values(),
                                             form.id_number.data),
        success_url=lambda c: url_for(".competitors", cid=cid),
        message=_("Competitor saved."),
        heading=_("Edit competitor") if competitor else _("New competitor"),
        crumbs=crumbs_for(comp), cancel_url=url_for(".competitors", cid=cid),
    )


@bp.get("/competitions/<int:cid>/judges")
def judges(cid: int) -> str:
    comp = get_or_404(Competition, cid)
    q = request.args.get("q", "").strip()
    query = (select(Judge).where(Judge.competition_id == cid)
             .options(joinedload(Judge.delegation),
                      joinedload(Judge.assignments).joinedload(JudgeAssignment.project)))
    if q:
        query = query.where(or_(Judge.name.contains(q), Judge.employer.contains(q)))
    rows = db.paginate(query.order_by(Judge.name), page=request.args.get("page", 1, type=int),
                       per_page=50, error_out=False)
    return render_template("organiser/judges.html", competition=comp, rows=rows, q=q,
                           crumbs=crumbs_for(), heading=comp.name)


@bp.route("/competitions/<int:cid>/judges/new", methods=["GET", "POST"])
@bp.route("/competitions/<int:cid>/judges/<int:jid>/edit", methods=["GET", "POST"])
def judge_form(cid: int, jid: int | None = None) -> str | Response:
    comp = get_or_404(Competition, cid)
    judge = get_or_404(Judge, jid) if jid else None
    _owned(judge, comp)
    form = JudgeForm(obj=judge)
    if judge is not None and request.method == "GET":
        form.id_number.data = ""
    form.setup(comp, judge.id_last4 if judge else None)
    assignment_form = AssignmentForm(prefix="assign")
    assignment_form.setup(comp)
    return form_page(
        form, lambda: people.save_judge(comp, judge, form.values(), form.id_number.data),
        success_url=lambda j: url_for(".judge_form", cid=cid, jid=j.id),
        message=_("Judge saved."), template="organiser/judge_form.html",
        heading=_("Edit judge") if judge else _("New judge"), judge=judge,
        assignment_form=assignment_form, competition=comp,
        crumbs=crumbs_for(comp), cancel_url=url_for(".judges", cid=cid),
    )


@bp.post("/judges/<int:jid>/assignments")
def assign(jid: int) -> Response:
    judge = get_or_404(Judge, jid)
    form = AssignmentForm(prefix="assign")
    form.setup(judge.competition)
    if form.validate_on_submit():
        project = get_or_404(SkillProject, form.project_id.data)
        try:
            people.assign_judge(judge, project, form.role.data)
        except ServiceError as error:
            flash(service_message(error), "danger")
        else:
            flash(_("Assignment saved."), "success")
    else:
        flash(_("Choose a skill project and a role."), "danger")
    return redirect(url_for(".judge_form", cid=judge.competition_id, jid=jid))


@bp.post("/assignments/<int:aid>/delete")
def unassign(aid: int) -> Response:
    assignment = get_or_404(JudgeAssignment, aid)
    judge = assignment.judge
    people.unassign_judge(assignment)
    flash(_("Assignment removed."), "success")
    return redirect(url_for(".judge_form", cid=judge.competition_id, jid=judge.id))
