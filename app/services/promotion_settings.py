"""A competition's 以赛代评 settings: the one-promotion-per-year rule, the appeal window,
the assessment body whose codes go into every certificate number, and each project's end
time, from which the appeal window counts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from app.domain.certificates import CertificateNumberError, IssuingBody
from app.extensions import db
from app.models import Competition, SkillProject
from app.services import audit
from app.services.errors import ServiceError

APPEAL_WINDOW_MIN, APPEAL_WINDOW_MAX = 1, 7 * 24 * 60  # one minute .. one week
ISSUING_BODY_MAX = 200

# IssuingBody's error codes → the competition column (and form field) they concern.
_BODY_FIELDS = {"body_type": "certificate_body_type", "body_code": "certificate_body_code",
                "province": "certificate_province", "body_serial": "certificate_body_serial"}


@dataclass(frozen=True)
class PromotionSettings:
    one_promotion_per_year: bool
    appeal_window_minutes: int
    certificate_body_type: str  # Y or S
    certificate_body_code: str  # 4 digits
    certificate_province: str  # 2 digits
    certificate_body_serial: str | None  # 6 digits; None: not configured yet
    issuing_body: str  # the body's name, printed on certificates

    @classmethod
    def of(cls, competition: Competition) -> PromotionSettings:
        return cls(**{name: getattr(competition, name) for name in cls.__dataclass_fields__})


def check(settings: PromotionSettings) -> PromotionSettings:
    """The normalised settings, or ServiceError naming the field that is wrong."""
    serial = (settings.certificate_body_serial or "").strip() or None
    settings = PromotionSettings(
        one_promotion_per_year=bool(settings.one_promotion_per_year),
        appeal_window_minutes=settings.appeal_window_minutes,
        certificate_body_type=(settings.certificate_body_type or "").strip().upper(),
        certificate_body_code=(settings.certificate_body_code or "").strip(),
        certificate_province=(settings.certificate_province or "").strip(),
        certificate_body_serial=serial,
        issuing_body=(settings.issuing_body or "").strip())
    minutes = settings.appeal_window_minutes
    if not isinstance(minutes, int) or not APPEAL_WINDOW_MIN <= minutes <= APPEAL_WINDOW_MAX:
        raise ServiceError("out_of_range", "appeal_window_minutes", min=APPEAL_WINDOW_MIN,
                           max=APPEAL_WINDOW_MAX)
    if len(settings.issuing_body) > ISSUING_BODY_MAX:
        raise ServiceError("too_long", "issuing_body", max=ISSUING_BODY_MAX)
    try:
        # The serial may stay empty until the body is known: check the other parts alone.
        IssuingBody(settings.certificate_body_type, settings.certificate_body_code,
                    settings.certificate_province, serial or "000000")
    except CertificateNumberError as error:
        raise ServiceError(error.code, _BODY_FIELDS.get(error.code)) from None
    return settings


def save(competition: Competition, settings: PromotionSettings) -> bool:
    """Store the settings (audited with before and after); False when nothing changed.
    Certificates already issued keep their numbers: only new ones use a new body."""
    settings = check(settings)
    before = PromotionSettings.of(competition)
    if settings == before:
        return False
    try:
        for name, value in asdict(settings).items():
            setattr(competition, name, value)
        audit.record("promotion.settings", competition, before=_changed(before, settings),
                     after=_changed(settings, before))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return True


def set_project_end(project: SkillProject, ends_at: datetime | None) -> None:
    """When the project ended (UTC); the appeal window counts from it. None: not known."""
    if ends_at is not None and ends_at.tzinfo is None:
        raise ServiceError("naive_time", "ends_at")
    if ends_at == project.ends_at:
        return
    try:
        audit.record("project.ends_at", project, competition_id=project.competition_id,
                     before=project.ends_at.isoformat() if project.ends_at else None,
                     after=ends_at.isoformat() if ends_at else None)
        project.ends_at = ends_at
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def _changed(values: PromotionSettings, other: PromotionSettings) -> dict[str, Any]:
    return {name: value for name, value in asdict(values).items()
            if getattr(other, name) != value}
