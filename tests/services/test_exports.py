"""Result sheets: what each audience's .xlsx, .csv and PDF hold in every phase.

The public sheets go through the public read model, so the phases that hide results
(hidden, progress only) must export no rows at all, a frozen board the marks as they stood
at the freeze, and a ceremony only the places revealed; staff sheets always show the live
results. The PDF's text is read back from its content streams (tests/pdf_text.py).
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from app.domain.vocabulary import CompetitorStatus, DivisionKind, Visibility
from app.extensions import db
from app.models.base import utcnow
from app.services import exports, live_feed, public_view
from app.services.exports import FINAL, PROVISIONAL, ResultSheet, SheetText
from app.services.marking import submit_mark
from tests.builders import JudgingSetup, judging_setup
from tests.pdf_text import pdf_pages, pdf_text

HEADINGS = {"rank": "Rank", "workstation": "WS", "name": "Name", "delegation": "Team",
            "total": "Total", "scale": "Scale", "award": "Award", "note": "Note"}
TEXT = SheetText(
    title="Results", headings=HEADINGS,
    phases={PROVISIONAL: "Provisional results", FINAL: "Final results"},
    divisions={"employee": "职工组", "student": "学生组"},
    awards={"gold": "金牌", "silver": "银牌", "bronze": "铜牌", "excellence": "优胜奖",
            "medallion": "卓越奖"},
    statuses={"active": "", "withdrawn": "退赛", "disqualified": "取消资格"},
    tie_note=lambda step, undecided: f"tie:{step}{'?' if undecided else ''}",
    no_rows="No results to show yet.",
    field_labels={"competition": "Competition", "project": "Project", "division": "Division",
                  "phase": "Status", "date": "Dates", "printed": "Printed"},
    chief_judge="裁判长（签字）", supervisor="监督仲裁（签字）", signed_on="日期",
    labelled=lambda label, value: f"{label}：{value}",
    page=lambda page, pages: f"第 {page} 页，共 {pages} 页", watermark="暂定成绩")


@pytest.fixture
def setup(app) -> JudgingSetup:
    return judging_setup()


def mark(setup: JudgingSetup, judge: int, competitor: int, aspect, **value) -> None:
    ack = submit_mark(setup.users[judge], {
        "client_id": str(uuid.uuid4()), "competitor_id": setup.competitors[competitor].id,
        "aspect_id": aspect.id, **value})
    assert ack["ok"], ack


def score_all(setup: JudgingSetup) -> None:
    """张伟: J=2 from the whole panel (20) and M full (30) = 50; 李娜: M 15 = 15."""
    for judge in range(3):
        mark(setup, judge, 0, setup.j_aspect, score=2)
    mark(setup, 1, 0, setup.m_aspect, value=30.0)
    mark(setup, 1, 1, setup.m_aspect, value=15.0)


def public(setup: JudgingSetup) -> ResultSheet:
    return exports.public_sheet(setup.project, setup.project.divisions[0])


def staff(setup: JudgingSetup) -> ResultSheet:
    return exports.staff_sheet(setup.project, setup.project.divisions[0])


def xlsx_table(sheet: ResultSheet) -> tuple[dict[str, str], list[list[object]]]:
    """The title block as {label: value} and the table's rows (headings first)."""
    book = load_workbook(io.BytesIO(exports.to_xlsx(sheet, TEXT)))
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    head = rows.index([HEADINGS[c] for c in sheet.columns])
    block = dict(r[0].split("：", 1) for r in rows[1:head] if r and r[0])
    return block, rows[head:]


def csv_rows(sheet: ResultSheet) -> list[list[str]]:
    data = exports.to_csv(sheet, TEXT)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads the Chinese right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# ------------------------------------------------------------------ the sheets' content


def test_a_live_board_exports_the_provisional_ranks_to_everyone(setup):
    score_all(setup)
    for sheet in (public(setup), staff(setup)):
        assert sheet.phase == PROVISIONAL
        block, rows = xlsx_table(sheet)
        assert block["Project"] == "G01 工业机械" and block["Division"] == "职工组"
        assert block["Status"] == "Provisional results"
        assert rows[1:] == [[1, "01", "张伟", "闵行区", 50.0, "金牌", None],
                            [2, "02", "李娜", "浦东新区", 15.0, "银牌", None]]
        assert csv_rows(sheet) == [["Rank", "WS", "Name", "Team", "Total", "Award", "Note"],
                                   ["1", "01", "张伟", "闵行区", "50.00", "金牌", ""],
                                   ["2", "02", "李娜", "浦东新区", "15.00", "银牌", ""]]


@pytest.mark.parametrize("visibility", [Visibility.HIDDEN, Visibility.PROGRESS])
def test_a_hidden_or_progress_only_board_exports_no_rows_to_the_public(setup, visibility):
    score_all(setup)
    setup.competition.visibility = visibility
    db.session.commit()
    sheet = public(setup)
    assert sheet.rows == () and sheet.phase == PROVISIONAL
    _, rows = xlsx_table(sheet)
    assert rows[1:] == [["No results to show yet.", None, None, None, None, None, None]]
    assert csv_rows(sheet) == [["Rank", "WS", "Name", "Team", "Total", "Award", "Note"]]
    text = pdf_text(exports.to_pdf(sheet, TEXT))
    assert "No results to show yet." in text
    assert "张伟" not in text and "李娜" not in text and "50.00" not in text
    # Staff keep seeing everything.
    assert [row.name for row in staff(setup).rows] == ["张伟", "李娜"]


def test_a_frozen_board_exports_the_marks_as_they_stood_to_the_public(setup):
    score_all(setup)
    setup.competition.freeze_at = utcnow()
    db.session.commit()
    mark(setup, 2, 1, setup.b_aspect, value=40.0)  # 李娜 overtakes, after the freeze
    assert [(r.name, r.total) for r in public(setup).rows] == [("张伟", 50.0), ("李娜", 15.0)]
    assert [(r.name, r.total) for r in staff(setup).rows] == [("李娜", 55.0), ("张伟", 50.0)]


def test_a_ceremony_exports_only_the_places_revealed_so_far(setup):
    score_all(setup)
    division = setup.project.divisions[0]
    live_feed.flush_board(setup.project.id, division.id)
    state = public_view.board_state(setup.project, division)
    state.reveal_mode, state.reveal_step = public_view.RANK, 1  # the last place only
    db.session.commit()
    assert [(r.rank, r.name) for r in public(setup).rows] == [(2, "李娜")]
    assert csv_rows(public(setup))[1:] == [["2", "02", "李娜", "浦东新区", "15.00", "银牌", ""]]
    assert [r.name for r in staff(setup).rows] == ["张伟", "李娜"]


def test_published_results_are_final_for_everyone(setup):
    score_all(setup)
    setup.competition.visibility = Visibility.HIDDEN
    setup.competition.published_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    for sheet in (public(setup), staff(setup)):
        assert sheet.phase == FINAL and sheet.file_stem == "results-G01-employee-final"
        assert [r.name for r in sheet.rows] == ["张伟", "李娜"]
        assert xlsx_table(sheet)[0]["Status"] == "Final results"


def test_withdrawn_competitors_are_listed_unranked_with_their_status(setup):
    score_all(setup)
    setup.competitors[1].status = CompetitorStatus.WITHDRAWN
    db.session.commit()
    _, rows = xlsx_table(staff(setup))
    assert rows[1:] == [[1, "01", "张伟", "闵行区", 50.0, "金牌", None],
                        [None, "02", "李娜", "浦东新区", 15.0, "退赛", None]]


def test_a_tie_is_exported_with_the_step_that_decided_it(setup):
    """Both total 30: 张伟 from judgement marks, 李娜 from a measurement. The chain's first
    step, the judgement total, puts 张伟 first; an undecided tie says so."""
    for judge in range(3):
        mark(setup, judge, 0, setup.j_aspect, score=3)
    mark(setup, 1, 1, setup.m_aspect, value=30.0)
    assert [row[2:5] + row[-1:] for row in csv_rows(staff(setup))[1:]] == [
        ["张伟", "闵行区", "30.00", "tie:judgement"],
        ["李娜", "浦东新区", "30.00", "tie:judgement"]]
    assert [r.tie_step for r in public(setup).rows] == ["judgement", "judgement"]

    setup.project.tie_break_chain = ""  # nothing separates them now: the chief must decide
    db.session.commit()
    assert {row[-1] for row in csv_rows(staff(setup))[1:]} == {"tie:key?"}


def test_the_scale_column_appears_only_when_the_project_uses_the_scale(setup):
    score_all(setup)
    assert "scale" not in staff(setup).columns
    setup.project.use_scale = True
    db.session.commit()
    sheet = staff(setup)
    assert sheet.columns == ("rank", "workstation", "name", "delegation", "total", "scale",
                             "award", "note")
    _, rows = xlsx_table(sheet)
    assert [row[5] for row in rows[1:]] == [r.scale for r in sheet.rows] == [720.0, 680.0]


# ------------------------------------------------------------------ the PDF


def test_the_pdf_has_the_title_block_the_ranked_table_and_both_signature_lines(setup):
    score_all(setup)
    sheet = staff(setup)
    data = exports.to_pdf(sheet, TEXT)
    assert data.startswith(b"%PDF-")
    assert pdf_pages(data) == 1
    text = pdf_text(data)
    for expected in ("上海市测试技能大赛", "G01 工业机械 Results", "Division：职工组",
                     "Status：Provisional results", "张伟", "闵行区", "50.00", "金牌",
                     "李娜", "15.00", "裁判长（签字）：", "监督仲裁（签字）：", "日期：",
                     "第 1 页，共 1 页", "暂定成绩"):
        assert expected in text, expected
    # The ranked order is the printed order.
    assert text.index("张伟") < text.index("李娜")


def test_a_final_pdf_has_no_provisional_watermark(setup):
    score_all(setup)
    setup.competition.published_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    text = pdf_text(exports.to_pdf(staff(setup), TEXT))
    assert "Status：Final results" in text and "暂定成绩" not in text


def test_a_long_board_runs_over_pages_with_page_numbers_and_signatures_at_the_end():
    rows = tuple(exports.SheetRow(
        rank=i + 1, workstation=f"{i + 1:02d}", name=f"选手{i + 1}", delegation="浦东新区",
        total=100.0 - i, scale=None, award=None, status=CompetitorStatus.ACTIVE,
        tie_step=None) for i in range(60))
    sheet = ResultSheet("上海市测试技能大赛", (None, None), "G01", "工业机械",
                        DivisionKind.EMPLOYEE, PROVISIONAL, False, rows,
                        datetime(2026, 11, 20, 8, 0, tzinfo=UTC))
    data = exports.to_pdf(sheet, TEXT)
    pages = pdf_pages(data)
    assert pages >= 2
    text = pdf_text(data)
    assert f"第 {pages} 页，共 {pages} 页" in text
    assert text.index("选手60") < text.index("裁判长（签字）：")
    assert text.count("Rank") == pages  # the headings repeat on every page
