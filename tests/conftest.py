"""Shared fixtures: a fresh app and database per test, signed-in clients, builders."""

from __future__ import annotations

from collections.abc import Iterator

import flask_babel
import pytest
from flask import Flask, request_started
from flask.testing import FlaskClient

from app import create_app
from app.domain.vocabulary import UserRole
from app.extensions import db as _db
from app.models import User
from app.services import accounts

TEST_SECRET = "test-secret-key-that-is-long-enough"
PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    app = create_app(
        {
            # Never overwrite the developer's real instance/demo_logins.txt.
            "DEMO_LOGINS_FILE": tmp_path / "demo_logins.txt",
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            # Boards are flushed by the tests themselves (live.coalescer().flush()).
            "LIVE_UPDATE_INTERVAL": 0,
        }
    )
    # This app context outlives every request of the test, so `g` is shared between them,
    # and Flask-Babel caches the locale in `g`. A real server starts each request with a
    # fresh `g`: forget the cached locale so /lang/<code> and the account's language count.
    request_started.connect(_forget_babel_locale, app)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()


def _forget_babel_locale(sender: Flask, **extra: object) -> None:
    flask_babel.refresh()


@pytest.fixture
def db(app: Flask):  # type: ignore[no-untyped-def]
    return _db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(app: Flask):  # type: ignore[no-untyped-def]
    def make(role: UserRole = UserRole.ORGANISER, username: str | None = None) -> User:
        name = username or f"{role.value}-{_db.session.query(User).count() + 1}"
        return accounts.create_user(name, role, PASSWORD)

    return make


def login(client: FlaskClient, user: User) -> None:
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def organiser_client(client: FlaskClient, make_user) -> FlaskClient:  # type: ignore[no-untyped-def]
    login(client, make_user(UserRole.ORGANISER, "organiser"))
    return client
