"""The appeals page (/organiser/competitions/<id>/appeals): organisers and the supervision
and arbitration panel file written appeals; only the panel decides, once and finally; an
upheld appeal against marks reopens the locked modules. Also the project's end time,
which the appeal deadline is counted from."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import Appeal, AuditEvent, ModuleLockEvent, SkillProject
from app.models.base import utcnow
from app.services import appeals
from tests import builders
from tests.conftest import login
from tests.services.test_ceremony import Ceremony, scored_board, sign_off

SHANGHAI = ZoneInfo("Asia/Shanghai")
TEXT = "对A模块的测量成绩有异议，请仲裁组复核。"


def field_error(html: str, field: str) -> str:
    match = re.search(rf'data-error-for="{re.escape(field)}">([^<]+)<', html)
    return match.group(1) if match else ""


def url(c: Ceremony, tail: str = "") -> str:
    return f"/organiser/competitions/{c.competition.id}/appeals{tail}"


def local_input(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def signed_in(app: Flask, make_user, role: UserRole, english: bool = False) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, make_user(role))
    if english:
        client.get("/lang/en")
    return client


@pytest.fixture
def c(app) -> Ceremony:  # type: ignore[no-untyped-def]
    """A scored board, both modules signed off, the project ended 30 minutes ago (the
    default window is 120 minutes, so appeals are still accepted)."""
    board = scored_board()
    sign_off(board)
    board.project.ends_at = utcnow() - timedelta(minutes=30)
    db.session.commit()
    return board


def file_data(c: Ceremony, **values: str) -> dict[str, str]:
    data = {"project_id": str(c.project.id), "subject": "marks",
            "competitor_id": str(c.by_name["张伟"].id), "appellant": "王领队", "text": TEXT,
            "received_at": ""}
    return {f"appeal-{k}": v for k, v in (data | values).items()}


def decide_data(appeal: Appeal, outcome: str, decision: str = "经复核，测量记录有误。",
                reopen: list[str] | None = None) -> dict[str, object]:
    data: dict[str, object] = {f"decide-{appeal.id}-outcome": outcome,
                               f"decide-{appeal.id}-decision": decision}
    if reopen is not None:
        data[f"decide-{appeal.id}-reopen"] = reopen
    return data


def filed(c: Ceremony, make_user, subject: str = "marks") -> Appeal:  # type: ignore[no-untyped-def]
    competitor = c.by_name["张伟"] if subject == "marks" else None
    return appeals.file(make_user(UserRole.ORGANISER), c.project, subject, "王领队", TEXT,
                        competitor=competitor)


def unlock_events() -> list[ModuleLockEvent]:
    return list(db.session.scalars(select(ModuleLockEvent).where(
        ModuleLockEvent.action == "unlock").order_by(ModuleLockEvent.id)))


# ------------------------------------------------------------------ who may


@pytest.mark.parametrize("role", [UserRole.JUDGE, UserRole.CHIEF_JUDGE])
def test_judges_get_403_and_change_nothing(app, c: Ceremony, make_user, role) -> None:  # type: ignore[no-untyped-def]
    appeal = filed(c, make_user)
    client = signed_in(app, make_user, role)
    assert client.get(url(c)).status_code == 403
    assert client.post(url(c), data=file_data(c)).status_code == 403
    assert client.post(url(c, f"/{appeal.id}/decide"),
                       data=decide_data(appeal, "upheld")).status_code == 403
    db.session.expire_all()
    assert db.session.query(Appeal).count() == 1
    assert appeal.status == "open"


def test_an_organiser_may_file_but_not_decide(app, c: Ceremony, make_user) -> None:  # type: ignore[no-untyped-def]
    appeal = filed(c, make_user)
    client = signed_in(app, make_user, UserRole.ORGANISER)
    html = client.get(url(c)).get_data(as_text=True)
    assert "data-file-form" in html and "data-decide-form" not in html
    assert client.post(url(c, f"/{appeal.id}/decide"),
                       data=decide_data(appeal, "upheld")).status_code == 403
    db.session.expire_all()
    assert appeal.status == "open"
    assert all(m.locked_at is not None for m in c.modules())


def test_a_visitor_is_sent_to_sign_in(c: Ceremony, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(url(c))
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    assert client.post(url(c), data=file_data(c)).status_code == 302
    assert db.session.query(Appeal).count() == 0


def test_supervisors_reach_the_page_from_the_marking_console(app, c: Ceremony,
                                                            make_user) -> None:  # type: ignore[no-untyped-def]
    supervisor = signed_in(app, make_user, UserRole.SUPERVISOR)
    index = supervisor.get("/chief/").get_data(as_text=True)
    assert "data-appeal-links" in index and url(c) in index
    page = supervisor.get(url(c))
    assert page.status_code == 200
    # No organiser tabs: they lead to pages a supervisor may not open.
    assert "nav-tabs" not in page.get_data(as_text=True)
    chief = signed_in(app, make_user, UserRole.CHIEF_JUDGE)
    assert "data-appeal-links" not in chief.get("/chief/").get_data(as_text=True)


# ------------------------------------------------------------------ filing


def test_an_organiser_files_an_appeal(app, c: Ceremony, make_user) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, make_user, UserRole.ORGANISER)
    before = utcnow()
    response = client.post(url(c), data=file_data(c))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    appeal = db.session.scalar(select(Appeal))
    assert appeal is not None
    assert (appeal.project_id, appeal.competitor_id, appeal.subject, appeal.appellant,
            appeal.text, appeal.status) == (c.project.id, c.by_name["张伟"].id, "marks",
                                             "王领队", TEXT, "open")
    assert before <= appeal.received_at <= utcnow()  # empty: received now
    [audit] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "appeal.file"))
    assert (audit.entity, audit.entity_id, audit.competition_id) == (
        "appeal", appeal.id, c.competition.id)
    html = client.get(url(c)).get_data(as_text=True)
    card = html[html.index(f'id="appeal-{appeal.id}"'):]
    assert 'data-status="open"' in card and "王领队" in card and TEXT in card
    assert "张伟" in card and "01" in card  # the competitor and their workstation


def test_received_at_is_typed_in_local_time(app, c: Ceremony, make_user) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, make_user, UserRole.SUPERVISOR)
    received = (utcnow() - timedelta(minutes=20)).replace(second=0, microsecond=0)
    response = client.post(url(c), data=file_data(c, subject="procedure", competitor_id="",
                                                   received_at=local_input(received)))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    appeal = db.session.scalar(select(Appeal))
    assert appeal is not None and appeal.competitor_id is None
    assert appeal.received_at == received  # stored as the same instant, in UTC
    html = client.get(url(c)).get_data(as_text=True)
    assert received.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") in html


def test_a_late_appeal_is_refused_with_the_deadline(app, c: Ceremony, make_user) -> None:  # type: ignore[no-untyped-def]
    c.project.ends_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    deadline = c.project.ends_at + timedelta(minutes=c.competition.appeal_window_minutes)
    client = signed_in(app, make_user, UserRole.ORGANISER, english=True)
    response = client.post(url(c), data=file_data(c))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    error = field_error(html, "appeal-received_at")
    assert "late" in error
    assert deadline.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") in error
    assert 'data-deadline="passed"' in html
    assert db.session.query(Appeal).count() == 0


@pytest.mark.parametrize(("values", "field"), [
    ({"competitor_id": ""}, "appeal-competitor_id"),
    ({"appellant": "  "}, "appeal-appellant"),
    ({"text": "太短"}, "appeal-text"),
    ({"received_at": "FUTURE"}, "appeal-received_at"),
])
def test_a_refused_appeal_shows_why_on_its_field(app, c: Ceremony, make_user, values,  # type: ignore[no-untyped-def]
                                                 field) -> None:
    if values.get("received_at") == "FUTURE":
        values = {"received_at": local_input(utcnow() + timedelta(hours=1))}
    client = signed_in(app, make_user, UserRole.ORGANISER)
    response = client.post(url(c), data=file_data(c, **values))
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), field)
    assert db.session.query(Appeal).count() == 0


def test_a_competitor_of_another_project_is_refused(app, c: Ceremony, make_user) -> None:  # type: ignore[no-untyped-def]
    other = builders.project(c.competition, code="G02", name="养老护理")
    client = signed_in(app, make_user, UserRole.ORGANISER)
    response = client.post(url(c), data=file_data(c, project_id=str(other.id)))
    assert field_error(response.get_data(as_text=True), "appeal-competitor_id")
    assert db.session.query(Appeal).count() == 0


def test_the_deadlines_show_each_project(app, c: Ceremony, make_user) -> None:  # type: ignore[no-untyped-def]
    unset = builders.project(c.competition, code="G02", name="养老护理")
    client = signed_in(app, make_user, UserRole.ORGANISER)
    html = client.get(url(c)).get_data(as_text=True)
    deadline = c.project.ends_at + timedelta(minutes=120)
    mine = html[html.index(f'data-deadline-project="{c.project.id}"'):]
    assert 'data-deadline="open"' in mine.split("</li>")[0]
    assert deadline.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") in mine.split("</li>")[0]
    theirs = html[html.index(f'data-deadline-project="{unset.id}"'):].split("</li>")[0]
    assert 'data-deadline="none"' in theirs


# ------------------------------------------------------------------ deciding


def test_upholding_a_marks_appeal_reopens_the_locked_modules(app, c: Ceremony,
                                                            make_user) -> None:  # type: ignore[no-untyped-def]
    appeal = filed(c, make_user)
    supervisor = signed_in(app, make_user, UserRole.SUPERVISOR)
    form = supervisor.get(url(c)).get_data(as_text=True)
    # Every locked module is ticked by default.
    boxes = re.findall(rf'<input[^>]*name="decide-{appeal.id}-reopen"[^>]*>', form)
    assert len(boxes) == 2 and all(" checked" in box for box in boxes)
    assert "A 装配" in form and "B 调试" in form  # named as the chief judge knows them
    response = supervisor.post(url(c, f"/{appeal.id}/decide"),
                               data=decide_data(appeal, "upheld", reopen=["A", "B"]))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert (appeal.status, appeal.reopened_modules) == ("upheld", ["A", "B"])
    assert all(m.locked_at is None for m in c.modules())
    events = unlock_events()
    assert len(events) == 2
    assert all(f"申诉 #{appeal.id}" in event.reason for event in events)
    html = supervisor.get(url(c)).get_data(as_text=True)
    card = html[html.index(f'id="appeal-{appeal.id}"'):]
    assert "data-decision" in card and "data-decide-form" not in card
    assert 'data-reopened="A,B"' in card


def test_the_panel_may_reopen_only_some_modules(app, c: Ceremony, make_user) -> None:  # type: ignore[no-untyped-def]
    appeal = filed(c, make_user)
    supervisor = signed_in(app, make_user, UserRole.SUPERVISOR)
    supervisor.post(url(c, f"/{appeal.id}/decide"),
                    data=decide_data(appeal, "upheld", reopen=["A"]))
    db.session.expire_all()
    a, b = c.modules()
    assert (a.locked_at is None, b.locked_at is None) == (True, False)
    assert appeal.reopened_modules == ["A"]


def test_dismissing_an_appeal_reopens_nothing(app, c: Ceremony, make_user) -> None:  # type: ignore[no-untyped-def]
    appeal = filed(c, make_user)
    supervisor = signed_in(app, make_user, UserRole.SUPERVISOR)
    response = supervisor.post(url(c, f"/{appeal.id}/decide"),
                               data=decide_data(appeal, "dismissed", reopen=["A", "B"]))
    assert response.status_code == 302
    db.session.expire_all()
    assert (appeal.status, appeal.reopened_modules) == ("dismissed", [])
    assert appeal.decision == "经复核，测量记录有误。" and appeal.decided_at is not None
    assert all(m.locked_at is not None for m in c.modules())
    assert unlock_events() == []


def test_a_procedure_appeal_has_no_modules_to_reopen(app, c: Ceremony, make_user) -> None:  # type: ignore[no-untyped-def]
    appeal = filed(c, make_user, subject="procedure")
    supervisor = signed_in(app, make_user, UserRole.SUPERVISOR)
    html = supervisor.get(url(c)).get_data(as_text=True)
    assert 'data-decide-form' in html and f"decide-{appeal.id}-reopen" not in html
    supervisor.post(url(c, f"/{appeal.id}/decide"), data=decide_data(appeal, "upheld"))
    db.session.expire_all()
    assert appeal.status == "upheld"
    assert all(m.locked_at is not None for m in c.modules())


def test_the_decision_is_final(app, c: Ceremony, make_user) -> None:  # type: ignore[no-untyped-def]
    appeal = filed(c, make_user)
    supervisor = signed_in(app, make_user, UserRole.SUPERVISOR, english=True)
    supervisor.post(url(c, f"/{appeal.id}/decide"), data=decide_data(appeal, "dismissed"))
    response = supervisor.post(url(c, f"/{appeal.id}/decide"),
                               data=decide_data(appeal, "upheld", "改判为成立。", ["A"]))
    html = response.get_data(as_text=True)
    assert "already decided" in html and "final" in html
    db.session.expire_all()
    assert (appeal.status, appeal.decision) == ("dismissed", "经复核，测量记录有误。")
    assert all(m.locked_at is not None for m in c.modules())
    assert db.session.query(AuditEvent).filter_by(action="appeal.decide").count() == 1


@pytest.mark.parametrize(("data", "field"), [
    ({"outcome": ""}, "outcome"),
    ({"decision": "短"}, "decision"),
    ({"reopen": ["Z"]}, "reopen"),
])
def test_a_refused_decision_shows_why_on_its_field(app, c: Ceremony, make_user, data,  # type: ignore[no-untyped-def]
                                                   field) -> None:
    appeal = filed(c, make_user)
    supervisor = signed_in(app, make_user, UserRole.SUPERVISOR)
    values = decide_data(appeal, "upheld", reopen=["A"])
    values |= {f"decide-{appeal.id}-{k}": v for k, v in data.items()}
    response = supervisor.post(url(c, f"/{appeal.id}/decide"), data=values)
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), f"decide-{appeal.id}-{field}")
    db.session.expire_all()
    assert appeal.status == "open"
    assert all(m.locked_at is not None for m in c.modules())


def test_an_appeal_of_another_competition_is_404(app, c: Ceremony, make_user) -> None:  # type: ignore[no-untyped-def]
    appeal = filed(c, make_user)
    other = builders.competition("另一个大赛")
    supervisor = signed_in(app, make_user, UserRole.SUPERVISOR)
    response = supervisor.post(f"/organiser/competitions/{other.id}/appeals/{appeal.id}/decide",
                               data=decide_data(appeal, "upheld"))
    assert response.status_code == 404
    db.session.expire_all()
    assert appeal.status == "open"


# ------------------------------------------------------------------ CSRF


def test_posts_without_the_csrf_token_are_refused(app, c: Ceremony, make_user) -> None:  # type: ignore[no-untyped-def]
    appeal = filed(c, make_user)
    supervisor = signed_in(app, make_user, UserRole.SUPERVISOR)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert supervisor.post(url(c), data=file_data(c)).status_code == 400
        assert supervisor.post(url(c, f"/{appeal.id}/decide"),
                               data=decide_data(appeal, "upheld")).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert db.session.query(Appeal).count() == 1 and appeal.status == "open"
    assert all(m.locked_at is not None for m in c.modules())


# ------------------------------------------------------------------ the project's end time


def project_data(**values: str) -> dict[str, object]:
    return {"code": "G05", "name": "增材制造", "occupation_name": "增材制造设备操作员",
            "kind": "worldskills_selection", "team_size": "1", "divisions": ["employee"],
            "total_marks": "100", "marking_method": "worldskills", "panel_size": "3",
            "venue_id": "", **values}


def test_the_project_form_saves_the_end_time_in_local_time(organiser_client) -> None:  # type: ignore[no-untyped-def]
    comp = builders.competition()
    response = organiser_client.post(f"/organiser/competitions/{comp.id}/projects/new",
                                     data=project_data(ends_at="2026-05-20T17:30"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    project = db.session.scalar(select(SkillProject).where(SkillProject.code == "G05"))
    assert project is not None
    assert project.ends_at == datetime(2026, 5, 20, 9, 30, tzinfo=UTC)  # 17:30 in Shanghai
    edit = organiser_client.get(f"/organiser/projects/{project.id}/edit").get_data(as_text=True)
    assert re.search(r'name="ends_at"[^>]*value="2026-05-20T17:30"', edit)
    # Saved again unchanged it stays the same instant; emptied (a browser sends "") unset.
    organiser_client.post(f"/organiser/projects/{project.id}/edit",
                          data=project_data(ends_at="2026-05-20T17:30"))
    db.session.expire_all()
    assert project.ends_at == datetime(2026, 5, 20, 9, 30, tzinfo=UTC)
    organiser_client.post(f"/organiser/projects/{project.id}/edit",
                          data=project_data(ends_at=""))
    db.session.expire_all()
    assert project.ends_at is None


def test_only_an_organiser_learns_that_a_competition_does_not_exist(app, make_user) -> None:  # type: ignore[no-untyped-def]
    missing = "/organiser/competitions/999/appeals"
    assert signed_in(app, make_user, UserRole.ORGANISER).get(missing).status_code == 404
    assert signed_in(app, make_user, UserRole.SUPERVISOR).get(missing).status_code == 403
