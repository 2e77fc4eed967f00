"""Forms and words of the promotion console (以赛代评与证书, app/web/organiser/promotions.py).

The page holds several forms, each with a prefix so its field names are unique. The rule
table is one form of rows (a FieldList of FormFields); a row's own fields are checked
here (whole numbers in range, levels 1–5), the table as a whole by the domain
(app.domain.promotion.check_rules) when it is saved.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.domain.promotion import Basis, Reason, Rule, RuleSet
from app.domain.vocabulary import Award, DivisionKind, SkillLevel
from app.services import promotion
from app.services.local_time import display_zone
from app.services.promotion_settings import (
    APPEAL_WINDOW_MAX,
    APPEAL_WINDOW_MIN,
    ISSUING_BODY_MAX,
    PromotionSettings,
)
from app.web import labels
from app.web.live.labels import AWARD
from app.web.organiser.forms import strip

# ------------------------------------------------------------------ words

RULE_SET = {
    RuleSet.NATIONAL_CLASS_I: _l("National class I competition"),
    RuleSet.NATIONAL_SKILLS_COMPETITION: _l("National vocational skills competition"),
    RuleSet.INDUSTRY_CLASS_II: _l("Industry class II competition"),
    RuleSet.MUNICIPAL_CLASS_I: _l("Municipal class I competition"),
    RuleSet.MUNICIPAL_CLASS_II: _l("Municipal class II or district competition"),
    RuleSet.ENTERPRISE: _l("Enterprise or school competition"),
}
assert set(RULE_SET) == set(RuleSet)

BASIS = {
    Basis.RANK: _l("Rank range"),
    Basis.AWARD: _l("Award and above"),
    Basis.TOP_SHARE: _l("Top percentage"),
}
ALL_DIVISIONS = _l("All divisions")

STATUS = {
    promotion.PROPOSED: _l("Awaiting approval"),
    promotion.APPROVED: _l("Approved"),
    promotion.ISSUED: _l("Certificate issued"),
    promotion.REVOKED: _l("Revoked"),
    promotion.SUPERSEDED: _l("Superseded"),
    promotion.NOT_PROMOTED: _l("Not promoted"),
}
REASON = {
    Reason.BELOW_RANGE: _l("Not within the promotion ranks"),
    Reason.FAILED_THEORY: _l("Theory not passed"),
    Reason.FAILED_PRACTICAL: _l("Practical not passed"),
    Reason.ALREADY_THIS_YEAR: _l("Already promoted this year"),
    Reason.AT_CAP: _l("Already at the cap"),
    Reason.WITHDRAWN: _l("Withdrawn"),
    Reason.DISQUALIFIED: _l("Disqualified"),
}
assert set(REASON) == set(Reason)
# Why the engine revoked a promotion when no reason code says it (app.services.promotion).
REVOKED_LEVEL_CHANGED = _l("The level it gives changed")

BODY_TYPE = {"Y": _l("Y · employer-run assessment body"),
             "S": _l("S · social assessment organisation")}


def reason_label(code: str | None) -> str:
    """A reason code in words; a revocation written by a person is shown as written."""
    if not code:
        return ""
    if code == "level_changed":
        return str(REVOKED_LEVEL_CHANGED)
    try:
        return str(REASON[Reason(code)])
    except ValueError:
        return code


def _level_choices() -> list[Any]:
    return labels.options((int(level), labels.LEVEL[level]) for level in SkillLevel)



# ------------------------------------------------------------------ the rule table

_RANK = [Optional(), NumberRange(1, 9999)]


class RuleRowForm(Form):
    """One row of the table. `key` names the stored rule (0 or empty: a new row)."""

    key = HiddenField(default="0", validators=[Optional(), Regexp(r"^\d{1,9}$")])
    division = SelectField(_l("Division"), default="", choices=labels.options(
        [("", ALL_DIVISIONS)] + [(k.value, labels.DIVISION[k]) for k in DivisionKind]))
    basis = SelectField(_l("Basis"), default=Basis.RANK.value,
                        choices=labels.options((b.value, t) for b, t in BASIS.items()))
    rank_from = IntegerField(_l("From rank"), validators=_RANK)
    rank_to = IntegerField(_l("To rank"), validators=_RANK)
    min_award = SelectField(_l("Lowest award"), default="", choices=labels.options(
        [("", "—")] + [(a.value, AWARD[a]) for a in Award]))
    top_percent = IntegerField(_l("Top share (per cent)"),
                               validators=[Optional(), NumberRange(1, 100)])
    target = SelectField(_l("Target level"), coerce=int, default=int(SkillLevel.TECHNICIAN),
                         choices=_level_choices())
    bump = BooleanField(_l("Already at or above the target: one level up"), default=True)
    cap = SelectField(_l("Highest level"), default="", choices=labels.options(
        [("", _l("No cap"))] + [(str(int(lv)), labels.LEVEL[lv]) for lv in SkillLevel]))
    require_pass = BooleanField(_l("Theory and practical must both pass"), default=True)
    title = StringField(_l("Title"), filters=[strip], validators=[Length(max=50)])
    remove = BooleanField(_l("Remove"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems: list[tuple[str, str]] = []  # (code, message) about the whole row

    def rule(self) -> Rule:
        """The row as a domain rule; the fields another basis uses are dropped."""
        basis = Basis(self.basis.data)
        return Rule(
            target=SkillLevel(self.target.data), basis=basis,
            division=DivisionKind(self.division.data) if self.division.data else None,
            rank_from=self.rank_from.data if basis is Basis.RANK else None,
            rank_to=self.rank_to.data if basis is Basis.RANK else None,
            min_award=Award(self.min_award.data)
            if basis is Basis.AWARD and self.min_award.data else None,
            top_percent=self.top_percent.data if basis is Basis.TOP_SHARE else None,
            bump=bool(self.bump.data),
            cap=SkillLevel(int(self.cap.data)) if self.cap.data else None,
            require_pass=bool(self.require_pass.data), title=self.title.data or "")

    @property
    def stored_key(self) -> int:
        try:
            return int(self.key.data or 0)
        except ValueError:
            return 0


def row_data(rule: Rule) -> dict[str, Any]:
    """A stored rule as the row's data."""
    return {"key": str(rule.key), "division": rule.division.value if rule.division else "",
            "basis": rule.basis.value, "rank_from": rule.rank_from, "rank_to": rule.rank_to,
            "min_award": rule.min_award.value if rule.min_award else "",
            "top_percent": rule.top_percent, "target": int(rule.target), "bump": rule.bump,
            "cap": str(int(rule.cap)) if rule.cap is not None else "",
            "require_pass": rule.require_pass, "title": rule.title}


class RulesForm(FlaskForm):
    rows = FieldList(FormField(RuleRowForm), max_entries=50)

    def kept(self) -> list[RuleRowForm]:
        """The rows to save, in order (a row ticked "remove" is left out)."""
        return [entry.form for entry in self.rows.entries if not entry.form.remove.data]


class SeededForm(FlaskForm):
    rule_set = SelectField(_l("Seeded table"),
                           choices=labels.options((s.value, t) for s, t in RULE_SET.items()))


# ------------------------------------------------------------------ settings


class SettingsForm(FlaskForm):
    one_promotion_per_year = BooleanField(
        _l("At most one competition promotion per person per calendar year"))
    appeal_window_minutes = IntegerField(
        _l("Appeal window (minutes after the project ends)"),
        validators=[InputRequired(), NumberRange(APPEAL_WINDOW_MIN, APPEAL_WINDOW_MAX)],
        description=_l("Appeals are accepted until then; promotion waits for it."))
    certificate_body_type = SelectField(_l("Assessment body type"),
                                        choices=labels.options(BODY_TYPE.items()))
    certificate_body_code = StringField(
        _l("Body code (4 digits)"), filters=[strip],
        validators=[InputRequired(), Regexp(r"^\d{4}$", message=_l("Enter exactly 4 digits."))],
        description=_l("0000 for a provincially filed body"))
    certificate_province = StringField(
        _l("Province code (2 digits)"), filters=[strip],
        validators=[InputRequired(), Regexp(r"^\d{2}$", message=_l("Enter exactly 2 digits."))],
        description=_l("Shanghai is 31"))
    certificate_body_serial = StringField(
        _l("Body serial (6 digits)"), filters=[strip],
        validators=[Optional(), Regexp(r"^\d{6}$", message=_l("Enter exactly 6 digits."))],
        description=_l("Leave empty until the body is known; no certificate can be issued "
                       "without it."))
    issuing_body = StringField(_l("Issuing body (printed on certificates)"), filters=[strip],
                               validators=[Length(max=ISSUING_BODY_MAX)])

    def settings(self) -> PromotionSettings:
        return PromotionSettings(
            one_promotion_per_year=bool(self.one_promotion_per_year.data),
            appeal_window_minutes=self.appeal_window_minutes.data,
            certificate_body_type=self.certificate_body_type.data,
            certificate_body_code=self.certificate_body_code.data or "",
            certificate_province=self.certificate_province.data or "",
            certificate_body_serial=self.certificate_body_serial.data or None,
            issuing_body=self.issuing_body.data or "")


class ProjectEndForm(FlaskForm):
    """When a project ended, in the event's local time; empty: not known yet."""

    ends_at = DateTimeLocalField(_l("Project ended at"), validators=[Optional()],
                                 format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])

    def utc_value(self) -> Any:
        value = self.ends_at.data
        return value.replace(tzinfo=display_zone()) if value is not None else None

    @classmethod
    def local(cls, stored: Any) -> Any:
        """A stored (UTC) time as the form shows it."""
        return stored.astimezone(display_zone()).replace(tzinfo=None) if stored else None


# ------------------------------------------------------------------ decisions


class DecisionsForm(FlaskForm):
    """The decisions table's checkboxes; the button pressed says what to do with them."""

    ids = SelectMultipleField(coerce=int, validate_choice=False)

    def validate_ids(self, field: SelectMultipleField) -> None:
        if any(not isinstance(value, int) or value < 1 for value in field.data or []):
            raise ValidationError(_l("This value is not allowed here."))
