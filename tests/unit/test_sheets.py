"""Spreadsheet rows: header mapping, cell normalisation, vocabularies, and the row checks
of the competitor, judge and marking-scheme sheets. Pure: no app, no database."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from app.domain.identity import check_character
from app.domain.sheet_people import (
    COMPETITOR_COLUMNS,
    JUDGE_COLUMNS,
    Roster,
    check_competitors,
    check_judges,
)
from app.domain.sheet_scheme import SCHEME_COLUMNS, check_scheme, parse_day
from app.domain.sheets import (
    RowError,
    SheetError,
    build_table,
    cell_text,
    header_key,
    parse_division,
    parse_level,
    parse_number,
    parse_role,
)
from app.domain.vocabulary import AspectType, DivisionKind, JudgeRole

EMP, STU = DivisionKind.EMPLOYEE, DivisionKind.STUDENT
ROSTER = Roster(projects={"s01": frozenset({EMP, STU}), "s02": frozenset({STU})},
                delegations=frozenset({"浦东新区", "徐汇区"}))
C_HEAD = ["姓名", "身份证号", "赛项代码", "组别", "代表队", "工作单位或学校", "现技能等级",
          "工位号", "团队编号"]
J_HEAD = ["姓名", "身份证号", "代表队", "工作单位", "赛项代码", "角色"]
S_HEAD = ["子标准编号", "子标准名称", "评分日", "评分类型", "评分点描述", "评价分档", "附加描述",
          "要求", "分值"]


def idn(serial: int) -> str:
    first17 = f"31011519900307{serial:03d}"
    return first17 + check_character(first17)


def table(header: Sequence[object], rows: Sequence[Sequence[object]], specs,  # type: ignore[no-untyped-def]
          max_rows: int = 100):
    return build_table(enumerate([header, *rows], start=1), specs, max_rows)


def person(serial: int, **changes: object) -> list[object]:
    row: dict[str, object] = {"name": f"选手{serial}", "id": idn(serial), "project": "S01",
                              "division": "职工组", "delegation": "浦东新区",
                              "employer": "上海电气", "level": "", "workstation": str(serial),
                              "team": ""}
    row.update(changes)
    return list(row.values())


def codes(errors: list[RowError]) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.code) for e in errors]


# --- cells, headers, vocabularies ------------------------------------------------------

def test_headers_match_in_chinese_or_english_whatever_the_spacing_and_case() -> None:
    assert header_key(" 身份证号 * ") == header_key("身份证号")
    assert header_key("ID_Number") == header_key("id number") == "idnumber"
    assert header_key("分值：") == "分值"


def test_cells_read_as_people_see_them() -> None:
    assert cell_text(5.0) == "5"
    assert cell_text(2.5) == "2.5"
    assert cell_text("\ufeff 张三\u3000") == "张三"
    assert cell_text("A\u200b") == "A"
    assert cell_text(None) == ""


@pytest.mark.parametrize(("text", "level"), [
    ("5", 5), ("五级", 5), ("初级工", 5), ("4", 4), ("中级工", 4), ("三级", 3), ("高级工", 3),
    ("二级", 2), ("技师", 2), ("1", 1), ("一级", 1), ("高级技师", 1), ("三级/高级工", 3),
    ("二级（技师）", 2), ("", None), ("无", None), ("５", 5),
])
def test_levels_in_every_spelling(text: str, level: int | None) -> None:
    assert parse_level(text) == level


@pytest.mark.parametrize("text", ["6", "0", "七级", "高手", "三级/技师", "特级技师", "3.5"])
def test_anything_else_is_not_a_level(text: str) -> None:
    with pytest.raises(ValueError):
        parse_level(text)


def test_divisions_and_roles_in_chinese_or_english() -> None:
    assert parse_division("职工组") is parse_division("Employee") is EMP
    assert parse_division("学生组") is parse_division("student") is STU
    assert parse_role("裁判长") is parse_role("Chief") is JudgeRole.CHIEF
    assert parse_role("裁判员") is parse_role("judge") is JudgeRole.JUDGE
    assert parse_role("监督") is parse_role("supervisor") is JudgeRole.SUPERVISOR
    for parse, text in ((parse_division, "教师组"), (parse_role, "观众")):
        with pytest.raises(ValueError):
            parse(text)


def test_numbers_typed_as_text_or_full_width_digits() -> None:
    assert parse_number("２．５") == 2.5
    assert parse_number(" 10 ") == 10
    assert parse_number(7) == 7.0
    for bad in ("ten", "5分", "", True):
        with pytest.raises(ValueError):
            parse_number(bad)


# --- the table -------------------------------------------------------------------------

def test_a_title_row_above_the_header_is_skipped_and_row_numbers_are_kept() -> None:
    raw = [(1, ["2026 选手名单", None]), (2, [None, None]), (3, C_HEAD),
           (4, person(1)), (5, ["", ""]), (6, person(2))]
    t = build_table(raw, COMPETITOR_COLUMNS, 100)
    assert [number for number, _ in t.rows] == [4, 6]
    assert t.header("id_number") == "身份证号"


def test_english_headers_are_accepted_and_named_as_written() -> None:
    header = ["Name", "ID Number", "project_code", "division", "delegation", "employer",
              "current_level"]
    t = table(header, [person(1)[:7]], COMPETITOR_COLUMNS)
    assert t.header("id_number") == "ID Number"
    assert "workstation" not in t.index  # optional, absent


def test_missing_required_columns_are_named() -> None:
    with pytest.raises(SheetError) as caught:
        table(["姓名", "赛项代码", "组别", "代表队", "工作单位或学校", "现技能等级"], [["a"] * 6],
              COMPETITOR_COLUMNS)
    assert caught.value.code == "missing_columns"
    assert caught.value.params["columns"] == ["身份证号 (id_number)"]


@pytest.mark.parametrize(("raw", "code"), [
    ([], "empty"),
    ([(1, ["", None]), (2, [None])], "empty"),
    ([(1, C_HEAD)], "no_rows"),
    ([(1, C_HEAD), (2, [""] * 9)], "no_rows"),
])
def test_empty_sheets_are_refused(raw: list[tuple[int, list[object]]], code: str) -> None:
    with pytest.raises(SheetError) as caught:
        build_table(raw, COMPETITOR_COLUMNS, 100)
    assert caught.value.code == code


def test_too_many_rows_are_refused() -> None:
    with pytest.raises(SheetError) as caught:
        table(C_HEAD, [person(i) for i in range(4)], COMPETITOR_COLUMNS, max_rows=3)
    assert (caught.value.code, caught.value.params) == ("too_many_rows", {"limit": 3})
    assert len(table(C_HEAD, [person(i) for i in range(3)], COMPETITOR_COLUMNS, 3).rows) == 3


# --- competitors -----------------------------------------------------------------------

def test_good_competitor_rows_are_read() -> None:
    checked = check_competitors(table(C_HEAD, [person(1, level="高级工", team="T1")],
                                      COMPETITOR_COLUMNS), ROSTER)
    assert checked.errors == []
    [row] = checked.rows
    assert (row.row, row.project, row.division, row.delegation, row.current_level,
            row.team_code, row.id_number) == (2, "s01", EMP, "浦东新区", 3, "T1", idn(1))


@pytest.mark.parametrize(("id_cell", "code"), [
    ("31011519900307001", "id_format"),
    ("3101151990030700AX", "id_format"),
    ("310115" + "19901332" + "0010", "id_birth_date"),
    (idn(1)[:-1] + ("0" if idn(1)[-1] != "0" else "1"), "id_checksum"),
    ("", "required"),
    (3.10115199003070e17, "id_as_number"),
])
def test_bad_id_numbers_say_why(id_cell: object, code: str) -> None:
    checked = check_competitors(table(C_HEAD, [person(1, id=id_cell)], COMPETITOR_COLUMNS),
                                ROSTER)
    assert codes(checked.errors) == [(2, "身份证号", code)]
    assert checked.rows == []


def test_every_bad_cell_of_a_row_is_reported_with_its_column_and_value() -> None:
    row = person(1, project="S09", division="教师组", delegation="火星", level="七级")
    checked = check_competitors(table(C_HEAD, [row], COMPETITOR_COLUMNS), ROSTER)
    assert [(e.column, e.value, e.code) for e in checked.errors] == [
        ("赛项代码", "S09", "unknown_project"),
        ("组别", "教师组", "division_invalid"),
        ("代表队", "火星", "unknown_delegation"),
        ("现技能等级", "七级", "level_invalid"),
    ]


def test_a_division_the_project_does_not_have() -> None:
    checked = check_competitors(table(C_HEAD, [person(1, project="s02")], COMPETITOR_COLUMNS),
                                ROSTER)
    assert [(e.code, e.params) for e in checked.errors] == [
        ("division_not_in_project", {"project": "s02"})]


def test_duplicate_id_numbers_flag_every_row_of_the_group() -> None:
    rows = [person(1), person(2), person(1, name="又一个", workstation="9")]
    checked = check_competitors(table(C_HEAD, rows, COMPETITOR_COLUMNS), ROSTER)
    assert [(e.row, e.code, e.params) for e in checked.errors] == [
        (2, "duplicate_id_number", {"rows": "4"}), (4, "duplicate_id_number", {"rows": "2"})]
    assert [r.row for r in checked.rows] == [3]


def test_workstations_are_unique_within_a_project_only() -> None:
    rows = [person(1, workstation="7"), person(2, workstation="7"),
            person(3, workstation="7", project="S02", division="学生组")]
    checked = check_competitors(table(C_HEAD, rows, COMPETITOR_COLUMNS), ROSTER)
    assert codes(checked.errors) == [(2, "工位号", "duplicate_workstation"),
                                     (3, "工位号", "duplicate_workstation")]
    assert [r.row for r in checked.rows] == [4]


def test_required_cells_and_lengths() -> None:
    rows = [person(1, name="", delegation=""), person(2, name="长" * 51)]
    checked = check_competitors(table(C_HEAD, rows, COMPETITOR_COLUMNS), ROSTER)
    assert [(e.row, e.column, e.code, e.params) for e in checked.errors] == [
        (2, "姓名", "required", {}), (2, "代表队", "required", {}),
        (3, "姓名", "too_long", {"max": 50})]


# --- judges ----------------------------------------------------------------------------

def judge(serial: int, **changes: object) -> list[object]:
    row: dict[str, object] = {"name": f"裁判{serial}", "id": idn(500 + serial),
                              "delegation": "", "employer": "同济大学", "project": "S01",
                              "role": "裁判员"}
    row.update(changes)
    return list(row.values())


def test_a_judge_may_take_one_row_per_project() -> None:
    rows = [judge(1, role="裁判长"), judge(1, project="S02", role="supervisor"), judge(2)]
    checked = check_judges(table(J_HEAD, rows, JUDGE_COLUMNS), ROSTER)
    assert checked.errors == []
    assert [(r.project, r.role) for r in checked.rows] == [
        ("s01", JudgeRole.CHIEF), ("s02", JudgeRole.SUPERVISOR), ("s01", JudgeRole.JUDGE)]


def test_judge_rows_that_contradict_each_other() -> None:
    rows = [judge(1, role="裁判长"), judge(2, role="chief"), judge(3, role="观众"),
            judge(4), judge(4), judge(5), judge(5, project="S02", employer="复旦大学"),
            judge(6, delegation="火星")]
    checked = check_judges(table(J_HEAD, rows, JUDGE_COLUMNS), ROSTER)
    assert [(e.row, e.column, e.code) for e in checked.errors] == [
        (2, "角色", "several_chiefs"), (3, "角色", "several_chiefs"),
        (4, "角色", "role_invalid"),
        (5, "赛项代码", "duplicate_assignment"), (6, "赛项代码", "duplicate_assignment"),
        (8, "工作单位", "details_differ"),
        (9, "代表队", "unknown_delegation"),
    ]


# --- marking scheme --------------------------------------------------------------------

def descriptors(count: int = 4) -> list[list[object]]:
    texts = ["低于标准", "符合标准", "部分超出", "优秀"][:count]
    return [["", "", "", "", "", score, text, "", ""] for score, text in enumerate(texts)]


def good_scheme() -> list[list[object]]:
    return [
        ["A", "零件加工", "C1", "", "", "", "", "", 40],
        ["", "", "", "M", "尺寸", "", "±0.02=10; ±0.05=5", "按图纸", 10],
        ["", "", "", "J", "表面质量", "", "", "", 30],
        *descriptors(),
        ["B", "装配", 2, "", "", "", "", "", None],
        ["B", "", "", "m", "功能", "", "另见附图", "运转正常", 60],
    ]


def scheme(rows: Sequence[Sequence[object]]):  # type: ignore[no-untyped-def]
    return check_scheme(table(S_HEAD, rows, SCHEME_COLUMNS))


def test_a_cis_sheet_reads_into_modules_and_aspects() -> None:
    checked = scheme(good_scheme())
    assert checked.errors == []
    a, b = checked.modules
    assert (a.letter, a.name, a.day, a.share, b.day, b.share) == ("A", "零件加工", 1, 40, 2, None)
    m, j = a.aspects
    assert (m.position, m.kind, m.requirement, m.tolerances) == (
        1, AspectType.MEASUREMENT, "按图纸", [("±0.02", 10.0), ("±0.05", 5.0)])
    assert (j.position, j.kind, j.descriptors) == (
        2, AspectType.JUDGEMENT, {0: "低于标准", 1: "符合标准", 2: "部分超出", 3: "优秀"})
    # A plain extra description on an M row is kept with the requirement, not lost.
    assert b.aspects[0].requirement == "运转正常\n另见附图"


def test_a_judgement_aspect_without_four_descriptors_is_a_row_error() -> None:
    rows = good_scheme()
    del rows[5]  # the score-2 row of A2
    checked = scheme(rows)
    assert [(e.row, e.column, e.code, e.params) for e in checked.errors] == [
        (4, "附加描述", "descriptors_missing", {"count": 3})]
    assert [a.position for a in checked.modules[0].good_aspects] == [1]


def test_an_aspect_over_its_module_share_is_a_row_error() -> None:
    rows = good_scheme()
    rows[0][8] = 35
    checked = scheme(rows)
    assert [(e.row, e.column, e.value, e.code) for e in checked.errors] == [
        (4, "分值", "30", "over_module_share")]


def test_text_in_a_mark_cell_is_a_wrong_typed_cell() -> None:
    rows = good_scheme()
    rows[1][8] = "十分"
    rows[0][8] = "四十"
    checked = scheme(rows)
    assert codes(checked.errors) == [(2, "分值", "not_a_number"),
                                     (3, "子标准编号", "module_invalid"),
                                     (3, "分值", "not_a_number"),
                                     (4, "子标准编号", "module_invalid")]
    assert checked.good_modules == [checked.modules[1]]


@pytest.mark.parametrize(("row", "expected"), [
    (["", "", "", "X", "尺寸", "", "", "", 5], [(2, "评分类型", "type_invalid")]),
    (["", "", "", "", "", 4, "超级", "", ""], [(2, "评价分档", "descriptor_without_judgement")]),
    (["", "", "", "M", "", "", "", "", 5], [(2, "评分点描述", "required")]),
    (["", "", "", "M", "尺寸", "", "", "", ""], [(2, "分值", "required")]),
    (["", "", "", "M", "尺寸", "", "±1=一分", "", 5], [(2, "附加描述", "tolerance_format")]),
    (["", "", "", "M", "尺寸", "", "=1", "", 5], [(2, "附加描述", "tolerance_format")]),
    (["", "", "", "M", "尺寸", "", "a=9", "", 5], [(2, "附加描述", "tolerance_out_of_range")]),
    (["", "", "", "M", "尺寸", "", "", "", 2.3], [(2, "分值", "max_not_half_step")]),
    (["C", "", "", "M", "尺寸", "", "", "", 5], [(2, "子标准编号", "aspect_module_mismatch")]),
    (["", "", "", "", "备注：无", "", "", "", ""], [(2, "", "unrecognised_row")]),
])
def test_bad_scheme_rows_under_a_good_module(row: list[object],
                                             expected: list[tuple[int, str, str]]) -> None:
    module = [["Z", "附加", "", "", "", "", "", "", None], ["", "", "", "M", "长度", "", "", "", 1]]
    checked = scheme([*module, row, *good_scheme()])
    renumbered = [(r + 2, c, code) for r, c, code in expected]
    assert codes(checked.errors) == renumbered


def test_descriptor_rows_must_be_scored_0_to_3_once_each() -> None:
    rows = [["A", "模块", "", "", "", "", "", "", None], ["", "", "", "J", "整洁", "", "", "", 3],
            *descriptors(), ["", "", "", "", "", 3, "又一个", "", ""],
            ["", "", "", "", "", "五", "文字", "", ""]]
    checked = scheme(rows)
    assert codes(checked.errors) == [(8, "评价分档", "judgement_score_duplicate"),
                                     (9, "评价分档", "judgement_score_invalid")]


def test_module_rows_that_are_wrong() -> None:
    rows = [["", "", "", "M", "尺寸", "", "", "", 5],
            ["A", "", "", "", "", "", "", "", ""],
            ["甲", "模块", "", "", "", "", "", "", ""],
            ["B", "模块B", "周一", "", "", "", "", "", ""],
            ["C", "空模块", "", "", "", "", "", "", 10],
            ["D", "模块D", "", "", "", "", "", "", -1]]
    checked = scheme(rows)
    assert codes(checked.errors) == [
        (2, "评分类型", "aspect_without_module"), (3, "子标准名称", "required"),
        (4, "子标准编号", "module_id_invalid"), (5, "评分日", "day_invalid"),
        (6, "子标准编号", "module_empty"), (7, "分值", "max_not_positive")]


def test_a_module_defined_twice() -> None:
    rows = [*good_scheme(), ["A", "又是A", "", "", "", "", "", "", None],
            ["", "", "", "M", "x", "", "", "", 1]]
    checked = scheme(rows)
    assert [(e.row, e.code, e.params) for e in checked.errors] == [
        (11, "duplicate_module", {"row": 2}), (12, "module_invalid", {"row": 11})]


@pytest.mark.parametrize(("text", "day"), [("1", 1), ("C2", 2), ("d3", 3), ("第2天", 2)])
def test_days_of_marking(text: str, day: int) -> None:
    assert parse_day(text) == day
