"""The /staff namespace through Flask-SocketIO's test client: who may watch a project,
what they receive (only what was committed), and that nothing can be written through it."""

import uuid

import pytest
from flask import g
from sqlalchemy import func, select

from app.domain.vocabulary import UserRole
from app.extensions import db, socketio
from app.models import Mark, MarkVersion
from app.services import accounts, marking, signoff
from app.services.marking import MarkingError
from tests import builders
from tests.chief_builders import cheap_passwords, complete_module_a, other_project, score
from tests.conftest import PASSWORD


@pytest.fixture
def s(app, monkeypatch):  # type: ignore[no-untyped-def]
    cheap_passwords(monkeypatch)
    return builders.judging_setup()


def watch(app, token, project_id, **kwargs):  # type: ignore[no-untyped-def]
    # The test's app context outlives each connection, and Flask-Login caches the user in
    # `g`; a server starts every connection afresh, so forget it here too.
    g.pop("_login_user", None)
    auth = {"project_id": project_id}
    if token is not None:
        auth["token"] = token
    return socketio.test_client(app, namespace="/staff", auth=auth, **kwargs)


def received(client, name: str) -> list[dict]:  # type: ignore[type-arg]
    return [m["args"][0] for m in client.get_received("/staff") if m["name"] == name]


def test_the_chief_judge_receives_marks_as_judges_submit_them(app, s) -> None:  # type: ignore[no-untyped-def]
    chief = watch(app, accounts.session_token(s.chief), s.project.id)
    assert chief.is_connected("/staff")
    judge = socketio.test_client(app, namespace="/judge",
                                 auth={"token": accounts.issue_token(s.users[1])})
    ack = judge.emit("submit_mark", {"client_id": str(uuid.uuid4()),
                                     "competitor_id": s.competitors[0].id,
                                     "aspect_id": s.j_aspect.id, "score": 2},
                     namespace="/judge", callback=True)
    assert ack["ok"]
    (mark,) = received(chief, "mark")
    assert mark == {"mark_id": ack["mark_id"], "competitor_id": s.competitors[0].id,
                    "aspect_id": s.j_aspect.id, "module_id": s.j_aspect.module_id,
                    "judge_id": s.judges[1].id, "value": 2.0, "version": 1,
                    "aspect_status": "draft"}


@pytest.mark.parametrize("role", [UserRole.SUPERVISOR, UserRole.ORGANISER])
def test_supervisors_and_organisers_watch_too(app, s, make_user, role) -> None:  # type: ignore[no-untyped-def]
    reader = watch(app, accounts.issue_token(make_user(role)), s.project.id)
    assert reader.is_connected("/staff")
    score(s.users[1], s.competitors[0], s.m_aspect, 15)
    assert [m["value"] for m in received(reader, "mark")] == [15.0]


def test_the_signed_in_session_is_enough_without_a_token(app, client, s) -> None:  # type: ignore[no-untyped-def]
    client.post("/login", data={"username": "chief", "password": "chief password"})
    chief = watch(app, None, s.project.id, flask_test_client=client)
    assert chief.is_connected("/staff")
    anonymous = watch(app, None, s.project.id, flask_test_client=app.test_client())
    assert not anonymous.is_connected("/staff")


def test_judges_strangers_and_other_chiefs_are_refused(app, s, make_user) -> None:  # type: ignore[no-untyped-def]
    other, other_chief = other_project(s)
    refused = [
        watch(app, accounts.issue_token(s.users[0]), s.project.id),  # a judge
        watch(app, accounts.session_token(s.users[0]), s.project.id),
        watch(app, "sp_not-a-token", s.project.id),
        watch(app, accounts.issue_token(other_chief), s.project.id),  # not their project
        watch(app, accounts.session_token(s.chief), other.id),
        watch(app, accounts.session_token(s.chief), 9999),  # no such project
        watch(app, accounts.session_token(s.chief), str(s.project.id)),
        socketio.test_client(app, namespace="/staff"),  # no auth at all
    ]
    assert [c.is_connected("/staff") for c in refused] == [False] * len(refused)
    assert watch(app, accounts.issue_token(other_chief), other.id).is_connected("/staff")


def test_marks_of_another_project_are_not_pushed_here(app, s) -> None:  # type: ignore[no-untyped-def]
    other, other_chief = other_project(s)
    elsewhere = watch(app, accounts.session_token(other_chief), other.id)
    score(s.users[1], s.competitors[0], s.j_aspect, 2)
    assert received(elsewhere, "mark") == []


def test_a_refused_mark_is_never_pushed(app, s) -> None:  # type: ignore[no-untyped-def]
    chief = watch(app, accounts.session_token(s.chief), s.project.id)
    with pytest.raises(MarkingError):
        score(s.users[0], s.competitors[1], s.j_aspect, 2)  # conflict of interest
    with pytest.raises(MarkingError):
        score(s.users[1], s.competitors[0], s.j_aspect, 7)  # out of range
    assert received(chief, "mark") == []


def test_a_rolled_back_mark_is_never_pushed(app, s, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    chief = watch(app, accounts.session_token(s.chief), s.project.id)
    announce = marking._announce

    def announce_then_fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        announce(*args, **kwargs)  # the push is queued…
        raise RuntimeError("disk full")  # …and the transaction fails before commit

    monkeypatch.setattr(marking, "_announce", announce_then_fail)
    with pytest.raises(RuntimeError):
        score(s.users[1], s.competitors[0], s.j_aspect, 2)
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 0
    assert received(chief, "mark") == []
    monkeypatch.setattr(marking, "_announce", announce)
    score(s.users[1], s.competitors[0], s.j_aspect, 2)
    assert len(received(chief, "mark")) == 1  # the queue was dropped, not kept for later


def test_locks_are_pushed_to_consoles_and_tablets(app, s) -> None:  # type: ignore[no-untyped-def]
    s.project.panel_size = 2
    db.session.commit()
    complete_module_a(s)
    chief = watch(app, accounts.session_token(s.chief), s.project.id)
    tablet = socketio.test_client(app, namespace="/judge",
                                  auth={"token": accounts.issue_token(s.users[1])})
    signoff.lock_module(s.chief, s.j_aspect.module)
    module_id = s.j_aspect.module_id
    assert received(chief, "module_lock") == [{"module_id": module_id, "locked": True,
                                               "letter": "A"}]
    pushed = [m["args"][0] for m in tablet.get_received("/judge") if m["name"] == "module_locked"]
    assert pushed == [{"module_id": module_id, "locked": True}]


def test_clients_cannot_write_through_staff(app, s) -> None:  # type: ignore[no-untyped-def]
    chief = watch(app, accounts.session_token(s.chief), s.project.id)
    payload = {"client_id": str(uuid.uuid4()), "competitor_id": s.competitors[0].id,
               "aspect_id": s.j_aspect.id, "score": 2}
    for event in ("submit_mark", "lock", "mark", "module_lock"):
        chief.emit(event, payload, namespace="/staff")
    assert chief.is_connected("/staff")
    assert db.session.scalar(select(func.count()).select_from(MarkVersion)) == 0
    assert s.j_aspect.module.locked_at is None


def test_an_organiser_password_session_can_watch(app, client, s, make_user) -> None:  # type: ignore[no-untyped-def]
    organiser = make_user(UserRole.ORGANISER)
    client.post("/login", data={"username": organiser.username, "password": PASSWORD})
    assert watch(app, None, s.project.id, flask_test_client=client).is_connected("/staff")
