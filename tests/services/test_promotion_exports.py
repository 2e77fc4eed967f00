"""The lists for the skill-assessment authority (app.services.promotion_exports): what each
.xlsx holds, row by row, read back with openpyxl; which statuses go in; masked IDs."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.domain.promotion import Rule
from app.domain.vocabulary import CompetitorStatus, DivisionKind, SkillLevel
from app.extensions import db
from app.models import Certificate, Competition, Promotion, PromotionRule
from app.models.base import utcnow
from app.services import (
    ceremony,
    certificates,
    people,
    promotion,
    promotion_exports,
    promotion_rules,
)
from app.services.promotion_exports import PromotionSheetText
from app.services.promotion_rules import RuleInput
from tests import builders
from tests.services.test_ceremony import Ceremony, scored_board, sign_off

# Plain words, so the test needs no request: the web layer passes translated ones.
TEXT = PromotionSheetText(
    promotions_title="Promotion list", non_promotions_title="Not promoted",
    included=lambda names: "Statuses: " + ", ".join(names),
    printed=lambda when: "Printed " + when,
    headings={c: c.upper() for c in {*promotion_exports.PROMOTION_COLUMNS,
                                     *promotion_exports.NON_PROMOTION_COLUMNS}},
    levels={int(level): f"L{int(level)}" for level in SkillLevel}, no_level="none",
    statuses={"proposed": "P", "approved": "A", "issued": "I", "revoked": "R",
              "superseded": "S", "not_promoted": "N"},
    reasons={"below_range": "below", "withdrawn": "gone", "at_cap": "capped"},
    divisions={"employee": "EMP", "student": "STU"},
    rule=lambda r: f"{r.rank_from}-{r.rank_to} v{r.version}", no_rows="nobody",
    zone=UTC)

TOP_THREE = Rule(target=SkillLevel.TECHNICIAN, division=DivisionKind.EMPLOYEE, rank_from=1,
                 rank_to=3, cap=SkillLevel.SENIOR_TECHNICIAN, title="技术能手")


def decided_board(body: bool = True) -> Ceremony:
    """The scored board of eight, published and past its appeal window, decided under
    "职工组 ranks 1–3 → 技师": three promoted and approved (issued when `body`), five
    below the range."""
    c = scored_board()
    sign_off(c)
    ceremony.publish(c.competition)
    c.project.ends_at = utcnow() - timedelta(days=1)
    c.project.occupation_code = "6-20-01-01"
    db.session.commit()
    promotion_rules.save(c.competition, None, [RuleInput(0, TOP_THREE)])
    promotion.run(c.competition)
    promotion.approve(c.competition, c.setup.chief)
    if body:
        configure_body(c.competition)
        certificates.issue(c.competition)
    return c


def configure_body(competition: Competition) -> None:
    competition.certificate_body_serial = "000123"
    competition.issuing_body = "上海市职业技能鉴定中心"
    db.session.commit()


def sheet(content: bytes) -> list[list[object]]:
    ws = load_workbook(io.BytesIO(content)).active
    assert ws is not None
    return [list(row) for row in ws.iter_rows(values_only=True)]


def table(rows: list[list[object]], first_heading: str = "NAME") -> list[dict[str, object]]:
    """The rows under the headings, as dicts by heading."""
    head = next(i for i, row in enumerate(rows) if row and row[0] == first_heading)
    return [dict(zip(rows[head], row, strict=True)) for row in rows[head + 1:]]


def test_the_promotion_list_holds_every_standing_promotion_with_its_certificate(app) -> None:  # type: ignore[no-untyped-def]
    c = decided_board()
    rows = sheet(promotion_exports.promotions_xlsx(c.competition, TEXT,
                                                   now=datetime(2026, 5, 1, 8, 30, tzinfo=UTC)))
    assert rows[0][0] == f"{c.competition.name} Promotion list"
    assert rows[1][0] == "Statuses: P, A, I"  # the header says which statuses are in
    assert rows[2][0] == "Printed 2026-05-01 08:30"
    numbers = {cert.promotion.competitor.name: cert.number
               for cert in db.session.scalars(select(Certificate))}
    assert len(numbers) == 3
    found = table(rows)
    assert [r["NAME"] for r in found] == ["张伟", "李娜", "王芳"]  # by rank
    for rank, row in enumerate(found, start=1):
        who = c.by_name[str(row["NAME"])]
        assert row == {
            "NAME": who.name, "ID_NUMBER": "*" * 14 + who.id_last4,
            "OCCUPATION_CODE": "6-20-01-01", "OCCUPATION": "机修钳工",
            "OLD_LEVEL": "L3", "NEW_LEVEL": "L2", "TITLE": "技术能手", "RULE": "1-3 v1",
            "COMPETITION": c.competition.name, "PROJECT": "工业机械", "RANK": rank,
            "CERTIFICATE": numbers[who.name], "STATUS": "I"}
        assert len(str(row["ID_NUMBER"])) == 18 and str(row["ID_NUMBER"]).startswith("*" * 14)


def test_the_non_promotions_carry_their_reason(app) -> None:  # type: ignore[no-untyped-def]
    c = decided_board(body=False)
    rows = sheet(promotion_exports.non_promotions_xlsx(c.competition, TEXT))
    assert rows[0][0] == f"{c.competition.name} Not promoted"
    found = table(rows)
    assert [(r["NAME"], r["RANK"], r["REASON"]) for r in found] == [
        ("刘洋", 4, "below"), ("陈静", 5, "below"), ("杨帆", 6, "below"),
        ("赵磊", 7, "below"), ("黄敏", 8, "below")]
    assert {(r["DIVISION"], r["CURRENT_LEVEL"], r["OCCUPATION"]) for r in found} == {
        ("EMP", "L3", "机修钳工")}
    assert found[0]["DELEGATION"] == c.by_name["刘洋"].delegation.name
    assert all(str(r["ID_NUMBER"]).startswith("*" * 14) for r in found)
    # Not approved, not issued: the promotion list still has the three, as approved.
    promoted = table(sheet(promotion_exports.promotions_xlsx(c.competition, TEXT)))
    assert [(r["NAME"], r["STATUS"], r["CERTIFICATE"]) for r in promoted] == [
        ("张伟", "A", None), ("李娜", "A", None), ("王芳", "A", None)]


@pytest.fixture
def history(app):  # type: ignore[no-untyped-def]
    """Hand-made decisions in every status, to see which ones each list takes."""
    comp = builders.competition()
    project = builders.project(comp)
    team = builders.delegation(comp)
    rule = PromotionRule(competition_id=comp.id, rule_key=1, version=2, basis="rank",
                         division=None, rank_from=1, rank_to=5, target_level=2)
    db.session.add(rule)
    db.session.flush()
    made = {}
    for i, (name, status, reason, current) in enumerate([
            ("甲", "proposed", None, True), ("乙", "approved", None, True),
            ("丙", "revoked", None, False), ("丁", "superseded", None, False),
            ("戊", "not_promoted", "withdrawn", True), ("己", "not_promoted", "at_cap", True)]):
        who = people.save_competitor(comp, None, {
            "name": name, "project_id": project.id, "division_id": project.divisions[0].id,
            "delegation_id": team.id, "employer": "", "current_level": 3, "occupation": "",
            "workstation": None, "team_code": None}, builders.valid_id_number(600 + i))
        if status == "not_promoted" and reason == "withdrawn":
            who.status = CompetitorStatus.WITHDRAWN
        promoted = status != "not_promoted"
        made[name] = Promotion(
            competition_id=comp.id, competitor_id=who.id, project_id=project.id,
            person_hash=who.id_hash, year=2026, current=current, status=status, reason=reason,
            old_level=3, new_level=2 if promoted else None, rule_id=rule.id if promoted else None,
            rank=i + 1, revoked_reason="申诉成立" if status == "revoked" else "")
        db.session.add(made[name])
    db.session.commit()
    return comp


def test_revoked_and_superseded_decisions_are_on_neither_list(history: Competition) -> None:
    promoted = table(sheet(promotion_exports.promotions_xlsx(history, TEXT)))
    assert [(r["NAME"], r["STATUS"], r["RULE"]) for r in promoted] == [
        ("甲", "P", "1-5 v2"), ("乙", "A", "1-5 v2")]
    others = table(sheet(promotion_exports.non_promotions_xlsx(history, TEXT)))
    assert [(r["NAME"], r["REASON"]) for r in others] == [("戊", "gone"), ("己", "capped")]


def test_an_empty_list_says_so(app) -> None:  # type: ignore[no-untyped-def]
    comp = builders.competition()
    rows = sheet(promotion_exports.promotions_xlsx(comp, TEXT))
    assert table(rows) == [{"NAME": "nobody", **{
        TEXT.headings[c]: None for c in promotion_exports.PROMOTION_COLUMNS[1:]}}]


def test_a_sheet_name_keeps_to_what_excel_accepts() -> None:
    assert promotion_exports._sheet_name("晋级名单: 2026/上海 [终]") == "晋级名单 2026上海 终"
    assert len(promotion_exports._sheet_name("x" * 40)) == 31
