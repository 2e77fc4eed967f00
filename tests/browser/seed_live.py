"""Seed a live server's database with a competition for the spectators' screens and print
its ids and a judge's API token as one JSON line:
`python -m tests.browser.seed_live NAME [PHASE]`.

PHASE is what the public sees: live (default), progress, hidden, frozen, ceremony-rank,
ceremony-award or published. Run in its own process with the server's DATABASE_URL, through
the same services the app uses; the boards are flushed here, so the server's pages find
them ready. Everything is named after NAME, so several runs can share a server.

Two projects. G01 工业机械装调 has an employee division of eight (one withdrawn; 王晓峰 and
刘佳琪 tie on 72.5 and the judgement marks decide; 孙梦瑶 still waits for her B1 mark, which
the browser test submits) and a student division of four. G02 数控车 has six, all marked.
Three named screens: 大屏 (rotate, 5 s), 颁奖屏 (ceremony of G01) and 奖牌屏 (medals).
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import timedelta
from functools import partial
from typing import Any

from werkzeug.security import generate_password_hash

from app import create_app
from app.domain.vocabulary import (
    AspectType,
    CompetitorStatus,
    DivisionKind,
    JudgeRole,
    UserRole,
    Visibility,
)
from app.extensions import db
from app.models import BoardState, Competitor
from app.models.base import utcnow
from app.realtime.live import coalescer
from app.services import accounts, people, schemes, screens
from app.services.marking import submit_mark
from tests import builders

PHASES = ("live", "progress", "hidden", "frozen", "ceremony-rank", "ceremony-award",
          "published")
PASSWORD = "live password"
DESCRIPTORS = ["低于行业标准", "符合行业标准", "符合并部分超出标准", "优秀"]
# letter, title, share, aspects: (key, kind, description, max mark, tolerance values)
MODULES = [
    ("A", "装配与精度", 50.0, [
        ("A1", AspectType.MEASUREMENT, "尺寸精度", 20.0, [15.0, 10.0, 5.0]),
        ("A2", AspectType.MEASUREMENT, "形位公差", 20.0, [15.0, 10.0, 5.0]),
        ("A3", AspectType.MEASUREMENT, "表面粗糙度", 10.0, [7.5, 5.0]),
    ]),
    ("B", "调试与工艺", 50.0, [
        ("B1", AspectType.MEASUREMENT, "功能调试", 35.0, [25.0, 15.0]),
        ("B2", AspectType.JUDGEMENT, "工艺规范性", 15.0, []),
    ]),
]
# name, delegation, A1, A2, A3, B1, B2 (one score for the whole panel), status
G01_EMPLOYEE = [
    ("陈思远", "闵行区", 20, 15, 10, 25, 3, None),
    ("王晓峰", "浦东新区", 15, 15, 7.5, 25, 2, None),
    ("刘佳琪", "徐汇区", 20, 15, 7.5, 25, 1, None),
    ("赵志刚", "黄浦区", 15, 10, 7.5, 25, 2, None),
    ("孙梦瑶", "闵行区", 20, 20, 10, None, 2, None),  # B1 comes from the test
    ("周建华", "浦东新区", 10, 10, 5, 15, 1, None),
    ("吴晨曦", "徐汇区", 15, 10, 0, 15, None, None),
    ("郑浩然", "黄浦区", 10, 5, 5, 0, None, CompetitorStatus.WITHDRAWN),
]
G01_STUDENT = [
    ("李思琪", "静安区", 20, 15, 10, 25, 2, None),
    ("黄子轩", "长宁区", 15, 15, 5, 25, 2, None),
    ("马晓东", "浦东新区", 15, 10, 7.5, 25, 1, None),
    ("林雨萱", "徐汇区", 10, 10, 5, 25, 1, None),
]
G02_EMPLOYEE = [
    ("钱志明", "长宁区", 20, 20, 7.5, 35, 3, None),
    ("冯海涛", "静安区", 15, 20, 10, 25, 2, None),
    ("褚文静", "浦东新区", 20, 15, 5, 25, 2, None),
    ("卫子健", "黄浦区", 15, 15, 7.5, 15, 1, None),
    ("蒋雅婷", "闵行区", 10, 15, 5, 15, 1, None),
    ("韩宇航", "徐汇区", 10, 10, 5, 0, 0, None),
]


def _scheme(project: Any) -> dict[str, Any]:
    scheme = schemes.ensure_scheme(project)
    aspects = {}
    for letter, title, share, rows in MODULES:
        module = schemes.save_module(scheme, None, {"letter": letter, "name": title,
                                                    "marking_day": 1, "share": share})
        for key, kind, description, max_mark, tolerances in rows:
            aspects[key] = schemes.save_aspect(module, None, {
                "kind": kind, "description": description, "max_mark": max_mark,
                "requirement": "" if kind is AspectType.JUDGEMENT else description,
                "tolerances": [{"label": f"{v:g}", "value": v} for v in tolerances] or None,
                "descriptors": DESCRIPTORS if kind is AspectType.JUDGEMENT else None})
    schemes.activate(project)
    return aspects


def _mark(users: list[Any], competitor_id: int, aspect: Any, value: float | None,
          score: int | None = None) -> None:
    for user in users if score is not None else users[:1]:
        payload = {"client_id": str(uuid.uuid4()), "competitor_id": competitor_id,
                   "aspect_id": aspect.id}
        payload.update({"score": score} if score is not None else {"value": float(value or 0)})
        submit_mark(user, payload)


def seed(name: str, phase: str) -> dict[str, Any]:
    comp = builders.competition(f"上海市职业技能大赛 {name}", host="上海市人力资源和社会保障局")
    teams = {n: builders.delegation(comp, n) for n in
             ("浦东新区", "静安区", "闵行区", "徐汇区", "黄浦区", "长宁区", "市裁判委员会")}
    g01 = builders.project(comp, code="G01", name="工业机械装调",
                           divisions={DivisionKind.EMPLOYEE, DivisionKind.STUDENT})
    g02 = builders.project(comp, code="G02", name="数控车",
                           divisions={DivisionKind.EMPLOYEE})
    users = []
    for i, person in enumerate(("顾国强", "沈丽华", "陆文斌")):
        user = accounts.create_user(f"{name}-judge{i + 1}", UserRole.JUDGE, PASSWORD,
                                    display_name=person)
        judge = people.save_judge(comp, None, {"name": person, "employer": "",
                                               "delegation_id": teams["市裁判委员会"].id,
                                               "user_id": user.id},
                                  builders.valid_id_number(700 + i))
        for project in (g01, g02):
            people.assign_judge(judge, project, JudgeRole.JUDGE)
        users.append(user)

    serial = iter(range(600, 700))
    ids: dict[str, int] = {}
    boards = []
    aspects_of: dict[int, dict[str, Any]] = {}
    for project, kind, rows in ((g01, DivisionKind.EMPLOYEE, G01_EMPLOYEE),
                                (g01, DivisionKind.STUDENT, G01_STUDENT),
                                (g02, DivisionKind.EMPLOYEE, G02_EMPLOYEE)):
        if project.id not in aspects_of:
            aspects_of[project.id] = _scheme(project)
        aspects = aspects_of[project.id]
        division = next(d for d in project.divisions if d.kind is kind)
        boards.append((project.id, division.id))
        first_station = sum(1 for b in boards if b[0] == project.id) * 20 - 20
        for i, (person, team, a1, a2, a3, b1, b2, status) in enumerate(rows, first_station):
            competitor = people.save_competitor(comp, None, {
                "name": person, "project_id": project.id, "division_id": division.id,
                "delegation_id": teams[team].id, "employer": f"{team}职业技术学校",
                "current_level": 3, "occupation": "", "workstation": f"{i + 1:02d}",
                "team_code": None}, builders.valid_id_number(next(serial)))
            ids[person] = competitor.id
            for key, value in (("A1", a1), ("A2", a2), ("A3", a3), ("B1", b1)):
                if value is not None:
                    _mark(users, competitor.id, aspects[key], value)
            if b2 is not None:
                _mark(users, competitor.id, aspects["B2"], None, score=b2)
            if status is not None:
                db.session.get(Competitor, competitor.id).status = status
                db.session.commit()

    screen_ids = {}
    for screen_name, show, project_id, seconds in (("大屏", "rotate", None, 5),
                                                   ("颁奖屏", "ceremony", g01.id, 15),
                                                   ("奖牌屏", "medals", None, 15)):
        screen_ids[screen_name] = screens.point(comp, None, {
            "name": screen_name, "show": show, "project_id": project_id,
            "rotate_seconds": seconds}).id
    _set_phase(comp, phase, boards)
    return {
        "competition_id": comp.id, "projects": [g01.id, g02.id],
        "divisions": {"G01-employee": boards[0][1], "G01-student": boards[1][1],
                      "G02-employee": boards[2][1]},
        "competitors": ids, "delegations": {n: team.id for n, team in teams.items()},
        "aspects": {key: aspect.id for key, aspect in aspects_of[g01.id].items()},
        "screens": screen_ids,
        "token": accounts.issue_token(users[0], "browser test"),
    }


def _set_phase(comp: Any, phase: str, boards: list[tuple[int, int]]) -> None:
    """What the public sees; the ceremony is set on the boards' state directly (the
    organiser's console does it through app.services.ceremony)."""
    coalescer().flush()  # the boards as they stand, live
    # End this session's read snapshot: it began before the flush's writes, and SQLite
    # would refuse to turn it into a write.
    db.session.rollback()
    if phase in ("progress", "hidden"):
        comp.visibility = Visibility(phase)
    elif phase == "frozen":
        comp.freeze_at = utcnow() - timedelta(seconds=1)
    elif phase == "published":
        comp.published_at = utcnow() - timedelta(seconds=1)
    elif phase.startswith("ceremony"):
        comp.freeze_at = utcnow() - timedelta(seconds=1)
        state = db.session.query(BoardState).filter_by(project_id=boards[0][0],
                                                        division_id=boards[0][1]).one()
        state.reveal_mode, state.reveal_step = ("rank", 4) if phase == "ceremony-rank" \
            else ("award", 2)
    db.session.commit()
    coalescer().touch(boards)
    coalescer().flush()


def main(name: str, phase: str = "live") -> None:
    if phase not in PHASES:
        raise SystemExit(f"phase must be one of {', '.join(PHASES)}")
    # The boards are flushed here, by hand, not by a background task of this process.
    app = create_app({"LIVE_UPDATE_INTERVAL": 0})
    with app.app_context():
        # Cheap hashing: these passwords guard nothing but a test database.
        accounts.generate_password_hash = partial(  # type: ignore[assignment]
            generate_password_hash, method="pbkdf2:sha256:1000")
        print(json.dumps(seed(name, phase), ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:])
