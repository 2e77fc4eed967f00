"""The organiser's side of results (app.services.ceremony): visibility, freeze, the
ceremony step by step in both modes, tie decisions, settings and publication, with what
the public read model shows after each, and the audit rows each leaves."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.domain.vocabulary import MarkingMethod, Visibility
from app.extensions import db
from app.models import AuditEvent, BoardState, Competitor, CompetitorResult, Division, Module
from app.models.base import utcnow
from app.realtime.live import coalescer
from app.services import ceremony, live_feed, people, public_view, results, signoff
from app.services.errors import ServiceError
from app.services.marking import submit_mark
from app.services.public_view import Phase
from tests import builders
from tests.builders import JudgingSetup, judging_setup

# name, judgement score from each of the three judges (×10 marks), M aspect, B aspect.
FIELD = [
    ("张伟", 3, 30.0, 40.0),  # 100  gold
    ("李娜", 2, 30.0, 40.0),  # 90   silver
    ("王芳", 3, 15.0, 40.0),  # 85   bronze
    ("刘洋", 1, 30.0, 40.0),  # 80   优胜奖 (rank 4 = ceil(8 / 2))
    ("陈静", 2, 15.0, 40.0),  # 75
    ("杨帆", 0, 30.0, 40.0),  # 70
    ("赵磊", 1, 15.0, 40.0),  # 65
    ("黄敏", 0, 15.0, 40.0),  # 55   (65 with tie=True: the same marks as 赵磊)
]
BEST_FIRST = [name for name, *_ in FIELD]


@dataclass
class Ceremony:
    setup: JudgingSetup
    division: Division
    by_name: dict[str, Competitor]

    @property
    def project(self):  # type: ignore[no-untyped-def]
        return self.setup.project

    @property
    def competition(self):  # type: ignore[no-untyped-def]
        return self.setup.competition

    def modules(self) -> list[Module]:
        return [self.setup.j_aspect.module, self.setup.b_aspect.module]


def scored_board(tie: bool = False) -> Ceremony:
    """Eight competitors of one board, every aspect marked through the real mark path.
    With `tie`, 黄敏 gets 赵磊's marks: a tie the whole chain cannot separate."""
    s = judging_setup()
    division = s.project.divisions[0]
    minhang = s.competitors[0].delegation
    xuhui, huangpu = builders.delegation(s.competition, "徐汇区"), \
        builders.delegation(s.competition, "黄浦区")
    s.competitors[1].delegation_id = minhang.id  # no conflicts: every judge marks everyone
    db.session.commit()
    competitors = list(s.competitors)
    for i, (name, *_) in enumerate(FIELD[2:]):
        competitors.append(people.save_competitor(s.competition, None, {
            "name": name, "project_id": s.project.id, "division_id": division.id,
            "delegation_id": (xuhui, huangpu)[i % 2].id, "employer": "", "current_level": 3,
            "occupation": "", "workstation": f"{i + 3:02d}", "team_code": None},
            builders.valid_id_number(400 + i)))
    rows = list(FIELD)
    if tie:
        rows[-1] = ("黄敏", 1, 15.0, 40.0)
    for competitor, (_, score, m_value, b_value) in zip(competitors, rows, strict=True):
        for judge in range(3):
            _mark(s, judge, competitor, s.j_aspect, score=score)
        _mark(s, 1, competitor, s.m_aspect, value=m_value)
        _mark(s, 1, competitor, s.b_aspect, value=b_value)
    return Ceremony(s, division, {c.name: c for c in competitors})


def _mark(s: JudgingSetup, judge: int, competitor: Competitor, aspect, **value) -> None:  # type: ignore[no-untyped-def]
    submit_mark(s.users[judge], {"client_id": str(uuid.uuid4()), "competitor_id": competitor.id,
                                 "aspect_id": aspect.id, **value})


def sign_off(c: Ceremony) -> None:
    for module in c.modules():
        assert signoff.lock_module(c.setup.chief, module) == []


def shown(c: Ceremony) -> list[str]:
    """The names the public sees on the board, best first."""
    board = public_view.public_board(c.project, c.division)
    return [line.name for line in sorted(board.lines, key=lambda line: line.rank or 0)]


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def refuses(code: str, call, *args, **kwargs) -> ServiceError:  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.params
    return caught.value


@pytest.fixture
def c(app) -> Ceremony:  # type: ignore[no-untyped-def]
    return scored_board()


# ------------------------------------------------------------------ visibility and freeze


def test_visibility_changes_what_the_live_audience_is_sent(c: Ceremony) -> None:
    coalescer().flush()
    assert live_feed.board_snapshot(c.project, c.division).data["phase"] == "live"
    ceremony.set_visibility(c.competition, Visibility.PROGRESS)
    coalescer().flush()  # only boards the use case queued are flushed
    snapshot = live_feed.board_snapshot(c.project, c.division).data
    assert snapshot["phase"] == "progress" and snapshot["rows"] == []
    [row] = audit_rows("results.visibility")
    assert row.details == {"before": "live", "after": "progress"}
    assert row.competition_id == c.competition.id
    refuses("invalid", ceremony.set_visibility, c.competition, "everything")


def test_freeze_now_keeps_the_public_board_while_staff_see_new_marks(c: Ceremony) -> None:
    ceremony.set_freeze(c.competition, utcnow())
    coalescer().flush()
    assert live_feed.board_snapshot(c.project, c.division).data["phase"] == "frozen"
    # 黄敏 is re-marked to 100 after the freeze: staff see it, the public does not.
    for judge in range(3):
        _mark(c.setup, judge, c.by_name["黄敏"], c.setup.j_aspect, score=3)
    _mark(c.setup, 1, c.by_name["黄敏"], c.setup.m_aspect, value=30.0)
    assert shown(c) == BEST_FIRST
    staff = [line.name for line in results.board(c.project, c.division).lines]
    assert staff.index("黄敏") == 1  # 100, after 张伟 on the judgement tie-break (both 30)
    ceremony.set_freeze(c.competition, None)
    assert public_view.competition_phase(c.competition) is Phase.LIVE
    assert shown(c).index("黄敏") == 1
    assert [r.action for r in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("results.%freeze")).order_by(AuditEvent.id))] == [
        "results.freeze", "results.unfreeze"]


def test_a_freeze_time_must_carry_its_time_zone_and_a_later_one_is_scheduled(c) -> None:  # type: ignore[no-untyped-def]
    refuses("invalid", ceremony.set_freeze, c.competition, datetime(2026, 1, 1, 12, 0))
    ceremony.set_freeze(c.competition, utcnow() + timedelta(hours=1))
    assert public_view.competition_phase(c.competition) is Phase.LIVE
    assert public_view.competition_phase(c.competition, utcnow() + timedelta(hours=2)) \
        is Phase.FROZEN


# ------------------------------------------------------------------ the ceremony


def test_rank_mode_unveils_from_the_bottom_up_one_place_per_step(c: Ceremony) -> None:
    sign_off(c)
    ceremony.set_freeze(c.competition, utcnow())
    ceremony.start_reveal(c.project, c.division, public_view.RANK)
    board = public_view.public_board(c.project, c.division)
    assert (board.phase, board.reveal_step, board.reveal_steps, board.pending) == (
        Phase.CEREMONY, 0, 8, 8)
    assert shown(c) == []
    for step in range(1, 9):
        assert ceremony.next_step(c.project, c.division) == step
        assert shown(c) == BEST_FIRST[8 - step:], step
    refuses("last_step", ceremony.next_step, c.project, c.division)
    assert ceremony.previous_step(c.project, c.division) == 7  # a mis-click, taken back
    assert shown(c) == BEST_FIRST[1:]
    steps = [r.details["step"] for r in audit_rows("ceremony.next")]
    assert steps == list(range(1, 9))
    assert audit_rows("ceremony.previous")[0].details["step"] == 7


def test_award_mode_unveils_merit_then_bronze_silver_gold(c: Ceremony) -> None:
    sign_off(c)
    ceremony.start_reveal(c.project, c.division, public_view.AWARD)
    assert public_view.public_board(c.project, c.division).reveal_steps == 4
    expected = [["刘洋"], ["王芳", "刘洋"], ["李娜", "王芳", "刘洋"],
                ["张伟", "李娜", "王芳", "刘洋"]]
    for step, names in enumerate(expected, start=1):
        ceremony.next_step(c.project, c.division)
        assert shown(c) == names, step
    awards = {line.name: line.award.value
              for line in public_view.public_board(c.project, c.division).lines}
    assert awards == {"张伟": "gold", "李娜": "silver", "王芳": "bronze", "刘洋": "excellence"}
    refuses("last_step", ceremony.next_step, c.project, c.division)


def test_the_live_audience_is_sent_each_step(c: Ceremony) -> None:
    sign_off(c)
    coalescer().flush()
    ceremony.start_reveal(c.project, c.division, public_view.RANK)
    coalescer().flush()
    data = live_feed.board_snapshot(c.project, c.division).data
    assert data["phase"] == "ceremony" and data["rows"] == []
    assert data["ceremony"] == {"mode": "rank", "step": 0, "steps": 8, "pending": 8}
    ceremony.next_step(c.project, c.division)
    ceremony.next_step(c.project, c.division)
    coalescer().flush()
    data = live_feed.board_snapshot(c.project, c.division).data
    assert [r["name"] for r in data["rows"]] == ["赵磊", "黄敏"]
    assert data["ceremony"]["pending"] == 6
    # The medal table counts only what the boards show: nobody with a medal yet.
    medals = live_feed.medals_payload(c.competition)["rows"]
    assert [(r["gold"], r["silver"], r["bronze"], r["merit"]) for r in medals] == [(0, 0, 0, 0)] * 2


def test_ending_the_ceremony_returns_the_board_to_the_competitions_phase(c: Ceremony) -> None:
    sign_off(c)
    ceremony.set_freeze(c.competition, utcnow())
    ceremony.start_reveal(c.project, c.division, public_view.AWARD)
    ceremony.next_step(c.project, c.division)
    ceremony.end_reveal(c.project, c.division)
    board = public_view.public_board(c.project, c.division)
    assert board.phase is Phase.FROZEN and len(board.lines) == 8
    state = db.session.scalar(select(BoardState))
    assert (state.reveal_mode, state.reveal_step) == (None, 0)
    [row] = audit_rows("ceremony.end")
    assert row.details["step"] == 1
    refuses("no_ceremony", ceremony.end_reveal, c.project, c.division)
    refuses("no_ceremony", ceremony.next_step, c.project, c.division)


def test_a_ceremony_waits_for_sign_off_unless_the_organiser_confirms(c: Ceremony) -> None:
    error = refuses("not_signed_off", ceremony.start_reveal, c.project, c.division, "rank")
    assert error.params["modules"] == ["A", "B"] and error.field == "confirm"
    assert db.session.scalar(select(BoardState.reveal_mode)) is None  # nothing stored
    assert audit_rows("ceremony.start") == []
    ceremony.start_reveal(c.project, c.division, "rank", confirm_unsigned=True)
    [row] = audit_rows("ceremony.start")
    assert row.details == {"division": "employee", "mode": "rank", "unsigned_modules": ["A", "B"]}
    refuses("ceremony_running", ceremony.start_reveal, c.project, c.division, "award",
            confirm_unsigned=True)
    refuses("first_step", ceremony.previous_step, c.project, c.division)


def test_a_ceremony_refuses_a_bad_mode_and_another_projects_division(c: Ceremony) -> None:
    refuses("invalid", ceremony.start_reveal, c.project, c.division, "alphabetical")
    other = builders.project(c.competition, code="G02", name="焊接")
    refuses("division_not_in_project", ceremony.start_reveal, c.project, other.divisions[0],
            "rank", confirm_unsigned=True)


# ------------------------------------------------------------------ ties


@pytest.fixture
def tied(app) -> Ceremony:  # type: ignore[no-untyped-def]
    return scored_board(tie=True)


def test_an_undecided_tie_blocks_the_ceremony_and_publication(tied: Ceremony) -> None:
    sign_off(tied)
    refuses("undecided_tie", ceremony.start_reveal, tied.project, tied.division, "rank")
    error = refuses("undecided_tie", ceremony.publish, tied.competition, force=True,
                    reason="时间到了，必须公布")
    assert error.params["names"] == ["赵磊", "黄敏"]
    db.session.expire_all()
    assert tied.competition.published_at is None
    assert audit_rows("results.publish") == []


def test_the_chiefs_decision_orders_the_tie_and_is_audited(tied: Ceremony) -> None:
    zhao, huang = tied.by_name["赵磊"], tied.by_name["黄敏"]
    [group] = ceremony.tie_groups(tied.project, tied.division)
    assert [line.name for line in group] == ["赵磊", "黄敏"]  # by id until decided
    assert all(line.tie.undecided for line in group)
    ceremony.record_tie_decision(tied.project, tied.division, [huang.id, zhao.id],
                                 "裁判长复核：黄敏完成质量更高")
    lines = results.board(tied.project, tied.division).lines
    assert [(line.name, line.tie.step, line.tie.undecided) for line in lines[6:]] == [
        ("黄敏", "chief", False), ("赵磊", "chief", False)]
    [row] = audit_rows("results.tie_decision")
    assert row.details["order"] == [huang.id, zhao.id]
    assert row.details["names"] == ["黄敏", "赵磊"]
    assert row.details["reason"] == "裁判长复核：黄敏完成质量更高"
    # A decided tie may still be corrected before publication, and the ceremony may start.
    ceremony.record_tie_decision(tied.project, tied.division, [zhao.id, huang.id], "更正录入错误")
    assert [line.name for line in results.board(tied.project, tied.division).lines[6:]] == [
        "赵磊", "黄敏"]
    assert audit_rows("results.tie_decision")[1].details["before"] == {
        str(huang.id): 1, str(zhao.id): 2}
    ceremony.start_reveal(tied.project, tied.division, "rank", confirm_unsigned=True)


def test_a_tie_decision_must_name_exactly_the_tie_with_a_reason(tied: Ceremony) -> None:
    zhao, huang, zhang = (tied.by_name[n] for n in ("赵磊", "黄敏", "张伟"))
    refuses("reason_required", ceremony.record_tie_decision, tied.project, tied.division,
            [huang.id, zhao.id], "  好 ")
    refuses("order_repeats", ceremony.record_tie_decision, tied.project, tied.division,
            [huang.id, huang.id], "裁判长决定")
    refuses("not_a_tie", ceremony.record_tie_decision, tied.project, tied.division,
            [huang.id], "裁判长决定")
    refuses("not_a_tie", ceremony.record_tie_decision, tied.project, tied.division,
            [huang.id, zhang.id], "裁判长决定")
    ceremony.update_project_settings(tied.project, {"tie_break_chain": "judgement,completion"})
    refuses("chief_not_last", ceremony.record_tie_decision, tied.project, tied.division,
            [huang.id, zhao.id], "裁判长决定")
    db.session.expire_all()
    assert {zhao.tie_position, huang.tie_position} == {None}
    assert audit_rows("results.tie_decision") == []


# ------------------------------------------------------------------ publication


def test_publication_needs_force_and_a_reason_while_marking_is_unsigned(c: Ceremony) -> None:
    error = refuses("not_ready", ceremony.publish, c.competition)
    assert error.field == "force"
    refuses("reason_required", ceremony.publish, c.competition, force=True, reason="")
    db.session.expire_all()
    assert c.competition.published_at is None
    ceremony.publish(c.competition, force=True, reason="颁奖典礼时间已到")
    [row] = audit_rows("results.publish")
    assert row.details["forced"] is True and row.details["reason"] == "颁奖典礼时间已到"
    assert [p["code"] for p in row.details["problems"]] == ["not_signed_off"]
    assert public_view.competition_phase(c.competition) is Phase.PUBLISHED


def test_published_results_are_final(c: Ceremony) -> None:
    sign_off(c)
    ceremony.set_visibility(c.competition, Visibility.HIDDEN)
    assert shown(c) == []
    ceremony.publish(c.competition)
    [row] = audit_rows("results.publish")
    assert row.details == {"forced": False, "reason": "", "problems": []}
    assert shown(c) == BEST_FIRST
    refuses("already_published", ceremony.publish, c.competition)
    refuses("published_final", ceremony.unpublish, c.competition)
    refuses("published_final", ceremony.set_visibility, c.competition, Visibility.LIVE)
    refuses("published_final", ceremony.set_freeze, c.competition, None)
    refuses("published_final", ceremony.start_reveal, c.project, c.division, "rank")
    refuses("published_final", ceremony.update_project_settings, c.project, {"use_scale": True})
    refuses("published_final", ceremony.update_award_settings, c.competition,
            {"medal_count": 1})


def test_a_ceremony_half_way_blocks_publication(c: Ceremony) -> None:
    sign_off(c)
    ceremony.start_reveal(c.project, c.division, "award")
    ceremony.next_step(c.project, c.division)
    error = refuses("ceremony_running", ceremony.publish, c.competition)
    assert (error.params["step"], error.params["steps"]) == (1, 4)
    for _ in range(3):
        ceremony.next_step(c.project, c.division)
    ceremony.publish(c.competition)  # every step shown: publication may follow
    assert shown(c) == BEST_FIRST


def test_readiness_lists_incomplete_marking(app) -> None:  # type: ignore[no-untyped-def]
    s = judging_setup()  # 李娜 cannot be judged by judge 1 (回避): her J aspect never counts
    problems = ceremony.readiness(s.competition)
    codes = {(p.code, p.blocking) for p in problems}
    assert ("marking_incomplete", False) in codes and ("not_signed_off", False) in codes


# ------------------------------------------------------------------ settings


def test_the_tie_break_chain_is_validated_and_normalised(c: Ceremony) -> None:
    error = refuses("invalid_chain", ceremony.update_project_settings, c.project,
                    {"tie_break_chain": "judgement, luck"})
    assert error.field == "tie_break_chain"
    error = refuses("unknown_module", ceremony.update_project_settings, c.project,
                    {"tie_break_chain": "module:Z, chief"})
    assert error.params["letter"] == "Z"
    changes = ceremony.update_project_settings(
        c.project, {"tie_break_chain": " Module:b , judgement,chief"})
    assert c.project.tie_break_chain == "module:B,judgement,chief"
    assert changes == {"tie_break_chain": ["judgement,completion,chief",
                                           "module:B,judgement,chief"]}
    [row] = audit_rows("results.project_settings")
    assert row.details["changes"] == changes
    assert ceremony.update_project_settings(c.project, {"tie_break_chain": "module:B,"
                                            "judgement,chief"}) == {}


def test_the_scale_appears_on_the_public_board_once_switched_on(c: Ceremony) -> None:
    assert public_view.public_board(c.project, c.division).lines[0].scale_score is None
    refuses("invalid", ceremony.update_project_settings, c.project,
            {"use_scale": True, "scale_k": 0})
    ceremony.update_project_settings(c.project, {"use_scale": True, "scale_centre": 500.0,
                                                 "scale_k": 100.0})
    lines = public_view.public_board(c.project, c.division).lines
    assert lines[0].scale_score is not None and lines[0].scale_score > 500
    coalescer().flush()
    rows = live_feed.board_snapshot(c.project, c.division).data["rows"]
    assert rows[0]["scale"] == lines[0].scale_score


def test_a_classic_method_change_recomputes_the_stored_totals(c: Ceremony) -> None:
    c.project.marking_method = MarkingMethod.CLASSIC
    for competitor in c.by_name.values():
        competitor.theory_score = 50.0
    results.refresh_project(c.project)
    db.session.commit()
    zhang = c.by_name["张伟"].id
    assert db.session.get(CompetitorResult, zhang).total == pytest.approx(90.0)  # 50×.2+100×.8
    ceremony.update_project_settings(c.project, {"theory_weight": 0.5, "theory_pass": None})
    db.session.expire_all()
    assert db.session.get(CompetitorResult, zhang).total == pytest.approx(75.0)
    refuses("invalid", ceremony.update_project_settings, c.project, {"theory_weight": 1.5})
    assert c.project.theory_weight == 0.5


def test_award_settings_change_the_awards_and_the_medal_table(c: Ceremony) -> None:
    refuses("invalid", ceremony.update_award_settings, c.competition, {"medal_count": 7})
    refuses("invalid", ceremony.update_award_settings, c.competition, {"merit_award": "cake"})
    refuses("invalid", ceremony.update_award_settings, c.competition, {"points_gold": -1})
    ceremony.update_award_settings(c.competition, {"medal_count": 1, "merit_award": "none",
                                                   "points_gold": 10})
    awards = [line.award for line in public_view.public_board(c.project, c.division).lines]
    assert [a.value if a else None for a in awards] == ["gold"] + [None] * 7
    coalescer().flush()
    top, *rest = live_feed.medals_payload(c.competition)["rows"]
    assert (top["delegation"], top["gold"], top["points"]) == ("闵行区", 1, 10)
    assert all(r["gold"] == r["points"] == 0 for r in rest)
    [audit] = audit_rows("results.award_settings")
    assert audit.details["changes"]["medal_count"] == [3, 1]
