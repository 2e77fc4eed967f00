"""Seed a fresh database for the judging benchmark and print what the load needs as JSON.

    DATABASE_URL=sqlite:///… python bench/seed.py --judges 100 > seed.json

One competition with `judges / 5` projects. Each project has an active scheme (4
modules × 5 aspects, J and M alternating), 20 competitors and a 5-judge panel that drops
the highest and lowest score; nobody has a conflict of interest. Every judge gets a
token-only account and a bearer token, and so has 20 × 20 = 400 distinct marks to enter.
Everything is made through the app's own services, as an organiser would.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from app.domain.identity import check_character
from app.domain.marking import JUDGEMENT_SCORES, allowed_measurement_values
from app.domain.vocabulary import (
    AspectType,
    DelegationKind,
    DivisionKind,
    JudgeRole,
    ProjectKind,
    Tier,
    UserRole,
)
from app.models import Competition, SkillProject
from app.services import accounts, organising, people, schemes

PANEL = 5
COMPETITORS = 20
MODULES = "ABCD"
ASPECTS_PER_MODULE = 5  # 4 × 5 aspects × 5 marks = 100
DESCRIPTORS = ["低于标准", "符合标准", "部分超出", "优秀"]


def id_number(n: int) -> str:
    """A checksummed 18-character ID number, distinct for each n."""
    birth = date(1980, 1, 1) + timedelta(days=n // 1000)
    first17 = f"310101{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + check_character(first17)


def seed_project(comp: Competition, index: int, serial: list[int]) -> dict[str, Any]:
    project: SkillProject = organising.save_project(comp, None, {
        "code": f"B{index + 1:02d}", "name": f"基准赛项{index + 1}", "occupation_name": "基准",
        "occupation_code": "", "kind": ProjectKind.WORLDSKILLS_SELECTION,
        "panel_size": PANEL, "trim_panel": True}, {DivisionKind.EMPLOYEE})
    scheme = schemes.ensure_scheme(project)
    aspects = []
    for letter in MODULES:
        module = schemes.save_module(scheme, None, {
            "letter": letter, "name": f"模块{letter}", "marking_day": 1, "share": 25.0})
        for position in range(ASPECTS_PER_MODULE):
            judgement = position % 2 == 0
            aspect = schemes.save_aspect(module, None, {
                "kind": AspectType.JUDGEMENT if judgement else AspectType.MEASUREMENT,
                "description": f"{letter}{position + 1}", "max_mark": 5.0,
                "requirement": "" if judgement else "±0.1mm",
                "tolerances": None if judgement else [{"label": "±0.3mm", "value": 2.5}],
                "descriptors": DESCRIPTORS if judgement else None})
            allowed = (list(JUDGEMENT_SCORES) if judgement else
                       list(allowed_measurement_values(5.0, [2.5])))
            aspects.append({"id": aspect.id, "type": aspect.kind.value, "allowed": allowed})
    schemes.activate(project)
    team = organising.save_delegation(comp, None, {"name": f"代表队{index + 1}",
                                                   "kind": DelegationKind.DISTRICT})
    competitors = []
    for i in range(COMPETITORS):
        serial[0] += 1
        competitor = people.save_competitor(comp, None, {
            "name": f"选手{index + 1}-{i + 1}", "project_id": project.id,
            "division_id": project.divisions[0].id, "delegation_id": team.id,
            "employer": f"企业{i}", "current_level": 3, "occupation": "",
            "workstation": f"{i + 1:02d}", "team_code": None}, id_number(serial[0]))
        competitors.append(competitor.id)
    tokens = []
    for j in range(PANEL):
        serial[0] += 1
        user = accounts.create_user(f"bench-{index + 1:02d}-{j + 1}", UserRole.JUDGE)
        judge = people.save_judge(comp, None, {
            "name": f"裁判{index + 1}-{j + 1}", "delegation_id": None,
            "employer": f"评审单位{j}", "user_id": user.id}, id_number(serial[0]))
        people.assign_judge(judge, project, JudgeRole.JUDGE)
        tokens.append(accounts.issue_token(user, "bench"))
    return {"id": project.id, "competitors": competitors, "aspects": aspects,
            "tokens": tokens}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judges", type=int, default=100, help="a multiple of 5")
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        comp = organising.save_competition(None, {
            "name": "赛评基准测试", "tier": Tier.ENTERPRISE, "year": 2026,
            "start_date": None, "end_date": None, "host": ""})
        serial = [0]
        projects = [seed_project(comp, i, serial) for i in range(-(-args.judges // PANEL))]
    print(json.dumps({"projects": projects}))


if __name__ == "__main__":
    main()
