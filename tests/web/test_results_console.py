"""The results and ceremony console (/organiser/competitions/<id>/results): who may use it,
each form doing its job, and bad input shown next to its field with nothing stored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.domain.vocabulary import UserRole, Visibility
from app.extensions import db
from app.models import (
    AuditEvent,
    BoardState,
    Competition,
    Competitor,
    Division,
    Screen,
    SkillProject,
)
from app.services import ceremony
from tests import builders
from tests.conftest import login
from tests.services.test_ceremony import Ceremony, scored_board, sign_off


def field_error(html: str, field: str) -> str:
    match = re.search(rf'data-error-for="{re.escape(field)}">([^<]+)<', html)
    return match.group(1) if match else ""


def url(c: Ceremony | Bare, tail: str = "") -> str:
    return f"/organiser/competitions/{c.competition.id}/results{tail}"


def board_url(c: Ceremony | Bare, tail: str) -> str:
    return f"/organiser/projects/{c.project.id}/divisions/{c.division.id}/{tail}"


@pytest.fixture
def c(app) -> Ceremony:  # type: ignore[no-untyped-def]
    return scored_board()


@dataclass
class Bare:
    """A competition with one project and no marks: enough for what needs no results."""

    competition: Competition
    project: SkillProject
    division: Division


@pytest.fixture
def bare(app) -> Bare:  # type: ignore[no-untyped-def]
    competition = builders.competition()
    project = builders.project(competition)
    return Bare(competition, project, project.divisions[0])


@pytest.fixture
def tied(app) -> Ceremony:  # type: ignore[no-untyped-def]
    return scored_board(tie=True)


def english(client: FlaskClient) -> FlaskClient:
    client.get("/lang/en")
    return client


# ------------------------------------------------------------------ who may


@pytest.mark.parametrize("role", [UserRole.JUDGE, UserRole.CHIEF_JUDGE, UserRole.SUPERVISOR])
def test_other_roles_get_403_and_change_nothing(bare: Bare, client, make_user, role) -> None:  # type: ignore[no-untyped-def]
    login(client, make_user(role))
    assert client.get(url(bare)).status_code == 403
    assert client.post(url(bare, "/freeze-now")).status_code == 403
    assert client.post(url(bare, "/visibility"), data={
        "visibility-visibility": "hidden"}).status_code == 403
    assert client.post(board_url(bare, "ceremony/start"), data={
        f"reveal-{bare.project.id}-{bare.division.id}-mode": "rank",
        f"reveal-{bare.project.id}-{bare.division.id}-confirm": "y"}).status_code == 403
    db.session.expire_all()
    assert (bare.competition.freeze_at, bare.competition.visibility) == (None, Visibility.LIVE)
    assert db.session.scalar(select(BoardState.reveal_mode)) is None


def test_a_spectator_is_sent_to_sign_in(bare: Bare, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(url(bare))
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    assert client.post(url(bare, "/publish")).status_code == 302
    db.session.expire_all()
    assert bare.competition.published_at is None


def test_a_post_without_the_csrf_token_is_refused(app, bare: Bare, organiser_client) -> None:  # type: ignore[no-untyped-def]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert organiser_client.post(url(bare, "/freeze-now")).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert bare.competition.freeze_at is None


# ------------------------------------------------------------------ the page


def test_the_page_shows_the_staff_board_and_the_undecided_tie(tied: Ceremony,
                                                              organiser_client) -> None:
    html = organiser_client.get(url(tied)).get_data(as_text=True)
    for name in ("张伟", "赵磊", "黄敏"):
        assert name in html
    undecided = re.findall(r'data-competitor="(\d+)"[^>]*data-undecided', html)
    assert sorted(map(int, undecided)) == sorted(
        [tied.by_name["赵磊"].id, tied.by_name["黄敏"].id])
    assert 'data-problem="undecided_tie"' in html
    assert 'data-tie-form' in html
    assert 'data-action="start-rank"' in html and "disabled" in html
    # The competition's tabs lead here.
    overview = organiser_client.get(f"/organiser/competitions/{tied.competition.id}")
    assert url(tied) in overview.get_data(as_text=True)


# ------------------------------------------------------------------ visibility and freeze


def test_visibility_is_saved_and_a_bad_value_is_shown_on_its_field(bare: Bare,
                                                                   organiser_client) -> None:
    response = organiser_client.post(url(bare, "/visibility"),
                                     data={"visibility-visibility": "everything"})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "visibility-visibility")
    db.session.expire_all()
    assert bare.competition.visibility is Visibility.LIVE
    response = organiser_client.post(url(bare, "/visibility"),
                                     data={"visibility-visibility": "progress"})
    assert response.status_code == 302 and response.location.endswith("#public")
    db.session.expire_all()
    assert bare.competition.visibility is Visibility.PROGRESS


def test_a_freeze_time_is_read_in_the_events_time_zone(bare: Bare, organiser_client) -> None:
    response = organiser_client.post(url(bare, "/freeze"),
                                     data={"freeze-freeze_at": "2026-05-20T16:30"})
    assert response.status_code == 302
    db.session.expire_all()
    assert bare.competition.freeze_at == datetime(2026, 5, 20, 8, 30, tzinfo=UTC)  # Shanghai
    html = organiser_client.get(url(bare)).get_data(as_text=True)
    assert 'value="2026-05-20T16:30"' in html and "2026-05-20 16:30" in html
    assert 'data-phase="frozen"' in html


def test_a_bad_freeze_time_is_refused_next_to_the_field(bare: Bare, organiser_client) -> None:
    for bad in ("", "next tuesday", "2026-13-40T25:99"):
        response = organiser_client.post(url(bare, "/freeze"), data={"freeze-freeze_at": bad})
        assert response.status_code == 200
        assert field_error(response.get_data(as_text=True), "freeze-freeze_at"), bad
    db.session.expire_all()
    assert bare.competition.freeze_at is None


def test_freeze_now_and_unfreeze(bare: Bare, organiser_client) -> None:
    assert organiser_client.post(url(bare, "/freeze-now")).status_code == 302
    db.session.expire_all()
    assert bare.competition.freeze_at is not None
    html = organiser_client.get(url(bare)).get_data(as_text=True)
    assert 'data-action="unfreeze"' in html
    assert organiser_client.post(url(bare, "/unfreeze")).status_code == 302
    db.session.expire_all()
    assert bare.competition.freeze_at is None
    assert [a.action for a in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("results.%")))] == ["results.freeze", "results.unfreeze"]


# ------------------------------------------------------------------ publication


def test_publishing_with_problems_needs_the_box_and_a_reason(c: Ceremony,
                                                             organiser_client) -> None:
    response = organiser_client.post(url(c, "/publish"), data={})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and field_error(html, "publish-force")
    response = organiser_client.post(url(c, "/publish"), data={"publish-force": "y",
                                                                "publish-reason": "ok"})
    assert field_error(response.get_data(as_text=True), "publish-reason")
    db.session.expire_all()
    assert c.competition.published_at is None
    response = organiser_client.post(url(c, "/publish"), data={
        "publish-force": "y", "publish-reason": "颁奖典礼时间已到"})
    assert response.status_code == 302
    db.session.expire_all()
    assert c.competition.published_at is not None
    html = organiser_client.get(url(c)).get_data(as_text=True)
    assert 'data-phase="published"' in html and 'data-action="publish"' not in html


def test_a_refusal_after_publication_is_explained(c: Ceremony, organiser_client) -> None:
    sign_off(c)
    ceremony.publish(c.competition)
    english(organiser_client)
    response = organiser_client.post(url(c, "/freeze-now"), follow_redirects=True)
    assert "The results are published and final" in response.get_data(as_text=True)
    db.session.expire_all()
    assert c.competition.freeze_at is None


# ------------------------------------------------------------------ the ceremony


def test_the_ceremony_from_the_console(c: Ceremony, organiser_client) -> None:
    mode = f"reveal-{c.project.id}-{c.division.id}-mode"
    confirm = f"reveal-{c.project.id}-{c.division.id}-confirm"
    response = organiser_client.post(board_url(c, "ceremony/start"), data={mode: "rank"})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), confirm)
    assert db.session.scalar(select(BoardState.reveal_mode)) is None
    response = organiser_client.post(board_url(c, "ceremony/start"),
                                     data={mode: "rank", confirm: "y"})
    assert response.status_code == 302
    assert response.location.endswith(f"#board-{c.project.id}-{c.division.id}")
    html = organiser_client.get(url(c)).get_data(as_text=True)
    assert "No place revealed yet." in html or 'data-public-sees' in html
    assert re.search(r"data-next-reveal>[^<]*<strong>黄敏</strong>", html)
    organiser_client.post(board_url(c, "ceremony/next"))
    organiser_client.post(board_url(c, "ceremony/next"))
    html = organiser_client.get(url(c)).get_data(as_text=True)
    sees = re.search(r"data-public-sees>(.*?)</ul>", html, re.S).group(1)
    assert "赵磊" in sees and "黄敏" in sees and "张伟" not in sees
    assert len(re.findall("data-public-row", html)) == 2
    assert re.search(r"data-next-reveal>[^<]*<strong>杨帆</strong>", html)
    organiser_client.post(board_url(c, "ceremony/previous"))
    assert db.session.scalar(select(BoardState.reveal_step)) == 1
    organiser_client.post(board_url(c, "ceremony/end"))
    db.session.expire_all()
    assert db.session.scalar(select(BoardState.reveal_mode)) is None


def test_a_step_past_the_end_is_explained_and_changes_nothing(bare: Bare,
                                                              organiser_client) -> None:
    english(organiser_client)
    response = organiser_client.post(board_url(bare, "ceremony/next"), follow_redirects=True)
    assert "This board has no ceremony running." in response.get_data(as_text=True)


def test_another_projects_division_is_not_found(bare: Bare, organiser_client) -> None:
    other = builders.project(bare.competition, code="G02", name="焊接")
    response = organiser_client.post(
        f"/organiser/projects/{bare.project.id}/divisions/{other.divisions[0].id}/ceremony/next")
    assert response.status_code == 404


# ------------------------------------------------------------------ ties


def test_the_chiefs_decision_from_the_console(tied: Ceremony, organiser_client) -> None:
    zhao, huang = tied.by_name["赵磊"], tied.by_name["黄敏"]
    key = min(zhao.id, huang.id)
    prefix = f"tie-{tied.project.id}-{tied.division.id}-{key}"
    target = board_url(tied, f"ties/{key}")
    response = organiser_client.post(target, data={
        f"{prefix}-order-0": huang.id, f"{prefix}-order-1": huang.id,
        f"{prefix}-reason": "裁判长复核决定"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and field_error(html, f"{prefix}-order")
    response = organiser_client.post(target, data={
        f"{prefix}-order-0": huang.id, f"{prefix}-order-1": zhao.id, f"{prefix}-reason": "好"})
    assert field_error(response.get_data(as_text=True), f"{prefix}-reason")
    db.session.expire_all()
    assert db.session.get(Competitor, huang.id).tie_position is None
    response = organiser_client.post(target, data={
        f"{prefix}-order-0": huang.id, f"{prefix}-order-1": zhao.id,
        f"{prefix}-reason": "裁判长复核决定"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (db.session.get(Competitor, huang.id).tie_position,
            db.session.get(Competitor, zhao.id).tie_position) == (1, 2)
    html = organiser_client.get(url(tied)).get_data(as_text=True)
    assert "data-undecided" not in html


def test_a_tie_that_is_gone_is_explained(bare: Bare, organiser_client) -> None:
    english(organiser_client)
    response = organiser_client.post(board_url(bare, "ties/999999"), data={},
                                     follow_redirects=True)
    assert "no longer tied" in response.get_data(as_text=True)


# ------------------------------------------------------------------ settings


def test_ranking_settings_errors_are_shown_on_their_fields(c: Ceremony,
                                                           organiser_client) -> None:
    english(organiser_client)
    prefix = f"ranking-{c.project.id}"
    target = f"/organiser/projects/{c.project.id}/results/ranking"
    good = {f"{prefix}-tie_break_chain": "judgement,chief", f"{prefix}-scale_centre": "700",
            f"{prefix}-scale_k": "20"}
    response = organiser_client.post(target, data={**good,
                                                   f"{prefix}-tie_break_chain": "luck"})
    assert "Use the steps judgement" in field_error(response.get_data(as_text=True),
                                                    f"{prefix}-tie_break_chain")
    response = organiser_client.post(target, data={**good,
                                                   f"{prefix}-tie_break_chain": "module:Q"})
    assert field_error(response.get_data(as_text=True), f"{prefix}-tie_break_chain") == \
        "This project has no module Q."
    response = organiser_client.post(target, data={**good, f"{prefix}-scale_k": "0"})
    assert field_error(response.get_data(as_text=True), f"{prefix}-scale_k")
    db.session.expire_all()
    assert c.project.tie_break_chain == "judgement,completion,chief"
    response = organiser_client.post(target, data={
        **good, f"{prefix}-tie_break_chain": "Module:a, judgement, chief",
        f"{prefix}-use_scale": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (c.project.tie_break_chain, c.project.use_scale) == ("module:A,judgement,chief", True)


def test_the_classic_fields_appear_only_for_a_classic_project(bare: Bare,
                                                              organiser_client) -> None:
    prefix = f"ranking-{bare.project.id}"
    assert f"{prefix}-theory_weight" not in organiser_client.get(url(bare)).get_data(as_text=True)
    from app.domain.vocabulary import MarkingMethod

    bare.project.marking_method = MarkingMethod.CLASSIC
    db.session.commit()
    assert f'name="{prefix}-theory_weight"' in organiser_client.get(url(bare)).get_data(
        as_text=True)
    target = f"/organiser/projects/{bare.project.id}/results/ranking"
    response = organiser_client.post(target, data={
        f"{prefix}-tie_break_chain": "judgement,chief", f"{prefix}-scale_centre": "700",
        f"{prefix}-scale_k": "20", f"{prefix}-theory_weight": "30",
        f"{prefix}-theory_pass": "60", f"{prefix}-practical_pass": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert (bare.project.theory_weight, bare.project.practical_pass) == (0.3, None)


def test_award_settings(bare: Bare, organiser_client) -> None:
    good = {"awards-medal_count": "3", "awards-merit_award": "none", "awards-points_gold": "5",
            "awards-points_silver": "3", "awards-points_bronze": "2", "awards-points_merit": "1"}
    response = organiser_client.post(url(bare, "/awards"), data={**good,
                                                             "awards-medal_count": "5"})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "awards-medal_count")
    db.session.expire_all()
    assert bare.competition.merit_award == "top_half"
    assert organiser_client.post(url(bare, "/awards"), data=good).status_code == 302
    db.session.expire_all()
    assert (bare.competition.merit_award, bare.competition.points_gold) == ("none", 5)


# ------------------------------------------------------------------ screens


def test_screens_are_added_and_pointed(bare: Bare, organiser_client) -> None:
    board = f"{bare.project.id}:{bare.division.id}"
    new = {"screen-new-name": "主屏", "screen-new-show": "ceremony", "screen-new-board": "",
           "screen-new-rotate_seconds": "15"}
    response = organiser_client.post(url(bare, "/screens"), data=new)
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "screen-new-board")
    assert db.session.scalar(select(Screen)) is None
    assert organiser_client.post(url(bare, "/screens"), data={
        **new, "screen-new-board": board}).status_code == 302
    screen = db.session.scalar(select(Screen))
    assert (screen.name, screen.show, screen.project_id, screen.division_id) == (
        "主屏", "ceremony", bare.project.id, bare.division.id)
    response = organiser_client.post(url(bare, "/screens"), data={**new, "screen-new-board": board})
    assert field_error(response.get_data(as_text=True), "screen-new-name")  # the name is taken
    assert organiser_client.post(url(bare, f"/screens/{screen.id}"), data={
        f"screen-{screen.id}-show": "medals", f"screen-{screen.id}-board": "",
        f"screen-{screen.id}-rotate_seconds": "20"}).status_code == 302
    db.session.expire_all()
    assert (screen.name, screen.show, screen.project_id) == ("主屏", "medals", None)
    assert db.session.query(Screen).count() == 1
