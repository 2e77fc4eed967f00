"""The demo generator: the size and shape of the 2020 final day, valid schemes, real
conflicts, accounts, determinism, idempotency, one transaction, no clear ID numbers."""

from __future__ import annotations

import json
import re
import stat
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from app import create_app
from app.domain.identity import validate_id_number
from app.domain.scheme import AspectSpec, ModuleSpec, scheme_problems
from app.domain.vocabulary import (
    AspectType,
    DelegationKind,
    DivisionKind,
    JudgeRole,
    SchemeStatus,
    UserRole,
)
from app.extensions import db
from app.models import (
    Aspect,
    AuditEvent,
    Competition,
    Competitor,
    Delegation,
    Judge,
    JudgeAssignment,
    MarkingScheme,
    Module,
    SkillProject,
    User,
)
from app.services import accounts, demo
from app.services.protection import id_hash
from tests.conftest import TEST_SECRET

# scrypt costs ~0.15 s per account; a cheap method keeps the suite fast and changes nothing
# the tests look at (one test checks that the written passwords really sign in).
FAST_HASH = partial(generate_password_hash, method="pbkdf2:sha256:1000")
ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


@dataclass
class Seeded:
    app: Flask
    summary: str
    logins: Path


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """One demo database for the read-only tests of this module."""
    logins = tmp_path_factory.mktemp("demo") / "logins.txt"
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://", "DEMO_LOGINS_FILE": str(logins)})
    with app.app_context():
        db.create_all()
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(demo, "generate_password_hash", FAST_HASH)
            summary = demo.seed_demo()
        # Release the in-memory database's one shared connection, so a test that opens
        # this app's context again does not meet a transaction still open here.
        db.session.remove()
        yield Seeded(app, summary, logins)
        db.session.remove()
        db.drop_all()


@pytest.fixture
def demo_app(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """A fresh database whose seeding never touches the real instance/ logins file."""
    app.config["DEMO_LOGINS_FILE"] = str(tmp_path / "logins.txt")
    monkeypatch.setattr(demo, "generate_password_hash", FAST_HASH)
    return app


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def fingerprint() -> dict[str, object]:
    """What must be the same on every fresh database: people, IDs, schemes, assignments."""
    competitors = db.session.scalars(select(Competitor)).all()
    aspects = db.session.execute(
        select(SkillProject.code, Module.letter, Aspect.position, Aspect.kind, Aspect.max_mark,
               Aspect.description)
        .select_from(Aspect)
        .join(Module, Aspect.module_id == Module.id)
        .join(MarkingScheme, Module.scheme_id == MarkingScheme.id)
        .join(SkillProject, MarkingScheme.project_id == SkillProject.id)
    ).all()
    judges = db.session.execute(
        select(Judge.name, Judge.id_hash, SkillProject.code, JudgeAssignment.role)
        .select_from(JudgeAssignment)
        .join(Judge, JudgeAssignment.judge_id == Judge.id)
        .join(SkillProject, JudgeAssignment.project_id == SkillProject.id)
    ).all()
    return {
        "competitors": sorted((c.name, c.id_hash, c.workstation, c.project.code,
                               c.delegation.name, c.current_level) for c in competitors),
        "aspects": sorted(tuple(map(str, row)) for row in aspects),
        "judges": sorted(tuple(map(str, row)) for row in judges),
    }


def test_summary_names_what_was_created(seeded: Seeded) -> None:
    assert "created" in seeded.summary
    assert "32 projects" in seeded.summary and "38 delegations" in seeded.summary


def test_competition_is_shaped_like_the_2020_final_day(seeded: Seeded) -> None:
    competition = db.session.scalars(select(Competition)).one()
    assert competition.name == demo.COMPETITION_NAME
    assert competition.tier.value == "municipal_i" and competition.year == 2020
    assert competition.start_date and competition.end_date
    assert competition.start_date <= competition.end_date
    assert [z.is_main for z in competition.zones] == [True, False]
    assert all(2 <= len(z.venues) <= 3 for z in competition.zones)


def test_32_projects_with_real_names_codes_kinds_and_divisions(seeded: Seeded) -> None:
    projects = db.session.scalars(select(SkillProject)).all()
    assert len(projects) == 32
    names = {p.name for p in projects}
    assert {"工业机械", "增材制造", "工业4.0", "养老护理", "网约配送", "西式面点", "美容",
            "汽车技术"} <= names
    assert len({p.code for p in projects}) == 32
    assert all(re.fullmatch(r"\d-\d\d-\d\d-\d\d", p.occupation_code) for p in projects)
    assert {p.kind.value for p in projects} == {"worldskills_selection", "national_selected",
                                               "featured"}
    teams = {p.name: p.team_size for p in projects if p.team_size > 1}
    assert teams and set(teams.values()) <= {2, 3} and "工业4.0" in teams
    division_counts = Counter(len(p.divisions) for p in projects)
    assert division_counts[2] > division_counts[1] > 0  # most both, some only one
    assert all(p.venue is not None for p in projects)


def test_38_delegations_of_the_right_kinds(seeded: Seeded) -> None:
    delegations = db.session.scalars(select(Delegation)).all()
    assert len(delegations) == 38
    districts = {d.name for d in delegations if d.kind is DelegationKind.DISTRICT}
    assert districts == {
        "黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区",
        "宝山区", "嘉定区", "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区"}
    kinds = Counter(d.kind for d in delegations)
    assert all(kinds[k] > 0 for k in DelegationKind)
    by_name = {d.name: d.kind for d in delegations}
    assert by_name["上汽集团"] is DelegationKind.ENTERPRISE
    assert by_name["上海市材料工程学校"] is DelegationKind.SCHOOL


def test_about_400_competitors_split_into_both_divisions(seeded: Seeded) -> None:
    competitors = db.session.scalars(select(Competitor)).all()
    assert 370 <= len(competitors) <= 430
    divisions = Counter(c.division.kind for c in competitors)
    assert divisions[DivisionKind.EMPLOYEE] > 150 and divisions[DivisionKind.STUDENT] > 150
    assert all(c.division.project_id == c.project_id for c in competitors)


def test_levels_employers_and_workstations_are_realistic(seeded: Seeded) -> None:
    competitors = db.session.scalars(select(Competitor)).all()
    students = [c for c in competitors if c.division.kind is DivisionKind.STUDENT]
    employees = [c for c in competitors if c.division.kind is DivisionKind.EMPLOYEE]
    assert sum(c.current_level in (None, 5, 4) for c in students) / len(students) > 0.85
    assert sum(c.current_level in (4, 3, 2) for c in employees) / len(employees) > 0.85
    for c in competitors:
        assert c.employer
        if c.delegation.kind is DelegationKind.SCHOOL:
            assert c.division.kind is DivisionKind.STUDENT and c.employer == c.delegation.name
        if c.delegation.kind is DelegationKind.ENTERPRISE:
            assert c.division.kind is DivisionKind.EMPLOYEE
        if c.division.kind is DivisionKind.STUDENT:
            assert "学" in c.employer  # a school (学校/学院)
    by_project: dict[int, list[Competitor]] = defaultdict(list)
    for c in competitors:
        by_project[c.project_id].append(c)
    for rows in by_project.values():
        project = rows[0].project
        numbers = sorted({int(c.workstation[:2]) for c in rows if c.workstation})
        assert numbers == list(range(1, len(numbers) + 1))  # 01, 02, … with no gaps
        if project.team_size == 1:
            assert all(c.team_code is None and len(c.workstation or "") == 2 for c in rows)
            continue
        teams: dict[str, list[Competitor]] = defaultdict(list)
        for c in rows:
            assert c.team_code
            teams[c.team_code].append(c)
        for members in teams.values():
            assert len(members) == project.team_size
            assert len({m.delegation_id for m in members}) == 1
            assert len({m.division_id for m in members}) == 1


def test_id_numbers_are_valid_shanghai_numbers_with_plausible_ages(seeded: Seeded) -> None:
    plan = demo.build_plan()
    stored = {c.name: c for c in db.session.scalars(select(Competitor))}
    assert len(stored) == len(plan.competitors)  # names are unique
    for person in plan.competitors:
        number = validate_id_number(person.id_number)  # checksum and date
        assert number.startswith("3101")
        age = demo._age(date(int(number[6:10]), int(number[10:12]), int(number[12:14])))
        low, high = (17, 22) if person.division is DivisionKind.STUDENT else (22, 45)
        assert low <= age <= high, (person.name, age)
        row = stored[person.name]
        assert row.id_hash == id_hash(number) and row.id_last4 == number[-4:]


def scheme_specs(scheme: MarkingScheme) -> list[ModuleSpec]:
    return [ModuleSpec(m.letter, tuple(
        AspectSpec(a.kind, a.max_mark, a.description, tuple(a.descriptors or ()),
                   tuple(t["value"] for t in a.tolerances or ())) for a in m.aspects), m.share)
        for m in scheme.modules]


def test_every_scheme_is_valid_active_and_totals_100(seeded: Seeded) -> None:
    schemes = db.session.scalars(select(MarkingScheme)).all()
    assert len(schemes) == 32
    tolerance_tables = 0
    for scheme in schemes:
        assert scheme.status is SchemeStatus.ACTIVE and scheme.activated_at is not None
        assert [m.letter for m in scheme.modules] == list("ABCDE")
        assert scheme_problems(scheme_specs(scheme), 100.0) == []
        assert sum(a.max_mark for m in scheme.modules for a in m.aspects) == 100
        assert sum(m.share or 0 for m in scheme.modules) == 100
        assert {m.marking_day for m in scheme.modules} <= {1, 2, 3}
        kinds = {a.kind for m in scheme.modules for a in m.aspects}
        assert kinds == {AspectType.MEASUREMENT, AspectType.JUDGEMENT}
        for m in scheme.modules:
            assert sum(a.max_mark for a in m.aspects) == m.share
            for a in m.aspects:
                assert (a.max_mark * 2).is_integer()
                if a.kind is AspectType.JUDGEMENT:
                    assert a.descriptors and len(a.descriptors) == 4 and not a.tolerances
                else:
                    assert a.requirement and not a.descriptors
                    tolerance_tables += bool(a.tolerances)
    assert tolerance_tables > 32  # some M aspects have a table, most projects several


def test_judges_per_project_with_one_chief(seeded: Seeded) -> None:
    roles: dict[int, Counter[JudgeRole]] = defaultdict(Counter)
    for row in db.session.scalars(select(JudgeAssignment)):
        roles[row.project_id][row.role] += 1
    assert len(roles) == 32
    for counted in roles.values():
        assert 3 <= sum(counted.values()) <= 5
        assert counted[JudgeRole.CHIEF] == 1
        assert counted[JudgeRole.SUPERVISOR] <= 1
        assert counted[JudgeRole.JUDGE] >= 3  # the default judgement panel


def test_some_judges_have_real_conflicts_of_interest(seeded: Seeded) -> None:
    competing = {(c.project_id, c.delegation_id): c.employer
                 for c in db.session.scalars(select(Competitor))}
    employers = {(c.project_id, c.employer) for c in db.session.scalars(select(Competitor))}
    conflicted_projects = set()
    for row in db.session.scalars(select(JudgeAssignment)):
        judge = row.judge
        if judge.delegation_id and (row.project_id, judge.delegation_id) in competing:
            conflicted_projects.add(row.project_id)
            assert (row.project_id, judge.employer) in employers  # the same employer too
            assert row.role is JudgeRole.JUDGE
    assert len(conflicted_projects) == demo.CONFLICT_PROJECTS


def test_accounts_for_the_first_projects_and_the_logins_file(seeded: Seeded) -> None:
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert users["organiser"].role is UserRole.ORGANISER
    first = db.session.scalars(select(SkillProject).order_by(SkillProject.code)).all()
    expected_role = {JudgeRole.CHIEF: UserRole.CHIEF_JUDGE, JudgeRole.JUDGE: UserRole.JUDGE,
                     JudgeRole.SUPERVISOR: UserRole.SUPERVISOR}
    for project in first[:3]:
        code = project.code.lower()
        for row in db.session.scalars(
                select(JudgeAssignment).where(JudgeAssignment.project_id == project.id)):
            user = row.judge.user
            assert user is not None and user.role is expected_role[row.role]
            assert re.fullmatch(rf"(chief|supervisor)-{code}|judge-{code}-\d", user.username)
            assert user.display_name == row.judge.name
    later = {p.id for p in first[3:]}
    assert all(a.judge.user_id is None for a in db.session.scalars(select(JudgeAssignment))
               if a.project_id in later)

    lines = seeded.logins.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines]
    assert {username for _, username, _ in rows} == set(users)
    assert all(users[username].role.value == role for role, username, _ in rows)
    assert stat.S_IMODE(seeded.logins.stat().st_mode) == 0o600
    assert demo.demo_logins() == [tuple(r) for r in rows]
    for _, username, password in rows[:2]:
        assert len(password) >= 16
        assert accounts.authenticate(username, password) is not None


def test_real_password_hashing_is_used_by_default() -> None:
    assert demo.generate_password_hash is generate_password_hash


def test_no_clear_id_number_is_stored_anywhere(seeded: Seeded) -> None:
    plan = demo.build_plan()
    numbers = {p.id_number for p in (*plan.competitors, *plan.judges)}
    scanned = 0
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).all():
            for value in row:
                if isinstance(value, bytes):
                    text = value.decode("latin-1")
                elif isinstance(value, (dict, list)):
                    text = json.dumps(value, ensure_ascii=False)
                elif isinstance(value, str):
                    text = value
                else:
                    continue
                scanned += 1
                assert not ID_PATTERN.search(text), (table.name, text)
                assert not any(n in text for n in numbers if n[-4:] in text), table.name
    assert scanned > 5000


def test_running_again_changes_nothing(seeded: Seeded) -> None:
    models = (Competition, SkillProject, Delegation, Competitor, Judge, JudgeAssignment, User,
              Aspect, AuditEvent)
    before = {m.__name__: count(m) for m in models}
    logins = seeded.logins.read_text(encoding="utf-8")
    first = fingerprint()
    summary = demo.seed_demo()
    assert "already exists" in summary
    assert {m.__name__: count(m) for m in models} == before
    assert before["AuditEvent"] == 1
    assert fingerprint() == first
    assert seeded.logins.read_text(encoding="utf-8") == logins


def test_two_fresh_databases_get_the_same_demo(seeded: Seeded, demo_app: Flask) -> None:
    with seeded.app.app_context():
        first = fingerprint()
    # demo_app is a second, empty database.
    assert count(Competition) == 0
    assert "created" in demo.seed_demo()
    assert fingerprint() == first
    assert demo.build_plan() == demo.build_plan()


def test_if_empty_does_nothing_when_any_competition_exists(demo_app: Flask) -> None:
    from app.domain.vocabulary import Tier

    db.session.add(Competition(name="区级比赛", tier=Tier.DISTRICT, year=2021))
    db.session.commit()
    result = demo_app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "skipped" in result.output
    assert count(Competition) == 1 and count(User) == 0
    assert not Path(demo_app.config["DEMO_LOGINS_FILE"]).exists()


def test_a_failure_part_way_leaves_nothing_behind(demo_app: Flask,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def failing_put_judge(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 20:
            raise RuntimeError("disk full")
        return real_put_judge(*args, **kwargs)

    real_put_judge = demo.put_judge
    monkeypatch.setattr(demo, "put_judge", failing_put_judge)
    with pytest.raises(RuntimeError, match="disk full"):
        demo.seed_demo()
    assert len(calls) == 20
    for model in (Competition, SkillProject, Competitor, Judge, User, AuditEvent, Aspect):
        assert count(model) == 0, model.__name__
    assert not Path(demo_app.config["DEMO_LOGINS_FILE"]).exists()
