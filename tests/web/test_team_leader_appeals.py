"""Team leaders (领队): an organiser makes their account for one delegation; they land on
their competition's appeals, file written appeals for their own delegation's competitors
only, see only their delegation's appeals, and never decide."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import Appeal, User
from app.services import accounts, appeals
from tests import builders
from tests.conftest import PASSWORD, login
from tests.services.test_ceremony import Ceremony
from tests.web.test_appeals_web import TEXT, c, decide_data, file_data, url  # noqa: F401


def team_leader(delegation_id: int) -> User:
    return accounts.save_user(None, {"username": "leader", "display_name": "王领队",
                                     "role": UserRole.TEAM_LEADER, "active": True,
                                     "delegation_id": delegation_id}, PASSWORD)


def test_a_team_leader_account_needs_its_delegation(app: Flask, organiser_client) -> None:  # type: ignore[no-untyped-def]
    competition = builders.competition()
    delegation = builders.delegation(competition, "闵行区")
    form = {"username": "leader", "display_name": "王领队", "role": "team_leader",
            "locale": "", "active": "y", "password": PASSWORD, "delegation_id": ""}
    refused = organiser_client.post("/organiser/users/new", data=form)
    assert "领队须指定所代表的代表队" in refused.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "leader")) is None
    organiser_client.post("/organiser/users/new", data=form | {
        "delegation_id": str(delegation.id)})
    saved = db.session.scalar(select(User).where(User.username == "leader"))
    assert saved is not None and saved.delegation_id == delegation.id
    # Another role never keeps a delegation.
    accounts.save_user(saved, {"role": UserRole.JUDGE, "active": True,
                               "delegation_id": delegation.id}, None)
    assert saved.delegation_id is None


def test_a_team_leader_files_for_their_own_delegation_only(app: Flask, c: Ceremony) -> None:  # noqa: F811
    own = c.by_name["张伟"]  # 闵行区
    other = next(x for x in c.by_name.values() if x.delegation_id != own.delegation_id)
    leader = team_leader(own.delegation_id)
    client = app.test_client()
    landed = client.post("/login", data={"username": "leader", "password": PASSWORD})
    assert landed.headers["Location"].endswith("/organiser/appeals")
    assert client.get("/organiser/appeals").headers["Location"].endswith(url(c))
    page = client.get(url(c)).get_data(as_text=True)
    assert own.name in page and other.name not in page  # only their delegation to choose

    refused = client.post(url(c), data=file_data(c, competitor_id=str(other.id)))
    assert refused.status_code == 200
    assert db.session.scalars(select(Appeal)).all() == []

    client.post(url(c), data=file_data(c, competitor_id=str(own.id)))
    [appeal] = db.session.scalars(select(Appeal)).all()
    assert (appeal.filed_by, appeal.competitor_id) == (leader.id, own.id)
    # Appeals about other delegations are not theirs to read.
    organiser = accounts.create_user("desk", UserRole.ORGANISER, PASSWORD)
    appeals.file(organiser, c.project, "marks", "徐汇区领队", TEXT, competitor=other)
    page = client.get(url(c)).get_data(as_text=True)
    assert page.count('data-appeal=') == 1 and '徐汇区领队' not in page
    # And the panel's decision is not theirs to make.
    assert client.post(url(c, f"/{appeal.id}/decide"),
                       data=decide_data(appeal, "upheld")).status_code == 403
    assert db.session.get(Appeal, appeal.id).status == "open"  # type: ignore[union-attr]


def test_a_team_leader_is_refused_another_competitions_appeals(app: Flask, c: Ceremony) -> None:  # noqa: F811
    team_leader(c.by_name["张伟"].delegation_id)
    client = app.test_client()
    login(client, db.session.scalar(select(User).where(User.username == "leader")))
    other = builders.competition("另一项大赛")
    assert client.get(f"/organiser/competitions/{other.id}/appeals").status_code == 403
    assert client.get(f"/organiser/competitions/{c.competition.id}/projects").status_code == 403
