"""Downloadable templates: the header row and a few example rows that import cleanly.

With a competition, the examples use its own first project, division and delegation,
so an organiser can try the template as it is. Example ID numbers are fake but valid
(their check character is computed), so they pass the importer's checks."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.domain.identity import check_character
from app.domain.vocabulary import DivisionKind
from app.models import Competition
from app.services.imports import COLUMNS

Row = Sequence[object]


def fake_id_number(serial: int) -> str:
    """A well-formed, checksummed ID number for examples: Pudong, born 1990-03-07."""
    first17 = f"31011519900307{serial % 1000:03d}"
    return first17 + check_character(first17)


def _people_context(competition: Competition | None) -> tuple[str, DivisionKind, str]:
    if competition is not None:
        project = next((p for p in competition.projects if p.divisions), None)
        if project is not None and competition.delegations:
            return project.code, project.divisions[0].kind, competition.delegations[0].name
    return "S01", DivisionKind.EMPLOYEE, "浦东新区代表队"


def example_rows(kind: str, lang: str, competition: Competition | None = None) -> list[Row]:
    zh = lang == "zh"
    code, division, delegation = _people_context(competition)
    division_text = {DivisionKind.EMPLOYEE: "职工组", DivisionKind.STUDENT: "学生组"}[division] \
        if zh else division.value
    if kind == "competitors":
        return [
            ["张伟" if zh else "Zhang Wei", fake_id_number(11), code, division_text, delegation,
             "上海电气集团" if zh else "Shanghai Electric", "三级" if zh else "3", "01", ""],
            ["李娜" if zh else "Li Na", fake_id_number(22), code, division_text, delegation,
             "上海市工业技术学校" if zh else "Shanghai Industrial School", "", "02", ""],
        ]
    if kind == "judges":
        return [
            ["王强" if zh else "Wang Qiang", fake_id_number(501), delegation,
             "上海市职业技能鉴定中心" if zh else "Shanghai Skills Centre", code,
             "裁判长" if zh else "chief"],
            ["赵敏" if zh else "Zhao Min", fake_id_number(502), "",
             "同济大学" if zh else "Tongji University", code, "裁判员" if zh else "judge"],
        ]
    return _scheme_rows(zh)


def _scheme_rows(zh: bool) -> list[Row]:
    descriptors = (("低于行业标准", "符合行业标准", "符合行业标准，且部分超出", "优秀")
                   if zh else ("Below industry standard", "Meets industry standard",
                               "Meets the standard and exceeds it in some respects",
                               "Excellent"))

    def judgement(description: str, mark: float) -> list[Row]:
        rows: list[Row] = [["", "", "", "J", description, "", "", "", mark]]
        rows += [["", "", "", "", "", score, text, "", ""]
                 for score, text in enumerate(descriptors)]
        return rows

    return [
        ["A", "零件加工" if zh else "Machining", 1, "", "", "", "", "", 50],
        ["", "", "", "M", "外形尺寸" if zh else "Dimensions", "", "±0.02 mm=20; ±0.05 mm=10",
         "按图纸检测" if zh else "Checked against the drawing", 20],
        *judgement("表面质量" if zh else "Surface finish", 30),
        ["B", "装配调试" if zh else "Assembly", 2, "", "", "", "", "", 50],
        ["", "", "", "M", "功能测试" if zh else "Function test", "", "",
         "设备正常运转" if zh else "The machine runs", 25],
        *judgement("工作过程与安全" if zh else "Process and safety", 25),
    ]


def headers(kind: str, lang: str) -> list[str]:
    return [spec.zh if lang == "zh" else spec.en for spec in COLUMNS[kind]]


def template_csv(kind: str, lang: str, competition: Competition | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers(kind, lang))
    writer.writerows(example_rows(kind, lang, competition))
    # With a BOM, Excel on Chinese Windows opens UTF-8 without garbling the characters.
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(kind: str, lang: str, competition: Competition | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = kind
    sheet.append(headers(kind, lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in example_rows(kind, lang, competition):
        sheet.append([None if value == "" else value for value in row])
    for position, spec in enumerate(COLUMNS[kind], start=1):
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = 24 if spec.key.endswith("description") else 16
        if spec.key in ("id_number", "workstation", "team_code", "project_code"):
            # Text, so Excel keeps all 18 digits and leading zeros of what people type.
            sheet.column_dimensions[letter].number_format = "@"
            for cell in sheet[letter][1:]:
                cell.number_format = "@"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
