"""The results and ceremony console (成绩与颁奖): what the public sees, the freeze,
publication, each board as staff see it with its ties and its ceremony, the ranking and
award settings, and the hall's named screens. Organisers only (the blueprint's rule).

Every change goes through app.services.ceremony (or screens.point). A form that fails
shows the page again with the error next to its field; nothing is stored then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.domain.ranking import CHIEF, parse_chain
from app.models import Competition, Division, Screen, SkillProject
from app.models.base import utcnow
from app.services import ceremony, public_view, results, screens
from app.services.errors import ServiceError
from app.services.local_time import display_zone, local_time
from app.services.public_view import AWARD_STEPS, RANK, Phase, PublicBoard
from app.services.results import BoardResult, Line
from app.web import labels
from app.web.live.labels import AWARD, PHASE, chain_label, division_label, tie_label
from app.web.messages import service_message
from app.web.organiser import bp
from app.web.organiser.common import attach_error, crumbs_for, get_or_404
from app.web.organiser.results_forms import (
    REVEAL_MODE,
    SCREEN_SHOW,
    AwardSettingsForm,
    FreezeForm,
    PublishForm,
    RankingForm,
    RevealForm,
    ScreenForm,
    TieForm,
    VisibilityForm,
)

# ------------------------------------------------------------------ messages


def results_message(error: ServiceError) -> str:
    """The console's messages for app.services.ceremony's codes, in the user's language."""
    p = error.params
    where = f"{p.get('project', '')} · {division_label(p.get('division', ''))}"
    if error.code == "ceremony_running" and "steps" in p:
        return _("The ceremony of %(board)s is half way (step %(step)s of %(steps)s): reveal "
                 "every step or end it first.", board=where, step=p["step"], steps=p["steps"])
    messages = {
        "published_final": _("The results are published and final: this can no longer "
                             "change."),
        "already_published": _("The results are already published."),
        "not_ready": _("Some results are not ready (listed above). To publish anyway, tick "
                       "the box and give the reason."),
        "undecided_tie": _("%(board)s has a tie nobody has decided: record the chief judge's "
                           "decision first.", board=where),
        "ceremony_running": _("This board's ceremony is already running."),
        "no_scheme": _("This project has no active marking scheme, so it has no results "
                       "yet."),
        "not_signed_off": _("Modules %(modules)s are not signed off yet. Tick the box to "
                            "reveal anyway.", modules="、".join(p.get("modules", []))),
        "last_step": _("Every step is already shown."),
        "first_step": _("Nothing is shown yet: there is no step to take back."),
        "no_ceremony": _("This board has no ceremony running."),
        "reason_required": _("Write at least %(min)s characters.", min=p.get("min", "")),
        "reason_too_long": _("Write at most %(max)s characters.", max=p.get("max", "")),
        "order_repeats": _("Put each tied competitor in exactly one place."),
        "not_a_tie": _("These competitors are no longer tied this way. Reload the page and "
                       "try again."),
        "chief_not_last": _("The tie-break chain must end with chief for the chief judge's "
                            "decision to count. Change the project's ranking settings."),
        "invalid_chain": _("Use the steps judgement, module:<letter>, completion and chief, "
                           "each at most once, separated by commas."),
        "unknown_module": _("This project has no module %(letter)s.",
                            letter=p.get("letter", "")),
        "invalid": _("This value is not allowed here."),
        "required": _("Choose the board this screen shows."),
    }
    return messages.get(error.code) or service_message(error)


# How the console colours a phase and an award (Bootstrap utilities and plain colours:
# the organiser pages have no stylesheet of their own for results).
PHASE_BADGE = {
    Phase.HIDDEN: "text-bg-secondary", Phase.PROGRESS: "text-bg-info",
    Phase.LIVE: "text-bg-success", Phase.FROZEN: "text-bg-primary",
    Phase.CEREMONY: "text-bg-warning", Phase.PUBLISHED: "text-bg-dark",
}
AWARD_STYLE = {
    "gold": "background:#c9a227;color:#fff", "silver": "background:#8d939a;color:#fff",
    "bronze": "background:#a96a3a;color:#fff", "excellence": "background:#0f7b6c;color:#fff",
    "medallion": "background:#0f7b6c;color:#fff",
}

# Service fields that a form calls differently.
_FIELDS = {"project_id": "board", "division_id": "board", "modules": "confirm"}


def _attach(form: FlaskForm, error: ServiceError) -> None:
    attach_error(form, _FIELDS.get(error.field or "", error.field), results_message(error))


# ------------------------------------------------------------------ the page


@dataclass
class TiePanel:
    key: int  # the lowest competitor id of the group: names the tie in URLs and forms
    lines: list[Line]
    form: TieForm


@dataclass
class BoardPanel:
    project: SkillProject
    division: Division
    staff: BoardResult
    public: PublicBoard
    public_ids: set[int]
    reveal_form: RevealForm
    ties: list[TiePanel]
    unsigned: list[str]
    next_reveal: list[Line] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return board_anchor(self.project.id, self.division.id)

    @property
    def undecided(self) -> bool:
        return any(line.tie and line.tie.undecided for line in self.staff.lines)

    @property
    def in_ceremony(self) -> bool:
        return self.public.phase is Phase.CEREMONY


@dataclass
class ProjectPanel:
    project: SkillProject
    ranking_form: RankingForm
    chief_last: bool
    boards: list[BoardPanel]


def board_anchor(project_id: int, division_id: int) -> str:
    return f"board-{project_id}-{division_id}"




def _page(competition: Competition, bound: dict[str, FlaskForm] | None = None) -> str:
    bound = bound or {}

    def form(key: str, make: Callable[[], FlaskForm]) -> Any:
        return bound.get(key) or make()

    projects = [_project_panel(project, form) for project in competition.projects]
    phase = public_view.competition_phase(competition)
    freeze = competition.freeze_at
    return render_template(
        "organiser/results.html", competition=competition, phase=phase,
        phase_label=PHASE[phase], phase_labels=PHASE, phase_badge=PHASE_BADGE,
        award_style=AWARD_STYLE, projects=projects,
        problems=ceremony.readiness(competition) if competition.published_at is None else [],
        visibility_form=form("visibility", lambda: VisibilityForm(
            prefix="visibility", data={"visibility": competition.visibility})),
        freeze_form=form("freeze", lambda: FreezeForm(prefix="freeze", data={
            "freeze_at": freeze.astimezone(display_zone()).replace(tzinfo=None) if freeze
            else None})),
        freeze_local=local_time(freeze), freeze_pending=freeze is not None and freeze > utcnow(),
        published_local=local_time(competition.published_at),
        publish_form=form("publish", lambda: PublishForm(prefix="publish")),
        awards_form=form("awards", lambda: AwardSettingsForm(prefix="awards", obj=competition)),
        screens=[(screen, form(f"screen-{screen.id}", lambda s=screen: _screen_form(
            competition, s))) for screen in screens.of(competition)],
        new_screen_form=form("screen-new", lambda: _screen_form(competition, None)),
        screen_show=SCREEN_SHOW, reveal_mode=REVEAL_MODE, award_label=AWARD,
        tie_text=_tie_text, division_label=division_label, award_steps=AWARD_STEPS,
        chain_label=chain_label,
        crumbs=crumbs_for(competition), heading=_("Results and ceremony"))


def _project_panel(project: SkillProject, form: Callable[[str, Callable[[], FlaskForm]], Any]
                   ) -> ProjectPanel:
    classic = project.marking_method.value == "classic"
    ranking = form(f"ranking-{project.id}", lambda: _ranking_form(project, classic))
    try:
        chain = parse_chain(project.tie_break_chain)
    except ValueError:
        chain = ()
    unsigned = ceremony.unsigned_modules(project)
    boards = []
    for division in project.divisions:
        staff = results.board(project, division)
        public = public_view.public_board(project, division)
        ties = []
        for group in ceremony.tie_groups(project, division):
            key = min(line.competitor_id for line in group)
            prefix = f"tie-{project.id}-{division.id}-{key}"
            order = [line.competitor_id for line in group]
            tie_form = form(prefix, lambda p=prefix, o=order: TieForm(prefix=p,
                                                                      data={"order": o}))
            tie_form.set_competitors(_tie_choices(group))
            ties.append(TiePanel(key, group, tie_form))
        reveal = form(f"reveal-{project.id}-{division.id}", lambda d=division: RevealForm(
            prefix=f"reveal-{project.id}-{d.id}"))
        boards.append(BoardPanel(project, division, staff, public,
                                 {line.competitor_id for line in public.lines}, reveal, ties,
                                 unsigned, _next_reveal(staff, public)))
    return ProjectPanel(project, ranking, bool(chain) and chain[-1] == CHIEF, boards)


def _ranking_form(project: SkillProject, classic: bool) -> RankingForm:
    data = {"tie_break_chain": project.tie_break_chain, "use_scale": project.use_scale,
            "scale_centre": project.scale_centre, "scale_k": project.scale_k}
    if classic:
        data |= {"theory_weight": round(project.theory_weight * 100, 4),
                 "theory_pass": project.theory_pass, "practical_pass": project.practical_pass}
    return RankingForm.for_project(classic, prefix=f"ranking-{project.id}", data=data)


def _tie_choices(group: list[Line]) -> list[tuple[int, str]]:
    return [(line.competitor_id, f"{line.name}（{line.delegation}）") for line in group]


def _tie_text(line: Line) -> str:
    if line.tie is None:
        return ""
    return tie_label({"step": line.tie.step, "undecided": line.tie.undecided})


def _next_reveal(staff: BoardResult, public: PublicBoard) -> list[Line]:
    """What the board's next ceremony step unveils (the organiser sees it coming)."""
    if public.phase is not Phase.CEREMONY or public.reveal_step >= public.reveal_steps:
        return []
    ranked = [line for line in staff.lines if line.rank is not None]
    if public.reveal_mode == RANK:
        return [ranked[len(ranked) - public.reveal_step - 1]]
    unveiled = set(AWARD_STEPS[public.reveal_step])
    return [line for line in ranked if line.award in unveiled]


def _screen_form(competition: Competition, screen: Screen | None, **kwargs: Any) -> ScreenForm:
    prefix = f"screen-{screen.id}" if screen else "screen-new"
    if screen is not None:
        kwargs["data"] = {"name": screen.name, "show": screen.show,
                          "rotate_seconds": screen.rotate_seconds,
                          "board": f"{screen.project_id}:{screen.division_id}"
                          if screen.project_id and screen.division_id else ""}
    form = ScreenForm(prefix=prefix, **kwargs)
    form.board.choices = labels.options([("", "—")] + [
        (f"{p.id}:{d.id}", f"{p.code} {p.name} · {division_label(d.kind)}")
        for p, d in results.boards_of(competition)])
    return form


@bp.get("/competitions/<int:cid>/results")
def results_console(cid: int) -> str:
    return _page(get_or_404(Competition, cid))


# ------------------------------------------------------------------ actions

_Outcome = str | Response


def _run(competition: Competition, key: str, form: FlaskForm, action: Callable[[], Any],
         message: str, anchor: str = "") -> _Outcome:
    """Validate, act through the service, and redirect back with a message; or show the
    page again with the form's errors in place (nothing stored)."""
    if form.validate_on_submit():
        try:
            action()
        except ServiceError as error:
            _attach(form, error)
        else:
            flash(message, "success")
            return redirect(url_for(".results_console", cid=competition.id)
                            + (f"#{anchor}" if anchor else ""))
    return _page(competition, {key: form})


def _act(competition: Competition, action: Callable[[], Any], message: str,
         anchor: str = "") -> Response:
    """A button with nothing to fill in: act, and come back with the outcome."""
    try:
        action()
    except ServiceError as error:
        flash(results_message(error), "danger")
    else:
        flash(message, "success")
    return redirect(url_for(".results_console", cid=competition.id)
                    + (f"#{anchor}" if anchor else ""))


@bp.post("/competitions/<int:cid>/results/visibility")
def results_visibility(cid: int) -> _Outcome:
    comp = get_or_404(Competition, cid)
    form = VisibilityForm(prefix="visibility")
    return _run(comp, "visibility", form,
                lambda: ceremony.set_visibility(comp, form.visibility.data),
                _("Public visibility saved."), "public")


@bp.post("/competitions/<int:cid>/results/freeze")
def results_freeze(cid: int) -> _Outcome:
    comp = get_or_404(Competition, cid)
    form = FreezeForm(prefix="freeze")
    return _run(comp, "freeze", form, lambda: ceremony.set_freeze(
        comp, form.freeze_at.data.replace(tzinfo=display_zone())), _("Freeze time saved."),
        "public")


@bp.post("/competitions/<int:cid>/results/freeze-now")
def results_freeze_now(cid: int) -> Response:
    comp = get_or_404(Competition, cid)
    return _act(comp, lambda: ceremony.set_freeze(comp, utcnow()),
                _("The public boards are frozen."), "public")


@bp.post("/competitions/<int:cid>/results/unfreeze")
def results_unfreeze(cid: int) -> Response:
    comp = get_or_404(Competition, cid)
    return _act(comp, lambda: ceremony.set_freeze(comp, None),
                _("The public boards are no longer frozen."), "public")


@bp.post("/competitions/<int:cid>/results/publish")
def results_publish(cid: int) -> _Outcome:
    comp = get_or_404(Competition, cid)
    form = PublishForm(prefix="publish")
    return _run(comp, "publish", form, lambda: ceremony.publish(
        comp, force=bool(form.force.data), reason=form.reason.data or ""),
        _("The results are published."), "publish")


@bp.post("/competitions/<int:cid>/results/awards")
def results_awards(cid: int) -> _Outcome:
    comp = get_or_404(Competition, cid)
    form = AwardSettingsForm(prefix="awards")
    return _run(comp, "awards", form, lambda: ceremony.update_award_settings(
        comp, form.values()), _("Award settings saved."), "awards")


@bp.post("/projects/<int:pid>/results/ranking")
def results_ranking(pid: int) -> _Outcome:
    project = get_or_404(SkillProject, pid)
    form = RankingForm.for_project(project.marking_method.value == "classic",
                                   prefix=f"ranking-{pid}")
    return _run(project.competition, f"ranking-{pid}", form,
                lambda: ceremony.update_project_settings(project, form.values()),
                _("Ranking settings of %(project)s saved.", project=project.name),
                f"project-{pid}")


def _board(pid: int, did: int) -> tuple[SkillProject, Division]:
    project = get_or_404(SkillProject, pid)
    division = get_or_404(Division, did)
    if division.project_id != project.id:
        abort(404)
    return project, division


@bp.post("/projects/<int:pid>/divisions/<int:did>/ceremony/start")
def ceremony_start(pid: int, did: int) -> _Outcome:
    project, division = _board(pid, did)
    form = RevealForm(prefix=f"reveal-{pid}-{did}")
    return _run(project.competition, f"reveal-{pid}-{did}", form,
                lambda: ceremony.start_reveal(project, division, form.mode.data,
                                              confirm_unsigned=bool(form.confirm.data)),
                _("The ceremony has started: the public sees no place yet."),
                board_anchor(pid, did))


@bp.post("/projects/<int:pid>/divisions/<int:did>/ceremony/<any(next, previous, end):move>")
def ceremony_move(pid: int, did: int, move: str) -> Response:
    project, division = _board(pid, did)
    actions: dict[str, tuple[Callable[[], Any], str]] = {
        "next": (lambda: ceremony.next_step(project, division), _("Next step shown.")),
        "previous": (lambda: ceremony.previous_step(project, division),
                     _("The last step is taken back.")),
        "end": (lambda: ceremony.end_reveal(project, division), _("The ceremony has ended.")),
    }
    action, message = actions[move]
    return _act(project.competition, action, message, board_anchor(pid, did))


@bp.post("/projects/<int:pid>/divisions/<int:did>/ties/<int:key>")
def tie_decision(pid: int, did: int, key: int) -> _Outcome:
    project, division = _board(pid, did)
    group = next((g for g in ceremony.tie_groups(project, division)
                  if min(line.competitor_id for line in g) == key), None)
    if group is None:
        flash(results_message(ServiceError("not_a_tie")), "danger")
        return redirect(url_for(".results_console", cid=project.competition_id)
                        + f"#{board_anchor(pid, did)}")
    prefix = f"tie-{pid}-{did}-{key}"
    form = TieForm(prefix=prefix)
    form.set_competitors(_tie_choices(group))
    return _run(project.competition, prefix, form,
                lambda: ceremony.record_tie_decision(project, division, form.ordered_ids(),
                                                     form.reason.data or ""),
                _("The chief judge's decision is recorded."), board_anchor(pid, did))


@bp.post("/competitions/<int:cid>/results/screens", defaults={"sid": None})
@bp.post("/competitions/<int:cid>/results/screens/<int:sid>")
def screen_point(cid: int, sid: int | None) -> _Outcome:
    comp = get_or_404(Competition, cid)
    screen = get_or_404(Screen, sid) if sid is not None else None
    if screen is not None and screen.competition_id != comp.id:
        abort(404)
    form = _screen_form(comp, screen)
    if screen is not None:
        form.name.data = screen.name  # a screen keeps its name: the projector asks for it
    key = f"screen-{sid}" if sid is not None else "screen-new"
    return _run(comp, key, form, lambda: _point(comp, screen, form),
                _("The screen follows the new setting."), "screens")


def _point(competition: Competition, screen: Screen | None, form: ScreenForm) -> None:
    existing = screens.named(competition, form.name.data or "")
    if existing is not None and existing is not screen:
        raise ServiceError("duplicate", field="name")
    screens.point(competition, screen, form.values())
