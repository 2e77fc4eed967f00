"""Forms of the results and ceremony console (app/web/organiser/results.py).

The page holds many forms at once, so each is made with a prefix (its field names and
ids are then unique on the page) and the page shows a failed one with its errors in place.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateTimeLocalField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.domain.ranking import parse_chain
from app.domain.vocabulary import Visibility
from app.services.ceremony import MAX_REASON, MIN_REASON
from app.services.public_view import AWARD, RANK
from app.services.screens import SHOWS
from app.web import labels
from app.web.organiser.forms import strip

MERIT_AWARD = {
    "top_half": _l("Excellence award for the top half after the medals"),
    "medallion": _l("Medallion for Excellence at 700 or more on the scale"),
    "none": _l("Medals only"),
}
REVEAL_MODE = {
    RANK: _l("From the bottom rank up"),
    AWARD: _l("Award by award"),
}
SCREEN_SHOW = {
    "rotate": _l("All boards in turn"),
    "project": _l("One board"),
    "medals": _l("Medal table"),
    "ceremony": _l("Ceremony of one board"),
}
assert set(SCREEN_SHOW) == set(SHOWS)

REASON_LENGTH = _l("Write at least %(min)s characters (at most %(max)s).", min=MIN_REASON,
                   max=MAX_REASON)


def _as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


class VisibilityForm(FlaskForm):
    visibility = SelectField(_l("What the public sees while marking goes on"),
                             choices=labels.choices(labels.VISIBILITY), coerce=Visibility)


class FreezeForm(FlaskForm):
    freeze_at = DateTimeLocalField(_l("Freeze the public boards at"),
                                   format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                   validators=[InputRequired()])


class PublishForm(FlaskForm):
    force = BooleanField(_l("Publish even though the problems listed remain"))
    reason = TextAreaField(_l("Why publish now"), filters=[strip],
                           validators=[Optional(), Length(max=MAX_REASON)],
                           description=_l("Kept in the audit log."))

    def validate_reason(self, field: TextAreaField) -> None:
        if self.force.data and len(field.data or "") < MIN_REASON:
            raise ValidationError(REASON_LENGTH)


class AwardSettingsForm(FlaskForm):
    medal_count = IntegerField(_l("Medals (gold, silver, bronze)"), default=3,
                               validators=[InputRequired(), NumberRange(0, 3)])
    merit_award = SelectField(_l("After the medals"), choices=labels.options(MERIT_AWARD.items()))
    points_gold = IntegerField(_l("Team points for gold"), default=4,
                               validators=[InputRequired(), NumberRange(0, 100)])
    points_silver = IntegerField(_l("Team points for silver"), default=3,
                                 validators=[InputRequired(), NumberRange(0, 100)])
    points_bronze = IntegerField(_l("Team points for bronze"), default=2,
                                 validators=[InputRequired(), NumberRange(0, 100)])
    points_merit = IntegerField(_l("Team points for an excellence award or Medallion"), default=1,
                                validators=[InputRequired(), NumberRange(0, 100)])

    def values(self) -> dict[str, Any]:
        return {name: self[name].data for name in (
            "medal_count", "merit_award", "points_gold", "points_silver", "points_bronze",
            "points_merit")}


class RankingForm(FlaskForm):
    """A project's ranking settings. The classic method's fields are removed for a
    WorldSkills-marked project (see `for_project`)."""

    tie_break_chain = StringField(
        _l("Tie-break chain"), filters=[strip], validators=[Length(max=200)],
        description=_l("Steps in order, separated by commas: judgement, module:<letter>, "
                       "completion, chief. End with chief so the chief judge can decide "
                       "what nothing else separates."))
    use_scale = BooleanField(_l("Use the WorldSkills scale"))
    scale_centre = DecimalField(_l("Scale centre"), places=None,
                                validators=[InputRequired(), NumberRange(0, 10000)])
    scale_k = DecimalField(_l("Scale points per standard deviation"), places=None,
                           validators=[InputRequired(), NumberRange(0, 1000)])
    theory_weight = DecimalField(_l("Theory weight (%)"), places=None,
                                 validators=[InputRequired(), NumberRange(0, 100)])
    theory_pass = DecimalField(_l("Theory pass mark"), places=None,
                               validators=[Optional(), NumberRange(0, 100)])
    practical_pass = DecimalField(_l("Practical pass mark"), places=None,
                                  validators=[Optional(), NumberRange(0, 100)])

    CLASSIC_FIELDS = ("theory_weight", "theory_pass", "practical_pass")

    @classmethod
    def for_project(cls, classic: bool, **kwargs: Any) -> RankingForm:
        form = cls(**kwargs)
        if not classic:
            for name in cls.CLASSIC_FIELDS:
                delattr(form, name)
        return form

    def validate_tie_break_chain(self, field: StringField) -> None:
        try:
            parse_chain(field.data or "")
        except ValueError:
            raise ValidationError(_l(
                "Use the steps judgement, module:<letter>, completion and chief, each at "
                "most once, separated by commas.")) from None

    def validate_scale_k(self, field: DecimalField) -> None:
        if field.data is not None and field.data <= 0:
            raise ValidationError(_l("The scale needs a number above 0."))

    def values(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "tie_break_chain": self.tie_break_chain.data or "",
            "use_scale": bool(self.use_scale.data),
            "scale_centre": _as_float(self.scale_centre.data),
            "scale_k": _as_float(self.scale_k.data),
        }
        if "theory_weight" in self:
            weight = self.theory_weight.data
            data["theory_weight"] = float(weight / 100) if weight is not None else None
            data["theory_pass"] = _as_float(self.theory_pass.data)
            data["practical_pass"] = _as_float(self.practical_pass.data)
        return data


class RevealForm(FlaskForm):
    """Start a board's ceremony; the mode comes from the button pressed."""

    mode = SelectField(_l("Reveal"), choices=labels.options(REVEAL_MODE.items()))
    confirm = BooleanField(_l("Reveal although not every module is signed off"))


class TieForm(FlaskForm):
    """The chief judge's order for one tie: place 1 is the better place."""

    order = FieldList(SelectField(coerce=int, validate_choice=True), min_entries=2)
    reason = TextAreaField(_l("Reason, as the chief judge gave it"), filters=[strip],
                           validators=[DataRequired(), Length(min=MIN_REASON, max=MAX_REASON,
                                                              message=REASON_LENGTH)])

    def set_competitors(self, choices: list[tuple[int, str]]) -> None:
        for index, entry in enumerate(self.order.entries, start=1):
            entry.choices = labels.options(choices)
            entry.label.text = str(_l("Place %(n)s", n=index))

    def validate_order(self, field: FieldList) -> None:
        chosen = [entry.data for entry in field.entries]
        if len(set(chosen)) != len(chosen):
            # A plain str: the template tells it from the entries' own error lists.
            raise ValidationError(_("Put each tied competitor in exactly one place."))

    def ordered_ids(self) -> list[int]:
        return [int(entry.data) for entry in self.order.entries]


class ScreenForm(FlaskForm):
    name = StringField(_l("Screen name"), filters=[strip],
                       validators=[DataRequired(), Length(max=50)],
                       description=_l("For example 主屏 or 西侧屏"))
    show = SelectField(_l("Shows"), choices=labels.options(SCREEN_SHOW.items()))
    board = SelectField(_l("Board"), choices=[], validate_choice=True)
    rotate_seconds = IntegerField(_l("Seconds per board"), default=15,
                                  validators=[InputRequired(), NumberRange(5, 600)])

    def validate_board(self, field: SelectField) -> None:
        if self.show.data in ("project", "ceremony") and not field.data:
            raise ValidationError(_l("Choose the board this screen shows."))

    def values(self) -> dict[str, Any]:
        project_id = division_id = None
        if self.board.data and self.show.data in ("project", "ceremony"):
            project_id, division_id = (int(part) for part in self.board.data.split(":"))
        return {"name": self.name.data, "show": self.show.data, "project_id": project_id,
                "division_id": division_id, "rotate_seconds": self.rotate_seconds.data}
