"""One-time codes for shared tablets: the chief judge issues a 6-digit code for one judge
and project; the tablet redeems it for a bearer token bound to that project, valid for
the working day.

Only a keyed hash of a code is stored, so the database alone does not reveal live codes.
Six digits can be guessed, which is why a code lives minutes, works once, and the redeem
endpoint is rate-limited per address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import ApiToken, Judge, SkillProject, TabletCode, User
from app.models.base import utcnow
from app.services import accounts, audit, console
from app.services.errors import ServiceError
from app.services.substitutes import SCORING_ROLES

CODE_DIGITS = 6
DEFAULT_CODE_MINUTES = 10  # config TABLET_CODE_MINUTES
DEFAULT_TOKEN_HOURS = 14  # config TABLET_TOKEN_HOURS: a working day at the venue


@dataclass(frozen=True)
class IssuedCode:
    code: str  # shown once, to the chief judge
    judge: Judge
    project: SkillProject
    expires_at: datetime


@dataclass(frozen=True)
class Redeemed:
    token: str
    project_id: int
    judge_name: str
    expires_at: datetime


def tablet_judges(project: SkillProject) -> list[Judge]:
    """Who may get a code for this project: its panel, and substitutes named in it."""
    judges = console.panel_judges(project)
    ids = {j.id for j in judges}
    for sub in console.project_substitutes(project):
        if sub.judge_id not in ids:
            ids.add(sub.judge_id)
            judges.append(sub.judge)
    return judges


def issue_code(chief_user: User, judge: Judge, project: SkillProject) -> IssuedCode:
    """A fresh code for this judge and project; any earlier live one stops working."""
    if not console.is_chief(chief_user, project):
        raise ServiceError("forbidden")
    if judge.id not in {j.id for j in tablet_judges(project)}:
        raise ServiceError("not_a_marker", "judge_id")
    now = utcnow()
    try:
        _ensure_account(judge)
        db.session.execute(
            update(TabletCode)
            .where(TabletCode.judge_id == judge.id, TabletCode.project_id == project.id,
                   TabletCode.used_at.is_(None), TabletCode.expires_at > now)
            .values(expires_at=now))
        code = _unused_code()
        minutes = int(current_app.config.get("TABLET_CODE_MINUTES", DEFAULT_CODE_MINUTES))
        row = TabletCode(code_hash=_code_hash(code), judge_id=judge.id, project_id=project.id,
                         issued_by=chief_user.id, issued_at=now,
                         expires_at=now + timedelta(minutes=minutes))
        db.session.add(row)
        audit.record("tablet_code_issue", row, competition_id=project.competition_id,
                     judge_id=judge.id, project_id=project.id, by=chief_user.username)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return IssuedCode(code, judge, project, row.expires_at)


def _ensure_account(judge: Judge) -> User:
    """The judge's account; a judge without one gets a token-only account (no password),
    which is all a shared tablet needs."""
    if judge.user_id is not None:
        user = db.session.get(User, judge.user_id)
        assert user is not None
        if not user.active:
            raise ServiceError("account_inactive", "judge_id")
        if user.role not in SCORING_ROLES:
            raise ServiceError("cannot_score", "judge_id")
        return user
    username = f"tablet-judge-{judge.id}"
    while db.session.scalar(select(User.id).where(User.username == username)) is not None:
        username = f"tablet-judge-{judge.id}-{secrets.token_hex(2)}"
    user = User(username=username, display_name=judge.name, password_hash=None,
                role=UserRole.JUDGE)
    db.session.add(user)
    db.session.flush()
    judge.user_id = user.id
    audit.record("tablet_account", user, competition_id=judge.competition_id,
                 judge_id=judge.id, username=username)
    return user


def _unused_code() -> str:
    # code_hash is UNIQUE over every code ever issued, so draw until it is new.
    for _attempt in range(50):
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        taken = db.session.scalar(
            select(TabletCode.id).where(TabletCode.code_hash == _code_hash(code)))
        if taken is None:
            return code
    raise ServiceError("no_code_left")


def _code_hash(code: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"tablet-code:{code}".encode(), hashlib.sha256).hexdigest()


def normalise(raw: object) -> str | None:
    """The code as typed or scanned: 6 digits, spaces and dashes ignored; else None."""
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return None
    text = str(raw).replace(" ", "").replace("-", "").strip()
    if len(text) != CODE_DIGITS or not text.isascii() or not text.isdigit():
        return None
    return text


def redeem(raw: object) -> Redeemed:
    """Trade a live code for a project-bound bearer token; the code then stops working.
    Refusals: code_invalid (not 6 digits), code_unknown, code_used, code_expired."""
    code = normalise(raw)
    if code is None:
        raise ServiceError("code_invalid", "code")
    now = utcnow()
    try:
        row = db.session.scalar(select(TabletCode).where(TabletCode.code_hash == _code_hash(code)))
        if row is None:
            raise ServiceError("code_unknown", "code")
        if row.used_at is not None:
            raise ServiceError("code_used", "code")
        if row.expires_at <= now:
            raise ServiceError("code_expired", "code")
        user = db.session.get(User, row.judge.user_id) if row.judge.user_id else None
        if user is None or not user.active or user.role not in SCORING_ROLES:
            raise ServiceError("account_inactive", "code")
        # Claim the code atomically: of two tablets racing with it, only one wins.
        claimed = db.session.execute(
            update(TabletCode).where(TabletCode.id == row.id, TabletCode.used_at.is_(None))
            .values(used_at=now)).rowcount  # type: ignore[attr-defined]
        if claimed != 1:
            raise ServiceError("code_used", "code")
        hours = int(current_app.config.get("TABLET_TOKEN_HOURS", DEFAULT_TOKEN_HOURS))
        token = accounts.TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires_at = now + timedelta(hours=hours)
        db.session.add(ApiToken(user_id=user.id, token_hash=accounts.token_hash(token),
                                label=f"tablet code ({row.judge.name})"[:100],
                                project_id=row.project_id, expires_at=expires_at))
        audit.record("tablet_code_redeem", row, competition_id=row.judge.competition_id,
                     judge_id=row.judge_id, project_id=row.project_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return Redeemed(token, row.project_id, row.judge.name, expires_at)


def live_codes(project: SkillProject) -> dict[int, datetime]:
    """judge id → when their live code expires (codes themselves are never shown again)."""
    now = utcnow()
    rows = db.session.execute(
        select(TabletCode.judge_id, TabletCode.expires_at)
        .where(TabletCode.project_id == project.id, TabletCode.used_at.is_(None),
               TabletCode.expires_at > now)).all()
    return {judge_id: expires_at for judge_id, expires_at in rows}

