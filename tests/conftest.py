"""Shared fixtures: a fresh app and database per test, signed-in clients, builders.

The database is in-memory SQLite, unless SAIPING_TEST_DATABASE_URL names a PostgreSQL
server (postgresql+psycopg://user@host:port/any): then this session gets a database of its
own on that server, made once, and every table is emptied after each test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import flask_babel
import pytest
from flask import Flask, request_started
from flask.testing import FlaskClient
from sqlalchemy import make_url, text

from app import create_app
from app.domain.vocabulary import UserRole
from app.extensions import db as _db
from app.models import User
from app.services import accounts

TEST_SECRET = "test-secret-key-that-is-long-enough"
PASSWORD = "correct horse battery"
TEST_DATABASE_URL_ENV = "SAIPING_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this pytest session, or None when running on SQLite.

    Named with the pid, so two runs at once never share one; dropped at the end.
    """
    server = os.environ.get(TEST_DATABASE_URL_ENV)
    if not server:
        yield None
        return
    import psycopg

    url = make_url(server)
    if not url.drivername.startswith("postgresql"):
        raise pytest.UsageError(f"{TEST_DATABASE_URL_ENV} must be postgresql+psycopg://..., "
                                f"got {url.drivername}")
    name = f"saiping_test_{os.getpid()}"
    admin = url.set(drivername="postgresql", database="postgres")
    admin_dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        # A crash may lose the last commits of a throwaway database: no waiting for the disk.
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_schema_made: set[str] = set()


@pytest.fixture
def app(tmp_path, postgres_url: str | None) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    app = create_app(
        {
            # Never overwrite the developer's real instance/demo_logins.txt.
            "DEMO_LOGINS_FILE": tmp_path / "demo_logins.txt",
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET,
            "SQLALCHEMY_DATABASE_URI": postgres_url or "sqlite://",
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
        if postgres_url is None:
            _db.create_all()
            yield app
            _db.session.remove()
            _db.drop_all()
            return
        # PostgreSQL: the schema is made once per session; emptying every table is far
        # quicker than dropping and creating them per test.
        if postgres_url not in _schema_made:
            _db.create_all()
            _schema_made.add(postgres_url)
        yield app
        _db.session.remove()
        _empty_all_tables()
        _db.engine.dispose()  # each test's app has its own pool: close its connections


def _empty_all_tables() -> None:
    """Delete every row, children first, and restart every sequence (ids begin at 1 again).

    DELETE, not TRUNCATE: on tables this small it takes a few milliseconds, where one
    TRUNCATE of every table takes about a second (it swaps each table's files).
    """
    with _db.engine.begin() as conn:
        # A connection a test left open in a transaction would otherwise block for ever.
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        for table in reversed(_db.metadata.sorted_tables):
            conn.execute(table.delete())
        conn.execute(text("SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) "
                          "FROM pg_sequences WHERE schemaname = current_schema()"))


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
