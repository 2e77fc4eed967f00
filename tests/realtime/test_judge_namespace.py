"""The /judge namespace through Flask-SocketIO's test client (in-process, fast). The
live-server tests with a real python-socketio client are in test_judge_live.py."""

import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db, socketio
from app.models import MarkVersion
from app.services import accounts
from tests import builders


@pytest.fixture
def s(app):  # type: ignore[no-untyped-def]
    return builders.judging_setup()


def connect(app, token):  # type: ignore[no-untyped-def]
    return socketio.test_client(app, namespace="/judge", auth={"token": token})


def test_a_connection_without_a_valid_judge_token_is_refused(app, s, make_user) -> None:  # type: ignore[no-untyped-def]
    from app.domain.vocabulary import UserRole

    assert not connect(app, "sp_nope").is_connected("/judge")
    assert not socketio.test_client(app, namespace="/judge").is_connected("/judge")
    organiser = accounts.issue_token(make_user(UserRole.ORGANISER))
    assert not connect(app, organiser).is_connected("/judge")
    assert connect(app, accounts.issue_token(s.users[1])).is_connected("/judge")
    assert connect(app, accounts.session_token(s.users[1])).is_connected("/judge")


def test_submit_mark_is_acknowledged_after_commit(app, s) -> None:  # type: ignore[no-untyped-def]
    client = connect(app, accounts.issue_token(s.users[1]))
    body = {"client_id": str(uuid.uuid4()), "competitor_id": s.competitors[0].id,
            "aspect_id": s.j_aspect.id, "score": 2}
    ack = client.emit("submit_mark", body, namespace="/judge", callback=True)
    assert ack["ok"] and ack["version"] == 1 and ack["status"] == "draft"
    assert client.emit("submit_mark", body, namespace="/judge", callback=True) == ack
    assert db.session.scalar(select(func.count()).select_from(MarkVersion)) == 1


def test_refusals_carry_a_code_and_a_message_in_the_judges_language(app, s) -> None:  # type: ignore[no-untyped-def]
    client = connect(app, accounts.issue_token(s.users[0]))
    body = {"client_id": str(uuid.uuid4()), "competitor_id": s.competitors[1].id,
            "aspect_id": s.j_aspect.id, "score": 2}
    ack = client.emit("submit_mark", body, namespace="/judge", callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "conflict_of_interest"
    assert "回避" in ack["error"]["message"]
    s.users[0].locale = "en"
    db.session.commit()
    ack = client.emit("submit_mark", {**body, "client_id": str(uuid.uuid4())},
                      namespace="/judge", callback=True)
    assert ack["error"]["message"].startswith("Conflict of interest")


def test_rediscuss_is_pushed_to_the_judges_involved(app, s) -> None:  # type: ignore[no-untyped-def]
    clients = [connect(app, accounts.issue_token(u)) for u in s.users]
    for client, score in zip(clients, [1, 2, 3], strict=True):
        ack = client.emit("submit_mark", {
            "client_id": str(uuid.uuid4()), "competitor_id": s.competitors[0].id,
            "aspect_id": s.j_aspect.id, "score": score}, namespace="/judge", callback=True)
        assert ack["ok"]
    for client in clients:
        pushed = [m for m in client.get_received("/judge") if m["name"] == "rediscuss"]
        assert pushed and pushed[-1]["args"][0] == {
            "competitor_id": s.competitors[0].id, "aspect_id": s.j_aspect.id,
            "scores": [1, 2, 3]}


def test_a_substitute_hears_lock_pushes_for_their_project_after_rejoining(app, s) -> None:  # type: ignore[no-untyped-def]
    from app.domain.vocabulary import UserRole
    from app.models import Substitute
    from app.realtime.publisher import project_room

    user = accounts.create_user("judge-sub", UserRole.JUDGE, "judge password")
    from app.services import people

    sub = people.save_judge(s.competition, None, {"name": "替补", "delegation_id": None,
                                                  "employer": "", "user_id": user.id},
                            builders.valid_id_number(401))
    client = connect(app, accounts.issue_token(user))
    socketio.emit("module_locked", {"module_id": 1, "locked": True}, namespace="/judge",
                  to=project_room(s.project.id))
    assert not [m for m in client.get_received("/judge") if m["name"] == "module_locked"]
    db.session.add(Substitute(competitor_id=s.competitors[1].id, judge_id=sub.id,
                              assigned_by=s.chief.id))
    db.session.commit()
    assert client.emit("rejoin", namespace="/judge", callback=True) == {"ok": True}
    socketio.emit("module_locked", {"module_id": 1, "locked": True}, namespace="/judge",
                  to=project_room(s.project.id))
    assert [m for m in client.get_received("/judge") if m["name"] == "module_locked"]
