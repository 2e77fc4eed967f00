"""The chief judge's forms. Each carries the CSRF token; the services check the rest."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.services.signoff import MAX_REASON, MIN_REASON


class LockForm(FlaskForm):
    """Sign off and lock a module: nothing to fill in but the CSRF token."""


class UnlockForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for unlocking"),
        validators=[DataRequired(), Length(min=MIN_REASON, max=MAX_REASON)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        description=_l("Kept with the unlock in the audit log: what changes, and why "
                       "(for example an upheld appeal)."))


class SubstituteForm(FlaskForm):
    competitor_id = HiddenField(validators=[InputRequired()])
    judge_id = SelectField(_l("Substitute judge"), coerce=int, validators=[InputRequired()],
                           validate_choice=False)


class IssueCodeForm(FlaskForm):
    judge_id = IntegerField(validators=[InputRequired()])
