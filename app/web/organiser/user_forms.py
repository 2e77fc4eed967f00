from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import Competition, Delegation
from app.web import labels
from app.web.organiser.forms import strip


def _optional_int(value: object) -> int | None:
    return int(str(value)) if value not in (None, "", "None") else None


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)],
                           filters=[strip])
    display_name = StringField(_l("Name shown on screens"),
                               validators=[Optional(), Length(max=100)], filters=[strip])
    role = SelectField(_l("Role"), choices=labels.choices(labels.USER_ROLE), coerce=UserRole)
    locale = SelectField(_l("Language"), choices=labels.options(
        [("", _l("Chinese (default)")), ("zh", "中文"), ("en", "English")]),
        validators=[Optional()])
    delegation_id = SelectField(
        _l("Delegation (team leaders)"), coerce=_optional_int, validators=[Optional()],
        description=_l("A team leader files written appeals for this delegation only."))
    active = BooleanField(_l("May sign in"), default=True)
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=8, max=200)],
                             render_kw={"autocomplete": "new-password"})

    def setup(self, editing: bool) -> None:
        self.delegation_id.choices = [("", "—")] + [
            (str(d.id), f"{d.competition.name} · {d.name}") for d in db.session.scalars(
                select(Delegation).join(Competition)
                .order_by(Competition.year.desc(), Competition.name, Delegation.name))]
        if editing:
            self.password.description = _l("Leave empty to keep the current password.")
            self.username.render_kw = {"readonly": True}
        else:
            self.password.flags.required = True

    def values(self) -> dict[str, Any]:
        return {
            "username": self.username.data,
            "display_name": self.display_name.data or self.username.data,
            "role": self.role.data,
            "locale": self.locale.data or None,
            "active": bool(self.active.data),
            "delegation_id": self.delegation_id.data,
        }
