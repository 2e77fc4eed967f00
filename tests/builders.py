"""Builders for test data, through the same services the app uses."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from app.domain.identity import check_character
from app.domain.vocabulary import DelegationKind, DivisionKind, ProjectKind, Tier
from app.models import Aspect, Competition, Competitor, Delegation, Judge, SkillProject, User
from app.services import organising

_serial = itertools.count(1)


def valid_id_number(serial: int | None = None, birth: str = "19900101") -> str:
    """A checksummed 18-character ID number (Shanghai 310101 area code)."""
    n = next(_serial) if serial is None else serial
    first17 = f"310101{birth}{n % 1000:03d}"
    return first17 + check_character(first17)


def competition(name: str = "上海市测试技能大赛", **values: object) -> Competition:
    data = {"name": name, "tier": Tier.MUNICIPAL_I, "year": 2026, "start_date": None,
            "end_date": None, "host": "", **values}
    return organising.save_competition(None, data)


def project(comp: Competition, code: str = "G01", name: str = "工业机械",
            divisions: set[DivisionKind] | None = None, **values: object) -> SkillProject:
    data = {"code": code, "name": name, "occupation_name": "机修钳工", "occupation_code": "",
            "kind": ProjectKind.WORLDSKILLS_SELECTION, **values}
    return organising.save_project(comp, None, data, divisions or {DivisionKind.EMPLOYEE})


def delegation(comp: Competition, name: str = "浦东新区",
               kind: DelegationKind = DelegationKind.DISTRICT) -> Delegation:
    return organising.save_delegation(comp, None, {"name": name, "kind": kind})


@dataclass
class JudgingSetup:
    """A project ready for marking: an active scheme with one J and one M aspect in
    module A (and one M aspect in module B), three panel judges with accounts, and two
    competitors; judge 1 shares a delegation with competitor 2 (a conflict)."""

    competition: Competition
    project: SkillProject
    j_aspect: Aspect
    m_aspect: Aspect
    b_aspect: Aspect
    judges: list[Judge]
    users: list[User]
    competitors: list[Competitor]
    chief: User


def judging_setup(panel_size: int = 3) -> JudgingSetup:
    from app.domain.vocabulary import AspectType, JudgeRole, UserRole
    from app.services import accounts, people, schemes

    comp = competition()
    proj = project(comp, panel_size=panel_size)
    pudong, jingan, minhang = (delegation(comp, n) for n in ("浦东新区", "静安区", "闵行区"))
    scheme = schemes.ensure_scheme(proj)
    module_a = schemes.save_module(scheme, None, {"letter": "A", "name": "装配", "marking_day": 1,
                                                  "share": 60.0})
    module_b = schemes.save_module(scheme, None, {"letter": "B", "name": "调试", "marking_day": 2,
                                                  "share": 40.0})
    j_aspect = schemes.save_aspect(module_a, None, {
        "kind": AspectType.JUDGEMENT, "description": "工艺质量", "max_mark": 30.0,
        "requirement": "", "tolerances": None,
        "descriptors": ["低于标准", "符合标准", "部分超出", "优秀"]})
    m_aspect = schemes.save_aspect(module_a, None, {
        "kind": AspectType.MEASUREMENT, "description": "尺寸", "max_mark": 30.0,
        "requirement": "±0.1mm", "tolerances": [{"label": "±0.3mm", "value": 15.0}],
        "descriptors": None})
    b_aspect = schemes.save_aspect(module_b, None, {
        "kind": AspectType.MEASUREMENT, "description": "运行", "max_mark": 40.0,
        "requirement": "", "tolerances": None, "descriptors": None})
    schemes.activate(proj)
    division = proj.divisions[0]
    competitors = [
        people.save_competitor(comp, None, {
            "name": name, "project_id": proj.id, "division_id": division.id,
            "delegation_id": team.id, "employer": employer, "current_level": 3,
            "occupation": "", "workstation": f"0{i + 1}", "team_code": None},
            valid_id_number(100 + i))
        for i, (name, team, employer) in enumerate(
            [("张伟", minhang, "上海电气"), ("李娜", pudong, "宝武集团")])]
    users, judges = [], []
    for i, team in enumerate([pudong, jingan, jingan]):
        user = accounts.create_user(f"judge{i + 1}", UserRole.JUDGE, "judge password")
        judge = people.save_judge(comp, None, {"name": f"裁判{i + 1}", "delegation_id": team.id,
                                               "employer": f"单位{i + 1}", "user_id": user.id},
                                  valid_id_number(200 + i))
        people.assign_judge(judge, proj, JudgeRole.JUDGE)
        users.append(user)
        judges.append(judge)
    chief = accounts.create_user("chief", UserRole.CHIEF_JUDGE, "chief password")
    chief_judge = people.save_judge(comp, None, {"name": "裁判长", "delegation_id": None,
                                                 "employer": "", "user_id": chief.id},
                                    valid_id_number(300))
    people.assign_judge(chief_judge, proj, JudgeRole.CHIEF)
    return JudgingSetup(comp, proj, j_aspect, m_aspect, b_aspect, judges, users, competitors,
                        chief)
