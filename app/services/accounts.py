"""Accounts: users, passwords, and bearer tokens for the REST API and judges' sockets."""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import ApiToken, Delegation, User
from app.models.base import utcnow

TOKEN_PREFIX = "sp_"  # noqa: S105 (a public marker, not a secret)


class AccountError(ValueError):
    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


def create_user(username: str, role: UserRole, password: str | None = None,
                display_name: str = "") -> User:
    username = username.strip()
    if not username or len(username) > 64:
        raise AccountError("username_invalid")
    if db.session.scalar(select(User).where(User.username == username)):
        raise AccountError("username_taken")
    if password is not None and len(password) < 8:
        raise AccountError("password_too_short")
    user = User(
        username=username,
        role=role,
        display_name=display_name or username,
        password_hash=generate_password_hash(password) if password else None,
    )
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(username: str, password: str) -> User | None:
    """The user for these credentials, or None. Timing does not reveal which part was wrong."""
    user: User | None = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.password_hash:
        # Spend the same effort as a real check, so unknown names are not faster.
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def save_user(user: User | None, values: dict[str, object], password: str | None) -> User:
    """The organiser's account form: create or edit, audited, one transaction.

    The username never changes once made (tokens and logs refer to it), and the last
    active organiser cannot be demoted or deactivated, so nobody locks the event out.
    """
    from app.services.editing import save

    values = dict(values)
    if user is None:
        name = str(values.get("username") or "").strip()
        if not name or len(name) > 64:
            raise AccountError("username_invalid", "username")
        if db.session.scalar(select(User).where(User.username == name)):
            raise AccountError("username_taken", "username")
        if not password:
            raise AccountError("password_required", "password")
    else:
        values.pop("username", None)
        losing = values.get("role") != UserRole.ORGANISER or not values.get("active")
        if user.role is UserRole.ORGANISER and user.active and losing and _organisers() == 1:
            raise AccountError("last_organiser", "role")
    if values.get("role") == UserRole.TEAM_LEADER:
        # A team leader speaks for one delegation: without it, whose appeals would they file?
        if not values.get("delegation_id") or db.session.get(
                Delegation, values["delegation_id"]) is None:
            raise AccountError("delegation_required", "delegation_id")
    else:
        values["delegation_id"] = None
    if password is not None:
        if len(password) < 8:
            raise AccountError("password_too_short", "password")
        values["password_hash"] = generate_password_hash(password)
    return save(user or User(), values, competition_id=None)


def _organisers() -> int:
    return len(db.session.scalars(
        select(User.id).where(User.role == UserRole.ORGANISER, User.active.is_(True))).all())


def set_password(user: User, password: str) -> None:
    if len(password) < 8:
        raise AccountError("password_too_short")
    user.password_hash = generate_password_hash(password)
    db.session.commit()


def _token_hash(token: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 is enough (no salt/stretching needed).
    return hashlib.sha256(token.encode()).hexdigest()


def token_hash(token: str) -> str:
    """The stored form of a bearer token, for services that make tokens of their own
    (a tablet code's token, say)."""
    return _token_hash(token)


def issue_token(user: User, label: str = "") -> str:
    """Make a bearer token; only its hash is stored, so it is shown once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label))
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    resolved = resolve_token(token)
    return resolved[0] if resolved else None


def resolve_token(token: object) -> tuple[User, int | None] | None:
    """(user, project it is bound to or None) for a live bearer or tablet-session token."""
    if not isinstance(token, str) or len(token) > 500:
        return None
    if token.startswith(SESSION_TOKEN_PREFIX):
        return _from_session_token(token)
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    if row.expires_at is not None and row.expires_at <= utcnow():
        return None
    return row.user, row.project_id


# The judge's tablet page, signed in with a password, gets a short-lived signed token for
# its socket: no database row, and it dies with the working day.
SESSION_TOKEN_PREFIX = "ss_"  # noqa: S105 (a public marker, not a secret)
SESSION_TOKEN_MAX_AGE = 12 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.config["SECRET_KEY"]), salt="tablet-session")


def session_token(user: User) -> str:
    return SESSION_TOKEN_PREFIX + _serializer().dumps(user.id)


def _from_session_token(token: str) -> tuple[User, int | None] | None:
    try:
        user_id = _serializer().loads(token[len(SESSION_TOKEN_PREFIX):],
                                      max_age=SESSION_TOKEN_MAX_AGE)
    except BadData:
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return (user, None) if user is not None and user.active else None


def revoke_tokens(user: User) -> int:
    """Revoke every live token of a user; returns how many."""
    now = utcnow()
    live = [t for t in user.tokens if t.revoked_at is None]
    for t in live:
        t.revoked_at = now
    db.session.commit()
    return len(live)


_DUMMY_HASH = generate_password_hash("not-a-real-password")
