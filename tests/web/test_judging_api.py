"""POST /api/v1/marks and GET /api/v1/judge/assignments with bearer tokens."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken, MarkVersion
from app.models.base import utcnow
from app.services import accounts
from tests import builders


@pytest.fixture
def s(app):  # type: ignore[no-untyped-def]
    return builders.judging_setup()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_marks_need_a_judges_bearer_token(client, s, make_user) -> None:  # type: ignore[no-untyped-def]
    from app.domain.vocabulary import UserRole

    assert client.post("/api/v1/marks", json={}).status_code == 401
    assert client.post("/api/v1/marks", json={}, headers=bearer("sp_wrong")).status_code == 401
    organiser = accounts.issue_token(make_user(UserRole.ORGANISER))
    assert client.post("/api/v1/marks", json={}, headers=bearer(organiser)).status_code == 403
    assert client.get("/api/v1/judge/assignments").status_code == 401


def test_post_mark_has_the_same_codes_and_idempotency(client, s) -> None:  # type: ignore[no-untyped-def]
    token = accounts.issue_token(s.users[1])
    body = {"client_id": str(uuid.uuid4()), "competitor_id": s.competitors[0].id,
            "aspect_id": s.m_aspect.id, "value": 15}
    first = client.post("/api/v1/marks", json=body, headers=bearer(token))
    again = client.post("/api/v1/marks", json=body, headers=bearer(token))
    assert first.status_code == 201 and again.get_json() == first.get_json()
    assert db.session.scalar(select(func.count()).select_from(MarkVersion)) == 1
    bad = client.post("/api/v1/marks", json={**body, "client_id": str(uuid.uuid4()),
                                              "value": 7}, headers=bearer(token))
    assert bad.status_code == 422
    error = bad.get_json()["error"]
    assert error["code"] == "out_of_range" and "15" in error["message"]
    garbage = client.post("/api/v1/marks", data="not json", headers=bearer(token))
    assert garbage.status_code == 400 and garbage.get_json()["error"]["code"] == "invalid"
    stale = client.post("/api/v1/marks", json={**body, "client_id": str(uuid.uuid4()),
                                                "expected_version": 0}, headers=bearer(token))
    assert stale.status_code == 409 and stale.get_json()["error"]["current_version"] == 1


def test_revoked_and_expired_tokens_stop_working(client, s) -> None:  # type: ignore[no-untyped-def]
    token = accounts.issue_token(s.users[1])
    assert client.get("/api/v1/judge/assignments", headers=bearer(token)).status_code == 200
    row = db.session.scalar(select(ApiToken))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/judge/assignments", headers=bearer(token)).status_code == 401


def test_assignments_list_what_the_tablet_needs(client, s) -> None:  # type: ignore[no-untyped-def]
    token = accounts.issue_token(s.users[0])
    client.post("/api/v1/marks", headers=bearer(token), json={
        "client_id": str(uuid.uuid4()), "competitor_id": s.competitors[0].id,
        "aspect_id": s.j_aspect.id, "score": 3})
    data = client.get("/api/v1/judge/assignments", headers=bearer(token)).get_json()
    (project,) = data["projects"]
    assert project["id"] == s.project.id and project["scheme_active"]
    by_id = {c["id"]: c for c in project["competitors"]}
    assert by_id[s.competitors[0].id] == {"id": s.competitors[0].id, "workstation": "01",
                                          "name": "张伟", "conflict": False}
    assert by_id[s.competitors[1].id]["conflict"] is True  # same delegation: 回避
    module_a = project["modules"][0]
    j, m = module_a["aspects"]
    assert j["allowed_values"] == [0, 1, 2, 3] and len(j["descriptors"]) == 4
    assert m["allowed_values"] == [0.0, 15.0, 30.0]
    assert project["marks"] == [{"competitor_id": s.competitors[0].id,
                                 "aspect_id": s.j_aspect.id, "value": 3.0, "version": 1}]
    assert "id_hash" not in str(data) and "id_last4" not in str(data)


def test_encrypted_projects_show_workstations_only(client, s) -> None:  # type: ignore[no-untyped-def]
    s.project.encrypted = True
    db.session.commit()
    data = client.get("/api/v1/judge/assignments",
                      headers=bearer(accounts.issue_token(s.users[1]))).get_json()
    for competitor in data["projects"][0]["competitors"]:
        assert "name" not in competitor and competitor["workstation"]
    assert "张伟" not in str(data)
