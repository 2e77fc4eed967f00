"""POST /api/v1/tablet/redeem: the contract the tablet page relies on, the refusals, and
the rate limit that keeps six digits from being guessed."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import TabletCode
from app.models.base import utcnow
from app.services import tablet_codes
from tests import builders
from tests.chief_builders import cheap_passwords, other_project
from tests.conftest import TEST_SECRET


@pytest.fixture
def s(app, monkeypatch):  # type: ignore[no-untyped-def]
    cheap_passwords(monkeypatch)
    return builders.judging_setup()


def test_a_code_is_traded_for_a_project_bound_token(client, s) -> None:  # type: ignore[no-untyped-def]
    other, _chief = other_project(s)
    code = tablet_codes.issue_code(s.chief, s.judges[1], s.project).code
    response = client.post("/api/v1/tablet/redeem", json={"code": code})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "project_id", "judge_name", "expires_at"}
    assert (body["project_id"], body["judge_name"]) == (s.project.id, "裁判2")
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=13) < expires - utcnow() <= timedelta(hours=14)
    headers = {"Authorization": f"Bearer {body['token']}"}
    data = client.get("/api/v1/judge/assignments", headers=headers).get_json()
    assert [p["id"] for p in data["projects"]] == [s.project.id]
    assert other.id != s.project.id


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"code": "12ab56"}, 400, "code_invalid"),
    ({}, 400, "code_invalid"),
    (None, 400, "code_invalid"),
    ({"code": "next"}, 404, "code_unknown"),  # "next": the issued code + 1
])
def test_bad_codes_are_refused_with_a_code_and_a_message(client, s, body, status, code) -> None:  # type: ignore[no-untyped-def]
    issued = tablet_codes.issue_code(s.chief, s.judges[1], s.project).code
    if body and body.get("code") == "next":
        body = {"code": f"{(int(issued) + 1) % 1_000_000:06d}"}
    response = client.post("/api/v1/tablet/redeem", json=body) if body is not None else \
        client.post("/api/v1/tablet/redeem", data="not json")
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]


def test_used_and_expired_codes_are_gone(client, s) -> None:  # type: ignore[no-untyped-def]
    used = tablet_codes.issue_code(s.chief, s.judges[1], s.project).code
    assert client.post("/api/v1/tablet/redeem", json={"code": used}).status_code == 201
    again = client.post("/api/v1/tablet/redeem", json={"code": used})
    assert again.status_code == 410 and again.get_json()["error"]["code"] == "code_used"
    late = tablet_codes.issue_code(s.chief, s.judges[2], s.project).code
    row = db.session.scalars(select(TabletCode).where(TabletCode.used_at.is_(None))).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = client.post("/api/v1/tablet/redeem", json={"code": late})
    assert expired.status_code == 410 and expired.get_json()["error"]["code"] == "code_expired"


def test_redeem_attempts_are_rate_limited_per_address(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cheap_passwords(monkeypatch)
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "TABLET_REDEEM_RATE_LIMIT": "3 per minute"})
    with app.app_context():
        db.create_all()
        client = app.test_client()
        codes = [client.post("/api/v1/tablet/redeem", json={"code": f"{n:06d}"}).status_code
                 for n in range(5)]
        assert codes == [404, 404, 404, 429, 429]
        limited = client.post("/api/v1/tablet/redeem", json={"code": "000009"})
        assert limited.get_json()["error"]["code"] == "rate_limited"
        other_address = client.post("/api/v1/tablet/redeem", json={"code": "000010"},
                                    environ_base={"REMOTE_ADDR": "10.0.0.7"})
        assert other_address.status_code == 404
        db.session.remove()
        db.drop_all()
