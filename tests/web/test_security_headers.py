"""Security headers (app/web/headers.py), the session cookie's flags and login rate
limiting. That the policy really fits the pages is shown by the browser tests, which run
under it (tests/browser); the checks here keep the templates within it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.domain.vocabulary import UserRole
from app.extensions import db
from app.services import accounts
from app.web.headers import content_security_policy
from tests.conftest import PASSWORD, TEST_SECRET, login

ROOT = Path(__file__).resolve().parents[2]
BASE = {"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "LIVE_UPDATE_INTERVAL": 0}
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def policy(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: [sources]}."""
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {d[0]: d[1:] for d in directives}


@pytest.fixture
def app_with(tmp_path: Path) -> Iterator[object]:
    """app_with(**config) -> an app with its tables, on an in-memory database."""
    made: list[tuple[Flask, object]] = []

    def make(**config: object) -> Flask:
        app = create_app({**BASE, "DEMO_LOGINS_FILE": tmp_path / "logins.txt", **config})
        context = app.app_context()
        context.push()
        db.create_all()
        made.append((app, context))
        return app

    yield make
    for _, context in reversed(made):
        db.session.remove()
        context.pop()  # type: ignore[attr-defined]


# ------------------------------------------------------------------ on every response


@pytest.mark.parametrize("path", [
    "/",  # a page
    "/login",
    "/api/v1/competitions",  # JSON
    "/static/css/app.css",  # a file
    "/judge/sw.js",  # the service worker: its own CSP governs the worker
    "/no-such-page",  # an error page
    "/organiser/",  # a redirect to sign in
])
def test_every_response_carries_the_headers(client: FlaskClient, path: str) -> None:
    with client.get(path) as response:  # closed: a static file is sent from an open file
        headers = response.headers
    for name, value in HEADERS.items():
        assert headers.get(name) == value, (path, name)
    assert policy(headers["Content-Security-Policy"])["default-src"] == ["'self'"]
    assert "Strict-Transport-Security" not in headers  # plain HTTP


def test_the_policy(client: FlaskClient) -> None:
    csp = policy(client.get("/", base_url="http://saiping.example:8080").headers[
        "Content-Security-Policy"])
    assert csp == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],  # no inline script, no eval
        "style-src": ["'self'", "'unsafe-inline'"],  # style="width: N%" attributes
        "style-src-elem": ["'self'"],  # but no <style> elements
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'", "ws://saiping.example:8080", "wss://saiping.example:8080"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }


@pytest.mark.parametrize("host", ["evil.example; script-src *", "a b", "x'y"])
def test_a_strange_host_header_does_not_reach_the_policy(client: FlaskClient,
                                                         host: str) -> None:
    response = client.get("/healthz", headers={"Host": host})
    csp = policy(response.headers["Content-Security-Policy"])
    assert csp["connect-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    # Werkzeug already drops such a Host; the policy would not take it either.
    assert policy(content_security_policy(host))["connect-src"] == ["'self'"]


def test_the_projector_screen_may_not_be_framed_either(app: Flask, client: FlaskClient) -> None:
    from tests import builders

    competition = builders.competition()
    response = client.get(f"/c/{competition.id}/screen")
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    assert policy(response.headers["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]


# ------------------------------------------------------------------ the pages keep to it

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
EVENT_HANDLER = re.compile(r"""<[^>]+\son[a-z]+\s*=\s*["'{]""", re.I)


def _templates() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.html"))


def test_templates_have_no_inline_script_that_would_run() -> None:
    """script-src 'self': a script must be a file under /static (or a JSON data block,
    which never runs). An inline script would be refused by the browser: move it to a
    file, or give the policy a nonce."""
    assert _templates()
    for path in _templates():
        html = path.read_text("utf-8")
        for attributes in SCRIPT_TAG.findall(html):
            assert "src=" in attributes or 'type="application/json"' in attributes, \
                f"{path.relative_to(ROOT)}: <script{attributes}>"
        assert not EVENT_HANDLER.search(html), f"{path.relative_to(ROOT)}: an on…= handler"
        assert "javascript:" not in html, path


def test_templates_and_scripts_add_no_style_elements() -> None:
    """style-src-elem 'self': stylesheets are files; only style attributes are inline."""
    sources = [*_templates(), *sorted((ROOT / "static" / "js").rglob("*.js"))]
    for path in sources:
        if "vendor" in path.parts:
            continue
        text = path.read_text("utf-8")
        assert "<style" not in text, path
        assert 'createElement("style")' not in text and "createElement('style')" not in text


def test_scripts_use_no_eval() -> None:
    for path in sorted((ROOT / "static" / "js").rglob("*.js")):
        text = path.read_text("utf-8")
        assert "eval(" not in text and "new Function(" not in text, path


# ------------------------------------------------------------------ HSTS


def test_hsts_only_on_a_secure_request(app_with) -> None:  # type: ignore[no-untyped-def]
    client = app_with().test_client()
    assert client.get("/healthz", base_url="https://saiping.example").headers[
        "Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    # X-Forwarded-Proto is anyone's to send: it does not count unless the proxy is trusted.
    forwarded = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forwarded.headers


def test_hsts_behind_a_trusted_tls_proxy(app_with) -> None:  # type: ignore[no-untyped-def]
    client = app_with(TRUST_X_FORWARDED_PROTO=True).test_client()
    behind_tls = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert behind_tls.headers["Strict-Transport-Security"] == "max-age=31536000"
    plain = client.get("/healthz", headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in plain.headers


# ------------------------------------------------------------------ the session cookie


def _session_cookie(app: Flask) -> str:
    accounts.create_user("cookie-organiser", UserRole.ORGANISER, PASSWORD)
    client = app.test_client()
    response = client.post("/login", data={"username": "cookie-organiser",
                                           "password": PASSWORD})
    assert response.status_code == 302
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_the_session_cookie_is_httponly_and_samesite_lax(app_with) -> None:  # type: ignore[no-untyped-def]
    cookie = _session_cookie(app_with())
    assert "; HttpOnly" in cookie and "; SameSite=Lax" in cookie
    assert "; Secure" not in cookie  # plain HTTP in development: a Secure cookie would vanish


def test_the_session_cookie_is_secure_on_an_https_site(app_with) -> None:  # type: ignore[no-untyped-def]
    cookie = _session_cookie(app_with(PREFERRED_URL_SCHEME="https"))
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "; SameSite=Lax" in cookie


@pytest.mark.parametrize("env", [{"SESSION_COOKIE_SECURE": "1"},
                                 {"PREFERRED_URL_SCHEME": "https"}])
def test_the_environment_makes_the_cookie_secure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                 env: dict[str, str]) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "LIVE_UPDATE_INTERVAL": 0, "DEMO_LOGINS_FILE": tmp_path / "l.txt"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.app_context():
        db.create_all()
        assert "; Secure" in _session_cookie(app)
        db.session.remove()


@pytest.mark.parametrize(("name", "value"), [("SESSION_COOKIE_SECURE", "maybe"),
                                             ("PREFERRED_URL_SCHEME", "ftp")])
def test_a_wrong_setting_stops_the_start(monkeypatch: pytest.MonkeyPatch, name: str,
                                         value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=name):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


# ------------------------------------------------------------------ login rate limiting


def test_the_eleventh_failed_login_in_a_minute_gets_429(app_with) -> None:  # type: ignore[no-untyped-def]
    app = app_with(RATELIMIT_ENABLED=True)  # the default limit: 10 per minute
    assert app.config["LOGIN_RATE_LIMIT"] == "10 per minute"
    user = accounts.create_user("limited-organiser", UserRole.ORGANISER, PASSWORD)
    client = app.test_client()
    wrong = {"username": user.username, "password": "not the password"}
    assert [client.post("/login", data=wrong).status_code for _ in range(10)] == [200] * 10
    refused = client.post("/login", data=wrong)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["X-Frame-Options"] == "DENY"  # error pages carry the headers too
    # Even the right password waits now; the form itself still loads.
    right = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert right.status_code == 429
    assert client.get("/login").status_code == 200
    # The limit is per address: another client is not locked out by this one.
    other = app.test_client()
    assert other.post("/login", data={"username": user.username, "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 302


def test_signed_in_pages_are_not_limited(app_with) -> None:  # type: ignore[no-untyped-def]
    app = app_with(RATELIMIT_ENABLED=True)
    client = app.test_client()
    login(client, accounts.create_user("busy-organiser", UserRole.ORGANISER, PASSWORD))
    assert {client.get("/organiser/").status_code for _ in range(15)} == {200}


def test_behind_a_trusted_proxy_the_limit_counts_each_client(app_with) -> None:  # type: ignore[no-untyped-def]
    """With TRUSTED_PROXIES=1 (nginx in front), two phones behind the same proxy have a
    limit each; without it, X-Forwarded-For is ignored (a client could forge it)."""
    wrong = {"username": "nobody", "password": "not the password"}  # failures count
    proxy = {"REMOTE_ADDR": "127.0.0.1"}

    def attempts(app, forwarded_for: str) -> list[int]:  # type: ignore[no-untyped-def]
        client = app.test_client()
        return [client.post("/login", data=wrong, environ_base=proxy,
                            headers={"X-Forwarded-For": forwarded_for}).status_code
                for _ in range(11)]

    trusting = app_with(RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    assert attempts(trusting, "10.1.0.1")[-1] == 429
    assert attempts(trusting, "10.1.0.2")[:10] == [200] * 10  # another phone, its own limit
    ignoring = app_with(RATELIMIT_ENABLED=True)
    assert attempts(ignoring, "10.2.0.1")[-1] == 429
    assert attempts(ignoring, "10.2.0.2")[0] == 429  # the proxy's address, shared
