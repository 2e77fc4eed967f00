"""Marking-scheme spreadsheets in the WorldSkills CIS layout, as organisers keep them:
a title row, the Chinese header row, module rows, aspect rows, and four 评价分档 rows
(0–3) after each J aspect."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

HEADER = ("子标准编号", "子标准名称", "评分日", "评分类型", "评分点描述", "评价分档", "附加描述",
          "要求", "分值")
TITLE = "2025年上海市职业技能大赛 数控车 评分标准"
FIRST_DATA_ROW = 3  # row 1 is the title, row 2 the header
DESCRIPTORS = ("低于行业标准", "符合行业标准", "符合行业标准，且部分超出", "优秀，远超行业标准")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Row = Sequence[object]


def module(letter: str, name: str, day: int, share: float) -> Row:
    return (letter, name, day, None, None, None, None, None, share)


def measurement(description: str, mark: object, requirement: str = "",
                tolerances: str = "") -> Row:
    return (None, None, None, "M", description, None, tolerances or None, requirement or None,
            mark)


def judgement(description: str, mark: object, descriptors: Sequence[str] = DESCRIPTORS,
              kind: str = "J") -> list[Row]:
    rows: list[Row] = [(None, None, None, kind, description, None, None, None, mark)]
    rows += [(None, None, None, None, None, score, text, None, None)
             for score, text in enumerate(descriptors)]
    return rows


# What the good file stores, module by module: (letter, name, [(type, description, mark)]).
GOOD_SCHEME = (
    ("A", "零件加工", [("M", "外形尺寸", 20), ("M", "表面粗糙度 Ra1.6", 15.5),
                       ("J", "表面质量与去毛刺", 24.5)]),
    ("B", "装配调试", [("M", "功能测试", 25), ("J", "工作过程与安全文明生产", 15)]),
)


def good_scheme_rows() -> list[Row]:
    """Modules A (60) and B (40), M and J aspects, half marks: 100 in all."""
    return [
        module("A", "零件加工", 1, 60),
        measurement("外形尺寸", 20, "按图纸检测", "±0.02 mm=20; ±0.05 mm=10"),
        measurement("表面粗糙度 Ra1.6", 15.5, "粗糙度仪检测"),
        *judgement("表面质量与去毛刺", 24.5),
        module("B", "装配调试", 2, 40),
        measurement("功能测试", 25, "设备正常运转"),
        *judgement("工作过程与安全文明生产", 15),
    ]


def bad_scheme_rows() -> list[Row]:
    """The same scheme with edits an import would store, and three bad rows:
    row 5, a J aspect with only two descriptors; row 9, 分值 written in words;
    row 10, an aspect of type X."""
    return [
        module("A", "零件加工（修订）", 1, 60),  # row 3: valid, would rename module A
        measurement("外形尺寸", 10, "按图纸检测"),  # row 4: valid, would change the mark
        *judgement("表面质量（修订）", 24.5, DESCRIPTORS[:2]),  # rows 5-7
        module("B", "装配调试", 2, 40),  # row 8
        measurement("功能测试", "十分", "设备正常运转"),  # row 9
        (None, None, None, "X", "工作过程与安全文明生产", None, None, None, 15),  # row 10
    ]


def xlsx(rows: Sequence[Row]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "评分标准"
    sheet.append([TITLE])
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
