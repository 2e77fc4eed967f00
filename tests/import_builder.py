"""A small competition for the import tests, built straight from the models (so these
tests do not depend on the organiser services), and spreadsheet writers."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook

from app.domain.identity import check_character
from app.domain.vocabulary import DelegationKind, DivisionKind, ProjectKind, Tier
from app.extensions import db
from app.models import Competition, Delegation, Division, SkillProject

COMPETITOR_HEADER = ["姓名", "身份证号", "赛项代码", "组别", "代表队", "工作单位或学校",
                     "现技能等级", "工位号", "团队编号"]
JUDGE_HEADER = ["姓名", "身份证号", "代表队", "工作单位", "赛项代码", "角色"]
SCHEME_HEADER = ["子标准编号", "子标准名称", "评分日", "评分类型", "评分点描述", "评价分档",
                 "附加描述", "要求", "分值"]


@dataclass
class World:
    competition: Competition
    machining: SkillProject  # S01: both divisions
    care: SkillProject  # S02: students only


def id_number(serial: int, birth: str = "19900307") -> str:
    first17 = f"310115{birth}{serial % 1000:03d}"
    return first17 + check_character(first17)


def build_world(name: str = "上海市第二届职业技能大赛") -> World:
    competition = Competition(name=name, tier=Tier.MUNICIPAL_I, year=2026)
    db.session.add(competition)
    db.session.flush()
    machining = SkillProject(competition_id=competition.id, code="S01", name="工业机械",
                             occupation_name="机修钳工", kind=ProjectKind.WORLDSKILLS_SELECTION)
    care = SkillProject(competition_id=competition.id, code="S02", name="养老护理",
                        occupation_name="养老护理员", kind=ProjectKind.NATIONAL_SELECTED)
    db.session.add_all([machining, care])
    db.session.flush()
    db.session.add_all([
        Division(project_id=machining.id, kind=DivisionKind.EMPLOYEE),
        Division(project_id=machining.id, kind=DivisionKind.STUDENT),
        Division(project_id=care.id, kind=DivisionKind.STUDENT),
        Delegation(competition_id=competition.id, name="浦东新区", kind=DelegationKind.DISTRICT),
        Delegation(competition_id=competition.id, name="徐汇区", kind=DelegationKind.DISTRICT),
    ])
    db.session.commit()
    return World(competition, machining, care)


def competitor_row(serial: int, **changes: str) -> list[str]:
    row = {"name": f"选手{serial}", "id": id_number(serial), "project": "S01",
           "division": "职工组", "delegation": "浦东新区", "employer": "上海电气",
           "level": "三级", "workstation": str(serial), "team": ""}
    row.update(changes)
    return list(row.values())


def judge_row(serial: int, **changes: str) -> list[str]:
    row = {"name": f"裁判{serial}", "id": id_number(500 + serial), "delegation": "徐汇区",
           "employer": "同济大学", "project": "S01", "role": "裁判员"}
    row.update(changes)
    return list(row.values())


def descriptor_rows(texts: Sequence[str] = ("低于标准", "符合标准", "部分超出", "优秀")) \
        -> list[list[object]]:
    return [["", "", "", "", "", score, text, "", ""] for score, text in enumerate(texts)]


def scheme_rows() -> list[list[object]]:
    """A scheme totalling 100: A (share 40) = M 10 + J 30; B (share 60) = M 25 + J 35."""
    return [
        ["A", "零件加工", 1, "", "", "", "", "", 40],
        ["", "", "", "M", "外形尺寸", "", "±0.02=10; ±0.05=5", "按图纸检测", 10],
        ["", "", "", "J", "表面质量", "", "", "", 30],
        *descriptor_rows(),
        ["B", "装配调试", 2, "", "", "", "", "", 60],
        ["B", "", "", "M", "功能测试", "", "", "设备正常运转", 25],
        ["B", "", "", "J", "安全文明", "", "", "", 35],
        *descriptor_rows(),
    ]


def xlsx_bytes(header: Sequence[object], rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append([None if value == "" else value for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(header: Sequence[object], rows: Sequence[Sequence[object]],
              encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)
