"""The OpenAPI document stays true: it lists exactly the routes the app has, with their
methods and parameters, and real responses from demo data match its schemas.

jsonschema is not a dependency, so a small checker below covers the keywords the document
uses; a test fails if the document starts using one the checker does not understand.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from functools import partial
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import IntegerConverter
from werkzeug.security import generate_password_hash

from app import create_app
from app.domain.vocabulary import ProjectKind, Tier
from app.extensions import db
from app.models import Competition, SkillProject
from app.services import demo
from app.web.api.openapi import document
from tests.conftest import TEST_SECRET

DOC = document()
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
ANNOTATIONS = {"description", "title", "examples"}
SUPPORTED = {"$ref", "type", "properties", "required", "additionalProperties", "items", "enum",
             "anyOf", "format", "minimum", "exclusiveMinimum", "multipleOf", "maxItems"}


# ------------------------------------------------------------------ a small schema checker

def resolve(ref: str) -> dict[str, Any]:
    assert ref.startswith("#/"), ref
    node: Any = DOC
    for part in ref[2:].split("/"):
        node = node[part]
    return node  # type: ignore[no-any-return]


def _is(value: Any, kind: str) -> bool:
    return {
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "null": value is None,
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
    }[kind]


def _format_ok(value: str, fmt: str) -> bool:
    try:
        if fmt == "date":
            date.fromisoformat(value)
            return len(value) == 10
        if fmt == "date-time":
            return "T" in value and datetime.fromisoformat(value).tzinfo is not None
        if fmt == "uuid":
            return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False
    raise AssertionError(f"unknown format {fmt}")


def check(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Where `value` breaks `schema`, as readable lines; empty when it conforms."""
    if "$ref" in schema:
        return check(value, resolve(schema["$ref"]), path)
    if "anyOf" in schema and all(check(value, s, path) for s in schema["anyOf"]):
        return [f"{path}: matches none of anyOf"]
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is(value, k) for k in kinds):
            return [f"{path}: expected {'/'.join(kinds)}, got {type(value).__name__}"]
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, str) and "format" in schema and not _format_ok(value, schema["format"]):
        errors.append(f"{path}: {value!r} is not a {schema['format']}")
    if _is(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: {value} < {schema['minimum']}")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            errors.append(f"{path}: {value} <= {schema['exclusiveMinimum']}")
        if "multipleOf" in schema and not (value / schema["multipleOf"]).is_integer():
            errors.append(f"{path}: {value} is not a multiple of {schema['multipleOf']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{path}: missing {key!r}" for key in schema.get("required", [])
                   if key not in value]
        for key, item in value.items():
            if key in properties:
                errors += check(item, properties[key], f"{path}.{key}")
            elif schema.get("additionalProperties", True) is False:
                errors.append(f"{path}: undocumented field {key!r}")
    if isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{path}: more than {schema['maxItems']} items")
        for i, item in enumerate(value):
            errors += check(item, schema.get("items", {}), f"{path}[{i}]")
    return errors


def schemas_in(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema object in the document (components and inline response schemas)."""
    if isinstance(node, dict):
        if "schema" in node:
            yield from _walk_schema(node["schema"])
        for key, child in node.items():
            if key != "schema":
                yield from schemas_in(child)
    elif isinstance(node, list):
        for child in node:
            yield from schemas_in(child)


def _walk_schema(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield schema
    for child in schema.get("properties", {}).values():
        yield from _walk_schema(child)
    for child in schema.get("anyOf", []):
        yield from _walk_schema(child)
    if isinstance(schema.get("items"), dict):
        yield from _walk_schema(schema["items"])


def all_schemas() -> list[dict[str, Any]]:
    found = list(schemas_in(DOC["paths"]))
    for schema in DOC["components"]["schemas"].values():
        found += _walk_schema(schema)
    return found


# ------------------------------------------------------------------ the document itself

def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def documented_routes(app: Flask) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") or rule.rule == "/healthz":
            methods = {m.lower() for m in rule.methods or set()} - {"head", "options"}
            routes.setdefault(openapi_path(rule.rule), set()).update(methods)
    return routes


def test_every_route_is_documented_and_every_documented_path_exists(app: Flask) -> None:
    in_code = documented_routes(app)
    in_document = {path: set(item) & METHODS for path, item in DOC["paths"].items()}
    assert "/healthz" in in_code and "/api/v1/openapi.json" in in_code
    assert in_document == in_code


def test_path_parameters_match_the_routes(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        path = openapi_path(rule.rule)
        if path not in DOC["paths"]:
            continue
        for method, operation in DOC["paths"][path].items():
            declared = {p["name"]: p for p in operation.get("parameters", [])
                        if p["in"] == "path"}
            assert set(declared) == set(rule.arguments), (path, method)
            for name, converter in rule._converters.items():
                assert declared[name]["required"] is True
                if isinstance(converter, IntegerConverter):
                    assert declared[name]["schema"]["type"] == "integer", (path, name)


def test_every_operation_documents_its_responses() -> None:
    for path, item in DOC["paths"].items():
        for method, operation in item.items():
            assert operation["operationId"] and operation["summary"], (path, method)
            responses = operation["responses"]
            ok = (responses.get("200") or responses["201"])["content"]["application/json"]
            assert ok["schema"]
            if operation["security"]:  # a bearer token: say what happens without one
                assert "401" in responses, path
            if "{" in path:
                assert "404" in operation["responses"], path
    ids = [op["operationId"] for item in DOC["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_the_document_uses_only_what_the_checker_understands() -> None:
    for schema in all_schemas():
        unknown = set(schema) - SUPPORTED - ANNOTATIONS
        assert not unknown, (unknown, schema)
        if "$ref" in schema:
            assert resolve(schema["$ref"])


@pytest.mark.parametrize("value, schema, problem", [
    ({"status": "ok", "extra": 1}, {"$ref": "#/components/schemas/Health"}, "undocumented"),
    ({}, {"$ref": "#/components/schemas/Health"}, "missing 'status'"),
    ({"status": "maybe"}, {"$ref": "#/components/schemas/Health"}, "not in"),
    ({"error": {"code": 404, "message": ""}}, {"$ref": "#/components/schemas/Error"},
     "expected string"),
    (True, {"type": "integer"}, "expected integer"),
    (2.25, {"type": "number", "multipleOf": 0.5}, "multiple"),
    ("2020-13-01", {"type": "string", "format": "date"}, "is not a date"),
    ("2020-11-13T01:00:00", {"type": "string", "format": "date-time"}, "date-time"),
    ("not-a-uuid", {"type": "string", "format": "uuid"}, "is not a uuid"),
    ([1, "a"], {"type": "array", "items": {"type": "integer"}}, "[1]: expected integer"),
    ("x", {"anyOf": [{"type": "null"}, {"type": "integer"}]}, "anyOf"),
])
def test_the_checker_rejects_what_breaks_a_schema(value: Any, schema: dict[str, Any],
                                                  problem: str) -> None:
    errors = check(value, schema)
    assert errors and problem in " ".join(errors)


# ------------------------------------------------------------------ real responses

@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The demo, plus a bare competition and project for the nullable branches."""
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "DEMO_LOGINS_FILE": str(tmp_path_factory.mktemp("demo") / "logins.txt")})
    with app.app_context():
        db.create_all()
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(demo, "generate_password_hash",
                       partial(generate_password_hash, method="pbkdf2:sha256:1000"))
            demo.seed_demo()
        bare = Competition(name="企业级赛", tier=Tier.ENTERPRISE, year=2021)
        db.session.add(SkillProject(competition=bare, code="B1", name="电工",
                                    occupation_name="电工", kind=ProjectKind.FEATURED))
        db.session.commit()
        db.session.remove()  # release the in-memory database's one shared connection
        yield app
        db.session.remove()
        db.drop_all()


def response_schema(path: str, status: int, method: str = "get") -> dict[str, Any]:
    response = DOC["paths"][path][method]["responses"][str(status)]
    return response["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


def test_real_responses_match_the_documented_schemas(seeded: Flask) -> None:
    """Every public GET, with every id of the demo (the judges' endpoints: below)."""
    client = seeded.test_client()
    ids = {"competition_id": list(db.session.scalars(select(Competition.id))),
           "project_id": list(db.session.scalars(select(SkillProject.id)))}
    checked = 0
    # The certificate lookup needs a number and a name: its own tests cover its answers
    # (tests/web/test_certificates_web.py, against the same schemas).
    public = [path for path, item in DOC["paths"].items()
              if "get" in item and not item["get"]["security"]
              and path != "/api/v1/certificates/verify"]
    assert len(public) == 7
    for path in public:
        params = re.findall(r"{(\w+)}", path)
        values = ids[params[0]] + [999_999] if params else [None]
        for value in values:
            url = path.replace(f"{{{params[0]}}}", str(value)) if params else path
            response = client.get(url)
            assert response.status_code in (200, 404), url
            errors = check(response.get_json(), response_schema(path, response.status_code))
            assert not errors, (url, errors[:5])
            checked += 1
    assert checked > 32 + 2 + 3


def test_an_unhealthy_database_matches_the_schema(client: FlaskClient,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database gone")

    # The health check builds its probe with sqlalchemy.text; failing there fails the probe.
    monkeypatch.setattr("app.web.public.routes.text", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert check(response.get_json(), response_schema("/healthz", 503)) == []


# ------------------------------------------------------------------ the judges' endpoints

def test_the_judges_endpoints_match_the_documented_schemas(app: Flask, client: FlaskClient,
                                                           make_user: Any) -> None:
    """Assignments, marks (stored, replayed and refused with every code) and tablet codes
    (redeemed and refused), each response checked against the schema of its status, and
    each accepted request against MarkSubmission; every documented status is exercised
    but 429 (the rate limit is off in tests)."""
    from datetime import timedelta

    from app.domain.vocabulary import UserRole
    from app.models import Substitute, TabletCode
    from app.models.base import utcnow
    from app.services import accounts, people, schemes, tablet_codes
    from tests import builders

    s = builders.judging_setup()
    seen: set[tuple[str, str, int]] = set()

    def call(method: str, path: str, status: int, token: str | None = None,
             body: object = None, raw: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if raw is not None:
            response = client.open(path, method=method, data=raw, headers=headers)
        else:
            response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code == status, (path, body, response.get_json())
        errors = check(response.get_json(), response_schema(path, status, method.lower()))
        assert not errors, (path, status, errors[:5])
        seen.add((path, method.lower(), status))
        return response.get_json()

    def mark(token: str, status: int, **body: Any) -> Any:
        body = {"client_id": str(uuid.uuid4()), **body}
        if status < 300:
            assert not check(body, {"$ref": "#/components/schemas/MarkSubmission"}), body
        return call("POST", "/api/v1/marks", status, token, body)

    judge1, judge2 = (accounts.issue_token(u) for u in s.users[:2])
    organiser = accounts.issue_token(make_user(UserRole.ORGANISER))
    c1, c2 = (c.id for c in s.competitors)
    j, m, b = s.j_aspect.id, s.m_aspect.id, s.b_aspect.id

    # Marks: a first version, a replay, a later version with the full payload.
    first = mark(judge2, 201, competitor_id=c1, aspect_id=j, score=2)
    again = {"client_id": str(uuid.uuid4()), "competitor_id": c1, "aspect_id": m, "value": 15}
    replayed = call("POST", "/api/v1/marks", 201, judge2, again)
    assert call("POST", "/api/v1/marks", 201, judge2, again) == replayed
    mark(judge2, 200, competitor_id=c1, aspect_id=j, score=3, expected_version=1,
         device_id="tablet-3", tablet_time="2026-11-23T09:30:00+08:00", reason="重新观察")

    # Refusals, one per code, and the bearer check's own.
    call("POST", "/api/v1/marks", 400, judge2, raw="not json")
    mark(judge2, 404, competitor_id=999_999, aspect_id=j, score=1)
    mark(judge2, 404, competitor_id=c1, aspect_id=999_999, score=1)
    mark(accounts.issue_token(s.chief), 403, competitor_id=c1, aspect_id=j, score=1)
    mark(judge1, 403, competitor_id=c2, aspect_id=j, score=1)
    mark(judge2, 422, competitor_id=c1, aspect_id=m, value=7)
    mark(judge2, 409, competitor_id=c1, aspect_id=j, score=1, expected_version=1)
    s.b_aspect.module.locked_at = utcnow()
    db.session.commit()
    mark(judge2, 409, competitor_id=c2, aspect_id=b, value=0)
    call("POST", "/api/v1/marks", 401, None, {})
    call("POST", "/api/v1/marks", 403, organiser, {})
    assert first["version"] == 1

    # Assignments: with a conflict (M allowed here), locked module, own marks.
    s.project.block_conflicted_measurement = False
    db.session.commit()
    mine = call("GET", "/api/v1/judge/assignments", 200, judge1)
    (project,) = mine["projects"]
    assert project["competitors"][1]["measurement_allowed"] is True
    call("GET", "/api/v1/judge/assignments", 401)
    call("GET", "/api/v1/judge/assignments", 403, organiser)
    # …for an encrypted project, for a substitute, and for a chief judge (no panel).
    s.project.encrypted = True
    spare_user = make_user(UserRole.JUDGE)
    spare = people.save_judge(s.competition, None, {
        "name": "裁判4", "delegation_id": None, "employer": "", "user_id": spare_user.id},
        builders.valid_id_number(204))
    db.session.add(Substitute(competitor_id=c2, judge_id=spare.id, assigned_by=s.chief.id))
    db.session.commit()
    assert "name" not in call("GET", "/api/v1/judge/assignments", 200, judge2)[
        "projects"][0]["competitors"][0]
    sub = call("GET", "/api/v1/judge/assignments", 200, accounts.issue_token(spare_user))
    assert [c["id"] for c in sub["projects"][0]["competitors"]] == [c2]
    assert call("GET", "/api/v1/judge/assignments", 200,
                accounts.issue_token(s.chief))["projects"] == []
    schemes.return_to_draft(s.project)
    mark(judge2, 409, competitor_id=c1, aspect_id=j, score=1)  # not_open
    draft = call("GET", "/api/v1/judge/assignments", 200, judge2)["projects"][0]
    assert draft["scheme_active"] is False and draft["modules"] == []

    # Tablet codes: redeemed once, then refused in every way.
    redeem = "/api/v1/tablet/redeem"
    code = tablet_codes.issue_code(s.chief, s.judges[1], s.project).code
    token = call("POST", redeem, 201, body={"code": code})
    assert token["project_id"] == s.project.id
    call("GET", "/api/v1/judge/assignments", 200, token["token"])
    call("POST", redeem, 410, body={"code": code})  # used
    call("POST", redeem, 400, body={"code": "12"})
    call("POST", redeem, 404, body={"code": f"{(int(code) + 1) % 10 ** 6:06d}"})
    dead = tablet_codes.issue_code(s.chief, s.judges[2], s.project).code
    s.users[2].active = False  # switched off after the code was issued
    db.session.commit()
    call("POST", redeem, 403, body={"code": dead})
    old = tablet_codes.issue_code(s.chief, s.judges[0], s.project)
    row = db.session.scalars(select(TabletCode).order_by(TabletCode.id)).all()[-1]
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    call("POST", redeem, 410, body={"code": old.code})

    documented = {(path, method, int(status))
                  for path, item in DOC["paths"].items() for method, op in item.items()
                  if op["security"] or method == "post"
                  for status in op["responses"] if status != "429"}
    assert seen == documented
