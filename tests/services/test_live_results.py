"""Marks become results: stored totals, the public board through the read model, and the
live feed's deltas and event log."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.domain.vocabulary import Visibility
from app.extensions import db
from app.models import CompetitorResult, LiveEvent
from app.models.base import utcnow
from app.realtime.live import coalescer
from app.services import live_feed, public_view, results
from app.services.marking import submit_mark
from tests.builders import JudgingSetup, judging_setup


@pytest.fixture
def setup(app) -> JudgingSetup:
    return judging_setup()


def mark(setup: JudgingSetup, judge: int, competitor: int, aspect, **value) -> dict:
    return submit_mark(setup.users[judge], {
        "client_id": str(uuid.uuid4()), "competitor_id": setup.competitors[competitor].id,
        "aspect_id": aspect.id, **value})


def score_all(setup: JudgingSetup) -> None:
    """Competitor 0 (张伟) gets J=2 from the whole panel (20) and M full (30); competitor 1
    (李娜), whom judge 0 may not score, gets M=15 only."""
    for judge in range(3):
        mark(setup, judge, 0, setup.j_aspect, score=2)
    mark(setup, 1, 0, setup.m_aspect, value=30.0)
    mark(setup, 1, 1, setup.m_aspect, value=15.0)


def test_a_mark_refreshes_the_competitors_stored_totals(setup):
    score_all(setup)
    first = db.session.get(CompetitorResult, setup.competitors[0].id)
    assert (first.total, first.judgement_total, first.aspects_counted) == (50.0, 20.0, 2)
    assert first.module_totals == {"A": 50.0, "B": 0.0}
    assert first.aspects_expected == 3


def test_the_public_board_ranks_live_and_the_feed_sends_only_what_changed(setup):
    score_all(setup)
    division = setup.project.divisions[0]
    coalescer().flush()
    snapshot = live_feed.board_snapshot(setup.project, division)
    rows = snapshot.data["rows"]
    assert [(r["name"], r["rank"], r["total"], r["award"]) for r in rows] == [
        ("张伟", 1, 50.0, "gold"), ("李娜", 2, 15.0, "silver")]

    mark(setup, 2, 1, setup.b_aspect, value=40.0)  # 李娜 overtakes
    coalescer().flush()
    event = db.session.query(LiveEvent).filter_by(event="board_update").order_by(
        LiveEvent.seq.desc()).first()
    assert {r["name"]: (r["rank"], r["move"]) for r in event.data["upsert"]} == {
        "李娜": (1, 1), "张伟": (2, -1)}
    after = live_feed.board_snapshot(setup.project, division)
    assert live_feed.apply_delta(snapshot.data, event.data) == after.data
    assert after.seq > snapshot.seq


def test_a_frozen_board_keeps_showing_the_marks_as_they_stood(setup):
    score_all(setup)
    division = setup.project.divisions[0]
    setup.competition.freeze_at = utcnow()
    db.session.commit()
    mark(setup, 2, 1, setup.b_aspect, value=40.0)  # after the freeze
    public = public_view.public_board(setup.project, division)
    assert public.phase is public_view.Phase.FROZEN
    assert [(line.name, line.total) for line in public.lines] == [("张伟", 50.0), ("李娜", 15.0)]
    staff = results.board(setup.project, division)
    assert [(line.name, line.total) for line in staff.lines] == [("李娜", 55.0), ("张伟", 50.0)]


def test_progress_only_and_hidden_show_no_ranks(setup):
    score_all(setup)
    division = setup.project.divisions[0]
    setup.competition.visibility = Visibility.PROGRESS
    db.session.commit()
    progress = public_view.board_payload(public_view.public_board(setup.project, division))
    assert progress["rows"] == [] and progress["progress"]["counted"] == 3
    setup.competition.visibility = Visibility.HIDDEN
    db.session.commit()
    hidden = public_view.board_payload(public_view.public_board(setup.project, division))
    assert hidden["rows"] == [] and hidden["progress"] is None
    setup.competition.published_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    published = public_view.board_payload(public_view.public_board(setup.project, division))
    assert [r["name"] for r in published["rows"]] == ["张伟", "李娜"]


def test_the_competition_form_cannot_change_visibility_once_published(setup):
    from app.services import organising
    from app.services.errors import ServiceError

    organising.save_competition(setup.competition, {"visibility": Visibility.PROGRESS})
    assert setup.competition.visibility is Visibility.PROGRESS
    setup.competition.published_at = utcnow()
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        organising.save_competition(setup.competition, {"visibility": Visibility.HIDDEN})
    assert refused.value.code == "published_final"
    db.session.rollback()
    assert setup.competition.visibility is Visibility.PROGRESS


def test_every_board_at_once_equals_each_board_alone(setup):
    score_all(setup)
    together = results.competition_boards(setup.competition)
    alone = [results.board(p, d) for p, d in results.boards_of(setup.competition)]
    assert [b.lines for b in together] == [b.lines for b in alone]
    assert any(line.rank == 1 for b in together for line in b.lines)


def test_withdrawing_a_competitor_takes_them_off_the_ranks(setup):
    from app.domain.vocabulary import CompetitorStatus
    from app.services import people

    score_all(setup)
    first = setup.competitors[0]
    values = {"name": first.name, "project_id": first.project_id,
              "division_id": first.division_id, "delegation_id": first.delegation_id,
              "employer": first.employer, "current_level": 3, "occupation": "",
              "workstation": first.workstation, "team_code": None,
              "status": CompetitorStatus.WITHDRAWN, "theory_score": None, "completed_at": None}
    people.save_competitor(setup.competition, first, values, None)
    board = results.board(setup.project, setup.project.divisions[0])
    assert [(line.name, line.rank) for line in board.lines] == [("李娜", 1), ("张伟", None)]
