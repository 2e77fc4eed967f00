"""Forms of the appeals page (app/web/organiser/appeals.py): filing a written appeal, and
the panel's decision on one. The services check the rules (app.services.appeals); these
forms only take the input, so each refusal reads the same as the service's code says."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.models import Competitor, SkillProject
from app.services.local_time import display_zone
from app.web import labels
from app.web.organiser.forms import MultiCheckboxField, strip

SUBJECT = {"marks": _l("Marks"), "procedure": _l("Procedure")}
STATUS = {"open": _l("Awaiting decision"), "upheld": _l("Upheld"),
          "dismissed": _l("Dismissed")}
OUTCOME = {"upheld": STATUS["upheld"], "dismissed": STATUS["dismissed"]}




def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


def competitor_label(competitor: Competitor) -> str:
    """"G01 工业机械 — 03 张伟": the project, then the workstation the panel knows them by."""
    project = competitor.project
    return (f"{project.code} {project.name} — {competitor.workstation or '—'} "
            f"{competitor.name}")


class FileAppealForm(FlaskForm):
    project_id = SelectField(_l("Skill project"), coerce=int)
    subject = SelectField(_l("The appeal is about"), choices=labels.options(SUBJECT.items()))
    competitor_id = SelectField(_l("Competitor"), coerce=_int_or_none,
                                validators=[Optional()],
                                description=_l("Needed for an appeal against marks; "
                                               "choose a competitor of the project above."))
    appellant = StringField(_l("Appellant (team leader)"), filters=[strip])
    text = TextAreaField(_l("The written appeal"), filters=[strip])
    received_at = DateTimeLocalField(
        _l("Received at"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description=_l("When the written appeal was handed in, in local time. Leave empty "
                       "for now."))

    def setup(self, projects: list[SkillProject], competitors: list[Competitor]) -> None:
        self.project_id.choices = labels.options((p.id, f"{p.code} {p.name}") for p in projects)
        self.competitor_id.choices = labels.options(
            [("", "—")] + [(c.id, competitor_label(c)) for c in competitors])

    def received_utc(self) -> datetime | None:
        """The organiser types the event's local time; the service compares aware times."""
        moment = self.received_at.data
        return moment.replace(tzinfo=display_zone()) if moment is not None else None


class DecideForm(FlaskForm):
    """The panel's decision on one appeal (made with the prefix decide-<id>). `reopen` is
    removed for an appeal against a procedure: there are no marks to reopen."""

    outcome = RadioField(_l("Decision"), choices=labels.options(OUTCOME.items()),
                         validators=[InputRequired(message=_l("Choose upheld or dismissed."))])
    decision = TextAreaField(_l("The panel's decision, as written"), filters=[strip])
    reopen = MultiCheckboxField(
        _l("Modules to reopen"),
        description=_l("An upheld appeal against marks unlocks these modules so the chief "
                       "judge can correct the marks and sign them off again."))

    @classmethod
    def for_appeal(cls, subject: str, modules: list[tuple[str, str]], locked: list[str],
                   **kwargs: Any) -> DecideForm:
        """`modules`: (letter, label) of the active scheme's modules; `locked`: the
        letters of those signed off."""
        form = cls(**kwargs)
        if subject != "marks":
            delattr(form, "reopen")
            return form
        form.reopen.choices = labels.options(modules)
        if form.reopen.data is None:  # a fresh form: every locked module, as the service does
            form.reopen.data = list(locked)
        return form

    def reopen_letters(self) -> list[str] | None:
        return list(self.reopen.data or []) if "reopen" in self else None
