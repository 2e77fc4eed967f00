"""GET /judge/ (the tablet page), /judge/code and the tablet's service worker."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient

from app.domain.vocabulary import UserRole
from app.services import accounts
from tests import builders


@pytest.fixture
def s(app):  # type: ignore[no-untyped-def]
    return builders.judging_setup()


def page_config(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="(?:judge|code)-config">(.*?)</script>',
                      html, re.S)
    assert match, html[:500]
    return dict(json.loads(match.group(1)))


def sign_in(client: FlaskClient, username: str, password: str) -> str:
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302
    return response.headers["Location"]


def test_anonymous_is_sent_to_sign_in_and_other_roles_are_refused(client, make_user) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/judge/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/judge/")
    from tests.conftest import login

    login(client, make_user(UserRole.ORGANISER))
    assert client.get("/judge/").status_code == 403


def test_a_judge_lands_on_the_tablet_with_a_socket_token_of_their_own(client, s) -> None:  # type: ignore[no-untyped-def]
    assert sign_in(client, "judge1", "judge password") == "/judge/"
    response = client.get("/judge/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"  # only the service worker keeps it
    config = page_config(response.get_data(as_text=True))
    assert config["mode"] == "session" and config["userId"] == s.users[0].id
    resolved = accounts.resolve_token(config["token"])
    assert resolved == (s.users[0], None)
    assert config["assignmentsUrl"] == "/api/v1/judge/assignments"


def test_the_chief_judge_lands_on_the_console_and_may_open_the_tablet(client, s) -> None:  # type: ignore[no-untyped-def]
    # Chief judges run the console; they can still open the tablet page (read-only use).
    assert sign_in(client, "chief", "chief password") == "/chief/"
    config = page_config(client.get("/judge/").get_data(as_text=True))
    assert accounts.resolve_token(config["token"]) == (s.chief, None)


def test_the_token_mode_shell_needs_no_session_and_carries_no_token(client, s, make_user) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/judge/?mode=tablet")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    config = page_config(html)
    assert config["mode"] == "token" and config["token"] is None and config["userId"] is None
    assert f'"{accounts.SESSION_TOKEN_PREFIX}' not in html  # no token string anywhere
    # A shared tablet where someone forgot to sign out: whoever typed the code scores as
    # themselves, never as the signed-in person.
    for username, password in (("judge2", "judge password"), ("chief", "chief password")):
        sign_in(client, username, password)
        config = page_config(client.get("/judge/?mode=tablet").get_data(as_text=True))
        assert config["mode"] == "token" and config["token"] is None
    from tests.conftest import login

    login(client, make_user(UserRole.ORGANISER))
    assert page_config(client.get("/judge/?mode=tablet").get_data(as_text=True))["mode"] == "token"


def test_the_code_page_posts_to_the_redeem_endpoint(app, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/judge/code")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'inputmode="numeric"' in html and 'autocomplete="one-time-code"' in html
    assert html.count("data-key=") == 11  # ten digits and delete, big enough for gloves
    redeem = page_config(html)["redeemUrl"]
    assert page_config(html)["tabletUrl"] == "/judge/?mode=tablet"
    adapter = app.url_map.bind("localhost")
    endpoint, _args = adapter.match(redeem, method="POST")
    assert endpoint.startswith("api.")


def test_the_service_worker_may_control_the_judge_pages(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/judge/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/judge/"
    assert "no-cache" in response.headers["Cache-Control"]  # a new version is seen at once
    assert b'addEventListener("fetch"' in response.data
