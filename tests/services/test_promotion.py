"""以赛代评 end to end through the services: the engine's blockers, its decisions from the
published board, re-running, approval under versioned rules, certificates, and an upheld
appeal that revokes exactly the promotions it should."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.domain.promotion import Basis, Rule
from app.domain.vocabulary import DivisionKind, SkillLevel, UserRole
from app.extensions import db
from app.models import Certificate, Module, Promotion, PromotionRule
from app.models.base import utcnow
from app.services import appeals, ceremony, certificates, promotion, promotion_rules, signoff
from app.services.errors import ServiceError
from app.services.promotion_rules import RuleInput
from tests.services.test_ceremony import BEST_FIRST, Ceremony, _mark, scored_board, sign_off

TOP3_TO_TECHNICIAN = [RuleInput(0, Rule(target=SkillLevel.TECHNICIAN, basis=Basis.RANK,
                                        division=DivisionKind.EMPLOYEE, rank_from=1,
                                        rank_to=3, cap=SkillLevel.SENIOR_TECHNICIAN))]


@pytest.fixture
def c(app) -> Ceremony:  # type: ignore[no-untyped-def]
    return scored_board()


def ready(c: Ceremony) -> None:
    """Signed off, published, and past the two-hour appeal window."""
    sign_off(c)
    ceremony.publish(c.competition)
    c.project.ends_at = utcnow() - timedelta(hours=3)
    db.session.commit()


def current(c: Ceremony) -> dict[str, Promotion]:
    rows = db.session.scalars(select(Promotion).where(Promotion.current)).all()
    return {row.competitor.name: row for row in rows}


def configure_body(c: Ceremony) -> None:
    c.competition.certificate_body_serial = "000123"
    c.competition.issuing_body = "上海市职业技能鉴定中心"
    db.session.commit()


def test_the_engine_lists_what_blocks_it_and_writes_nothing(c: Ceremony, make_user) -> None:  # type: ignore[no-untyped-def]
    found = promotion.blockers(c.competition)
    codes = {b.code for b in found}
    assert codes == {"not_published", "not_signed_off", "no_end_time"}
    [unsigned] = [b for b in found if b.code == "not_signed_off"]
    assert unsigned.project.id == c.project.id and unsigned.params["modules"]
    with pytest.raises(promotion.PromotionBlocked) as caught:
        promotion.run(c.competition)
    assert {b.code for b in caught.value.blockers} == codes
    assert db.session.scalars(select(Promotion)).all() == []

    ready(c)
    c.project.ends_at = utcnow() - timedelta(minutes=30)  # the window is still open
    db.session.commit()
    supervisor = make_user(UserRole.SUPERVISOR, "arbiter")
    appeals.file(supervisor, c.project, "procedure", "闵行区领队 王强", "计时器提前五分钟停止。")
    assert {b.code for b in promotion.blockers(c.competition)} == {"appeal_window",
                                                                   "appeals_open"}


def test_decisions_follow_the_seeded_municipal_table_and_a_rerun_changes_nothing(
        c: Ceremony) -> None:
    ready(c)
    summary = promotion.run(c.competition)
    assert summary.new == 8 and summary.promoted + summary.not_promoted == 8
    decided = current(c)
    # 市级一类, 职工组 ranks 1–10 → 技师 (already 技师 → 高级技师): all eight are 职工.
    for name in BEST_FIRST:
        row = decided[name]
        assert row.rank == BEST_FIRST.index(name) + 1
        if row.old_level is None or row.old_level > SkillLevel.TECHNICIAN:
            assert (row.status, row.new_level) == ("proposed", SkillLevel.TECHNICIAN)
        assert row.rule is not None and row.rule.version == 1
        assert row.snapshot["entry_rank"] == row.rank and row.snapshot["published_at"]
    again = promotion.run(c.competition)
    assert (again.new, again.unchanged, again.revoked) == (0, 8, 0)
    assert len(db.session.scalars(select(Promotion)).all()) == 8


def test_an_approved_decision_stands_when_its_rule_is_edited_later(c: Ceremony,
                                                                    make_user) -> None:  # type: ignore[no-untyped-def]
    organiser = make_user(UserRole.ORGANISER, "organiser")
    ready(c)
    promotion_rules.save(c.competition, organiser, TOP3_TO_TECHNICIAN)
    promotion.run(c.competition)
    assert promotion.approve(c.competition, organiser) == 3
    [row] = promotion_rules.current(c.competition)
    edited = Rule(target=SkillLevel.TECHNICIAN, basis=Basis.RANK,
                  division=DivisionKind.EMPLOYEE, rank_from=1, rank_to=1,
                  cap=SkillLevel.SENIOR_TECHNICIAN)
    promotion_rules.save(c.competition, organiser, [RuleInput(row.rule_key, edited)])
    versions = db.session.scalars(select(PromotionRule).where(
        PromotionRule.rule_key == row.rule_key).order_by(PromotionRule.version)).all()
    assert [(v.version, v.retired_at is None) for v in versions] == [(1, False), (2, True)]

    summary = promotion.run(c.competition)
    decided = current(c)
    assert [decided[n].status for n in BEST_FIRST[:3]] == ["approved"] * 3
    assert {decided[n].rule.version for n in BEST_FIRST[:3]} == {1}  # type: ignore[union-attr]
    assert summary.revoked == 0


def test_overlapping_rules_are_refused_and_nothing_is_stored(c: Ceremony) -> None:
    before = promotion_rules.ensure_seeded(c.competition)
    db.session.commit()
    overlapping = TOP3_TO_TECHNICIAN + [RuleInput(0, Rule(
        target=SkillLevel.ADVANCED, division=DivisionKind.EMPLOYEE, rank_from=3, rank_to=6))]
    with pytest.raises(promotion_rules.RulesRefused) as caught:
        promotion_rules.save(c.competition, None, overlapping)
    assert [(p.index, p.code, p.other) for p in caught.value.problems] == [(1, "overlap", 0)]
    assert [r.id for r in promotion_rules.current(c.competition)] == [r.id for r in before]


def test_a_late_appeal_is_refused_with_its_deadline(c: Ceremony, make_user) -> None:  # type: ignore[no-untyped-def]
    organiser = make_user(UserRole.ORGANISER, "organiser")
    c.project.ends_at = utcnow() - timedelta(hours=2, minutes=1)
    db.session.commit()
    with pytest.raises(ServiceError) as caught:
        appeals.file(organiser, c.project, "marks", "领队 王强", "模块B的测量值记录有误。",
                     competitor=c.by_name["王芳"])
    assert caught.value.code == "appeal_late"
    assert caught.value.params["deadline"] == promotion.appeal_deadline(c.project, c.competition)
    judge = make_user(UserRole.JUDGE, "judge")
    with pytest.raises(ServiceError, match="forbidden"):
        appeals.file(judge, c.project, "procedure", "领队", "这是一条程序申诉的内容。")


def test_an_upheld_appeal_revokes_exactly_the_promotions_it_should(c: Ceremony,
                                                                   make_user) -> None:  # type: ignore[no-untyped-def]
    organiser = make_user(UserRole.ORGANISER, "organiser")
    panel = make_user(UserRole.SUPERVISOR, "arbiter")
    ready(c)
    configure_body(c)
    promotion_rules.save(c.competition, organiser, TOP3_TO_TECHNICIAN)
    promotion.run(c.competition)
    promotion.approve(c.competition, organiser)
    issued = {cert.name: cert.number for cert in certificates.issue(c.competition)}
    assert set(issued) == {"张伟", "李娜", "王芳"}

    # A written appeal handed in within the window, entered after it closed.
    appeal = appeals.file(organiser, c.project, "marks", "徐汇区领队 周敏",
                          "王芳模块B测量项应判0分，记录为40分。",
                          competitor=c.by_name["王芳"],
                          received_at=c.project.ends_at + timedelta(hours=1))
    assert {b.code for b in promotion.blockers(c.competition)} == {"appeals_open"}
    letters = appeals.decide(panel, appeal, upheld=True, decision="经复核，测量值记录错误。",
                             reopen=["B"])
    assert letters == ["B"]
    with pytest.raises(ServiceError, match="appeal_decided"):
        appeals.decide(panel, appeal, upheld=False, decision="再次裁决")

    # The chief judge corrects the mark and signs module B off again: 王芳 drops from
    # 85 to 45, 刘洋 (80) moves up to third, and the engine reruns by itself.
    _mark(c.setup, 1, c.by_name["王芳"], c.setup.b_aspect, value=0.0, reason="申诉更正")
    module_b = db.session.get(Module, c.setup.b_aspect.module_id)
    assert signoff.lock_module(c.setup.chief, module_b) == []

    decided = current(c)
    assert decided["张伟"].status == decided["李娜"].status == "issued"
    assert (decided["刘洋"].status, decided["刘洋"].new_level) == ("proposed", 2)
    assert (decided["王芳"].status, decided["王芳"].reason) == ("not_promoted", "below_range")
    revoked = db.session.scalars(select(Promotion).where(Promotion.status == "revoked")).all()
    assert [r.competitor.name for r in revoked] == ["王芳"]
    assert revoked[0].revoked_reason == "below_range"
    certificate = db.session.scalar(select(Certificate).where(
        Certificate.number == issued["王芳"]))
    assert certificate is not None and certificate.status == "revoked"
    others = db.session.scalars(select(Certificate).where(Certificate.name != "王芳")).all()
    assert {cert.status for cert in others} == {"valid"}


def test_certificate_numbers_follow_the_format_and_are_never_reused(c: Ceremony,
                                                                    make_user) -> None:  # type: ignore[no-untyped-def]
    organiser = make_user(UserRole.ORGANISER, "organiser")
    ready(c)
    with pytest.raises(ServiceError, match="body_not_configured"):
        certificates.issue(c.competition)
    configure_body(c)
    promotion_rules.save(c.competition, organiser, TOP3_TO_TECHNICIAN)
    promotion.run(c.competition)
    promotion.approve(c.competition, organiser)
    issued = certificates.issue(c.competition)
    year = utcnow().year % 100
    assert sorted(cert.number for cert in issued) == [
        f"S000031000123{year:02d}2{serial:06d}" for serial in (1, 2, 3)]
    # Revoke one, promote someone else: the new certificate takes serial 4, not 3.
    promotion.revoke(issued[2].promotion, "test")
    db.session.commit()
    assert certificates.issue(c.competition) == []
    found = certificates.verify(certificates.Lookup(name=issued[0].name,
                                                    number=issued[0].number))
    assert [cert.number for cert in found] == [issued[0].number]
    assert certificates.verify(certificates.Lookup(name="别人", number=issued[0].number)) == []
    with pytest.raises(ServiceError, match="number_or_id_required"):
        certificates.verify(certificates.Lookup(name=issued[0].name))


def _promoted_elsewhere(c: Ceremony, name: str, level: SkillLevel, year: int) -> Promotion:
    """A live promotion of the same person (same keyed ID hash) by another competition."""
    from app.services import people
    from tests import builders

    other = builders.competition("上海市另一项技能大赛", year=year)
    project = builders.project(other)
    twin = people.save_competitor(other, None, {
        "name": name, "project_id": project.id, "division_id": project.divisions[0].id,
        "delegation_id": builders.delegation(other).id, "employer": "", "current_level": 3,
        "occupation": "", "workstation": "01", "team_code": None},
        builders.valid_id_number(900))
    twin.id_hash = c.by_name[name].id_hash
    row = Promotion(competition_id=other.id, competitor_id=twin.id, project_id=project.id,
                    person_hash=twin.id_hash, year=year, status="approved", old_level=3,
                    new_level=int(level), snapshot={})
    db.session.add(row)
    db.session.commit()
    return row


def test_one_promotion_a_year_across_competitions(c: Ceremony) -> None:
    _promoted_elsewhere(c, "张伟", SkillLevel.TECHNICIAN, year=c.competition.year)
    ready(c)
    promotion.run(c.competition)
    decided = current(c)
    assert (decided["张伟"].status, decided["张伟"].reason) == ("not_promoted",
                                                               "already_this_year")
    assert decided["李娜"].status == "proposed"


def test_a_level_reached_elsewhere_counts_as_the_current_level(c: Ceremony) -> None:
    # Promoted to 技师 last year by another competition: this year's rank 1 (ranks 1–10 →
    # 技师, already 技师 → 高级技师) takes them one level further, never to 技师 twice.
    _promoted_elsewhere(c, "张伟", SkillLevel.TECHNICIAN, year=c.competition.year - 1)
    ready(c)
    promotion.run(c.competition)
    row = current(c)["张伟"]
    assert (row.status, row.old_level, row.new_level) == ("proposed", 2, 1)


def test_the_database_refuses_a_second_live_promotion_to_the_same_level(c: Ceremony) -> None:
    from sqlalchemy.exc import IntegrityError

    ready(c)
    promotion.run(c.competition)
    first = current(c)["张伟"]
    assert first.new_level == SkillLevel.TECHNICIAN
    with pytest.raises(IntegrityError):
        _promoted_elsewhere(c, "张伟", SkillLevel.TECHNICIAN, year=c.competition.year - 1)
    db.session.rollback()


def test_the_promote_command_runs_the_engine_or_lists_its_blockers(c: Ceremony, app) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    blocked = runner.invoke(args=["promote", str(c.competition.id)])
    assert blocked.exit_code == 2 and "not_published" in blocked.output
    ready(c)
    done = runner.invoke(args=["promote", str(c.competition.id)])
    assert done.exit_code == 0, done.output
    assert "new 8" in done.output
    assert len(current(c)) == 8
