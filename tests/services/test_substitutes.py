"""Substitute judges: the queue of competitors whose panel is short because of conflicts of
interest, and naming a judge who may stand in (and only such a judge)."""

import pytest
from sqlalchemy import select

from app.domain.vocabulary import JudgeRole, UserRole
from app.extensions import db
from app.models import AuditEvent, Substitute
from app.realtime.publisher import judge_room, project_room
from app.services import judging, substitutes
from app.services.errors import ServiceError
from tests import builders
from tests.chief_builders import add_judge, cheap_passwords, other_project, record_pushes, score


@pytest.fixture
def s(app, monkeypatch):  # type: ignore[no-untyped-def]
    cheap_passwords(monkeypatch)
    return builders.judging_setup()


@pytest.fixture
def pushes(monkeypatch):  # type: ignore[no-untyped-def]
    return record_pushes(monkeypatch)


def test_a_conflict_that_leaves_the_panel_short_is_queued(s) -> None:  # type: ignore[no-untyped-def]
    # Judge 1 shares 浦东新区 with competitor 2, so only 2 of 3 may score them.
    spare = add_judge(s, "替补裁判", delegation="闵行区")  # 闵行区 = competitor 1's, not 2's
    (gap,) = substitutes.conflicts_needing_substitute(s.project)
    assert gap.competitor.id == s.competitors[1].id
    assert gap.label == "02 李娜"
    assert [j.id for j in gap.conflicted] == [s.judges[0].id]
    assert (gap.available, gap.needed) == (2, 1)
    # Not the panel, not the chief judge, not anyone else from 浦东新区.
    add_judge(s, "浦东裁判", delegation="浦东新区")
    candidates = [j.id for j in substitutes.conflicts_needing_substitute(s.project)[0].candidates]
    assert candidates == [spare.id]


def test_a_competitor_with_a_full_panel_is_not_queued(s) -> None:  # type: ignore[no-untyped-def]
    s.project.panel_size = 2
    db.session.commit()
    assert substitutes.conflicts_needing_substitute(s.project) == []


def test_a_substitute_closes_the_gap_and_scores_in_place_of_the_conflicted_judge(s, pushes) -> None:  # type: ignore[no-untyped-def]
    spare = add_judge(s, "替补裁判", delegation="静安区")
    row = substitutes.assign_substitute(s.chief, s.competitors[1], spare)
    assert (row.competitor_id, row.judge_id, row.assigned_by) == (
        s.competitors[1].id, spare.id, s.chief.id)
    assert substitutes.conflicts_needing_substitute(s.project) == []
    assert judging.may_score(spare, s.competitors[1])
    assert not judging.may_score(spare, s.competitors[0])  # only the one they replace for
    assert pushes.named("reassigned") == [("/judge", "reassigned", {}, judge_room(spare.id))]
    assert pushes.named("substitute") == [
        ("/staff", "substitute", {"competitor_id": s.competitors[1].id, "judge_id": spare.id},
         project_room(s.project.id))]
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "substitute"))
    assert audit is not None and audit.details["judge_id"] == spare.id
    # The panel is complete again: two panel judges and the substitute.
    for user in [s.users[1], s.users[2], spare.user]:
        ack = score(user, s.competitors[1], s.j_aspect, 2)
    assert ack["status"] == "submitted"


def test_the_substitute_must_be_able_to_stand_in(s, make_user) -> None:  # type: ignore[no-untyped-def]
    target = s.competitors[1]
    other_comp = builders.competition("另一赛事")
    foreign = add_judge(s, "外赛裁判", delegation="静安区")
    foreign.competition_id = other_comp.id
    db.session.commit()
    organiser_account = add_judge(s, "组委会裁判", role=UserRole.ORGANISER)
    cases = {
        "conflict_of_interest": add_judge(s, "浦东裁判", delegation="浦东新区"),
        "other_competition": foreign,
        "already_on_panel": s.judges[1],
        "not_a_marker": add_judge(s, "监督", delegation="静安区", assign=JudgeRole.SUPERVISOR),
        "cannot_score": organiser_account,
    }
    for code, judge in cases.items():
        with pytest.raises(ServiceError) as refused:
            substitutes.assign_substitute(s.chief, target, judge)
        assert (refused.value.code, refused.value.field) == (code, "judge_id"), code
    assert db.session.scalar(select(Substitute)) is None


def test_no_second_substitute_once_the_panel_is_complete(s) -> None:  # type: ignore[no-untyped-def]
    first = add_judge(s, "替补甲", delegation="静安区")
    second = add_judge(s, "替补乙", delegation="静安区")
    substitutes.assign_substitute(s.chief, s.competitors[1], first)
    for judge, code in [(first, "already_substitute"), (second, "not_needed")]:
        with pytest.raises(ServiceError) as refused:
            substitutes.assign_substitute(s.chief, s.competitors[1], judge)
        assert refused.value.code == code
    # Competitor 1 has no conflict at all: nothing to fill.
    with pytest.raises(ServiceError) as refused:
        substitutes.assign_substitute(s.chief, s.competitors[0], second)
    assert refused.value.code == "not_needed"
    assert len(db.session.scalars(select(Substitute)).all()) == 1


@pytest.mark.parametrize("who", ["judge", "supervisor", "organiser", "other_chief"])
def test_only_the_projects_chief_judge_names_substitutes(s, make_user, who) -> None:  # type: ignore[no-untyped-def]
    spare = add_judge(s, "替补裁判", delegation="静安区")
    user = {"judge": lambda: s.users[1], "supervisor": lambda: make_user(UserRole.SUPERVISOR),
            "organiser": lambda: make_user(UserRole.ORGANISER),
            "other_chief": lambda: other_project(s)[1]}[who]()
    with pytest.raises(ServiceError) as refused:
        substitutes.assign_substitute(user, s.competitors[1], spare)
    assert refused.value.code == "forbidden"
    assert db.session.scalar(select(Substitute)) is None
