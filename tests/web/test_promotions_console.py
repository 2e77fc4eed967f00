"""The promotion console (/organiser/competitions/<id>/promotions): who may use it, the
blockers, the versioned rule table with its problems shown on the rows, the settings,
and the whole way from a published board to issued certificates."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import flask_babel
import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import (
    AuditEvent,
    Certificate,
    Competition,
    Promotion,
    PromotionRule,
    SkillProject,
)
from app.models.base import utcnow
from app.services import ceremony, promotion, promotion_settings
from app.services.errors import ServiceError
from app.services.promotion import Blocker
from app.services.promotion_settings import PromotionSettings
from app.web.organiser.promotions import blocker_lines, short_time
from tests import builders
from tests.conftest import login
from tests.services.test_ceremony import Ceremony, scored_board, sign_off
from tests.services.test_promotion_exports import decided_board


@dataclass
class Bare:
    """A competition (市级一类) with one project and nobody in it."""

    competition: Competition
    project: SkillProject


@pytest.fixture
def bare(app) -> Bare:  # type: ignore[no-untyped-def]
    competition = builders.competition()
    return Bare(competition, builders.project(competition))


@pytest.fixture
def c(app) -> Ceremony:  # type: ignore[no-untyped-def]
    return scored_board()


def url(competition: Competition, tail: str = "") -> str:
    return f"/organiser/competitions/{competition.id}/promotions{tail}"


def english(client: FlaskClient) -> FlaskClient:
    client.get("/lang/en")
    return client


def text_of(html: str) -> str:
    """The page's words, tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def field_error(html: str, field: str) -> str:
    match = re.search(rf'data-error-for="{re.escape(field)}">([^<]+)<', html)
    return match.group(1) if match else ""


def stored_rules(competition: Competition) -> list[tuple[int, int, int, bool]]:
    """(key, version, id, retired) of every stored rule row."""
    db.session.expire_all()
    return [(r.rule_key, r.version, r.id, r.retired_at is not None) for r in db.session.scalars(
        select(PromotionRule).where(PromotionRule.competition_id == competition.id)
        .order_by(PromotionRule.rule_key, PromotionRule.version))]


def rule_row(**values: Any) -> dict[str, Any]:
    """One row of the table as the form posts it (an unticked checkbox is not posted)."""
    row = {"key": "0", "division": "employee", "basis": "rank", "rank_from": "1",
           "rank_to": "5", "min_award": "", "top_percent": "", "target": "2", "cap": "1",
           "title": "", "bump": "y", "require_pass": "y"}
    row.update(values)
    return {k: v for k, v in row.items() if v is not None}


def table_data(rows: list[dict[str, Any]], action: str = "save") -> dict[str, str]:
    data = {"action": action}
    for i, row in enumerate(rows):
        data.update({f"rules-rows-{i}-{name}": str(value) for name, value in row.items()})
    return data


def seeded_rows(client: FlaskClient, competition: Competition) -> list[dict[str, Any]]:
    """Open the page (which seeds 市级一类: 职工组 1–10 → 技师, 学生组 1–10 → 高级工) and
    return those two rows as the form would post them back unchanged."""
    assert client.get(url(competition)).status_code == 200
    keys = {r.rule_key: r for r in db.session.scalars(select(PromotionRule).where(
        PromotionRule.competition_id == competition.id))}
    assert sorted(keys) == [1, 2]
    return [rule_row(key="1", rank_to="10", cap="1"),
            rule_row(key="2", division="student", rank_to="10", target="3", cap="3", bump=None)]


# ------------------------------------------------------------------ who may


def test_the_page_renders_for_an_organiser_and_seeds_the_tier_default(
        bare: Bare, organiser_client: FlaskClient) -> None:
    html = english(organiser_client).get(url(bare.competition)).get_data(as_text=True)
    assert "Promotion rules" in html and "Promotion settings" in html
    assert re.findall(r'data-rule-row="(\d+)"', html) == ["1", "2"]
    assert html.count('data-version="1"') == 2
    assert [text_of(li).strip() for li in re.findall(r"<li[^>]*data-blocker>(.*?)</li>", html)] \
        == ["Results not published"]  # nobody competes yet: nothing else to wait for
    assert "No decisions yet" in html
    before = stored_rules(bare.competition)
    assert [(key, version, retired) for key, version, _id, retired in before] == [
        (1, 1, False), (2, 1, False)]
    organiser_client.get(url(bare.competition))
    assert stored_rules(bare.competition) == before  # seeded once, not on every visit


@pytest.mark.parametrize("role", [UserRole.JUDGE, UserRole.CHIEF_JUDGE, UserRole.SUPERVISOR])
def test_other_roles_get_403_and_change_nothing(bare: Bare, client: FlaskClient, make_user,  # type: ignore[no-untyped-def]
                                                role: UserRole) -> None:
    login(client, make_user(role))
    assert client.get(url(bare.competition)).status_code == 403
    assert client.get(url(bare.competition, ".xlsx")).status_code == 403
    assert client.post(url(bare.competition, "/run")).status_code == 403
    assert client.post(url(bare.competition, "/rules"),
                       data=table_data([rule_row()])).status_code == 403
    assert client.post(url(bare.competition, "/settings"), data={
        "settings-appeal_window_minutes": "30", "settings-certificate_body_type": "S",
        "settings-certificate_body_code": "0000", "settings-certificate_province": "31"}
    ).status_code == 403
    assert stored_rules(bare.competition) == []
    assert bare.competition.appeal_window_minutes == 120


def test_a_visitor_is_sent_to_sign_in(bare: Bare, client: FlaskClient) -> None:
    response = client.get(url(bare.competition))
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    assert client.post(url(bare.competition, "/rules"),
                       data=table_data([rule_row()])).status_code == 302
    assert client.get(url(bare.competition, ".xlsx")).status_code == 302
    assert stored_rules(bare.competition) == []


def test_a_post_without_the_csrf_token_is_refused(app, bare: Bare,  # type: ignore[no-untyped-def]
                                                  organiser_client: FlaskClient) -> None:
    rows = seeded_rows(organiser_client, bare.competition)
    before = stored_rules(bare.competition)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        rows[0]["title"] = "技术能手"
        assert organiser_client.post(url(bare.competition, "/rules"),
                                     data=table_data(rows)).status_code == 400
        assert organiser_client.post(url(bare.competition, "/settings"), data={
            "settings-appeal_window_minutes": "30", "settings-certificate_body_type": "S",
            "settings-certificate_body_code": "0000", "settings-certificate_province": "31"}
        ).status_code == 400
        for action in ("/run", "/approve", "/approve-all", "/issue", "/rules/seeded"):
            assert organiser_client.post(url(bare.competition, action)).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert stored_rules(bare.competition) == before
    assert bare.competition.appeal_window_minutes == 120


# ------------------------------------------------------------------ the rule table


def test_an_overlapping_table_is_shown_with_the_problem_and_nothing_is_stored(
        bare: Bare, organiser_client: FlaskClient) -> None:
    rows = seeded_rows(organiser_client, bare.competition)
    before = stored_rules(bare.competition)
    rows.append(rule_row(rank_from="8", rank_to="12", target="3", cap="2"))  # 8–10 overlap
    response = english(organiser_client).post(url(bare.competition, "/rules"),
                                               data=table_data(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    problems = re.search(r'data-problems-of="(\d+)"(.*?)</tr>', html, re.S)
    assert problems is not None and problems.group(1) == "3"
    assert 'data-row-problem="overlap"' in problems.group(2)
    assert "Overlaps with row 1" in text_of(problems.group(2))
    assert re.findall(r'data-rule-row="(\d+)"', html) == ["1", "2", "3"]  # kept as typed
    assert 'value="12"' in html
    assert stored_rules(bare.competition) == before
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "promotion_rules.save")) is None


def test_a_target_above_the_cap_and_bad_numbers_are_shown_on_their_fields(
        bare: Bare, organiser_client: FlaskClient) -> None:
    rows = seeded_rows(organiser_client, bare.competition)
    before = stored_rules(bare.competition)
    english(organiser_client)
    rows[0].update(target="1", cap="2")  # 高级技师, capped at 技师
    html = organiser_client.post(url(bare.competition, "/rules"),
                                 data=table_data(rows)).get_data(as_text=True)
    assert "above the highest level" in field_error(html, "rules-rows-0-cap")
    rows[0].update(target="2", rank_from="0")
    rows[1].update(rank_to="many", target="7")
    html = organiser_client.post(url(bare.competition, "/rules"),
                                 data=table_data(rows)).get_data(as_text=True)
    assert field_error(html, "rules-rows-0-rank_from")  # ranks start at 1
    assert field_error(html, "rules-rows-1-rank_to")  # not a whole number
    assert field_error(html, "rules-rows-1-target")  # levels are 1–5
    rows[0].update(rank_from="6", rank_to="3")
    rows[1].update(rank_to="10", target="3")
    html = organiser_client.post(url(bare.competition, "/rules"),
                                 data=table_data(rows)).get_data(as_text=True)
    assert "must start at rank 1" in field_error(html, "rules-rows-0-rank_from")
    assert stored_rules(bare.competition) == before


def test_editing_a_rule_makes_version_2_and_retires_the_old_row(
        bare: Bare, organiser_client: FlaskClient) -> None:
    rows = seeded_rows(organiser_client, bare.competition)
    [(_key, _v, old_id, _r), second] = stored_rules(bare.competition)
    rows[0].update(rank_to="6", title="技术能手")
    response = organiser_client.post(url(bare.competition, "/rules"), data=table_data(rows))
    assert response.status_code == 302 and response.location.endswith("#rules")
    after = stored_rules(bare.competition)
    assert after[0] == (1, 1, old_id, True)  # the old version stays, retired
    assert after[1][:2] == (1, 2) and after[1][3] is False
    assert after[2] == second  # the untouched rule keeps its version
    live = db.session.get(PromotionRule, after[1][2])
    assert live is not None and (live.rank_to, live.title) == (6, "技术能手")
    html = english(organiser_client).get(url(bare.competition)).get_data(as_text=True)
    assert re.findall(r'data-rule-key="(\d+)"', html) == ["1", "2"]
    assert re.findall(r'data-version="(\d+)"', html) == ["2", "1"]
    # Saving the same table again writes nothing.
    organiser_client.post(url(bare.competition, "/rules"), data=table_data(rows))
    assert stored_rules(bare.competition) == after


def test_rows_are_added_on_the_page_and_removed_on_save(bare: Bare,
                                                        organiser_client: FlaskClient) -> None:
    rows = seeded_rows(organiser_client, bare.competition)
    before = stored_rules(bare.competition)
    html = organiser_client.post(url(bare.competition, "/rules"),
                                 data=table_data(rows, action="add")).get_data(as_text=True)
    assert re.findall(r'data-rule-row="(\d+)"', html) == ["1", "2", "3"]
    assert stored_rules(bare.competition) == before  # adding a row stores nothing yet
    rows[1]["remove"] = "y"
    rows.append(rule_row(division="student", basis="top_share", top_percent="30",
                         rank_from="", rank_to="", target="4", cap="3"))
    assert organiser_client.post(url(bare.competition, "/rules"),
                                 data=table_data(rows)).status_code == 302
    after = stored_rules(bare.competition)
    assert [(key, version, retired) for key, version, _id, retired in after] == [
        (1, 1, False), (2, 1, True), (3, 1, False)]
    added = db.session.scalar(select(PromotionRule).where(PromotionRule.rule_key == 3))
    assert added is not None
    assert (added.basis, added.top_percent, added.rank_from, added.target_level,
            added.cap_level) == ("top_share", 30, None, 4, 3)


def test_a_seeded_table_replaces_the_current_one(bare: Bare,
                                                 organiser_client: FlaskClient) -> None:
    seeded_rows(organiser_client, bare.competition)
    response = organiser_client.post(url(bare.competition, "/rules/seeded"),
                                     data={"seeded-rule_set": "enterprise"})
    assert response.status_code == 302
    live = [r for r in stored_rules(bare.competition) if not r[3]]
    assert [(key, version) for key, version, _id, _r in live] == [(3, 1)]
    row = db.session.get(PromotionRule, live[0][2])
    assert row is not None and (row.basis, row.top_percent, row.target_level) == (
        "top_share", 30, 4)
    html = organiser_client.post(url(bare.competition, "/rules/seeded"),
                                 data={"seeded-rule_set": "olympic"}).get_data(as_text=True)
    assert field_error(html, "seeded-rule_set")


# ------------------------------------------------------------------ settings


def settings_data(**values: str) -> dict[str, str]:
    data = {"one_promotion_per_year": "y", "appeal_window_minutes": "90",
            "certificate_body_type": "Y", "certificate_body_code": "0042",
            "certificate_province": "31", "certificate_body_serial": "000123",
            "issuing_body": "上海市职业技能鉴定中心"}
    data.update(values)
    return {f"settings-{k}": v for k, v in data.items() if v is not None}


def test_the_settings_are_saved_and_audited(bare: Bare, organiser_client: FlaskClient) -> None:
    response = organiser_client.post(url(bare.competition, "/settings"), data=settings_data(
        one_promotion_per_year=None))
    assert response.status_code == 302
    db.session.expire_all()
    assert PromotionSettings.of(bare.competition) == PromotionSettings(
        False, 90, "Y", "0042", "31", "000123", "上海市职业技能鉴定中心")
    [event] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "promotion.settings"))
    assert event.details["before"]["appeal_window_minutes"] == 120
    assert event.details["after"]["certificate_body_serial"] == "000123"


@pytest.mark.parametrize("field,value", [
    ("appeal_window_minutes", "0"), ("appeal_window_minutes", "10081"),
    ("certificate_body_code", "12a4"), ("certificate_province", "310"),
    ("certificate_body_serial", "12345"), ("certificate_body_type", "X"),
    ("issuing_body", "机构" * 101)])
def test_bad_settings_are_shown_on_their_field_and_not_stored(
        bare: Bare, organiser_client: FlaskClient, field: str, value: str) -> None:
    html = organiser_client.post(url(bare.competition, "/settings"), data=settings_data(
        **{field: value})).get_data(as_text=True)
    assert field_error(html, f"settings-{field}")
    db.session.expire_all()
    assert PromotionSettings.of(bare.competition) == PromotionSettings(
        True, 120, "S", "0000", "31", None, "")


def test_the_settings_service_checks_what_a_form_cannot(app) -> None:  # type: ignore[no-untyped-def]
    comp = builders.competition()
    good = PromotionSettings(True, 60, "s", " 0000 ", "31", "", "中心")
    assert promotion_settings.save(comp, good) is True
    assert (comp.certificate_body_type, comp.certificate_body_code,
            comp.certificate_body_serial) == ("S", "0000", None)
    assert promotion_settings.save(comp, good) is False  # nothing changed
    for bad, field in [(PromotionSettings(True, 60, "Q", "0000", "31", None, ""),
                        "certificate_body_type"),
                       (PromotionSettings(True, 60, "S", "０００１", "31", None, ""),
                        "certificate_body_code"),
                       (PromotionSettings(True, 0, "S", "0000", "31", None, ""),
                        "appeal_window_minutes")]:
        with pytest.raises(ServiceError) as caught:
            promotion_settings.save(comp, bad)
        assert caught.value.field == field


# ------------------------------------------------------------------ blockers and the flow


def test_running_while_blocked_lists_the_blockers_and_decides_nothing(
        c: Ceremony, organiser_client: FlaskClient) -> None:
    response = english(organiser_client).post(url(c.competition, "/run"),
                                              follow_redirects=True)
    page = text_of(response.get_data(as_text=True))
    assert "Promotion cannot go ahead yet: Results not published; Project 工业机械: module " \
           "A, B not signed off; no project end time set" in page
    assert db.session.scalar(select(Promotion.id)) is None


def test_the_appeal_window_is_shown_in_local_time(c: Ceremony,
                                                  organiser_client: FlaskClient) -> None:
    sign_off(c)
    ceremony.publish(c.competition)
    ends = utcnow() + timedelta(hours=1)
    c.project.ends_at = ends
    db.session.commit()
    html = organiser_client.get(url(c.competition)).get_data(as_text=True)
    blockers = [text_of(li).strip() for li in re.findall(r"<li[^>]*data-blocker>(.*?)</li>",
                                                          html)]
    assert len(blockers) == 1 and short_time(ends + timedelta(minutes=120)) in blockers[0]
    assert organiser_client.post(url(c.competition, "/run")).status_code == 302
    assert db.session.scalar(select(Promotion.id)) is None


def test_a_time_is_shown_as_the_event_reads_it(app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        assert short_time(datetime(2026, 11, 23, 10, 0, tzinfo=UTC)) == "11月23日 18:00"


def test_from_a_published_board_to_issued_certificates(c: Ceremony,
                                                       organiser_client: FlaskClient) -> None:
    sign_off(c)
    ceremony.publish(c.competition)
    english(organiser_client)
    cid = c.competition.id
    # The project's end, typed in local time: 09:00 in Shanghai is 01:00 UTC.
    assert organiser_client.post(f"/organiser/projects/{c.project.id}/promotions/end", data={
        f"end-{c.project.id}-ends_at": "2026-01-10T09:00"}).status_code == 302
    db.session.expire_all()
    assert c.project.ends_at == datetime(2026, 1, 10, 1, 0, tzinfo=UTC)
    # Ranks 1–3 of 职工组 → 技师 with the title; the students' rule stays.
    rows = seeded_rows(organiser_client, c.competition)
    rows[0].update(rank_to="3", title="技术能手")
    assert organiser_client.post(url(c.competition, "/rules"),
                                 data=table_data(rows)).status_code == 302

    page = organiser_client.post(url(c.competition, "/run"), follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "The engine ran: 8 new decisions" in html
    assert "Now 3 promoted and 5 not promoted" in html
    statuses = dict(re.findall(r'data-competitor="(\d+)" data-status="(\w+)"', html))
    by_name = {name: str(who.id) for name, who in c.by_name.items()}
    assert [statuses[by_name[n]] for n in ("张伟", "李娜", "王芳")] == ["proposed"] * 3
    assert [statuses[by_name[n]] for n in ("刘洋", "陈静", "杨帆", "赵磊", "黄敏")] == \
        ["not_promoted"] * 5
    assert html.count('data-reason="below_range"') == 5
    assert html.count("Not within the promotion ranks") == 5
    assert html.count("Employee division · ranks 1–3 · v2") == 3

    # Approve one, then the rest.
    first = db.session.scalar(select(Promotion).where(
        Promotion.competitor_id == c.by_name["张伟"].id, Promotion.current))
    assert first is not None
    response = organiser_client.post(url(c.competition, "/approve"), data={
        "decisions-ids": str(first.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert sorted(p.status for p in db.session.scalars(select(Promotion).where(
        Promotion.new_level.is_not(None)))) == ["approved", "proposed", "proposed"]
    assert organiser_client.post(url(c.competition, "/approve-all")).status_code == 302

    # No assessment body yet: nothing is issued, and the page says why.
    html = organiser_client.post(url(c.competition, "/issue"),
                                 follow_redirects=True).get_data(as_text=True)
    assert "Enter the assessment body" in html
    assert db.session.scalar(select(Certificate.id)) is None

    organiser_client.post(url(c.competition, "/settings"), data=settings_data())
    html = organiser_client.post(url(c.competition, "/issue"),
                                 follow_redirects=True).get_data(as_text=True)
    assert "3 certificates issued." in html
    numbers = re.findall(r'data-certificate="([YS]\d{21})"', html)
    year = utcnow().year % 100
    assert len(numbers) == 3 and all(
        n.startswith(f"Y004231000123{year:02d}2") for n in numbers)
    assert {f"/certificates/{n}.pdf" for n in numbers} <= set(re.findall(r'href="([^"]+)"', html))
    statuses = dict(re.findall(r'data-competitor="(\d+)" data-status="(\w+)"', html))
    assert sorted(statuses.values()).count("issued") == 3
    db.session.expire_all()
    stored = {cert.number for cert in db.session.scalars(select(Certificate))}
    assert stored == set(numbers)

    # The authority's list: the three, with their numbers.
    response = organiser_client.get(url(c.competition, ".xlsx"))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.data)).active
    assert ws is not None
    cells = [row for row in ws.iter_rows(values_only=True)]
    assert "Awaiting approval, Approved, Certificate issued" in str(cells[1][0])
    listed = [row for row in cells if row[0] in ("张伟", "李娜", "王芳")]
    assert sorted(row[11] for row in listed) == sorted(numbers)
    response = organiser_client.get(f"/organiser/competitions/{cid}/non-promotions.xlsx")
    ws = load_workbook(io.BytesIO(response.data)).active
    assert ws is not None
    reasons = [row[9] for row in ws.iter_rows(values_only=True) if row[0] in c.by_name]
    assert reasons == ["Not within the promotion ranks"] * 5


def test_blockers_are_grouped_by_project_in_one_line_each(app) -> None:  # type: ignore[no-untyped-def]
    project = SkillProject(id=7, name="增材制造")
    found = [Blocker("not_published"), Blocker("not_signed_off", project, {"modules": "C"}),
             Blocker("appeals_open", project, {"count": 1})]
    with app.test_request_context(), flask_babel.force_locale("en"):
        assert blocker_lines(found) == [
            "Results not published",
            "Project 增材制造: module C not signed off; 1 appeal(s) open"]


def test_a_revoked_promotion_shows_why_and_its_certificate_as_revoked(
        app, organiser_client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    c = decided_board()
    who = c.by_name["李娜"]
    revoked = db.session.scalar(select(Promotion).where(Promotion.competitor_id == who.id,
                                                        Promotion.current))
    assert revoked is not None and revoked.certificate is not None
    number = revoked.certificate.number
    promotion.revoke(revoked, "申诉成立：模块 A 重新评分")
    db.session.commit()
    html = english(organiser_client).get(url(c.competition)).get_data(as_text=True)
    row = re.search(rf'<tr data-promotion="{revoked.id}"(.*?)</tr>', html, re.S)
    assert row is not None
    assert 'data-status="revoked"' in row.group(0)
    assert "申诉成立：模块 A 重新评分" in text_of(row.group(1))
    assert f'data-certificate="{number}"' in row.group(1) and "Revoked" in text_of(row.group(1))
    assert 'name="decisions-ids"' not in row.group(1)  # only a proposal can be ticked
    # The authority's promotion list no longer has it.
    ws = load_workbook(io.BytesIO(organiser_client.get(url(c.competition, ".xlsx")).data)).active
    assert ws is not None
    assert [row[0] for row in ws.iter_rows(values_only=True) if row[0] in c.by_name] == [
        "张伟", "王芳"]
