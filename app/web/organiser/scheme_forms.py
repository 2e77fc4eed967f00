"""Forms of the marking-scheme editor."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.domain.scheme import parse_tolerances
from app.domain.vocabulary import AspectType
from app.web import labels
from app.web.organiser.forms import ValuesForm, strip


class ModuleForm(ValuesForm):
    letter = StringField(_l("Letter"), validators=[DataRequired(), Length(max=8)],
                         filters=[strip, lambda v: v.upper() if v else v],
                         description=_l("A, B, C… as in the marking scheme"))
    name = StringField(_l("Module name"), validators=[DataRequired(), Length(max=200)],
                       filters=[strip])
    marking_day = IntegerField(_l("Day of marking"), validators=[Optional(), NumberRange(1, 10)],
                               description=_l("1 for the first competition day (C1), and so on"))
    share = DecimalField(_l("Share of the total"), places=1,
                         validators=[Optional(), NumberRange(min=0.5, max=1000)],
                         description=_l("The marks this module is worth. Leave empty if the "
                                        "scheme does not split the total by module."))

    def values(self) -> dict[str, Any]:
        data = super().values()
        data["share"] = float(data["share"]) if data["share"] is not None else None
        return data


class AspectForm(FlaskForm):
    kind = SelectField(_l("Type"), choices=labels.choices(labels.ASPECT_TYPE), coerce=AspectType)
    description = TextAreaField(_l("Aspect description"),
                                validators=[DataRequired(), Length(max=2000)], filters=[strip])
    max_mark = DecimalField(_l("Max mark"), places=1,
                            validators=[InputRequired(), NumberRange(min=0.5, max=100)],
                            description=_l("In steps of 0.5"))
    requirement = TextAreaField(_l("Requirement (measurement)"),
                                validators=[Optional(), Length(max=2000)], filters=[strip])
    tolerances = StringField(
        _l("Tolerance table (measurement, optional)"), filters=[strip],
        validators=[Optional(), Length(max=1000)],
        description=_l("label=mark; label=mark. Example: 偏差≤0.1mm=2; 偏差≤0.3mm=1; 超差=0. "
                       "Empty means full mark or zero."))
    descriptor_0 = TextAreaField(_l("Score 0: below industry standard"), filters=[strip])
    descriptor_1 = TextAreaField(_l("Score 1: meets the industry standard"), filters=[strip])
    descriptor_2 = TextAreaField(_l("Score 2: meets it and exceeds it in some respects"),
                                 filters=[strip])
    descriptor_3 = TextAreaField(_l("Score 3: excellent"), filters=[strip])

    def validate_tolerances(self, field: StringField) -> None:
        try:
            parse_tolerances(field.data or "")
        except ValueError as error:
            raise ValidationError(
                _l("“%(entry)s” is not label=mark.", entry=str(error))) from None

    def load(self, aspect: Any) -> None:
        """Fill the form from a stored aspect (GET only)."""
        self.kind.data = aspect.kind
        self.description.data = aspect.description
        self.max_mark.data = aspect.max_mark
        self.requirement.data = aspect.requirement
        self.tolerances.data = "; ".join(
            f"{t['label']}={t['value']:g}" for t in aspect.tolerances or [])
        for score, text in enumerate(aspect.descriptors or []):
            self[f"descriptor_{score}"].data = text

    def field_for(self, problem_field: str) -> str:
        """The input a domain problem belongs next to: the first empty descriptor for
        missing descriptors, otherwise the field of the same name."""
        if problem_field == "descriptors":
            empty = [s for s in range(4) if not self[f"descriptor_{s}"].data]
            return f"descriptor_{empty[0] if empty else 0}"
        return problem_field

    def values(self) -> dict[str, Any]:
        return {
            "kind": self.kind.data,
            "description": self.description.data,
            "max_mark": float(self.max_mark.data),
            "requirement": self.requirement.data or "",
            "tolerances": [{"label": label, "value": value}
                           for label, value in parse_tolerances(self.tolerances.data or "")]
            or None,
            "descriptors": [self[f"descriptor_{s}"].data or "" for s in range(4)],
        }
