"""Sign-in, sessions, safe redirects, rate limiting, CSRF, tokens."""

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import ApiToken, User
from app.services import accounts
from app.web.security import is_safe_next
from tests.conftest import PASSWORD, TEST_SECRET, login


def test_passwords_are_hashed(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(UserRole.ORGANISER)
    assert PASSWORD not in (user.password_hash or "")
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_wrong_password_is_refused_without_saying_which_part(client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(UserRole.ORGANISER)
    wrong = client.post("/login", data={"username": user.username, "password": "nope-nope"})
    unknown = client.post("/login", data={"username": "nobody", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert "用户名或密码错误" in wrong.get_data(as_text=True) or \
        "Wrong username or password" in wrong.get_data(as_text=True)
    assert client.get("/organiser/").status_code == 302


@pytest.mark.parametrize("target", ["/organiser/competitions/new", "/organiser/?q=a"])
def test_login_follows_a_local_next(client, make_user, target: str) -> None:  # type: ignore[no-untyped-def]
    user = make_user(UserRole.ORGANISER)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "next": target})
    assert response.location == target


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "/\\evil.example", "javascript:alert(1)", "evil", ""])
def test_login_never_redirects_off_site(client, make_user, target: str) -> None:  # type: ignore[no-untyped-def]
    user = make_user(UserRole.ORGANISER)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "next": target})
    assert response.location == "/organiser/"
    assert not is_safe_next(target)


def test_language_switch_is_also_safe(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/lang/en?next=https://evil.example/").location == "/"
    assert client.get("/lang/en?next=/organiser/").location == "/organiser/"
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_logout_needs_post_and_ends_the_session(client, make_user) -> None:  # type: ignore[no-untyped-def]
    login(client, make_user(UserRole.ORGANISER))
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/organiser/").status_code == 302


def test_sessions_expire(app: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    login(client, make_user(UserRole.ORGANISER))
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.expires is not None  # a permanent, expiring session
    assert app.permanent_session_lifetime.total_seconds() == 8 * 3600
    assert cookie.http_only


def _strict_app() -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                       "SQLALCHEMY_DATABASE_URI": "sqlite://", "LOGIN_RATE_LIMIT": "3 per minute"})


def test_login_attempts_are_rate_limited() -> None:
    app = _strict_app()
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        db.create_all()
        client = app.test_client()
        codes = [client.post("/login", data={"username": "x", "password": "wrong-pass"}).status_code
                 for _ in range(5)]
        assert codes[:3] == [200, 200, 200]
        assert codes[3:] == [429, 429]
        db.drop_all()


def test_forms_need_a_csrf_token() -> None:
    app = _strict_app()
    app.config["RATELIMIT_ENABLED"] = False
    with app.app_context():
        db.create_all()
        accounts.create_user("org", UserRole.ORGANISER, PASSWORD)
        client = app.test_client()
        no_token = client.post("/login", data={"username": "org", "password": PASSWORD})
        assert no_token.status_code == 400
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        ok = client.post("/login", data={"username": "org", "password": PASSWORD,
                                         "csrf_token": token})
        assert ok.status_code == 302
        refused = client.post("/organiser/competitions/new", data={"name": "x", "tier": "district",
                                                                   "year": "2026"})
        assert refused.status_code == 400
        db.drop_all()


def test_tokens_are_stored_hashed_and_can_be_revoked(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(UserRole.JUDGE)
    token = accounts.issue_token(user, "tablet 3")
    stored = db.session.scalar(select(ApiToken))
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert accounts.user_for_token(token) == user
    assert accounts.user_for_token(token + "x") is None
    assert accounts.revoke_tokens(user) == 1
    assert accounts.user_for_token(token) is None


def test_cli_creates_users_and_issues_tokens(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "chief1", "--role", "chief_judge",
                                 "--password", "long enough pw"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.username == "chief1")).role == \
        UserRole.CHIEF_JUDGE
    short = runner.invoke(args=["create-user", "x", "--role", "judge", "--password", "short"])
    assert short.exit_code != 0 and "8 characters" in short.output
    token = runner.invoke(args=["issue-token", "chief1"]).output.strip()
    assert accounts.user_for_token(token).username == "chief1"
    assert runner.invoke(args=["issue-token", "ghost"]).exit_code != 0
