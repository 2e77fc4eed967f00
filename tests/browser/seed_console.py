"""Seed a live server's database with a project for the chief judge's console and print
its ids, logins and judges' tokens as one JSON line:
`python -m tests.browser.seed_console NAME`.

Run in its own process with the server's DATABASE_URL and SECRET_KEY, through the same
services the app uses. Everything is named after NAME, so several runs can share a server.
Module A has five aspects (three J, two M); eight competitors, two of them from the
delegation of judge 1 (a conflict of interest each); a spare judge can stand in.
"""

from __future__ import annotations

import json
import sys
from functools import partial
from typing import Any

from werkzeug.security import generate_password_hash

from app import create_app
from app.domain.vocabulary import AspectType, DivisionKind, JudgeRole, UserRole
from app.services import accounts, people, schemes
from tests import builders

PASSWORD = "console password"
DESCRIPTORS = ["低于行业标准", "符合行业标准", "符合并部分超出标准", "优秀"]
MODULES = [
    ("A", "装配与调整", 1, 60.0, [
        (AspectType.JUDGEMENT, "装配工艺规范性", 10.0, None),
        (AspectType.JUDGEMENT, "钳工操作熟练度", 10.0, None),
        (AspectType.MEASUREMENT, "导轨平行度 ≤0.02mm", 10.0, 5.0),
        (AspectType.JUDGEMENT, "整机外观与清洁", 15.0, None),
        (AspectType.MEASUREMENT, "齿轮啮合间隙", 15.0, 7.5),
    ]),
    ("B", "试运行", 2, 40.0, [
        (AspectType.MEASUREMENT, "空运转试验", 20.0, None),
        (AspectType.JUDGEMENT, "故障排除方法", 20.0, None),
    ]),
]
COMPETITORS = [("陈思远", "闵行区"), ("王晓峰", "浦东新区"), ("刘佳琪", "徐汇区"),
               ("赵志刚", "黄浦区"), ("孙梦瑶", "闵行区"), ("周建华", "浦东新区"),
               ("吴晨曦", "徐汇区"), ("郑浩然", "黄浦区")]
JUDGES = [("顾国强", "浦东新区"), ("沈丽华", "静安区"), ("陆文斌", "长宁区")]


def seed(name: str) -> dict[str, Any]:
    comp = builders.competition(f"上海市职业技能大赛 {name}")
    project = builders.project(comp, code=name[:20], name=f"工业机械装调 {name}"[:100],
                               divisions={DivisionKind.EMPLOYEE})
    teams = {n: builders.delegation(comp, n) for n in
             ("浦东新区", "静安区", "闵行区", "徐汇区", "黄浦区", "长宁区")}
    scheme = schemes.ensure_scheme(project)
    aspects: dict[str, int] = {}
    modules: dict[str, int] = {}
    for letter, title, day, share, rows in MODULES:
        module = schemes.save_module(scheme, None, {"letter": letter, "name": title,
                                                    "marking_day": day, "share": share})
        modules[letter] = module.id
        for position, (kind, description, max_mark, tolerance) in enumerate(rows, 1):
            aspect = schemes.save_aspect(module, None, {
                "kind": kind, "description": description, "max_mark": max_mark,
                "requirement": "" if kind is AspectType.JUDGEMENT else description,
                "tolerances": [{"label": "超差一级", "value": tolerance}] if tolerance else None,
                "descriptors": DESCRIPTORS if kind is AspectType.JUDGEMENT else None})
            aspects[f"{letter}{position}"] = aspect.id
    schemes.activate(project)
    division = project.divisions[0]
    competitors = []
    for i, (person, team) in enumerate(COMPETITORS):
        competitors.append(people.save_competitor(comp, None, {
            "name": person, "project_id": project.id, "division_id": division.id,
            "delegation_id": teams[team].id, "employer": f"{team}职业技术学校",
            "current_level": 3, "occupation": "", "workstation": f"{i + 1:02d}",
            "team_code": None}, builders.valid_id_number(400 + i)).id)

    def judge(person: str, team: str, role: UserRole, assign: JudgeRole | None,
              serial: int) -> tuple[Any, Any]:
        user = accounts.create_user(f"{name}-{serial}", role, PASSWORD, display_name=person)
        row = people.save_judge(comp, None, {"name": person, "delegation_id": teams[team].id,
                                             "employer": "", "user_id": user.id},
                                builders.valid_id_number(500 + serial))
        if assign is not None:
            people.assign_judge(row, project, assign)
        return user, row

    panel = [judge(p, t, UserRole.JUDGE, JudgeRole.JUDGE, i) for i, (p, t) in enumerate(JUDGES)]
    spare_user, spare = judge("钱志明", "长宁区", UserRole.JUDGE, None, 7)
    chief_user, _chief = judge("许振东", "静安区", UserRole.CHIEF_JUDGE, JudgeRole.CHIEF, 8)
    supervisor = accounts.create_user(f"{name}-sup", UserRole.SUPERVISOR, PASSWORD,
                                      display_name="监督 周敏")
    return {
        "project_id": project.id, "modules": modules, "aspects": aspects,
        "competitors": competitors, "judges": [row.id for _user, row in panel],
        "tokens": [accounts.issue_token(user, "browser test") for user, _row in panel],
        "spare": spare.id, "spare_token": accounts.issue_token(spare_user, "browser test"),
        "chief": chief_user.username, "supervisor": supervisor.username, "password": PASSWORD,
    }


def main(name: str) -> None:
    app = create_app()
    with app.app_context():
        # Cheap hashing: these passwords guard nothing but a test database.
        accounts.generate_password_hash = partial(  # type: ignore[assignment]
            generate_password_hash, method="pbkdf2:sha256:1000")
        print(json.dumps(seed(name)))


if __name__ == "__main__":
    main(sys.argv[1])
