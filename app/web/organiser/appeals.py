"""Appeals (申诉) and arbitration (监督仲裁): /organiser/competitions/<cid>/appeals.

Organisers and the supervision and arbitration panel (supervisors) see every appeal and
file written ones; a team leader (领队) sees and files those of their own delegation; only
the panel decides, once and finally. Every change goes through
app.services.appeals; a refused form shows the page again with the message next to its
field, and nothing is stored then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.domain.vocabulary import SchemeStatus, UserRole
from app.extensions import db
from app.models import (
    Appeal,
    Competition,
    Competitor,
    Delegation,
    MarkingScheme,
    Module,
    SkillProject,
)
from app.models.base import utcnow
from app.services import appeals as service
from app.services.errors import ServiceError
from app.services.local_time import local_time
from app.services.promotion import appeal_deadline
from app.web.messages import service_message
from app.web.organiser import bp, open_to_watchers
from app.web.organiser.appeal_forms import (
    STATUS,
    SUBJECT,
    DecideForm,
    FileAppealForm,
    competitor_label,
)
from app.web.organiser.common import attach_error, crumbs_for, get_or_404
from app.web.security import roles_required

VIEWERS = (UserRole.ORGANISER, UserRole.SUPERVISOR, UserRole.TEAM_LEADER)
PANEL = (UserRole.SUPERVISOR,)

# Service fields that the forms call differently.
_FIELDS = {"competitor": "competitor_id", "project": "project_id"}


def appeal_message(error: ServiceError) -> str:
    """app.services.appeals' codes in the user's language."""
    p = error.params
    deadline = p.get("deadline")
    messages = {
        "forbidden": _("Only organisers and the supervision and arbitration panel may do "
                       "this."),
        "competitor_not_in_delegation": _("A team leader appeals only for the competitors "
                                          "of their own delegation."),
        "subject_unknown": _("Choose whether the appeal is about marks or a procedure."),
        "competitor_required": _("An appeal against marks names the competitor: choose "
                                 "one."),
        "competitor_not_in_project": _("This competitor is not in the chosen skill "
                                       "project."),
        "appellant_required": _("Enter the appellant's name (at most %(max)s characters).",
                                max=p.get("max", "")),
        "text_length": _("Write the appeal in %(min)s to %(max)s characters.",
                         min=p.get("min", ""), max=p.get("max", "")),
        "received_in_future": _("The time received cannot be in the future."),
        "appeal_late": _("The appeal is late: the deadline was %(deadline)s.",
                         deadline=local_time(deadline if isinstance(deadline, datetime)
                                             else None)),
        "appeal_decided": _("This appeal is already decided, and the decision is final."),
        "decision_length": _("Write the decision in %(min)s to %(max)s characters.",
                             min=p.get("min", ""), max=p.get("max", "")),
        "module_unknown": _("The project's marking scheme has no module %(modules)s.",
                            modules=p.get("modules", "")),
    }
    return messages.get(error.code) or service_message(error)


def _attach(form: FileAppealForm | DecideForm, error: ServiceError) -> None:
    attach_error(form, _FIELDS.get(error.field or "", error.field), appeal_message(error))


# ------------------------------------------------------------------ the page


@dataclass
class Deadline:
    project: SkillProject
    deadline: datetime | None  # None: the project's end time is not set

    @property
    def passed(self) -> bool:
        return self.deadline is not None and self.deadline <= utcnow()


@dataclass
class Row:
    appeal: Appeal
    form: DecideForm | None  # the panel's decision form, for an open appeal


def _competition(cid: int) -> Competition:
    """Like the results exports: only an organiser learns that a competition does not
    exist; anyone else gets the same 403 whatever the id."""
    competition = db.session.get(Competition, cid)
    if competition is None:
        abort(404 if current_user.role is UserRole.ORGANISER else 403)
    if _team_leader() and _delegation().competition_id != competition.id:
        abort(403)
    return competition


def _team_leader() -> bool:
    return bool(current_user.role is UserRole.TEAM_LEADER)


def _delegation() -> Delegation:
    delegation = (db.session.get(Delegation, current_user.delegation_id)
                  if current_user.delegation_id else None)
    if delegation is None:
        abort(403)  # a team leader account without its delegation can do nothing here
    return delegation


def _visible(competition: Competition) -> list[Appeal]:
    """Every appeal; for a team leader, those of their delegation and those they filed."""
    found = service.for_competition(competition)
    if not _team_leader():
        return found
    own = _delegation().id
    return [a for a in found if a.filed_by == current_user.id
            or (a.competitor is not None and a.competitor.delegation_id == own)]


def _is_panel() -> bool:
    return bool(current_user.role in PANEL)


def _projects(competition: Competition) -> list[SkillProject]:
    return list(db.session.scalars(select(SkillProject).where(
        SkillProject.competition_id == competition.id).order_by(SkillProject.code)))


def _competitors(competition: Competition) -> list[Competitor]:
    query = (select(Competitor).join(SkillProject, Competitor.project_id == SkillProject.id)
             .where(SkillProject.competition_id == competition.id)
             .order_by(SkillProject.code, Competitor.workstation, Competitor.name))
    if _team_leader():
        query = query.where(Competitor.delegation_id == _delegation().id)
    return list(db.session.scalars(query))


def _modules(project_id: int) -> list[Module]:
    """The modules of the project's active scheme: those an upheld appeal can reopen."""
    return list(db.session.scalars(
        select(Module).join(MarkingScheme, Module.scheme_id == MarkingScheme.id)
        .where(MarkingScheme.project_id == project_id,
               MarkingScheme.status == SchemeStatus.ACTIVE).order_by(Module.letter)))


def _file_form(competition: Competition, bound: bool) -> FileAppealForm:
    form = FileAppealForm(prefix="appeal") if bound else FileAppealForm(prefix="appeal",
                                                                       formdata=None)
    form.setup(_projects(competition), _competitors(competition))
    return form


def _decide_form(appeal: Appeal, bound: bool) -> DecideForm:
    modules = _modules(appeal.project_id)
    kwargs = {} if bound else {"formdata": None}
    return DecideForm.for_appeal(
        appeal.subject, [(m.letter, f"{m.letter} {m.name}" if m.locked_at else
                          _("%(module)s (not locked)", module=f"{m.letter} {m.name}"))
                         for m in modules],
        [m.letter for m in modules if m.locked_at is not None],
        prefix=f"decide-{appeal.id}", **kwargs)


def _page(competition: Competition, file_form: FileAppealForm | None = None,
          decide: tuple[int, DecideForm] | None = None) -> str:
    panel = _is_panel()
    rows = []
    for appeal in _visible(competition):
        form = None
        if panel and appeal.status == service.OPEN:
            form = decide[1] if decide and decide[0] == appeal.id else _decide_form(
                appeal, bound=False)
        rows.append(Row(appeal, form))
    # A supervisor reaches this page from the marking console, not the organiser's tabs.
    crumbs = crumbs_for(competition) if current_user.role is UserRole.ORGANISER else [
        (competition.name, "")] if _team_leader() else [
        (_("Marking console"), url_for("chief.index")), (competition.name, "")]
    return render_template(
        "organiser/appeals.html", competition=competition, rows=rows, panel=panel,
        deadlines=[Deadline(p, appeal_deadline(p, competition)) for p in _projects(competition)],
        window=competition.appeal_window_minutes,
        file_form=file_form or _file_form(competition, bound=False),
        subject_label=SUBJECT, status_label=STATUS, local_time=local_time,
        competitor_label=competitor_label, show_tabs=current_user.role is UserRole.ORGANISER,
        crumbs=crumbs, heading=_("Appeals and arbitration"))


@bp.get("/appeals")
@open_to_watchers
@roles_required(UserRole.TEAM_LEADER)
def team_leader_home() -> Response:
    """Where a team leader lands after signing in: their competition's appeals."""
    return redirect(url_for(".appeals", cid=_delegation().competition_id))


@bp.get("/competitions/<int:cid>/appeals")
@open_to_watchers
@roles_required(*VIEWERS)
def appeals(cid: int) -> str:
    return _page(_competition(cid))


# ------------------------------------------------------------------ actions


@bp.post("/competitions/<int:cid>/appeals")
@open_to_watchers
@roles_required(*VIEWERS)
def appeal_file(cid: int) -> str | Response:
    competition = _competition(cid)
    form = _file_form(competition, bound=True)
    if form.validate_on_submit():
        # The select's choices are this competition's rows, so both belong to it.
        project = db.session.get(SkillProject, form.project_id.data)
        competitor = (db.session.get(Competitor, form.competitor_id.data)
                      if form.competitor_id.data else None)
        assert project is not None
        try:
            appeal = service.file(current_user, project, form.subject.data or "",
                                  form.appellant.data or "", form.text.data or "",
                                  competitor=competitor, received_at=form.received_utc())
        except ServiceError as error:
            _attach(form, error)
        else:
            flash(_("Appeal #%(id)s is recorded.", id=appeal.id), "success")
            return redirect(url_for(".appeals", cid=cid) + f"#appeal-{appeal.id}")
    return _page(competition, file_form=form)


@bp.post("/competitions/<int:cid>/appeals/<int:aid>/decide")
@open_to_watchers
@roles_required(*PANEL)
def appeal_decide(cid: int, aid: int) -> str | Response:
    competition = _competition(cid)
    appeal = get_or_404(Appeal, aid)
    if appeal.competition_id != competition.id:
        abort(404)
    form = _decide_form(appeal, bound=True)
    if form.validate_on_submit():
        upheld = form.outcome.data == service.UPHELD
        try:
            reopened = service.decide(current_user, appeal, upheld, form.decision.data or "",
                                      reopen=form.reopen_letters())
        except ServiceError as error:
            _attach(form, error)
        else:
            if reopened:
                message = _("Appeal #%(id)s is upheld. Modules %(modules)s are reopened for "
                            "the chief judge to correct the marks.", id=aid,
                            modules="、".join(reopened))
            elif upheld:
                message = _("Appeal #%(id)s is upheld.", id=aid)
            else:
                message = _("Appeal #%(id)s is dismissed.", id=aid)
            flash(message, "success")
            return redirect(url_for(".appeals", cid=cid) + f"#appeal-{aid}")
    return _page(competition, decide=(aid, form))
