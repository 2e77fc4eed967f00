"""The promotion console (以赛代评与证书): what still blocks promotion, the competition's
rule table (versioned), its settings, running the engine, approving its decisions,
issuing certificates, and the lists for the assessment authority. Organisers only (the
blueprint's rule).

Every change goes through a service (promotion_rules, promotion_settings, promotion,
certificates). A form that fails shows the page again with the error next to its field
or row; nothing is stored then.

The rule table is seeded from the tier's default the first time the page is opened
(promotion_rules.ensure_seeded, committed here): what the organiser sees and edits is
then exactly the stored table the engine uses, with real version numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.dates import format_skeleton
from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from app.domain.promotion import DEFAULT_FOR_TIER, Basis, Reason, RuleProblem, RuleSet
from app.extensions import db
from app.models import Competition, Division, Promotion, PromotionRule, SkillProject
from app.models.base import utcnow
from app.services import certificates, promotion, promotion_exports, promotion_rules
from app.services import promotion_settings as settings_service
from app.services.errors import ServiceError
from app.services.local_time import display_zone
from app.services.promotion import Blocker, PromotionBlocked
from app.services.promotion_exports import PromotionSheetText
from app.services.promotion_rules import RuleInput, RulesRefused
from app.web import labels
from app.web.live.exports import MEDIA_TYPES
from app.web.live.labels import AWARD, division_label
from app.web.messages import service_message
from app.web.organiser import bp
from app.web.organiser.common import attach_error, crumbs_for, get_or_404
from app.web.organiser.promotion_forms import (
    ALL_DIVISIONS,
    RULE_SET,
    STATUS,
    DecisionsForm,
    ProjectEndForm,
    RuleRowForm,
    RulesForm,
    SeededForm,
    SettingsForm,
    reason_label,
    row_data,
)

# ------------------------------------------------------------------ words


def promotion_message(error: ServiceError) -> str:
    """The console's messages for the promotion services' codes, in the user's language."""
    p = error.params
    if isinstance(error, PromotionBlocked):
        return _("Promotion cannot go ahead yet: %(blockers)s",
                 blockers=_("; ").join(blocker_lines(error.blockers)))
    messages = {
        "rule_unknown": _("The rule table was changed meanwhile: reload the page and edit "
                          "it again."),
        "not_proposed": _("Some of the ticked promotions are no longer awaiting approval: "
                          "reload the page and try again."),
        "not_approved": _("Some promotions are no longer approved: reload the page and try "
                          "again."),
        "body_not_configured": _("Enter the assessment body's serial and name in the "
                                 "promotion settings first."),
        "body_invalid": _("The assessment body's codes in the promotion settings are not "
                          "valid: correct them first."),
        "out_of_range": _("Enter a whole number from %(min)s to %(max)s.",
                          min=p.get("min", ""), max=p.get("max", "")),
        "too_long": _("Write at most %(max)s characters.", max=p.get("max", "")),
        "body_type": _("Choose Y or S."),
        "body_code": _("Enter exactly 4 digits."),
        "province": _("Enter exactly 2 digits."),
        "body_serial": _("Enter exactly 6 digits."),
    }
    return messages.get(error.code) or service_message(error)


def rule_problem_message(problem: RuleProblem, row_number: Callable[[int], int]) -> str:
    """A table problem in words; rows are numbered as the organiser sees them."""
    if problem.code == "overlap" and problem.other is not None:
        return _("Overlaps with row %(row)s: one competitor could match both rules.",
                 row=row_number(problem.other))
    return {
        "rank_range_missing": _("Enter both ranks of the range."),
        "rank_range_order": _("The range must start at rank 1 or later and not end before "
                              "it starts."),
        "award_missing": _("Choose the lowest award this rule takes."),
        "percent_range": _("Enter a share from 1 to 100 per cent."),
        "target_above_cap": _("The target level is above the highest level allowed."),
    }.get(problem.code, problem.code)


# Which row field a problem is about; an overlap is about the whole row.
_PROBLEM_FIELD = {"rank_range_missing": "rank_from", "rank_range_order": "rank_from",
                  "award_missing": "min_award", "percent_range": "top_percent",
                  "target_above_cap": "cap"}



def short_time(moment: datetime) -> str:
    """11月23日 18:00 (Nov 23 18:00), in the event's time zone."""
    local = moment.astimezone(display_zone())
    return f"{format_skeleton('MMMd', local, locale=get_locale() or 'zh')} {local:%H:%M}"


def blocker_text(blocker: Blocker) -> str:
    p = blocker.params
    texts = {
        "not_published": lambda: _("Results not published"),
        "not_signed_off": lambda: _("module %(modules)s not signed off",
                                    modules=p.get("modules", "")),
        "no_end_time": lambda: _("no project end time set"),
        "appeal_window": lambda: _("appeals accepted until %(time)s",
                                   time=short_time(p["until"])),
        "appeals_open": lambda: _("%(count)s appeal(s) open", count=p.get("count", 0)),
    }
    text = texts.get(blocker.code)
    return text() if text else blocker.code


def blocker_lines(found: list[Blocker]) -> list[str]:
    """One line for the competition, then one per project with all its blockers:
    "项目 增材制造：模块 C 未签核；1 项申诉未决"."""
    lines = [blocker_text(b) for b in found if b.project is None]
    by_project: dict[int, tuple[SkillProject, list[str]]] = {}
    for blocker in found:
        if blocker.project is not None:
            by_project.setdefault(blocker.project.id, (blocker.project, []))[1].append(
                blocker_text(blocker))
    for project, texts in by_project.values():
        lines.append(_("Project %(name)s: %(problems)s", name=project.name,
                       problems=_("; ").join(texts)))
    return lines


def rule_label(rule: PromotionRule) -> str:
    """职工组 · 第 1–5 名 · v2"""
    division = labels.DIVISION[rule.division] if rule.division else ALL_DIVISIONS
    basis = Basis(rule.basis)
    if basis is Basis.RANK:
        what = _("ranks %(first)s–%(last)s", first=rule.rank_from, last=rule.rank_to)
    elif basis is Basis.AWARD:
        what = _("%(award)s and above", award=AWARD[rule.min_award]) if rule.min_award else ""
    else:
        what = _("top %(percent)s%%", percent=rule.top_percent)
    return f"{division} · {what} · v{rule.version}"


def certificate_url(number: str) -> str:
    """The certificate's PDF (the public certificates blueprint)."""
    try:
        return url_for("certificates.pdf", number=number)
    except BuildError:
        return f"/certificates/{number}.pdf"


# ------------------------------------------------------------------ the page


@dataclass
class DecisionGroup:
    project: SkillProject
    division: Division
    rows: list[Promotion]


@dataclass
class ProjectTimes:
    project: SkillProject
    deadline: datetime | None
    form: ProjectEndForm


def _decision_groups(competition: Competition) -> list[DecisionGroup]:
    groups: dict[tuple[int, int], DecisionGroup] = {}
    for row in promotion.decisions(competition):
        division = row.competitor.division
        groups.setdefault((row.project_id, division.id),
                          DecisionGroup(row.project, division, [])).rows.append(row)
    ordered = sorted(groups.values(), key=lambda g: (g.project.code, g.division.kind.value))
    for group in ordered:
        # The standing decisions by rank, the revoked ones (history) after them.
        group.rows.sort(key=lambda r: (r.status == promotion.REVOKED, r.rank is None,
                                       r.rank or 0, r.competitor.name, r.id))
    return ordered


def _seeded_rules(competition: Competition) -> list[PromotionRule]:
    """The table; seeded (and committed) the first time anyone opens the page."""
    rows = promotion_rules.current(competition)
    if rows:
        return rows
    try:
        rows = promotion_rules.ensure_seeded(competition)
        db.session.commit()
    except IntegrityError:  # someone else seeded it at the same moment
        db.session.rollback()
        rows = promotion_rules.current(competition)
    return rows


def _rules_form(rows: list[PromotionRule]) -> RulesForm:
    return RulesForm(formdata=None, prefix="rules", data={
        "rows": [row_data(promotion_rules.to_rule(r)) for r in rows]})


def _page(competition: Competition, bound: dict[str, FlaskForm] | None = None) -> str:
    bound = bound or {}

    def form(key: str, make: Callable[[], FlaskForm]) -> Any:
        return bound.get(key) or make()

    rules = _seeded_rules(competition)
    found = promotion.blockers(competition)
    groups = _decision_groups(competition)
    counts: dict[str, int] = {}
    for group in groups:
        for row in group.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
    projects = [ProjectTimes(project, promotion.appeal_deadline(project, competition),
                             form(f"end-{project.id}", lambda p=project: ProjectEndForm(
                                 formdata=None, prefix=f"end-{p.id}",
                                 data={"ends_at": ProjectEndForm.local(p.ends_at)})))
                for project in competition.projects]
    return render_template(
        "organiser/promotions.html", competition=competition,
        blocker_lines=blocker_lines(found), blocked=bool(found), projects=projects,
        rules_form=form("rules", lambda: _rules_form(rules)),
        versions={r.rule_key: r.version for r in rules},
        seeded_form=form("seeded", lambda: SeededForm(formdata=None, prefix="seeded", data={
            "rule_set": DEFAULT_FOR_TIER[competition.tier].value})),
        settings_form=form("settings", lambda: SettingsForm(
            formdata=None, prefix="settings", obj=competition)),
        decisions_form=form("decisions", lambda: DecisionsForm(formdata=None,
                                                               prefix="decisions")),
        groups=groups, counts=counts, status_label=STATUS, reason_label=reason_label,
        rule_label=rule_label, level_label=labels.level_label, award_label=AWARD,
        division_label=division_label, certificate_url=certificate_url,
        short_time=short_time, now=utcnow(), body_ready=_body_ready(competition),
        crumbs=crumbs_for(competition), heading=_("Promotion and certificates"))


def _body_ready(competition: Competition) -> bool:
    try:
        certificates.issuing_body(competition)
    except ServiceError:
        return False
    return True


@bp.get("/competitions/<int:cid>/promotions")
def promotions(cid: int) -> str:
    return _page(get_or_404(Competition, cid))


# ------------------------------------------------------------------ actions

_Outcome = str | Response


def _back(competition: Competition, anchor: str) -> Response:
    return redirect(url_for(".promotions", cid=competition.id) + f"#{anchor}")


def _run_form(competition: Competition, key: str, form: FlaskForm, action: Callable[[], Any],
              message: Callable[[Any], str], anchor: str) -> _Outcome:
    """Validate, act through the service, and redirect back with a message; or show the
    page again with the form's errors in place (nothing stored)."""
    if form.validate_on_submit():
        try:
            outcome = action()
        except ServiceError as error:
            attach_error(form, error.field, promotion_message(error))
        else:
            flash(message(outcome), "success")
            return _back(competition, anchor)
    return _page(competition, {key: form})


def _act(competition: Competition, action: Callable[[], Any], message: Callable[[Any], str],
         anchor: str) -> Response:
    """A button: act, and come back with the outcome (a refusal says why)."""
    try:
        outcome = action()
    except ServiceError as error:
        flash(promotion_message(error), "danger")
    else:
        flash(message(outcome), "success")
    return _back(competition, anchor)


@bp.post("/competitions/<int:cid>/promotions/rules")
def promotion_rules_save(cid: int) -> _Outcome:
    comp = get_or_404(Competition, cid)
    form = RulesForm(prefix="rules")
    if request.form.get("action") == "add":
        # A new empty row to fill in; nothing is stored until the table is saved.
        if len(form.rows.entries) < (form.rows.max_entries or 50):
            form.rows.append_entry()
        return _page(comp, {"rules": form})
    if form.validate_on_submit():
        kept = [(index, entry.form) for index, entry in enumerate(form.rows.entries)
                if not entry.form.remove.data]
        try:
            changed = promotion_rules.save(comp, current_user, [
                RuleInput(row.stored_key, row.rule()) for _i, row in kept])
        except RulesRefused as refused:
            _attach_problems(form, kept, refused.problems)
        except ServiceError as error:
            flash(promotion_message(error), "danger")
        else:
            flash(_("Promotion rules saved (%(count)s changes).", count=changed) if changed
                  else _("Nothing changed in the rule table."), "success")
            return _back(comp, "rules")
    return _page(comp, {"rules": form})


def _attach_problems(form: RulesForm, kept: list[tuple[int, RuleRowForm]],
                     problems: list[RuleProblem]) -> None:
    """Each problem next to the field it is about, or on its row."""
    def row_number(saved_index: int) -> int:
        return kept[saved_index][0] + 1

    for problem in problems:
        _index, row = kept[problem.index]
        message = rule_problem_message(problem, row_number)
        name = _PROBLEM_FIELD.get(problem.code)
        if name:
            row[name].errors = [*row[name].errors, message]
        else:
            row.problems.append((problem.code, message))


@bp.post("/competitions/<int:cid>/promotions/rules/seeded")
def promotion_rules_seeded(cid: int) -> _Outcome:
    comp = get_or_404(Competition, cid)
    form = SeededForm(prefix="seeded")
    return _run_form(comp, "seeded", form, lambda: promotion_rules.load_seeded(
        comp, current_user, RuleSet(form.rule_set.data)),
        lambda _n: _("The table %(name)s is loaded.",
                     name=RULE_SET[RuleSet(form.rule_set.data)]), "rules")


@bp.post("/competitions/<int:cid>/promotions/settings")
def promotion_settings(cid: int) -> _Outcome:
    comp = get_or_404(Competition, cid)
    form = SettingsForm(prefix="settings")
    return _run_form(comp, "settings", form,
                     lambda: settings_service.save(comp, form.settings()),
                     lambda changed: _("Promotion settings saved.") if changed
                     else _("Nothing changed in the promotion settings."), "settings")


@bp.post("/projects/<int:pid>/promotions/end")
def promotion_project_end(pid: int) -> _Outcome:
    project = get_or_404(SkillProject, pid)
    form = ProjectEndForm(prefix=f"end-{pid}")
    return _run_form(project.competition, f"end-{pid}", form,
                     lambda: settings_service.set_project_end(project, form.utc_value()),
                     lambda _n: _("End time of %(project)s saved.", project=project.name),
                     "blockers")


@bp.post("/competitions/<int:cid>/promotions/run")
def promotion_run(cid: int) -> Response:
    comp = get_or_404(Competition, cid)
    return _act(comp, lambda: promotion.run(comp), lambda s: _(
        "The engine ran: %(new)s new decisions, %(unchanged)s unchanged, %(superseded)s "
        "replaced, %(revoked)s revoked. Now %(promoted)s promoted and %(not_promoted)s not "
        "promoted.", new=s.new, unchanged=s.unchanged, superseded=s.superseded,
        revoked=s.revoked, promoted=s.promoted, not_promoted=s.not_promoted), "decisions")


def _approved(count: int) -> str:
    return _("%(count)s promotions approved.", count=count) if count \
        else _("Nothing was awaiting approval.")


@bp.post("/competitions/<int:cid>/promotions/approve")
def promotion_approve(cid: int) -> _Outcome:
    comp = get_or_404(Competition, cid)
    form = DecisionsForm(prefix="decisions")
    if not form.validate_on_submit():
        return _page(comp, {"decisions": form})
    if not form.ids.data:
        flash(_("Tick the promotions to approve first."), "warning")
        return _back(comp, "decisions")
    return _act(comp, lambda: promotion.approve(comp, current_user, form.ids.data),
                _approved, "decisions")


@bp.post("/competitions/<int:cid>/promotions/approve-all")
def promotion_approve_all(cid: int) -> Response:
    comp = get_or_404(Competition, cid)
    return _act(comp, lambda: promotion.approve(comp, current_user), _approved, "decisions")


@bp.post("/competitions/<int:cid>/promotions/issue")
def promotion_issue(cid: int) -> Response:
    comp = get_or_404(Competition, cid)
    return _act(comp, lambda: certificates.issue(comp), lambda issued: _(
        "%(count)s certificates issued.", count=len(issued)) if issued
        else _("No approved promotion is waiting for a certificate."), "decisions")


# ------------------------------------------------------------------ exports


def sheet_text() -> PromotionSheetText:
    """Every word of the two lists, in the language of the request."""
    return PromotionSheetText(
        promotions_title=_("Promotion list"),
        non_promotions_title=_("Competitors not promoted"),
        included=lambda names: _("Statuses included: %(statuses)s",
                                 statuses=_(", ").join(names)),
        printed=lambda when: _("Printed: %(time)s", time=when),
        headings={
            "name": _("Name"), "id_number": _("ID number"),
            "occupation_code": _("Occupation code"), "occupation": _("Occupation"),
            "old_level": _("Level before"), "new_level": _("New level"),
            "current_level": _("Current level"), "title": _("Title"), "rule": _("Rule"),
            "competition": _("Competition"), "project": _("Project"),
            "division": _("Division"), "delegation": _("Delegation"), "rank": _("Rank"),
            "certificate": _("Certificate number"), "status": _("Status"),
            "reason": _("Reason")},
        levels={int(level): str(text) for level, text in labels.LEVEL.items()},
        no_level=labels.level_label(None),
        statuses={code: str(text) for code, text in STATUS.items()},
        reasons={reason.value: reason_label(reason.value) for reason in Reason},
        divisions={kind.value: str(text) for kind, text in labels.DIVISION.items()},
        rule=rule_label, no_rows=_("Nobody is on this list."), zone=display_zone())


def _xlsx(content: bytes, stem: str) -> Response:
    return Response(content, headers={
        "Content-Type": MEDIA_TYPES["xlsx"],
        "Content-Disposition": f'attachment; filename="{stem}.xlsx"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@bp.get("/competitions/<int:cid>/promotions.xlsx")
def promotions_export(cid: int) -> Response:
    comp = get_or_404(Competition, cid)
    return _xlsx(promotion_exports.promotions_xlsx(comp, sheet_text()), f"promotions-{cid}")


@bp.get("/competitions/<int:cid>/non-promotions.xlsx")
def non_promotions_export(cid: int) -> Response:
    comp = get_or_404(Competition, cid)
    return _xlsx(promotion_exports.non_promotions_xlsx(comp, sheet_text()),
                 f"non-promotions-{cid}")
