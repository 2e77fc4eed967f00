"""The public read API on the demo competition: shapes, 404s, and no ID numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from app import create_app
from app.domain.vocabulary import DelegationKind, JudgeRole, ProjectKind, Tier, UserRole
from app.extensions import db
from app.models import Competition, Competitor, Judge, JudgeAssignment, SkillProject, User
from app.services import accounts, demo
from app.web.api.auth import JUDGING_ROLES
from app.web.api.openapi import document
from tests.conftest import TEST_SECRET


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "DEMO_LOGINS_FILE": str(tmp_path_factory.mktemp("demo") / "logins.txt")})
    with app.app_context():
        db.create_all()
        with pytest.MonkeyPatch.context() as mp:  # cheap hashing: accounts are not tested here
            mp.setattr(demo, "generate_password_hash",
                       partial(generate_password_hash, method="pbkdf2:sha256:1000"))
            demo.seed_demo()
        db.session.remove()  # release the in-memory database's one shared connection
        yield app
        db.session.remove()
        db.drop_all()


@pytest.fixture
def api(seeded: Flask) -> FlaskClient:
    return seeded.test_client()


def demo_competition() -> Competition:
    return db.session.scalars(select(Competition)).one()


def count(model: type, **where: object) -> int:
    query = select(func.count()).select_from(model).filter_by(**where)
    return db.session.scalar(query) or 0


def test_list_competitions(api: FlaskClient) -> None:
    response = api.get("/api/v1/competitions")
    assert response.status_code == 200 and response.is_json
    (row,) = response.get_json()["competitions"]
    competition = demo_competition()
    assert row == {
        "id": competition.id, "name": demo.COMPETITION_NAME, "tier": Tier.MUNICIPAL_I.value,
        "year": 2020, "start_date": "2020-11-20", "end_date": "2020-11-22",
        "host": competition.host,
        "counts": {"projects": 32, "delegations": 38, "competitors": count(Competitor),
                   "judges": count(Judge)},
    }


def test_competition_detail(api: FlaskClient) -> None:
    competition = demo_competition()
    body = api.get(f"/api/v1/competitions/{competition.id}").get_json()
    assert body["id"] == competition.id and body["name"] == competition.name
    assert body["counts"]["projects"] == len(body["projects"]) == 32
    assert body["counts"]["delegations"] == len(body["delegations"]) == 38
    assert body["counts"]["competitors"] == count(Competitor) > 300
    assert body["counts"]["judges"] == count(Judge) >= 32 * 3

    main, branch = body["zones"]
    assert main["is_main"] and not branch["is_main"]
    assert all(v["name"] for z in body["zones"] for v in z["venues"])
    venue_ids = {v["id"] for z in body["zones"] for v in z["venues"]}

    projects = body["projects"]
    assert [p["code"] for p in projects] == sorted(p["code"] for p in projects)
    assert {p["kind"] for p in projects} == {k.value for k in ProjectKind}
    for p in projects:
        assert p["venue_id"] in venue_ids
        assert p["divisions"] and {d["kind"] for d in p["divisions"]} <= {"employee", "student"}
        assert p["competitors"] == sum(d["competitors"] for d in p["divisions"]) > 0
    assert sum(p["competitors"] for p in projects) == body["counts"]["competitors"]

    kinds = [d["kind"] for d in body["delegations"]]
    assert kinds == sorted(kinds, key=[k.value for k in DelegationKind].index)  # districts first
    assert body["delegations"][0]["name"] == "黄浦区"
    assert sum(d["competitors"] for d in body["delegations"]) == body["counts"]["competitors"]


def test_project_detail_with_its_marking_scheme(api: FlaskClient) -> None:
    project = db.session.scalars(select(SkillProject).where(SkillProject.name == "工业4.0")).one()
    body = api.get(f"/api/v1/projects/{project.id}").get_json()
    assert (body["code"], body["name"], body["team_size"]) == (project.code, "工业4.0", 3)
    assert body["competition"]["id"] == project.competition_id
    assert body["venue"]["zone"]["name"]
    assert body["competitors"] == count(Competitor, project_id=project.id)
    scheme = body["scheme"]
    assert scheme["status"] == "active" and scheme["total"] == 100 == body["total_marks"]
    assert [m["letter"] for m in scheme["modules"]] == list("ABCDE")
    assert sum(m["share"] for m in scheme["modules"]) == 100
    aspects = [a for m in scheme["modules"] for a in m["aspects"]]
    for m in scheme["modules"]:
        assert m["day"] in (1, 2, 3)
        assert m["total"] == m["share"] == sum(a["max_mark"] for a in m["aspects"])
        assert [a["position"] for a in m["aspects"]] == list(range(1, len(m["aspects"]) + 1))
        assert all(a["code"] == f"{m['letter']}{a['position']}" for a in m["aspects"])
    judgement = [a for a in aspects if a["type"] == "J"]
    measurement = [a for a in aspects if a["type"] == "M"]
    assert judgement and measurement
    assert all(len(a["descriptors"]) == 4 and not a["tolerances"] for a in judgement)
    assert all(a["requirement"] and not a["descriptors"] for a in measurement)
    assert len({a["id"] for a in aspects}) == len(aspects)


def test_every_project_has_a_scheme_that_totals_100(api: FlaskClient) -> None:
    for project_id in db.session.scalars(select(SkillProject.id)):
        body = api.get(f"/api/v1/projects/{project_id}").get_json()
        assert body["scheme"]["total"] == 100, body["code"]


def test_a_project_without_scheme_or_venue(app: Flask, client: FlaskClient) -> None:
    competition = Competition(name="区级赛", tier=Tier.DISTRICT, year=2021)
    project = SkillProject(competition=competition, code="X1", name="茶艺",
                           occupation_name="茶艺师", kind=ProjectKind.FEATURED)
    db.session.add_all([competition, project])
    db.session.commit()
    body = client.get(f"/api/v1/projects/{project.id}").get_json()
    assert body["scheme"] is None and body["venue"] is None
    assert body["divisions"] == [] and body["competitors"] == 0
    detail = client.get(f"/api/v1/competitions/{competition.id}").get_json()
    assert detail["counts"] == {"projects": 1, "delegations": 0, "competitors": 0, "judges": 0}
    assert detail["zones"] == [] and detail["start_date"] is None


def test_empty_list(client: FlaskClient) -> None:
    assert client.get("/api/v1/competitions").get_json() == {"competitions": []}


@pytest.mark.parametrize("path, names_the_id", [
    ("/api/v1/competitions/999999", True),
    ("/api/v1/projects/999999", True),
    ("/api/v1/competitions/abc", False),
    ("/api/v1/nothing-here", False),
])
def test_not_found_is_json(api: FlaskClient, path: str, names_the_id: bool) -> None:
    response = api.get(path)
    assert response.status_code == 404 and response.is_json
    error = response.get_json()["error"]
    assert error["code"] == "not_found" and error["message"]
    # The message is translated; whatever the language, it says which id was not found.
    assert ("999999" in error["message"]) is names_the_id


def test_wrong_method_is_json(api: FlaskClient) -> None:
    response = api.post("/api/v1/competitions", json={})
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_openapi_document_is_served(api: FlaskClient) -> None:
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == document()
    assert response.get_json()["openapi"] == "3.1.0"


# Routes that answer only a query: the certificate lookup needs a number and a name.
QUERIES = {"/api/v1/certificates/verify": "?number=S000031000001262000001&name=%E5%BC%A0%E4%BC%9F"}


def every_get_url(app: Flask) -> list[tuple[str, bool]]:
    """Every GET route under /api/v1 and /healthz, filled with every existing id, and
    whether the OpenAPI document says it needs a bearer token. A route with a parameter
    this does not know fails here, so no new endpoint skips the scan."""
    ids = {
        "competition_id": list(db.session.scalars(select(Competition.id))),
        "project_id": list(db.session.scalars(select(SkillProject.id))),
    }
    paths = document()["paths"]
    urls = []
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/v1") or rule.rule == "/healthz"):
            continue
        if "GET" not in (rule.methods or set()):
            continue
        params = list(rule.arguments)
        assert all(p in ids for p in params), f"teach this test the ids for {rule.rule}"
        operation = paths[re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)]["get"]
        secured = bool(operation["security"])
        if not params:
            urls.append((rule.rule + QUERIES.get(rule.rule, ""), secured))
        for param in params:  # routes have at most one id today
            urls += [(re.sub(r"<[^>]+>", str(value), rule.rule), secured)
                     for value in ids[param]]
    return urls


def judges_tokens() -> list[str]:
    """A bearer token for every judge of the demo. The demo gives accounts to the judges
    of its first projects only; the others get token-only accounts here, so the judges'
    endpoints are scanned with every project's competitors."""
    for judge in db.session.scalars(select(Judge).where(Judge.user_id.is_(None))):
        judge.user = User(username=f"scan-judge-{judge.id}", role=UserRole.JUDGE,
                          display_name=judge.name)
    db.session.commit()
    users = db.session.scalars(select(User).where(User.role.in_(JUDGING_ROLES)))
    return [accounts.issue_token(user, "scan") for user in users]


def test_no_id_number_hash_or_cipher_in_any_response(seeded: Flask, api: FlaskClient) -> None:
    plan = demo.build_plan()
    forbidden = {p.id_number for p in (*plan.competitors, *plan.judges)}
    for model in (Competitor, Judge):
        for id_hash, id_cipher in db.session.execute(select(model.id_hash, model.id_cipher)):
            forbidden |= {id_hash, id_cipher}
    assert len(forbidden) == 3 * (len(plan.competitors) + len(plan.judges))
    urls = every_get_url(seeded)
    assert len(urls) > 32
    secured = [url for url, needs_token in urls if needs_token]
    assert "/api/v1/judge/assignments" in secured
    tokens = judges_tokens()
    seen_projects: set[int] = set()
    pattern = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
    responses = 0
    for url, needs_token in urls:
        if needs_token:  # refused without a token; then seen by every judge in turn
            assert api.get(url).status_code == 401, url
        for token in tokens if needs_token else [None]:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = api.get(url, headers=headers)
            assert response.status_code == 200, url
            text = response.get_data(as_text=True)
            assert not pattern.search(text), url
            leaked = [s for s in forbidden if s in text]
            assert not leaked, (url, leaked[:3])
            # The API document names the certificate lookup's `id_number` query parameter
            # (a question the verifier asks, never an answer); no response carries one.
            words = ("id_hash", "id_cipher", "id_last4", "id_number")
            for word in words[:3] if url == "/api/v1/openapi.json" else words:
                assert word not in text, (url, word)
            if url == "/api/v1/judge/assignments":
                seen_projects |= {p["id"] for p in response.get_json()["projects"]}
            responses += 1
    assert responses == len(urls) + (len(tokens) - 1) * len(secured)
    # Every project's competitors went through the scan, through one judge or another.
    panels = select(JudgeAssignment.project_id).where(JudgeAssignment.role == JudgeRole.JUDGE)
    assert seen_projects == set(db.session.scalars(panels)) and len(seen_projects) == 32
