"""Forms for competitors and judges; their choices come from the competition."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateTimeLocalField, FloatField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.domain.identity import mask_last4
from app.domain.vocabulary import CompetitorStatus, JudgeRole, SkillLevel, UserRole
from app.extensions import db
from app.models import Competition, Delegation, Division, SkillProject, User
from app.services.local_time import display_zone
from app.web import labels
from app.web.organiser.forms import IdNumberField, ValuesForm, strip


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


def _project_choices(competition: Competition) -> list[tuple[int, str]]:
    projects = db.session.scalars(
        select(SkillProject).where(SkillProject.competition_id == competition.id)
        .order_by(SkillProject.code)).all()
    return labels.options((p.id, f"{p.code} {p.name}") for p in projects)


def _delegation_choices(competition: Competition) -> list[tuple[int, str]]:
    rows = db.session.scalars(
        select(Delegation).where(Delegation.competition_id == competition.id)
        .order_by(Delegation.name)).all()
    return labels.options((d.id, d.name) for d in rows)


class CompetitorForm(ValuesForm):
    not_columns = ("id_number",)

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=50)], filters=[strip])
    id_number = IdNumberField(_l("ID number"), required=True)
    project_id = SelectField(_l("Skill project"), coerce=int)
    division_id = SelectField(_l("Division"), coerce=int)
    delegation_id = SelectField(_l("Delegation"), coerce=int)
    employer = StringField(_l("Employer or school"), validators=[Optional(), Length(max=200)],
                           filters=[strip], default="")
    current_level = SelectField(_l("Current skill level"), coerce=_int_or_none,
                                choices=labels.options(
                                    [("", _l("None"))]
                                    + [(lvl.value, labels.LEVEL[lvl])
                                       for lvl in reversed(SkillLevel)]),
                                validators=[Optional()])
    occupation = StringField(_l("Occupation"), validators=[Optional(), Length(max=100)],
                             filters=[strip], default="",
                             description=_l("Empty means the skill project's occupation"))
    workstation = StringField(_l("Workstation number"), validators=[Optional(), Length(max=20)],
                              filters=[strip])
    team_code = StringField(_l("Team code"), validators=[Optional(), Length(max=20)],
                            filters=[strip], description=_l("Same code = same team entry"))
    status = SelectField(_l("Status"), choices=labels.choices(labels.COMPETITOR_STATUS),
                         coerce=CompetitorStatus)
    theory_score = FloatField(_l("Theory exam score"),
                              validators=[Optional(), NumberRange(0, 100)],
                              description=_l("Classic marking method only, out of 100"))
    completed_at = DateTimeLocalField(_l("Finished at"), validators=[Optional()],
                                      format="%Y-%m-%dT%H:%M",
                                      description=_l("Breaks a tie: the earlier finish ranks "
                                                     "higher"))

    def setup(self, competition: Competition, stored_last4: str | None) -> None:
        if self.completed_at.data is not None and self.completed_at.data.tzinfo is not None:
            # Stored in UTC; the organiser types and reads the event's local time.
            self.completed_at.data = self.completed_at.data.astimezone(
                display_zone()).replace(tzinfo=None)
        self.project_id.choices = _project_choices(competition)
        divisions = db.session.scalars(
            select(Division).join(SkillProject)
            .where(SkillProject.competition_id == competition.id)
            .order_by(SkillProject.code, Division.kind)).all()
        self.division_id.choices = labels.options(
            (d.id, f"{d.project.code} · {labels.DIVISION[d.kind]}") for d in divisions)
        self.delegation_id.choices = _delegation_choices(competition)
        _optional_on_edit(self.id_number, stored_last4)

    def values(self) -> dict[str, Any]:
        data = super().values()
        data["workstation"] = data["workstation"] or None
        data["team_code"] = data["team_code"] or None
        data["employer"] = data["employer"] or ""
        data["occupation"] = data["occupation"] or ""
        if data["completed_at"] is not None:
            data["completed_at"] = data["completed_at"].replace(tzinfo=display_zone())
        return data



class JudgeForm(ValuesForm):
    not_columns = ("id_number",)

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=50)], filters=[strip])
    id_number = IdNumberField(_l("ID number"), required=True)
    delegation_id = SelectField(_l("Delegation"), coerce=_int_or_none, validators=[Optional()],
                                description=_l("Used for conflicts of interest"))
    employer = StringField(_l("Employer"), validators=[Optional(), Length(max=200)],
                           filters=[strip], default="",
                           description=_l("Used for conflicts of interest"))
    user_id = SelectField(_l("Sign-in account"), coerce=_int_or_none, validators=[Optional()],
                          description=_l("The account this judge signs in with on a tablet"))

    def setup(self, competition: Competition, stored_last4: str | None) -> None:
        self.delegation_id.choices = labels.options([("", _l("None"))]) + _delegation_choices(
            competition)
        accounts = db.session.scalars(
            select(User).where(User.role != UserRole.ORGANISER).order_by(User.username)).all()
        self.user_id.choices = labels.options(
            [("", _l("None"))] + [(u.id, f"{u.username} · {u.display_name}") for u in accounts])
        _optional_on_edit(self.id_number, stored_last4)

    def values(self) -> dict[str, Any]:
        data = super().values()
        data["employer"] = data["employer"] or ""
        return data


class AssignmentForm(FlaskForm):
    project_id = SelectField(_l("Skill project"), coerce=int)
    role = SelectField(_l("Role"), choices=labels.choices(labels.JUDGE_ROLE), coerce=JudgeRole)

    def setup(self, competition: Competition) -> None:
        self.project_id.choices = _project_choices(competition)


def _optional_on_edit(field: IdNumberField, stored_last4: str | None) -> None:
    """On edit the stored number is never shown: empty keeps it, a new one replaces it."""
    if stored_last4 is None:
        return
    field.validators = [Optional()]
    field.flags.required = False
    field.render_kw = {"placeholder": mask_last4(stored_last4), "autocomplete": "off"}
    field.description = _l("Stored as %(masked)s. Leave empty to keep it.",
                           masked=mask_last4(stored_last4))
