"""The demo competition and its logins (`flask --app wsgi seed-demo`).

Two halves: `build_plan()` is plain data drawn from random.Random(2020), so two runs give
the same names, ID numbers and marking schemes; `seed_demo()` writes a plan in one
transaction. Running it again finds the competition by name and changes nothing.

Passwords are the only random part that is not seeded: they are made with `secrets` at
seed time and written to LOGINS_FILE (instance/, git-ignored, mode 600), never to the repo.
"""

from __future__ import annotations

import math
import os
import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from app.config import INSTANCE_DIR
from app.domain.identity import check_character
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
    Competition,
    Delegation,
    Division,
    Judge,
    MarkingScheme,
    Module,
    SkillProject,
    User,
    Venue,
    Zone,
)
from app.services import audit
from app.services.demo_data import (
    AREA_CODES,
    COMPETITION_END,
    COMPETITION_HOST,
    COMPETITION_NAME,
    COMPETITION_START,
    COMPETITION_TIER,
    COMPETITION_YEAR,
    DELEGATIONS,
    EXPERT_EMPLOYERS,
    FAMILY_COMPANY_WORDS,
    FAMILY_VENUE,
    FEMALE_GIVEN,
    JUDGEMENT,
    JUDGEMENT_SHARE,
    MALE_GIVEN,
    MEASUREMENT,
    PROJECTS,
    PROJECTS_END,
    SURNAMES,
    ZONES,
    DelegationData,
    ProjectData,
    descriptors,
)
from app.services.people import (
    CompetitorInput,
    JudgeInput,
    put_assignment,
    put_competitor,
    put_judge,
)

LOGINS_FILE = INSTANCE_DIR / "demo_logins.txt"
RANDOM_SEED = 2020
ACCOUNT_PROJECTS = 3  # the first projects (S01…) get judge, chief and supervisor accounts
CONFLICT_PROJECTS = 5  # projects with a judge from a delegation that competes in them
ORGANISER_USERNAME = "organiser"
LETTERS = "ABCDE"
# Schemes were signed off a week before the event (09:00 in Shanghai), not at seed time,
# so the demo is the same whenever it is seeded.
SCHEMES_ACTIVATED_AT = datetime(2020, 11, 13, 1, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class AspectPlan:
    kind: AspectType
    description: str
    max_mark: float
    requirement: str = ""
    tolerances: tuple[tuple[str, float], ...] = ()
    descriptors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModulePlan:
    letter: str
    name: str
    day: int
    share: float
    aspects: tuple[AspectPlan, ...]


@dataclass(frozen=True)
class CompetitorPlan:
    project: int  # index into PROJECTS
    division: DivisionKind
    delegation: str
    name: str
    id_number: str
    employer: str
    level: int | None
    workstation: str
    team_code: str | None


@dataclass(frozen=True)
class JudgePlan:
    project: int
    role: JudgeRole
    name: str
    id_number: str
    delegation: str | None
    employer: str
    username: str | None = None


@dataclass(frozen=True)
class DemoPlan:
    schemes: tuple[tuple[ModulePlan, ...], ...]  # one per project, in PROJECTS order
    competitors: tuple[CompetitorPlan, ...]
    judges: tuple[JudgePlan, ...]


def project_code(index: int) -> str:
    return f"S{index + 1:02d}"


def build_plan() -> DemoPlan:
    """The whole demo as data. Same result on every call: one seeded generator, fixed order."""
    # Demo data, not secrets: a seeded generator is the point (passwords use `secrets`).
    rng = random.Random(RANDOM_SEED)  # noqa: S311
    people = _People(rng)
    schemes = tuple(_plan_scheme(rng, project) for project in PROJECTS)
    competitors = _plan_competitors(rng, people)
    judges = _plan_judges(rng, people, competitors)
    return DemoPlan(schemes, tuple(competitors), tuple(judges))


def _split(rng: random.Random, total: float, parts: int, minimum: float, step: float,
           maximum: float | None = None) -> list[float]:
    """`parts` numbers in `step`s, each ≥ minimum (and ≤ maximum), adding up to `total`."""
    units, low = round(total / step), round(minimum / step)
    spare = units - parts * low
    if spare < 0:
        raise ValueError("total too small for the parts")
    while True:
        cuts = sorted(rng.randint(0, spare) for _ in range(parts - 1))
        sizes = [b - a for a, b in zip([0, *cuts], [*cuts, spare], strict=True)]
        result = [(low + size) * step for size in sizes]
        if maximum is None or max(result) <= maximum:
            return result


def _marks(rng: random.Random, share: float, parts: int) -> list[float]:
    """Evenish max marks in 0.5 steps, each at least 1, adding up exactly to `share`."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    halves = [max(2, round(share * 2 * w / sum(weights))) for w in weights]
    while sum(halves) != share * 2:  # fix the rounding, half a mark at a time
        i = rng.randrange(parts)
        if sum(halves) < share * 2:
            halves[i] += 1
        elif halves[i] > 2:
            halves[i] -= 1
    return [h / 2 for h in halves]


def _kinds(rng: random.Random, family: str, count: int) -> list[AspectType]:
    """M or J per aspect, never more of a kind than the family has distinct wordings for."""
    j_max, m_max = len(JUDGEMENT[family]), len(MEASUREMENT[family])
    judgements = sum(rng.random() < JUDGEMENT_SHARE[family] for _ in range(count))
    judgements = min(max(judgements, count - m_max), j_max)
    kinds = [AspectType.JUDGEMENT] * judgements + [AspectType.MEASUREMENT] * (count - judgements)
    rng.shuffle(kinds)
    return kinds


def _plan_scheme(rng: random.Random, project: ProjectData) -> tuple[ModulePlan, ...]:
    shares = _split(rng, 100, 5, minimum=10, step=5, maximum=35)
    duration = rng.choice((2, 3, 3))
    days = [1, *sorted(rng.randint(1, duration) for _ in range(3)), duration]
    # Bigger modules have more aspects: about one per 3 marks, 3 to 8.
    marks = [_marks(rng, share, min(8, max(3, round(share / 3) + rng.randint(-1, 1))))
             for share in shares]
    kinds = [_kinds(rng, project.family, len(module)) for module in marks]
    # Every scheme mixes both kinds of aspect.
    flat = [k for module in kinds for k in module]
    if AspectType.JUDGEMENT not in flat:
        kinds[-1][-1] = AspectType.JUDGEMENT
    if AspectType.MEASUREMENT not in flat:
        kinds[0][0] = AspectType.MEASUREMENT
    modules = []
    for letter, name, day, share, module_marks, module_kinds in zip(
            LETTERS, project.modules, days, shares, marks, kinds, strict=True):
        measurement = iter(rng.sample(MEASUREMENT[project.family],
                                      module_kinds.count(AspectType.MEASUREMENT)))
        judgement = iter(rng.sample(JUDGEMENT[project.family],
                                    module_kinds.count(AspectType.JUDGEMENT)))
        aspects = []
        for kind, mark in zip(module_kinds, module_marks, strict=True):
            if kind is AspectType.JUDGEMENT:
                subject = next(judgement)
                aspects.append(AspectPlan(kind, subject, mark,
                                          descriptors=tuple(descriptors(subject))))
            else:
                description, requirement, labels = next(measurement)
                aspects.append(AspectPlan(kind, description, mark, requirement,
                                          _tolerances(labels, mark)))
        modules.append(ModulePlan(letter, name, day, share, tuple(aspects)))
    return tuple(modules)


def _tolerances(labels: tuple[str, ...], max_mark: float) -> tuple[tuple[str, float], ...]:
    """Best → worst: full marks, about half, nothing. Empty when there is no table."""
    if not labels:
        return ()
    return tuple(zip(labels, (max_mark, math.floor(max_mark) / 2, 0.0), strict=True))


class _People:
    """Unique names and valid, unique ID numbers, from the plan's generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.numbers: set[str] = set()

    def new(self, female: bool, area: str, ages: tuple[int, int]) -> tuple[str, str, int]:
        """(name, ID number, age on the first competition day)."""
        name = self._name(female)
        while True:
            birth = self._birth(ages)
            # Positions 15–17: a serial whose last digit is odd for men, even for women.
            sex_digit = self.rng.choice("02468" if female else "13579")
            serial = f"{self.rng.randint(0, 99):02d}{sex_digit}"
            first17 = f"{area}{birth:%Y%m%d}{serial}"
            number = first17 + check_character(first17)
            if number not in self.numbers:
                self.numbers.add(number)
                return name, number, _age(birth)

    def _name(self, female: bool) -> str:
        given = FEMALE_GIVEN if female else MALE_GIVEN
        while True:
            length = 2 if self.rng.random() < 0.7 else 1
            surname = self.rng.choice(SURNAMES)
            name = surname + "".join(self.rng.choice(given) for _ in range(length))
            if name not in self.names:
                self.names.add(name)
                return name

    def _birth(self, ages: tuple[int, int]) -> date:
        youngest, oldest = ages
        latest = COMPETITION_START.replace(year=COMPETITION_START.year - youngest)
        earliest = COMPETITION_START.replace(year=COMPETITION_START.year - oldest - 1)
        earliest += timedelta(days=1)
        return date.fromordinal(self.rng.randint(earliest.toordinal(), latest.toordinal()))


def _age(birth: date) -> int:
    day = COMPETITION_START
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _fields(delegation: DelegationData, family: str, division: DivisionKind) -> bool:
    """Whether a delegation sends competitors to this project family and division."""
    if family not in delegation.families:
        return False
    if division is DivisionKind.STUDENT:
        return bool(delegation.schools)
    return delegation.kind in (DelegationKind.DISTRICT, DelegationKind.INDUSTRY,
                               DelegationKind.ENTERPRISE)


def _pick_delegations(rng: random.Random, family: str, division: DivisionKind,
                      count: int) -> list[DelegationData]:
    """`count` different delegations: the specialised ones often, districts fill the rest."""
    special = [d for d in DELEGATIONS
               if d.kind is not DelegationKind.DISTRICT and _fields(d, family, division)]
    chosen = [d for d in special if rng.random() < 0.6][:count]
    districts = [d for d in DELEGATIONS if d.kind is DelegationKind.DISTRICT]
    return chosen + rng.sample(districts, count - len(chosen))


def _employer(rng: random.Random, delegation: DelegationData, family: str,
              division: DivisionKind) -> str:
    if division is DivisionKind.STUDENT:
        return rng.choice(delegation.schools)
    if delegation.employers:
        return rng.choice(delegation.employers)
    if delegation.kind is DelegationKind.SCHOOL:  # a teacher, when a school sends a judge
        return delegation.schools[0]
    short = delegation.name.removesuffix("新区").removesuffix("区")
    return f"上海{short}{rng.choice(FAMILY_COMPANY_WORDS[family])}有限公司"


def _level(rng: random.Random, division: DivisionKind, age: int) -> int | None:
    """Students mostly hold no certificate or 五级/四级; employees mostly 四级…二级."""
    table: list[tuple[int | None, int]]
    if division is DivisionKind.STUDENT:
        table = [(None, 40), (5, 25), (4, 30), (3, 5)]
    elif age < 28:
        table = [(5, 10), (4, 40), (3, 40), (2, 10)]
    elif age <= 35:
        table = [(4, 20), (3, 45), (2, 30), (1, 5)]
    else:
        table = [(4, 10), (3, 35), (2, 45), (1, 10)]
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _plan_competitors(rng: random.Random, people: _People) -> list[CompetitorPlan]:
    rows = []
    for index, project in enumerate(PROJECTS):
        entries: list[tuple[DivisionKind, DelegationData]] = []
        for division in project.divisions:
            count = rng.randint(3, 4) if project.team_size > 1 else rng.randint(5, 8)
            entries += [(division, d) for d in
                        _pick_delegations(rng, project.family, division, count)]
        # Workstations are drawn by lot (抽签) across the project's divisions.
        numbers = rng.sample(range(1, len(entries) + 1), len(entries))
        for number, (division, delegation) in sorted(zip(numbers, entries, strict=True),
                                                     key=lambda pair: pair[0]):
            employer = _employer(rng, delegation, project.family, division)
            team = project.team_size > 1
            ages = (17, 22) if division is DivisionKind.STUDENT else (22, 45)
            for member in range(project.team_size):
                female = rng.random() < project.female_share
                area = delegation.area_code or rng.choice(AREA_CODES)
                name, id_number, age = people.new(female, area, ages)
                rows.append(CompetitorPlan(
                    project=index, division=division, delegation=delegation.name, name=name,
                    id_number=id_number, employer=employer,
                    level=_level(rng, division, age),
                    workstation=f"{number:02d}" + ("ABC"[member] if team else ""),
                    team_code=f"{project_code(index)}-T{number:02d}" if team else None,
                ))
    return rows


def _plan_judges(rng: random.Random, people: _People,
                 competitors: list[CompetitorPlan]) -> list[JudgePlan]:
    """A chief, three or four judges, sometimes a supervisor: at least three judges mark
    (the default panel), and a conflicted project has a fourth to substitute."""
    conflicted = set(rng.sample(range(len(PROJECTS)), CONFLICT_PROJECTS))
    by_name = {d.name: d for d in DELEGATIONS}
    rows = []
    for index, project in enumerate(PROJECTS):
        entrants = [c for c in competitors if c.project == index]
        competing = {c.delegation for c in entrants}
        judges = 4 if index in conflicted else rng.choice((3, 4))
        roles = [JudgeRole.CHIEF] + [JudgeRole.JUDGE] * judges
        if judges == 3 and rng.random() < 0.5:
            roles.append(JudgeRole.SUPERVISOR)
        others = [d for d in DELEGATIONS if d.name not in competing]
        for position, role in enumerate(roles):
            delegation: str | None = None
            if index in conflicted and position == 1:
                # A real conflict: same delegation and employer as one of the competitors.
                entrant = rng.choice(entrants)
                delegation, employer = entrant.delegation, entrant.employer
            elif role is JudgeRole.JUDGE and rng.random() < 0.5:
                unit = rng.choice(others)
                delegation = unit.name
                employer = _employer(rng, unit, project.family, DivisionKind.EMPLOYEE)
            else:
                employer = rng.choice(EXPERT_EMPLOYERS)
            female = rng.random() < max(0.2, project.female_share * 0.8)
            area = by_name[delegation].area_code if delegation else ""
            name, id_number, _ = people.new(female, area or rng.choice(AREA_CODES), (32, 60))
            rows.append(JudgePlan(index, role, name, id_number, delegation, employer,
                                  _username(index, role, roles[:position].count(role) + 1)))
    return rows


def _username(index: int, role: JudgeRole, nth: int) -> str | None:
    if index >= ACCOUNT_PROJECTS:
        return None
    code = project_code(index).lower()
    return {JudgeRole.CHIEF: f"chief-{code}", JudgeRole.JUDGE: f"judge-{code}-{nth}",
            JudgeRole.SUPERVISOR: f"supervisor-{code}"}[role]


# --------------------------------------------------------------------------- the writer


def seed_demo(if_empty: bool = False) -> str:
    """Create the demo competition unless it exists; a one-line summary of what happened."""
    if if_empty and db.session.scalar(select(Competition.id).limit(1)) is not None:
        return "demo data: skipped, the database already has a competition"
    existing = db.session.scalar(select(Competition).where(Competition.name == COMPETITION_NAME))
    if existing is not None:
        return f"demo data: {COMPETITION_NAME} already exists (id {existing.id}); nothing changed"
    plan = build_plan()
    try:
        competition, logins = _write(plan)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    path = logins_path()
    if logins:
        _write_logins(path, logins)
    return (f"demo data: created {COMPETITION_NAME} (id {competition.id}): "
            f"{len(PROJECTS)} projects, {len(DELEGATIONS)} delegations, "
            f"{len(plan.competitors)} competitors, {len(plan.judges)} judges, "
            f"{len(logins)} accounts (logins in {path})")


def _write(plan: DemoPlan) -> tuple[Competition, list[tuple[str, str, str]]]:
    competition = Competition(name=COMPETITION_NAME, tier=COMPETITION_TIER,
                              year=COMPETITION_YEAR, start_date=COMPETITION_START,
                              end_date=COMPETITION_END, host=COMPETITION_HOST,
                              # The assessment body that issues the 以赛代评 certificates.
                              certificate_body_type="S", certificate_body_code="0000",
                              certificate_province="31", certificate_body_serial="000001",
                              issuing_body=COMPETITION_HOST)
    venues: list[Venue] = []
    for zone_name, is_main, venue_rows in ZONES:
        zone = Zone(name=zone_name, is_main=is_main)
        zone.venues = [Venue(name=name, address=address) for name, address in venue_rows]
        competition.zones.append(zone)
        venues += zone.venues
    db.session.add(competition)
    delegations = {d.name: Delegation(competition=competition, name=d.name, kind=d.kind)
                   for d in DELEGATIONS}
    projects: list[SkillProject] = []
    for index, data in enumerate(PROJECTS):
        project = SkillProject(
            competition=competition, code=project_code(index), name=data.name,
            occupation_name=data.occupation_name, occupation_code=data.occupation_code,
            kind=data.kind, team_size=data.team_size, venue=venues[FAMILY_VENUE[data.family]],
            ends_at=PROJECTS_END,
        )
        project.divisions = [Division(kind=kind) for kind in data.divisions]
        projects.append(project)
    db.session.add_all([*delegations.values(), *projects])
    db.session.flush()
    for project, modules in zip(projects, plan.schemes, strict=True):
        db.session.add(_scheme(project, modules))

    # The competition is new, so put_competitor's lookups find nobody: skipping the flush
    # before each one lets the inserts go out in batches (several times faster).
    with db.session.no_autoflush:
        for c in plan.competitors:
            project = projects[c.project]
            division = next(d for d in project.divisions if d.kind is c.division)
            put_competitor(competition, CompetitorInput(
                name=c.name, id_number=c.id_number, project=project, division=division,
                delegation=delegations[c.delegation], employer=c.employer,
                current_level=c.level, workstation=c.workstation, team_code=c.team_code,
            ))

    logins = [_account(ORGANISER_USERNAME, UserRole.ORGANISER, "组委会")]
    for j in plan.judges:
        judge, _ = put_judge(competition, JudgeInput(
            name=j.name, id_number=j.id_number,
            delegation=delegations[j.delegation] if j.delegation else None, employer=j.employer,
        ))
        put_assignment(judge, projects[j.project], j.role)
        if j.username:
            logins.append(_account(j.username, _USER_ROLE[j.role], j.name, judge))
    created = [row for row in logins if row is not None]
    audit.record("seed_demo", competition, competition.id, projects=len(projects),
                 delegations=len(delegations), competitors=len(plan.competitors),
                 judges=len(plan.judges), accounts=[username for _, username, _ in created])
    return competition, created


_USER_ROLE = {JudgeRole.CHIEF: UserRole.CHIEF_JUDGE, JudgeRole.JUDGE: UserRole.JUDGE,
              JudgeRole.SUPERVISOR: UserRole.SUPERVISOR}


def _scheme(project: SkillProject, modules: tuple[ModulePlan, ...]) -> MarkingScheme:
    """An active scheme; refuses (as a bug) one the organiser's editor would refuse."""
    specs = [ModuleSpec(m.letter, tuple(
        AspectSpec(a.kind, a.max_mark, a.description, a.descriptors,
                   tuple(value for _, value in a.tolerances)) for a in m.aspects), m.share)
        for m in modules]
    problems = scheme_problems(specs, project.total_marks or 100.0)
    if problems:
        raise RuntimeError(f"demo scheme for {project.code} is invalid: {problems}")
    scheme = MarkingScheme(project_id=project.id, status=SchemeStatus.ACTIVE,
                           activated_at=SCHEMES_ACTIVATED_AT)
    for m in modules:
        module = Module(letter=m.letter, name=m.name, marking_day=m.day, share=m.share)
        module.aspects = [
            Aspect(position=position, kind=a.kind, description=a.description,
                   max_mark=a.max_mark, requirement=a.requirement,
                   tolerances=[{"label": label, "value": value} for label, value in a.tolerances]
                   or None,
                   descriptors=list(a.descriptors) or None)
            for position, a in enumerate(m.aspects, start=1)
        ]
        scheme.modules.append(module)
    return scheme


def _account(username: str, role: UserRole, display_name: str,
             judge: Judge | None = None) -> tuple[str, str, str] | None:
    """A demo user with a fresh random password; None when the username is taken."""
    if db.session.scalar(select(func.count(User.id)).where(User.username == username)):
        return None
    password = secrets.token_urlsafe(12)
    user = User(username=username, role=role, display_name=display_name,
                password_hash=generate_password_hash(password))
    db.session.add(user)
    if judge is not None:
        judge.user = user
    return role.value, username, password


# ---------------------------------------------------------------------------- the logins


def logins_path() -> Path:
    """LOGINS_FILE, unless the app's config names another (tests use a temporary one)."""
    if has_app_context():
        configured: Any = current_app.config.get("DEMO_LOGINS_FILE")
        if configured:
            return Path(configured)
    return LOGINS_FILE


def _write_logins(path: Path, rows: list[tuple[str, str, str]]) -> None:
    """Owner-only from the first byte, replaced atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.writelines(f"{role}\t{username}\t{password}\n" for role, username, password in rows)
    temporary.chmod(0o600)
    os.replace(temporary, path)


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, username, password) rows written by seed-demo, for the accounts that exist in
    this database: a server on another database (a test's, production's) prints none."""
    path = logins_path()
    if not path.exists() or db.session.scalar(
            select(Competition.id).where(Competition.name == COMPETITION_NAME)) is None:
        return []
    present = set(db.session.scalars(select(User.username)))
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1] in present:
            rows.append((parts[0], parts[1], parts[2]))
    return rows
