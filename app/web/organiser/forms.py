"""Organiser forms. Each form's `values()` is the dict its service saves."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.domain.identity import IdNumberError, validate_id_number
from app.domain.vocabulary import (
    DelegationKind,
    DivisionKind,
    MarkingMethod,
    ProjectKind,
    Tier,
    Visibility,
)
from app.services.local_time import display_zone
from app.web import labels
from app.web.messages import id_number_message


class ValuesForm(FlaskForm):
    """A form whose fields map one-to-one onto model columns, except those listed."""

    not_columns: tuple[str, ...] = ()

    def values(self) -> dict[str, Any]:
        skip = {"csrf_token", *self.not_columns}
        return {name: f.data for name, f in self._fields.items() if name not in skip}


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class CompetitionForm(ValuesForm):
    name = StringField(_l("Competition name"), validators=[DataRequired(), Length(max=200)],
                       filters=[strip], description=_l("For example 上海市第二届职业技能大赛"))
    tier = SelectField(_l("Tier"), choices=labels.choices(labels.TIER), coerce=Tier)
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    start_date = DateField(_l("First day"), validators=[Optional()])
    end_date = DateField(_l("Last day"), validators=[Optional()])
    host = StringField(_l("Organised by"), validators=[Optional(), Length(max=200)],
                       filters=[strip], default="")
    visibility = SelectField(_l("What the public sees while marking goes on"),
                             choices=labels.choices(labels.VISIBILITY), coerce=Visibility)

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The last day cannot be before the first day."))

    def values(self) -> dict[str, Any]:
        data = super().values()
        data["host"] = data["host"] or ""
        return data


class ZoneForm(ValuesForm):
    name = StringField(_l("Zone name"), validators=[DataRequired(), Length(max=100)],
                       filters=[strip], description=_l("For example 主赛区 or 浦东分赛区"))
    is_main = BooleanField(_l("Main zone"))


class VenueForm(ValuesForm):
    name = StringField(_l("Venue name"), validators=[DataRequired(), Length(max=100)],
                       filters=[strip])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)],
                          filters=[strip], default="")

    def values(self) -> dict[str, Any]:
        return {"name": self.name.data, "address": self.address.data or ""}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProjectForm(ValuesForm):
    not_columns = ("divisions",)

    code = StringField(_l("Project code"), validators=[DataRequired(), Length(max=20)],
                       filters=[strip], description=_l("Short and unique, for example G01"))
    name = StringField(_l("Project name"), validators=[DataRequired(), Length(max=100)],
                       filters=[strip])
    occupation_name = StringField(_l("Occupation"), validators=[DataRequired(), Length(max=100)],
                                  filters=[strip])
    occupation_code = StringField(_l("Occupation code"), validators=[Optional(), Length(max=20)],
                                  filters=[strip], default="")
    kind = SelectField(_l("Kind"), choices=labels.choices(labels.PROJECT_KIND), coerce=ProjectKind)
    team_size = IntegerField(_l("People per entry"), default=1,
                             validators=[InputRequired(), NumberRange(1, 5)],
                             description=_l("1 for an individual project, 2 or 3 for a team"))
    divisions = MultiCheckboxField(_l("Divisions"), choices=labels.choices(labels.DIVISION),
                                   default=[DivisionKind.EMPLOYEE.value])
    total_marks = DecimalField(_l("Total marks"), default=100, places=1,
                               validators=[InputRequired(), NumberRange(min=1, max=1000)])
    marking_method = SelectField(_l("Marking method"),
                                 choices=labels.choices(labels.MARKING_METHOD),
                                 coerce=MarkingMethod)
    panel_size = IntegerField(_l("Judges per judgement panel"), default=3,
                              validators=[InputRequired(), NumberRange(1, 9)])
    trim_panel = BooleanField(_l("Five-judge panel: drop the highest and lowest score"))
    encrypted = BooleanField(_l("Encrypted marking: judges see workstation numbers only"))
    block_conflicted_measurement = BooleanField(
        _l("Conflicted judges may not enter measurement marks either"), default=True)
    venue_id = SelectField(_l("Venue"), coerce=lambda v: int(v) if v else None,
                           validators=[Optional()])
    ends_at = DateTimeLocalField(
        _l("Competition ends at"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description=_l("Local time. Written appeals are accepted until the competition's "
                       "appeal window after it."))

    def show_local_time(self) -> None:
        """Stored in UTC; the organiser types and reads the event's local time."""
        if self.ends_at.data is not None and self.ends_at.data.tzinfo is not None:
            self.ends_at.data = self.ends_at.data.astimezone(display_zone()).replace(
                tzinfo=None)

    def validate_divisions(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one division."))

    def validate_panel_size(self, field: IntegerField) -> None:
        if self.trim_panel.data and field.data != 5:
            raise ValidationError(_l("Dropping the highest and lowest needs a panel of 5."))

    def values(self) -> dict[str, Any]:
        data = super().values()
        data["total_marks"] = float(data["total_marks"])
        data["occupation_code"] = data["occupation_code"] or ""
        if data["ends_at"] is not None:
            data["ends_at"] = data["ends_at"].replace(tzinfo=display_zone())
        return data

    def division_kinds(self) -> set[DivisionKind]:
        return {DivisionKind(v) for v in self.divisions.data or []}


class DelegationForm(ValuesForm):
    name = StringField(_l("Delegation name"), validators=[DataRequired(), Length(max=100)],
                       filters=[strip])
    kind = SelectField(_l("Type"), choices=labels.choices(labels.DELEGATION_KIND),
                       coerce=DelegationKind)


class IdNumberField(StringField):
    """A personal ID number: validated here; on edit, left empty keeps the stored one."""

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        validators = [DataRequired()] if required else [Optional()]
        super().__init__(*args, validators=validators, filters=[strip], **kwargs)

    def pre_validate(self, form: Any) -> None:
        if self.data:
            try:
                self.data = validate_id_number(self.data)
            except IdNumberError as error:
                raise ValidationError(id_number_message(error.code)) from None

