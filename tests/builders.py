"""Builders for test data, through the same services the app uses."""

from __future__ import annotations

import itertools

from app.domain.identity import check_character
from app.domain.vocabulary import DelegationKind, DivisionKind, ProjectKind, Tier
from app.models import Competition, Delegation, SkillProject
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
