"""The authorization matrix: every HTTP route × every role, checked against TABLE below.

Each route (every rule of app.url_map but static, with each of its methods) has an entry
saying what each role gets: ALLOW (2xx, a redirect that is not to the sign-in page, or,
for a POST with an empty or refused form, the view's own 400/409/422), LOGIN (sent to
sign in, 401 on the API) or DENY (403). A new route or role without an entry fails
test_the_table_covers_every_route / test_the_table_covers_every_role: add it to TABLE.

The ids in the URLs are real rows of one seeded competition (results published,
certificates issued, an appeal, a screen, an import waiting for confirmation, a second
project with its own chief judge), so ALLOW is really exercised and a 404 is a failure.
Every request is a real sign-in session (cookie) for the web pages, or the role's bearer
token for /api/. Refused requests come first, and must change nothing in the database
(every row of every table compared); entries with `changes=True` post a valid form, and
each allowed role's post must change something, so the refusal of the same form to the
other roles means something.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from app.domain.vocabulary import JudgeRole, UserRole
from app.extensions import db
from app.models import Appeal, Competitor, Judge, JudgeAssignment, User
from app.services import accounts, appeals, imports, organising, screens
from app.services.imports.templates import template_csv
from tests.chief_builders import cheap_passwords, other_project
from tests.conftest import PASSWORD, TEST_SECRET

ALLOW, LOGIN, DENY = "allow", "login", "deny"
ANON = "anonymous"  # also every spectator: the public pages need no account
# Columns: every role, and a chief judge of another project (access is per project).
ROLES = (ANON, "judge", "chief_judge", "other_chief", "supervisor", "team_leader", "organiser")
ROLE_OF = {"judge": UserRole.JUDGE, "chief_judge": UserRole.CHIEF_JUDGE,
           "other_chief": UserRole.CHIEF_JUDGE, "supervisor": UserRole.SUPERVISOR,
           "team_leader": UserRole.TEAM_LEADER, "organiser": UserRole.ORGANISER}
SHANGHAI = ZoneInfo("Asia/Shanghai")
APPEAL_TEXT = "第三模块测量记录与现场情况不符，请求复核。"


def only(*roles: str) -> dict[str, str]:
    """These roles may; anonymous users are sent to sign in; everyone else gets 403."""
    return {r: ALLOW if r in roles else LOGIN if r == ANON else DENY for r in ROLES}


EVERYONE = dict.fromkeys(ROLES, ALLOW)
ORGANISER = only("organiser")
JUDGING = only("judge", "chief_judge", "other_chief")  # the tablet and the judging API
CHIEF_LIST = only("chief_judge", "other_chief", "supervisor", "organiser")  # own projects
WATCHERS = only("chief_judge", "supervisor", "organiser")  # the project's console, read
CHIEF = only("chief_judge")  # the project's own chief judge writes
APPEAL_VIEWERS = only("supervisor", "team_leader", "organiser")
PANEL = only("supervisor")


@dataclass(frozen=True)
class Entry:
    url: str  # {name} is filled from the seeded ids (Seeded.ids)
    access: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)  # a form (or JSON for /api/)
    changes: bool = False  # the allowed roles' valid post must change the database


def form_page(rule: str, url: str, access: dict[str, str], data: dict[str, Any] | None = None,
              changes: bool = False) -> dict[str, Entry]:
    """A form page: GET shows it, POST (the same URL) saves it."""
    return {f"GET {rule}": Entry(url, access),
            f"POST {rule}": Entry(url, access, data or {}, changes)}


ORG = "/organiser"
COMP = f"{ORG}/competitions/{{competition}}"
PROJ = f"{ORG}/projects/{{project}}"
CONSOLE = "/chief/projects/{project}"

TABLE: dict[str, Entry] = {
    # ---------------------------------------------------------------- public
    "GET /": Entry("/", EVERYONE),
    "GET /healthz": Entry("/healthz", EVERYONE),
    "GET /login": Entry("/login", EVERYONE),
    "POST /login": Entry("/login", EVERYONE),
    "POST /logout": Entry("/logout", EVERYONE),
    "GET /lang/<code>": Entry("/lang/en", EVERYONE),
    "GET /c/<int:competition_id>": Entry("/c/{competition}", EVERYONE),
    "GET /c/<int:competition_id>/medals": Entry("/c/{competition}/medals", EVERYONE),
    "GET /c/<int:competition_id>/screen": Entry("/c/{competition}/screen?name=hall", EVERYONE),
    "GET /c/<int:competition_id>/p/<int:project_id>": Entry(
        "/c/{competition}/p/{project}", EVERYONE),
    "GET /c/<int:competition_id>/p/<int:project_id>/results.<any(xlsx, csv, pdf):fmt>": Entry(
        "/c/{competition}/p/{project}/results.csv", EVERYONE),
    "GET /certificates/verify": Entry(
        "/certificates/verify?number={certificate}&name={holder}", EVERYONE),
    "GET /certificates/<number>.pdf": Entry(
        "/certificates/{certificate}.pdf?name={holder}", EVERYONE),
    "GET /judge/code": Entry("/judge/code", EVERYONE),
    "GET /judge/sw.js": Entry("/judge/sw.js", EVERYONE),
    # ---------------------------------------------------------------- the public API
    "GET /api/v1/openapi.json": Entry("/api/v1/openapi.json", EVERYONE),
    "GET /api/v1/competitions": Entry("/api/v1/competitions", EVERYONE),
    "GET /api/v1/competitions/<int:competition_id>": Entry(
        "/api/v1/competitions/{competition}", EVERYONE),
    "GET /api/v1/competitions/<int:competition_id>/medals": Entry(
        "/api/v1/competitions/{competition}/medals", EVERYONE),
    "GET /api/v1/projects/<int:project_id>": Entry("/api/v1/projects/{project}", EVERYONE),
    "GET /api/v1/projects/<int:project_id>/leaderboard": Entry(
        "/api/v1/projects/{project}/leaderboard", EVERYONE),
    "GET /api/v1/certificates/verify": Entry(
        "/api/v1/certificates/verify?number={certificate}&name={holder}", EVERYONE),
    # A one-time code is the credential here: anyone may try one (rate-limited).
    "POST /api/v1/tablet/redeem": Entry("/api/v1/tablet/redeem", EVERYONE),
    # ---------------------------------------------------------------- judging
    "GET /judge/": Entry("/judge/", JUDGING),
    "GET /api/v1/judge/assignments": Entry("/api/v1/judge/assignments", JUDGING),
    "POST /api/v1/marks": Entry("/api/v1/marks", JUDGING),
    # ---------------------------------------------------------------- the chief's console
    "GET /chief/": Entry("/chief/", CHIEF_LIST),
    "GET /chief/projects/<int:pid>": Entry(CONSOLE, WATCHERS),
    "GET /chief/projects/<int:pid>/modules/<int:mid>": Entry(f"{CONSOLE}/modules/{{module}}",
                                                              WATCHERS),
    "GET /chief/projects/<int:pid>/modules/<int:mid>/live": Entry(
        f"{CONSOLE}/modules/{{module}}/live", WATCHERS),
    "GET /chief/projects/<int:pid>/competitors/<int:cid>": Entry(
        f"{CONSOLE}/competitors/{{competitor}}", WATCHERS),
    "GET /chief/projects/<int:pid>/competitors/<int:cid>/history.xlsx": Entry(
        f"{CONSOLE}/competitors/{{competitor}}/history.xlsx", WATCHERS),
    "GET /chief/projects/<int:pid>/tablets": Entry(f"{CONSOLE}/tablets", WATCHERS),
    "POST /chief/projects/<int:pid>/tablets": Entry(
        f"{CONSOLE}/tablets", CHIEF, {"judge_id": "{judge}"}, changes=True),
    "POST /chief/projects/<int:pid>/modules/<int:mid>/lock": Entry(
        f"{CONSOLE}/modules/{{module}}/lock", CHIEF),
    "POST /chief/projects/<int:pid>/modules/<int:mid>/unlock": Entry(
        f"{CONSOLE}/modules/{{module}}/unlock", CHIEF,
        {"reason": "申诉成立，按仲裁决定更正测量记录。"}, changes=True),
    "POST /chief/projects/<int:pid>/substitutes": Entry(f"{CONSOLE}/substitutes", CHIEF),
    # ---------------------------------------------------------------- organiser views that
    # decide access themselves (@open_to_watchers)
    "GET /organiser/appeals": Entry(f"{ORG}/appeals", only("team_leader")),
    "GET /organiser/competitions/<int:cid>/appeals": Entry(f"{COMP}/appeals", APPEAL_VIEWERS),
    "POST /organiser/competitions/<int:cid>/appeals": Entry(
        f"{COMP}/appeals", APPEAL_VIEWERS, {
            "appeal-project_id": "{project}", "appeal-subject": "marks",
            "appeal-competitor_id": "{competitor}", "appeal-appellant": "王领队",
            "appeal-text": APPEAL_TEXT, "appeal-received_at": "{received_at}"}, changes=True),
    "POST /organiser/competitions/<int:cid>/appeals/<int:aid>/decide": Entry(
        f"{COMP}/appeals/{{appeal}}/decide", PANEL, {
            "decide-{appeal}-outcome": "dismissed",
            "decide-{appeal}-decision": "经复核，测量记录无误，维持原评分。"}, changes=True),
    "GET /organiser/projects/<int:pid>/results.<any(xlsx, csv, pdf):fmt>": Entry(
        f"{PROJ}/results.csv", WATCHERS),
    # ---------------------------------------------------------------- organisers only
    "GET /organiser/": Entry(f"{ORG}/", ORGANISER),
    "GET /organiser/users": Entry(f"{ORG}/users", ORGANISER),
    **form_page("/organiser/users/new", f"{ORG}/users/new", ORGANISER, {
        "username": "made-by-the-matrix", "display_name": "", "role": "organiser",
        "locale": "", "active": "y", "password": "a long password"}, changes=True),
    **form_page("/organiser/users/<int:uid>/edit", f"{ORG}/users/{{user}}/edit", ORGANISER),
    "POST /organiser/users/<int:uid>/revoke-tokens": Entry(
        f"{ORG}/users/{{user}}/revoke-tokens", ORGANISER, changes=True),
    **form_page("/organiser/competitions/new", f"{ORG}/competitions/new", ORGANISER, {
        "name": "矩阵测试大赛", "tier": "municipal_i", "year": "2026", "visibility": "live"},
        changes=True),
    "GET /organiser/competitions/<int:cid>": Entry(COMP, ORGANISER),
    **form_page("/organiser/competitions/<int:cid>/edit", f"{COMP}/edit", ORGANISER),
    "GET /organiser/competitions/<int:cid>/audit": Entry(f"{COMP}/audit", ORGANISER),
    **form_page("/organiser/competitions/<int:cid>/zones/new", f"{COMP}/zones/new", ORGANISER),
    **form_page("/organiser/competitions/<int:cid>/zones/<int:zid>/edit",
        f"{COMP}/zones/{{zone}}/edit", ORGANISER),
    **form_page("/organiser/zones/<int:zid>/venues/new",
        f"{ORG}/zones/{{zone}}/venues/new", ORGANISER),
    **form_page("/organiser/venues/<int:vid>/edit", f"{ORG}/venues/{{venue}}/edit", ORGANISER),
    "GET /organiser/competitions/<int:cid>/delegations": Entry(f"{COMP}/delegations", ORGANISER),
    **form_page("/organiser/competitions/<int:cid>/delegations/new",
        f"{COMP}/delegations/new", ORGANISER),
    **form_page("/organiser/competitions/<int:cid>/delegations/<int:did>/edit",
        f"{COMP}/delegations/{{delegation}}/edit", ORGANISER),
    "GET /organiser/competitions/<int:cid>/competitors": Entry(f"{COMP}/competitors", ORGANISER),
    **form_page("/organiser/competitions/<int:cid>/competitors/new",
        f"{COMP}/competitors/new", ORGANISER),
    **form_page("/organiser/competitions/<int:cid>/competitors/<int:pid>/edit",
        f"{COMP}/competitors/{{competitor}}/edit", ORGANISER),
    "GET /organiser/competitions/<int:cid>/judges": Entry(f"{COMP}/judges", ORGANISER),
    **form_page("/organiser/competitions/<int:cid>/judges/new", f"{COMP}/judges/new", ORGANISER),
    **form_page("/organiser/competitions/<int:cid>/judges/<int:jid>/edit",
        f"{COMP}/judges/{{judge}}/edit", ORGANISER),
    "POST /organiser/judges/<int:jid>/assignments": Entry(
        f"{ORG}/judges/{{judge}}/assignments", ORGANISER),
    "POST /organiser/assignments/<int:aid>/delete": Entry(
        f"{ORG}/assignments/{{assignment}}/delete", ORGANISER),
    **form_page("/organiser/competitions/<int:cid>/import/<any(competitors,judges):kind>",
        f"{COMP}/import/competitors", ORGANISER),
    **form_page("/organiser/projects/<int:pid>/import/scheme", f"{PROJ}/import/scheme", ORGANISER),
    "GET /organiser/competitions/<int:cid>/imports/<int:job_id>": Entry(
        f"{COMP}/imports/{{job}}", ORGANISER),
    "POST /organiser/competitions/<int:cid>/imports/<int:job_id>/confirm": Entry(
        f"{COMP}/imports/{{job}}/confirm", ORGANISER),
    "GET /organiser/import-templates/<any(competitors,judges,scheme):kind>.<any(xlsx,csv):fmt>":
        Entry(f"{ORG}/import-templates/competitors.csv", ORGANISER),
    "GET /organiser/competitions/<int:cid>/projects": Entry(f"{COMP}/projects", ORGANISER),
    **form_page("/organiser/competitions/<int:cid>/projects/new",
        f"{COMP}/projects/new", ORGANISER),
    "GET /organiser/projects/<int:pid>": Entry(PROJ, ORGANISER),
    **form_page("/organiser/projects/<int:pid>/edit", f"{PROJ}/edit", ORGANISER),
    "GET /organiser/projects/<int:pid>/scheme": Entry(f"{PROJ}/scheme", ORGANISER),
    "POST /organiser/projects/<int:pid>/scheme/<any(activate, draft):action>": Entry(
        f"{PROJ}/scheme/draft", ORGANISER),
    **form_page("/organiser/projects/<int:pid>/scheme/modules/new",
        f"{PROJ}/scheme/modules/new", ORGANISER),
    **form_page("/organiser/modules/<int:mid>/edit", f"{ORG}/modules/{{module}}/edit", ORGANISER),
    "POST /organiser/modules/<int:mid>/delete": Entry(f"{ORG}/modules/{{module}}/delete",
                                                      ORGANISER),
    **form_page("/organiser/modules/<int:mid>/aspects/new",
        f"{ORG}/modules/{{module}}/aspects/new", ORGANISER),
    **form_page("/organiser/aspects/<int:aid>/edit", f"{ORG}/aspects/{{aspect}}/edit", ORGANISER),
    "POST /organiser/aspects/<int:aid>/delete": Entry(f"{ORG}/aspects/{{aspect}}/delete",
                                                      ORGANISER),
    # results and the ceremony
    "GET /organiser/competitions/<int:cid>/results": Entry(f"{COMP}/results", ORGANISER),
    "POST /organiser/competitions/<int:cid>/results/visibility": Entry(
        f"{COMP}/results/visibility", ORGANISER),
    "POST /organiser/competitions/<int:cid>/results/freeze": Entry(f"{COMP}/results/freeze",
                                                                   ORGANISER),
    "POST /organiser/competitions/<int:cid>/results/freeze-now": Entry(
        f"{COMP}/results/freeze-now", ORGANISER),
    "POST /organiser/competitions/<int:cid>/results/unfreeze": Entry(
        f"{COMP}/results/unfreeze", ORGANISER),
    "POST /organiser/competitions/<int:cid>/results/publish": Entry(
        f"{COMP}/results/publish", ORGANISER),
    "POST /organiser/competitions/<int:cid>/results/awards": Entry(f"{COMP}/results/awards",
                                                                   ORGANISER),
    "POST /organiser/competitions/<int:cid>/results/screens": Entry(f"{COMP}/results/screens",
                                                                    ORGANISER),
    "POST /organiser/competitions/<int:cid>/results/screens/<int:sid>": Entry(
        f"{COMP}/results/screens/{{screen}}", ORGANISER),
    "POST /organiser/projects/<int:pid>/results/ranking": Entry(f"{PROJ}/results/ranking",
                                                                ORGANISER),
    "POST /organiser/projects/<int:pid>/divisions/<int:did>/ceremony/start": Entry(
        f"{PROJ}/divisions/{{division}}/ceremony/start", ORGANISER),
    "POST /organiser/projects/<int:pid>/divisions/<int:did>/ceremony/"
    "<any(next, previous, end):move>": Entry(
        f"{PROJ}/divisions/{{division}}/ceremony/next", ORGANISER),
    "POST /organiser/projects/<int:pid>/divisions/<int:did>/ties/<int:key>": Entry(
        f"{PROJ}/divisions/{{division}}/ties/{{competitor}}", ORGANISER),
    # promotions and certificates
    "GET /organiser/competitions/<int:cid>/promotions": Entry(f"{COMP}/promotions", ORGANISER),
    "GET /organiser/competitions/<int:cid>/promotions.xlsx": Entry(f"{COMP}/promotions.xlsx",
                                                                   ORGANISER),
    "GET /organiser/competitions/<int:cid>/non-promotions.xlsx": Entry(
        f"{COMP}/non-promotions.xlsx", ORGANISER),
    "POST /organiser/competitions/<int:cid>/promotions/rules": Entry(
        f"{COMP}/promotions/rules", ORGANISER),
    "POST /organiser/competitions/<int:cid>/promotions/rules/seeded": Entry(
        f"{COMP}/promotions/rules/seeded", ORGANISER),
    "POST /organiser/competitions/<int:cid>/promotions/settings": Entry(
        f"{COMP}/promotions/settings", ORGANISER),
    "POST /organiser/projects/<int:pid>/promotions/end": Entry(f"{PROJ}/promotions/end",
                                                               ORGANISER),
    "POST /organiser/competitions/<int:cid>/promotions/run": Entry(f"{COMP}/promotions/run",
                                                                   ORGANISER),
    "POST /organiser/competitions/<int:cid>/promotions/approve": Entry(
        f"{COMP}/promotions/approve", ORGANISER),
    "POST /organiser/competitions/<int:cid>/promotions/approve-all": Entry(
        f"{COMP}/promotions/approve-all", ORGANISER),
    "POST /organiser/competitions/<int:cid>/promotions/issue": Entry(
        f"{COMP}/promotions/issue", ORGANISER),
}


# ------------------------------------------------------------------ the seeded competition


@dataclass(frozen=True)
class Seeded:
    database: Path
    ids: dict[str, str]  # placeholders of TABLE's URLs and forms
    cookies: dict[str, str]  # role -> a signed-in session cookie
    tokens: dict[str, str]  # role -> a bearer token


def _seed() -> tuple[dict[str, str], dict[str, User]]:
    from tests.browser.seed_certificates import issue_certificates

    issued = issue_certificates()
    competition = issued.competition
    project = competition.projects[0]
    _, other_chief = other_project(SimpleNamespace(competition=competition))
    users = {u.username: u for u in db.session.scalars(select(User))}
    judge, chief = users["judge2"], users["chief"]
    competitor = db.session.scalar(select(Competitor).where(
        Competitor.project_id == project.id, Competitor.name == "张伟"))
    assert competitor is not None
    organiser = accounts.create_user("matrix-organiser", UserRole.ORGANISER, PASSWORD)
    supervisor = accounts.create_user("matrix-supervisor", UserRole.SUPERVISOR, PASSWORD)
    leader = accounts.create_user("matrix-leader", UserRole.TEAM_LEADER, PASSWORD)
    leader.delegation_id = competitor.delegation_id  # 张伟's team leader
    for user in (judge, chief, other_chief):
        accounts.set_password(user, PASSWORD)
    zone = organising.save_zone(competition, None, {"name": "主赛区", "is_main": True})
    venue = organising.save_venue(zone, None, {"name": "一号馆", "address": "浦东新区"})
    screen = screens.point(competition, None, {"name": "hall", "show": "rotate",
                                               "project_id": None, "division_id": None,
                                               "rotate_seconds": 15})
    job = imports.start("competitors", competition, "competitors.csv",
                        template_csv("competitors", "zh", competition))
    assert project.ends_at is not None
    received = project.ends_at + timedelta(minutes=5)  # inside the appeal window
    appeal: Appeal = appeals.file(organiser, project, "marks", "王领队", APPEAL_TEXT,
                                  competitor=competitor, received_at=received)
    panel_judge = db.session.scalar(select(Judge).where(Judge.user_id == judge.id))
    assignment = db.session.scalar(select(JudgeAssignment).where(
        JudgeAssignment.judge_id == panel_judge.id, JudgeAssignment.role == JudgeRole.JUDGE))
    assert panel_judge is not None and assignment is not None
    ids = {
        "competition": competition.id, "project": project.id,
        "division": project.divisions[0].id, "module": _module_a(project.id),
        "aspect": _first_aspect(project.id), "competitor": competitor.id,
        "judge": panel_judge.id, "delegation": competitor.delegation_id,
        "assignment": assignment.id, "user": judge.id, "zone": zone.id, "venue": venue.id,
        "screen": screen.id, "job": job.id, "appeal": appeal.id,
        "certificate": issued.valid.number, "holder": quote(issued.valid.name),
        "received_at": received.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
    }
    db.session.commit()
    roles = {"judge": judge, "chief_judge": chief, "other_chief": other_chief,
             "supervisor": supervisor, "team_leader": leader, "organiser": organiser}
    return {k: str(v) for k, v in ids.items()}, roles


def _module_a(project_id: int) -> int:
    from app.models import MarkingScheme, Module

    return int(db.session.scalar(select(Module.id).join(MarkingScheme).where(
        MarkingScheme.project_id == project_id, Module.letter == "A")))


def _first_aspect(project_id: int) -> int:
    from app.models import Aspect

    return int(db.session.scalar(select(Aspect.id).where(
        Aspect.module_id == _module_a(project_id)).order_by(Aspect.id)))


def _config(database: Path) -> dict[str, Any]:
    return {"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI":
            f"sqlite:///{database}", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
            "LIVE_UPDATE_INTERVAL": 0, "DEMO_LOGINS_FILE": database.parent / "logins.txt"}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    database = tmp_path_factory.mktemp("matrix") / "seeded.sqlite"
    app = create_app(_config(database))
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        cheap_passwords(patch)
        db.create_all()
        ids, users = _seed()
        tokens = {role: accounts.issue_token(user, "matrix") for role, user in users.items()}
        names = {role: user.username for role, user in users.items()}
        db.session.remove()
    cookies = {}
    for role, username in names.items():
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, (role, response.status_code)
        cookie = client.get_cookie("session")
        assert cookie is not None
        cookies[role] = cookie.value
    with app.app_context():
        db.engine.dispose()
    yield Seeded(database, ids, cookies, tokens)


@pytest.fixture
def fresh_app(seeded: Seeded, tmp_path: Path) -> Iterator[Flask]:
    """An app on a copy of the seeded database; no app context is kept, so every request
    starts afresh (its own `g` and database session), as on a real server."""
    copy = tmp_path / "copy.sqlite"
    shutil.copy(seeded.database, copy)
    app = create_app(_config(copy))
    yield app
    with app.app_context():
        db.engine.dispose()


# ------------------------------------------------------------------ requests and outcomes


def route_keys(app: Flask) -> set[str]:
    return {f"{method} {rule.rule}" for rule in app.url_map.iter_rules()
            if rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {fill(k, ids): fill(v, ids) for k, v in value.items()}
    return value


def request_as(app: Flask, seeded: Seeded, role: str, method: str, url: str,
               data: dict[str, Any]) -> Any:
    client: FlaskClient = app.test_client()
    if url.startswith("/api/"):
        # The API knows bearer tokens only; a session cookie must not count there.
        headers = {"Authorization": f"Bearer {seeded.tokens[role]}"} if role != ANON else {}
        return client.open(url, method=method, headers=headers,
                           json=data if method == "POST" else None)
    if role != ANON:
        client.set_cookie("session", seeded.cookies[role])
    return client.open(url, method=method, data=data if method == "POST" else None)


def outcome(response: Any, method: str) -> str:
    status = response.status_code
    if status == 401 or (300 <= status < 400
                         and urlsplit(response.location or "").path == "/login"):
        return LOGIN
    if status == 403:
        return DENY
    if status < 400:
        return ALLOW
    if method == "POST" and status in (400, 409, 422):
        return ALLOW  # the view itself refused an empty or invalid form: access was given
    return f"unexpected {status}"


def database_state(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: a refused request must leave all of them as they were."""
    with app.app_context(), db.engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
            select(table).order_by(*table.primary_key.columns))]
            for table in db.metadata.sorted_tables}


def changed_tables(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


# ------------------------------------------------------------------ the table itself


def test_the_table_covers_every_route(fresh_app: Flask) -> None:
    routes = route_keys(fresh_app)
    missing = sorted(routes - TABLE.keys())
    stale = sorted(TABLE.keys() - routes)
    assert not missing, f"routes without an entry: add them to TABLE: {missing}"
    assert not stale, f"entries for routes that no longer exist: {stale}"


def test_the_table_covers_every_role() -> None:
    assert set(ROLE_OF.values()) == set(UserRole), "a new role: add a column to ROLES"
    for key, entry in TABLE.items():
        assert set(entry.access) == set(ROLES), key


def test_each_url_is_the_route_it_is_listed_under(fresh_app: Flask, seeded: Seeded) -> None:
    adapter = fresh_app.url_map.bind("localhost")
    for key, entry in TABLE.items():
        method, rule = key.split(" ", 1)
        path = urlsplit(fill(entry.url, seeded.ids)).path
        matched, _ = adapter.match(path, method=method, return_rule=True)
        assert matched.rule == rule, (key, path, matched.rule)


def test_views_that_skip_the_organisers_only_rule_check_roles_themselves(
        fresh_app: Flask) -> None:
    """@open_to_watchers lifts the organiser blueprint's guard: the view must carry its
    own roles_required, or anyone signed in would reach it."""
    opened = {name: view for name, view in fresh_app.view_functions.items()
              if getattr(view, "open_to_watchers", False)}
    assert opened, "no view is open to watchers: the guard's exception is untested"
    for name, view in opened.items():
        assert getattr(view, "required_roles", None), f"{name} checks no role"


def test_a_session_cookie_is_no_credential_for_the_judging_api(fresh_app: Flask,
                                                              seeded: Seeded) -> None:
    client = fresh_app.test_client()
    client.set_cookie("session", seeded.cookies["judge"])
    assert client.get("/api/v1/judge/assignments").status_code == 401
    before = database_state(fresh_app)
    assert client.post("/api/v1/marks", json={}).status_code == 401
    assert database_state(fresh_app) == before


# ------------------------------------------------------------------ every route × every role


@pytest.mark.parametrize("key", sorted(TABLE))
def test_route_access(key: str, fresh_app: Flask, seeded: Seeded) -> None:
    entry = TABLE[key]
    method = key.split(" ", 1)[0]
    url, data = fill(entry.url, seeded.ids), fill(entry.data, seeded.ids)
    refused = [r for r in ROLES if entry.access[r] != ALLOW]
    allowed = [r for r in ROLES if entry.access[r] == ALLOW]
    wrong = []
    before = database_state(fresh_app)
    for role in refused:  # first, while the seeded rows are as they were
        got = outcome(request_as(fresh_app, seeded, role, method, url, data), method)
        if got != entry.access[role]:
            wrong.append(f"{role}: expected {entry.access[role]}, got {got}")
    changed = changed_tables(before, database_state(fresh_app))
    assert not changed, f"{key}: refused requests changed {changed}"
    for role in allowed:
        before = database_state(fresh_app) if entry.changes else {}
        response = request_as(fresh_app, seeded, role, method, url, data)
        got = outcome(response, method)
        if got != ALLOW:
            wrong.append(f"{role}: expected {ALLOW}, got {got}")
        elif entry.changes and not changed_tables(before, database_state(fresh_app)):
            wrong.append(f"{role}: allowed, but the valid form changed nothing "
                         f"({response.status_code})")
    assert not wrong, f"{key} {url}: " + "; ".join(wrong)
