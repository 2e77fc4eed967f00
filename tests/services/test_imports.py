"""The import use case on a fresh database: files of every kind and encoding, bad input
that stores nothing, re-imports that change nothing, and "only the valid rows"."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.domain.sheets import SheetError
from app.domain.vocabulary import AspectType, JudgeRole, SchemeStatus
from app.extensions import db
from app.models import (
    Aspect,
    AuditEvent,
    Competitor,
    ImportJob,
    Judge,
    JudgeAssignment,
    MarkingScheme,
    Module,
)
from app.models.base import utcnow
from app.services import imports
from app.services.errors import ServiceError
from app.services.imports import templates
from tests.import_builder import (
    COMPETITOR_HEADER,
    JUDGE_HEADER,
    SCHEME_HEADER,
    World,
    build_world,
    competitor_row,
    csv_bytes,
    descriptor_rows,
    id_number,
    judge_row,
    scheme_rows,
    xlsx_bytes,
)


@pytest.fixture
def world(app: Flask) -> World:
    return build_world()


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def snapshot(model: type) -> list[dict[str, Any]]:
    """Every column of every row, to prove a re-import changed nothing at all."""
    rows = db.session.scalars(select(model).order_by(model.id)).all()
    return [{c.key: getattr(r, c.key) for c in model.__table__.columns} for r in rows]


def run(world: World, kind: str, data: bytes, filename: str = "file.xlsx",
        only_valid: bool = False) -> imports.Outcome:
    project = world.machining if kind == "scheme" else None
    job = imports.start(kind, world.competition, filename, data, project)
    imports.preview(job)
    return imports.confirm(job, only_valid)


def competitors_file(*rows: list[str], fmt: str = "xlsx", encoding: str = "utf-8") -> bytes:
    if fmt == "csv":
        return csv_bytes(COMPETITOR_HEADER, rows, encoding)
    return xlsx_bytes(COMPETITOR_HEADER, rows)


# --- the file formats ------------------------------------------------------------------

@pytest.mark.parametrize(("fmt", "encoding"), [
    ("xlsx", ""), ("csv", "utf-8"), ("csv", "utf-8-sig"), ("csv", "gbk"), ("csv", "gb18030"),
])
def test_competitors_import_from_xlsx_and_csv_in_every_encoding(
        world: World, fmt: str, encoding: str) -> None:
    data = competitors_file(competitor_row(1), competitor_row(2, division="学生组", level=""),
                            fmt=fmt, encoding=encoding)
    outcome = run(world, "competitors", data, f"名单.{fmt}")
    assert (outcome.new, outcome.updated, outcome.bad) == (2, 0, 0)
    people = db.session.scalars(select(Competitor).order_by(Competitor.workstation)).all()
    assert [(p.name, p.delegation.name, p.division.kind.value, p.current_level, p.employer)
            for p in people] == [("选手1", "浦东新区", "employee", 3, "上海电气"),
                                 ("选手2", "浦东新区", "student", None, "上海电气")]
    # The ID number is never stored in the clear.
    assert people[0].id_last4 == id_number(1)[-4:]
    assert id_number(1) not in repr(snapshot(Competitor))


def test_a_tab_separated_csv_is_read_too(world: World) -> None:
    text = "\n".join("\t".join(r) for r in [COMPETITOR_HEADER, competitor_row(1)])
    assert run(world, "competitors", text.encode("gbk"), "a.csv").new == 1


# --- preview and confirm ---------------------------------------------------------------

def test_preview_stores_nothing_and_predicts_the_import(world: World) -> None:
    job = imports.start("competitors", world.competition, "a.xlsx",
                        competitors_file(competitor_row(1), competitor_row(2)))
    outcome = imports.preview(job)
    assert (outcome.new, outcome.bad, len(outcome.sample)) == (2, 0, 2)
    assert outcome.sample[0]["id_number"].endswith(id_number(1)[-4:])
    assert id_number(1) not in repr(outcome.sample)
    assert count(Competitor) == count(AuditEvent) == 0
    assert job.status == "preview"
    assert imports.confirm(job, only_valid=False).new == 2
    assert count(Competitor) == 2


def test_confirm_records_one_audit_event_and_forgets_the_file(world: World) -> None:
    job = imports.start("competitors", world.competition, "a.xlsx",
                        competitors_file(competitor_row(1), competitor_row(2)))
    imports.confirm(job, only_valid=False)
    [event] = db.session.scalars(select(AuditEvent)).all()
    assert (event.action, event.entity, event.entity_id, event.competition_id) == (
        "import", "import_job", job.id, world.competition.id)
    assert event.details["new"] == 2 and event.details["kind"] == "competitors"
    assert job.status == "committed" and job.content == b""
    assert job.summary is not None and job.summary["new"] == 2
    with pytest.raises(ServiceError) as caught:
        imports.confirm(job, only_valid=False)
    assert caught.value.code == "already_imported"


def test_reimporting_the_same_file_changes_nothing(world: World) -> None:
    data = competitors_file(competitor_row(1), competitor_row(2, team="T1"))
    run(world, "competitors", data)
    before, audit_rows = snapshot(Competitor), count(AuditEvent)
    outcome = run(world, "competitors", data)
    assert (outcome.new, outcome.updated, outcome.unchanged) == (0, 0, 2)
    assert snapshot(Competitor) == before  # id_cipher included: not re-encrypted
    assert count(AuditEvent) == audit_rows


def test_a_changed_row_updates_the_person_found_by_id_number(world: World) -> None:
    run(world, "competitors", competitors_file(competitor_row(1), competitor_row(2)))
    outcome = run(world, "competitors", competitors_file(
        competitor_row(1, employer="上海交大", level="技师"), competitor_row(2)))
    assert (outcome.new, outcome.updated, outcome.unchanged) == (0, 1, 1)
    person = db.session.scalars(select(Competitor).where(Competitor.name == "选手1")).one()
    assert (person.employer, person.current_level) == ("上海交大", 2)
    assert count(Competitor) == 2 and count(AuditEvent) == 2


def test_two_people_can_swap_workstations_in_one_file(world: World) -> None:
    run(world, "competitors", competitors_file(competitor_row(1), competitor_row(2)))
    outcome = run(world, "competitors", competitors_file(competitor_row(1, workstation="2"),
                                                         competitor_row(2, workstation="1")))
    assert (outcome.updated, outcome.bad) == (2, 0)
    people = {p.name: p.workstation for p in db.session.scalars(select(Competitor))}
    assert people == {"选手1": "2", "选手2": "1"}


# --- bad rows --------------------------------------------------------------------------

def bad_file() -> bytes:
    return competitors_file(
        competitor_row(1),
        competitor_row(2, delegation="火星代表队"),  # unknown delegation
        competitor_row(3, id=id_number(3)[:-1] + ("1" if id_number(3)[-1] != "1" else "2")),
        competitor_row(4, level="大师"),
        competitor_row(5, project="S02"),  # S02 has no 职工组
        competitor_row(6, project="S99"),
        competitor_row(7), competitor_row(7, name="重复", workstation="70"),  # same ID twice
    )


def test_a_file_with_bad_rows_imports_nothing_unless_asked(world: World) -> None:
    job = imports.start("competitors", world.competition, "a.xlsx", bad_file())
    outcome = imports.preview(job)
    assert [(e.row, e.column, e.code) for e in outcome.errors] == [
        (3, "代表队", "unknown_delegation"), (4, "身份证号", "id_checksum"),
        (5, "现技能等级", "level_invalid"), (6, "组别", "division_not_in_project"),
        (7, "赛项代码", "unknown_project"), (8, "身份证号", "duplicate_id_number"),
        (9, "身份证号", "duplicate_id_number")]
    assert (outcome.bad, outcome.new) == (7, 1)
    with pytest.raises(ServiceError) as caught:
        imports.confirm(job, only_valid=False)
    assert (caught.value.code, caught.value.params) == ("has_errors", {"bad": 7})
    assert count(Competitor) == count(AuditEvent) == 0
    assert job.status == "preview"


def test_only_the_valid_rows_when_asked(world: World) -> None:
    job = imports.start("competitors", world.competition, "a.xlsx", bad_file())
    outcome = imports.confirm(job, only_valid=True)
    assert (outcome.new, outcome.bad) == (1, 7)
    assert [c.name for c in db.session.scalars(select(Competitor))] == ["选手1"]
    [event] = db.session.scalars(select(AuditEvent)).all()
    assert event.details["bad"] == 7 and event.details["only_valid"] is True


def test_a_workstation_held_by_someone_else_in_the_database(world: World) -> None:
    run(world, "competitors", competitors_file(competitor_row(1, workstation="A1")))
    outcome = run(world, "competitors", competitors_file(
        competitor_row(2, workstation="a1"), competitor_row(3, workstation="A2")),
        only_valid=True)
    assert [(e.row, e.code, e.params) for e in outcome.errors] == [
        (2, "workstation_taken", {"name": "选手1"})]
    assert sorted(c.workstation or "" for c in db.session.scalars(select(Competitor))) == [
        "A1", "A2"]


# --- judges ----------------------------------------------------------------------------

def judges_file(*rows: list[str]) -> bytes:
    return xlsx_bytes(JUDGE_HEADER, rows)


def test_judges_are_upserted_with_their_assignments(world: World) -> None:
    data = judges_file(judge_row(1, role="裁判长"), judge_row(1, project="S02", role="监督"),
                       judge_row(2, delegation=""), judge_row(3, role="judge"))
    outcome = run(world, "judges", data)
    assert (outcome.new, outcome.bad) == (4, 0)
    assert count(Judge) == 3 and count(JudgeAssignment) == 4
    roles = {(a.judge.name, a.project.code): a.role
             for a in db.session.scalars(select(JudgeAssignment))}
    assert roles[("裁判1", "S01")] is JudgeRole.CHIEF
    assert roles[("裁判1", "S02")] is JudgeRole.SUPERVISOR
    before = snapshot(Judge), snapshot(JudgeAssignment), count(AuditEvent)
    assert run(world, "judges", data).unchanged == 4
    assert (snapshot(Judge), snapshot(JudgeAssignment), count(AuditEvent)) == before


def test_one_chief_judge_per_project_counting_the_database(world: World) -> None:
    run(world, "judges", judges_file(judge_row(1, role="裁判长")))
    job = imports.start("judges", world.competition, "b.xlsx",
                        judges_file(judge_row(2, role="裁判长"), judge_row(3)))
    outcome = imports.preview(job)
    assert [(e.row, e.column, e.code, e.params) for e in outcome.errors] == [
        (2, "角色", "chief_exists", {"name": "裁判1"})]
    # Demoting the stored chief in the same file makes room for the new one.
    outcome = run(world, "judges", judges_file(judge_row(1), judge_row(2, role="裁判长")))
    assert (outcome.bad, outcome.updated, outcome.new) == (0, 1, 1)
    chiefs = db.session.scalars(select(JudgeAssignment).where(
        JudgeAssignment.role == JudgeRole.CHIEF)).all()
    assert [c.judge.name for c in chiefs] == ["裁判2"]


# --- marking schemes -------------------------------------------------------------------

def scheme_file(rows: list[list[object]], fmt: str = "xlsx") -> bytes:
    return xlsx_bytes(SCHEME_HEADER, rows) if fmt == "xlsx" else csv_bytes(SCHEME_HEADER, rows)


def stored_scheme(world: World) -> MarkingScheme:
    scheme = db.session.scalar(select(MarkingScheme).where(
        MarkingScheme.project_id == world.machining.id))
    assert scheme is not None
    return scheme


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_cis_scheme_is_imported_as_a_draft(world: World, fmt: str) -> None:
    outcome = run(world, "scheme", scheme_file(scheme_rows(), fmt), f"scheme.{fmt}")
    assert (outcome.new, outcome.bad, outcome.warnings) == (6, 0, [])
    scheme = stored_scheme(world)
    assert scheme.status is SchemeStatus.DRAFT
    a, b = scheme.modules
    assert (a.letter, a.name, a.marking_day, a.share) == ("A", "零件加工", 1, 40)
    m, j = a.aspects
    assert (m.kind, m.position, m.requirement, m.tolerances, m.descriptors) == (
        AspectType.MEASUREMENT, 1, "按图纸检测",
        [{"label": "±0.02", "value": 10}, {"label": "±0.05", "value": 5}], None)
    assert (j.kind, j.max_mark, j.descriptors) == (
        AspectType.JUDGEMENT, 30, ["低于标准", "符合标准", "部分超出", "优秀"])
    assert [x.max_mark for x in b.aspects] == [25, 35]


def test_reimporting_a_scheme_changes_nothing(world: World) -> None:
    data = scheme_file(scheme_rows())
    run(world, "scheme", data)
    before = snapshot(Module), snapshot(Aspect), count(AuditEvent)
    outcome = run(world, "scheme", data)
    assert (outcome.new, outcome.updated, outcome.removed, outcome.unchanged) == (0, 0, 0, 6)
    assert (snapshot(Module), snapshot(Aspect), count(AuditEvent)) == before


def test_a_scheme_that_does_not_total_100_imports_as_a_draft_with_a_warning(
        world: World) -> None:
    rows = scheme_rows()
    rows[0][8] = 45
    rows[1][8] = 15  # A: 15 + 30 = 45, the total is 105
    outcome = run(world, "scheme", scheme_file(rows))
    assert outcome.bad == 0
    assert [code for code, _ in outcome.warnings] == ["total_mismatch", "shares_mismatch"]
    assert outcome.warnings[0][1] == {"total": 105.0, "expected": 100.0}
    assert stored_scheme(world).status is SchemeStatus.DRAFT


def test_scheme_row_errors_store_nothing(world: World) -> None:
    rows = scheme_rows()
    rows[1][8] = "十"  # text in max_mark
    del rows[4]  # A2 loses a descriptor
    rows[-5][8] = 40  # B2 takes B over its share of 60
    job = imports.start("scheme", world.competition, "s.xlsx", scheme_file(rows),
                        world.machining)
    outcome = imports.preview(job)
    assert [(e.row, e.column, e.code) for e in outcome.errors] == [
        (3, "分值", "not_a_number"), (4, "附加描述", "descriptors_missing"),
        (10, "分值", "over_module_share")]
    with pytest.raises(ServiceError):
        imports.confirm(job, only_valid=False)
    assert count(MarkingScheme) == count(Module) == count(Aspect) == 0


def test_a_shorter_file_removes_what_it_no_longer_has_but_keeps_bad_rows(
        world: World) -> None:
    run(world, "scheme", scheme_file(scheme_rows()))
    rows = scheme_rows()[:7]  # module A only
    rows[2][4] = "表面质量（新）"
    rows[1][8] = "十"  # A1 is bad: its stored version stays as it was
    outcome = run(world, "scheme", scheme_file(rows), only_valid=True)
    assert (outcome.removed, outcome.updated, outcome.unchanged, outcome.bad) == (3, 1, 1, 1)
    [module] = stored_scheme(world).modules
    assert [(a.position, a.description, a.max_mark) for a in module.aspects] == [
        (1, "外形尺寸", 10), (2, "表面质量（新）", 30)]


def test_an_active_scheme_is_never_imported_into(world: World) -> None:
    run(world, "scheme", scheme_file(scheme_rows()))
    stored_scheme(world).status = SchemeStatus.ACTIVE
    db.session.commit()
    before = snapshot(Aspect)
    rows = scheme_rows()
    rows[1][8] = 5
    job = imports.start("scheme", world.competition, "s.xlsx", scheme_file(rows),
                        world.machining)
    assert imports.preview(job).blocked == ("scheme_active", {"project": "工业机械"})
    with pytest.raises(ServiceError) as caught:
        imports.confirm(job, only_valid=True)
    assert caught.value.code == "scheme_active"
    assert snapshot(Aspect) == before


def test_a_j_aspect_followed_by_rows_scored_in_any_order(world: World) -> None:
    rows = [["A", "模块", "", "", "", "", "", "", None],
            ["", "", "", "J", "整洁", "", "", "", 100],
            *reversed(descriptor_rows(("零", "一", "二", "三")))]
    run(world, "scheme", scheme_file(rows))
    assert db.session.scalars(select(Aspect)).one().descriptors == ["零", "一", "二", "三"]


# --- bad files: a clear code, and nothing stored ---------------------------------------

def corrupt_xlsx() -> bytes:
    data = bytearray(xlsx_bytes(COMPETITOR_HEADER, [competitor_row(1)]))
    data[len(data) // 2:len(data) // 2 + 200] = b"\x00" * 200
    return bytes(data)


@pytest.mark.parametrize(("filename", "data", "code"), [
    ("people.txt", b"name,id\n", "file_type"),
    ("people", b"name,id\n", "file_type"),
    ("people.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old_xls"),
    ("people.xlsx", b"name,id\nfoo,bar\n", "corrupt"),
    ("people.xlsx", corrupt_xlsx(), "corrupt"),
    ("people.csv", b"PK\x03\x04 not a csv", "corrupt"),
    ("people.csv", b"", "empty"),
    ("people.xlsx", b"", "empty"),
    ("people.csv", b"\n\n , ,\n", "empty"),
    ("people.csv", "\ufeff姓名,身份证号\n".encode(), "missing_columns"),
    ("people.csv", csv_bytes(COMPETITOR_HEADER, []), "no_rows"),
    ("people.csv", b"name,\xff\xff\n", "encoding"),
])
def test_bad_files_are_refused_whole(world: World, filename: str, data: bytes,
                                     code: str) -> None:
    with pytest.raises(SheetError) as caught:
        imports.start("competitors", world.competition, filename, data)
    assert caught.value.code == code
    assert count(ImportJob) == count(Competitor) == 0


def test_missing_columns_are_named(world: World) -> None:
    data = csv_bytes(["姓名", "身份证号", "赛项代码", "代表队", "工作单位或学校"], [["a"] * 5])
    with pytest.raises(SheetError) as caught:
        imports.start("competitors", world.competition, "a.csv", data)
    assert caught.value.params == {"columns": ["组别 (division)", "现技能等级 (current_level)"]}


def test_too_many_rows(app: Flask, world: World) -> None:
    app.config["IMPORT_MAX_ROWS"] = 3
    data = competitors_file(*(competitor_row(i) for i in range(1, 5)), fmt="csv")
    with pytest.raises(SheetError) as caught:
        imports.start("competitors", world.competition, "a.csv", data)
    assert (caught.value.code, caught.value.params) == ("too_many_rows", {"limit": 3})
    assert count(ImportJob) == 0


def test_unconfirmed_uploads_are_dropped_after_a_day(world: World) -> None:
    old = imports.start("competitors", world.competition, "a.csv",
                        competitors_file(competitor_row(1), fmt="csv"))
    old.created_at = utcnow() - imports.STALE_AFTER * 2
    db.session.commit()
    imports.start("competitors", world.competition, "b.csv",
                  competitors_file(competitor_row(1), fmt="csv"))
    assert [j.filename for j in db.session.scalars(select(ImportJob))] == ["b.csv"]


# --- templates -------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["competitors", "judges", "scheme"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_templates_import_cleanly(world: World, kind: str, fmt: str, lang: str) -> None:
    make = templates.template_xlsx if fmt == "xlsx" else templates.template_csv
    outcome = run(world, kind, make(kind, lang, world.competition), f"t.{fmt}")
    assert (outcome.bad, outcome.warnings, outcome.blocked) == (0, [], None)
    assert outcome.new == {"competitors": 2, "judges": 2, "scheme": 6}[kind]


def test_templates_without_a_competition_use_example_codes() -> None:
    rows = templates.example_rows("competitors", "zh")
    assert rows[0][2:5] == ["S01", "职工组", "浦东新区代表队"]
    assert templates.template_csv("judges", "en").startswith("\ufeffname,".encode())
