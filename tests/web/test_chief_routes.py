"""The chief judge's console over HTTP: who may open each page and who may act, the
read-only view, sign-off and unlock, substitutes, tablet codes, history and export."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from app import create_app
from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import Module, Substitute
from app.services import accounts, tablet_codes
from app.services.marking import MarkingError
from tests import builders
from tests.chief_builders import add_judge, cheap_passwords, complete_module_a, other_project, score
from tests.conftest import PASSWORD, TEST_SECRET


@pytest.fixture
def s(app, monkeypatch):  # type: ignore[no-untyped-def]
    cheap_passwords(monkeypatch)
    return builders.judging_setup()


def sign_in(client: FlaskClient, username: str, password: str) -> None:
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def chief_routes(app: Flask, s: builders.JudgingSetup) -> list[tuple[str, str]]:
    ids = {"pid": s.project.id, "mid": s.j_aspect.module_id, "cid": s.competitors[0].id}
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/chief"):
            continue
        url = re.sub(r"<(?:int:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((method, url))
    return routes


def test_the_route_table_is_not_empty(app: Flask, s) -> None:  # type: ignore[no-untyped-def]
    # Guards the parametrised tests below from silently checking nothing.
    routes = chief_routes(app, s)
    assert len([r for r in routes if r[0] == "GET"]) >= 7
    assert len([r for r in routes if r[0] == "POST"]) >= 4


def test_anonymous_users_are_sent_to_sign_in(app, client, s) -> None:  # type: ignore[no-untyped-def]
    for method, url in chief_routes(app, s):
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert response.location.startswith("/login?next="), (method, url)


def test_judges_get_nothing(app, client, s) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "judge1", "judge password")
    for method, url in chief_routes(app, s):
        assert client.open(url, method=method).status_code == 403, (method, url)


@pytest.mark.parametrize("role", [UserRole.SUPERVISOR, UserRole.ORGANISER])
def test_supervisors_and_organisers_read_but_never_act(app, client, make_user, s, role) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, make_user(role).username, PASSWORD)
    for method, url in chief_routes(app, s):
        response = client.open(url, method=method)
        if method == "GET":
            assert response.status_code in (200, 302), (method, url)
        else:
            assert response.status_code == 403, (method, url)


def test_another_projects_chief_judge_gets_nothing_here(app, client, s) -> None:  # type: ignore[no-untyped-def]
    _other, other_chief = other_project(s)
    sign_in(client, other_chief.username, "chief password")
    for method, url in chief_routes(app, s):
        if url == "/chief/":
            continue  # their own list, where this project is absent (below)
        assert client.open(url, method=method).status_code == 403, (method, url)
    own = client.get("/chief/").get_data(as_text=True)
    assert "数控车" in own and f"/chief/projects/{s.project.id}\"" not in own


def test_the_chief_judge_opens_every_page(app, client, s) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "chief", "chief password")
    for method, url in chief_routes(app, s):
        if method == "GET":
            response = client.get(url)
            assert response.status_code in (200, 302), url
            if response.status_code == 302:
                assert response.location.startswith("/chief/projects/"), url


def console_url(s) -> str:  # type: ignore[no-untyped-def]
    return f"/chief/projects/{s.project.id}/modules/{s.j_aspect.module_id}"


def test_the_console_shows_the_grid_and_the_chiefs_forms(client, s) -> None:  # type: ignore[no-untyped-def]
    score(s.users[1], s.competitors[0], s.j_aspect, 2)
    add_judge(s, "替补裁判", delegation="静安区")
    sign_in(client, "chief", "chief password")
    assert client.get("/chief/").status_code == 200
    opened = client.get(f"/chief/projects/{s.project.id}")
    assert opened.location == console_url(s)
    html = client.get(console_url(s)).get_data(as_text=True)
    assert "张伟" in html and "李娜" in html
    key = f"{s.competitors[0].id}-{s.j_aspect.id}-{s.judges[1].id}"
    assert re.search(rf'class="cj-cell cj-draft[^"]*"[^>]*data-k="{key}"[^>]*>2<', html)
    assert 'id="cj-lock-form"' in html and 'name="judge_id"' in html  # lock, substitute
    assert "cj-readonly" not in html
    assert accounts.SESSION_TOKEN_PREFIX in html  # the socket's token


def test_the_supervisor_sees_the_same_view_without_any_form(client, make_user, s) -> None:  # type: ignore[no-untyped-def]
    score(s.users[1], s.competitors[0], s.j_aspect, 2)
    add_judge(s, "替补裁判", delegation="静安区")
    sign_in(client, make_user(UserRole.SUPERVISOR).username, PASSWORD)
    html = client.get(console_url(s)).get_data(as_text=True)
    key = f"{s.competitors[0].id}-{s.j_aspect.id}-{s.judges[1].id}"
    assert f'data-k="{key}"' in html and "cj-readonly" in html
    assert re.findall(r'<form[^>]*method="post"[^>]*action="(/chief[^"]*)"', html) == []
    tablets = client.get(f"/chief/projects/{s.project.id}/tablets").get_data(as_text=True)
    assert "裁判1" in tablets and "/chief/projects" not in re.sub(r'href="[^"]*"', "", tablets)


def test_encrypted_projects_show_workstations_only(client, s) -> None:  # type: ignore[no-untyped-def]
    s.project.encrypted = True
    db.session.commit()
    score(s.users[1], s.competitors[0], s.j_aspect, 2)
    sign_in(client, "chief", "chief password")
    pages = [console_url(s), console_url(s) + "/live", "/chief/",
             f"/chief/projects/{s.project.id}/competitors/{s.competitors[0].id}"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert "张伟" not in html and "李娜" not in html, url
    export = client.get(f"/chief/projects/{s.project.id}/competitors/{s.competitors[0].id}"
                        "/history.xlsx")
    cells = [str(c) for row in load_workbook(io.BytesIO(export.data)).active.iter_rows(
        values_only=True) for c in row]
    assert not any("张伟" in c for c in cells)


def test_the_live_fragment_has_the_three_regions(client, s) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "chief", "chief password")
    response = client.get(console_url(s) + "/live")
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    for region in ("cj-progress", "cj-queue", "cj-grid"):
        assert f'id="{region}"' in html
    assert "<html" not in html


def test_sign_off_is_refused_with_the_open_aspects_then_locks(client, s) -> None:  # type: ignore[no-untyped-def]
    s.project.panel_size = 2
    db.session.commit()
    sign_in(client, "chief", "chief password")
    lock_url = console_url(s) + "/lock"
    page = client.post(lock_url, follow_redirects=True).get_data(as_text=True)
    assert "01 张伟 A1" in page and s.j_aspect.module.locked_at is None
    complete_module_a(s)
    response = client.post(lock_url)
    assert response.status_code == 302 and response.location == console_url(s)
    db.session.expire_all()
    assert s.j_aspect.module.locked_at is not None
    html = client.get(console_url(s)).get_data(as_text=True)
    assert "cj-grid-wrap is-locked" in html and 'id="cj-unlock-form"' in html
    assert 'id="cj-lock-form"' not in html
    with pytest.raises(MarkingError):
        score(s.users[1], s.competitors[0], s.j_aspect, 3, expected_version=1)


def test_unlock_needs_a_reason_next_to_the_field(client, s) -> None:  # type: ignore[no-untyped-def]
    s.project.panel_size = 2
    db.session.commit()
    complete_module_a(s)
    sign_in(client, "chief", "chief password")
    client.post(console_url(s) + "/lock")
    refused = client.post(console_url(s) + "/unlock", data={"reason": "  ab "})
    assert refused.status_code == 400
    assert 'data-error-for="reason"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert s.j_aspect.module.locked_at is not None
    done = client.post(console_url(s) + "/unlock", data={"reason": "申诉成立，重新评分"})
    assert done.status_code == 302
    db.session.expire_all()
    assert s.j_aspect.module.locked_at is None


def test_the_chief_names_a_substitute_from_the_queue(client, s) -> None:  # type: ignore[no-untyped-def]
    spare = add_judge(s, "替补裁判", delegation="静安区")
    sign_in(client, "chief", "chief password")
    client.get("/lang/en")
    html = client.get(console_url(s)).get_data(as_text=True)
    assert f'<option value="{spare.id}">' in html
    response = client.post(f"/chief/projects/{s.project.id}/substitutes", data={
        "competitor_id": s.competitors[1].id, "judge_id": spare.id,
        "module_id": s.j_aspect.module_id})
    assert response.location == console_url(s) + "#conflicts"
    assert db.session.scalar(select(Substitute.judge_id)) == spare.id
    refused = client.post(f"/chief/projects/{s.project.id}/substitutes", data={
        "competitor_id": s.competitors[1].id, "judge_id": s.judges[0].id}, follow_redirects=True)
    assert len(db.session.scalars(select(Substitute)).all()) == 1
    assert "conflict of interest" in refused.get_data(as_text=True)


def test_a_competitor_of_another_project_is_not_found_here(client, s) -> None:  # type: ignore[no-untyped-def]
    other, _chief = other_project(s)
    sign_in(client, "chief", "chief password")
    assert client.get(f"/chief/projects/{s.project.id}/competitors/999").status_code == 404
    assert client.get(f"/chief/projects/{s.project.id}/modules/999").status_code == 404
    assert client.get(f"/chief/projects/{other.id}").status_code == 403


def test_an_issued_code_is_shown_once_large_with_a_qr_code(client, s) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "chief", "chief password")
    tablets = client.get(f"/chief/projects/{s.project.id}/tablets").get_data(as_text=True)
    assert tablets.count('name="judge_id"') == 3  # the three panel judges
    response = client.post(f"/chief/projects/{s.project.id}/tablets",
                           data={"judge_id": s.judges[2].id})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    digits = re.search(r'id="tablet-code"[^>]*>(\d{3})<span[^>]*></span>(\d{3})<', html)
    assert digits, html
    assert "<svg" in html and "裁判3" in html
    redeemed = tablet_codes.redeem(digits.group(1) + digits.group(2))
    assert redeemed.judge_name == "裁判3"
    refused = client.post(f"/chief/projects/{s.project.id}/tablets",
                          data={"judge_id": s.judges[2].id + 100})
    assert refused.status_code == 404


def test_history_and_its_export(client, s) -> None:  # type: ignore[no-untyped-def]
    score(s.users[1], s.competitors[0], s.j_aspect, 1, device_id="tablet-07")
    score(s.users[1], s.competitors[0], s.j_aspect, 2, expected_version=1, reason="复议后")
    sign_in(client, "chief", "chief password")
    url = f"/chief/projects/{s.project.id}/competitors/{s.competitors[0].id}"
    html = client.get(url).get_data(as_text=True)
    assert "tablet-07" in html and "复议后" in html and "v2" in html
    export = client.get(url + "/history.xlsx")
    assert export.mimetype == ("application/vnd.openxmlformats-officedocument"
                               ".spreadsheetml.sheet")
    assert 'filename="history-G01-01.xlsx"' in export.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    assert len(rows) == 4 and rows[3][11] == "复议后"


def test_forms_need_their_csrf_token(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cheap_passwords(monkeypatch)
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        s = builders.judging_setup(panel_size=2)
        complete_module_a(s)
        url, module_id = console_url(s), s.j_aspect.module_id
    # Requests outside that context, as a server runs them: each with a fresh `g`, where
    # Flask-WTF caches the CSRF token of the session it started with.
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
    assert token
    client.post("/login", data={"username": "chief", "password": "chief password",
                                "csrf_token": token.group(1)})
    assert client.post(url + "/lock").status_code == 400
    page = client.get(url).get_data(as_text=True)
    form_token = re.search(r'id="cj-lock-form".*?name="csrf_token"[^>]*value="([^"]+)"',
                           page, re.S)
    assert form_token
    with app.app_context():
        assert db.session.get(Module, module_id).locked_at is None
    assert client.post(url + "/lock", data={"csrf_token": form_token.group(1)}).status_code == 302
    with app.app_context():
        assert db.session.get(Module, module_id).locked_at is not None
        db.drop_all()
