"""Translated labels for the domain's vocabularies, shared by forms and templates."""

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from app.domain.vocabulary import (
    AspectType,
    CompetitorStatus,
    DelegationKind,
    DivisionKind,
    JudgeRole,
    MarkingMethod,
    ProjectKind,
    SchemeStatus,
    SkillLevel,
    Tier,
    UserRole,
    Visibility,
)

TIER = {
    Tier.WORLD_SELECTION: _l("World Skills selection"),
    Tier.NATIONAL_I: _l("National class I"),
    Tier.NATIONAL_II: _l("National class II"),
    Tier.MUNICIPAL_I: _l("Municipal class I"),
    Tier.MUNICIPAL_II: _l("Municipal class II"),
    Tier.DISTRICT: _l("District"),
    Tier.ENTERPRISE: _l("Enterprise or school"),
}
PROJECT_KIND = {
    ProjectKind.WORLDSKILLS_SELECTION: _l("WorldSkills selection project"),
    ProjectKind.NATIONAL_SELECTED: _l("National selected project"),
    ProjectKind.FEATURED: _l("Featured project"),
}
MARKING_METHOD = {
    MarkingMethod.WORLDSKILLS: _l("WorldSkills marking (M and J aspects)"),
    MarkingMethod.CLASSIC: _l("Classic (theory 20% + practical 80%)"),
}
DIVISION = {
    DivisionKind.EMPLOYEE: _l("Employee division"),
    DivisionKind.STUDENT: _l("Student division"),
}
DELEGATION_KIND = {
    DelegationKind.DISTRICT: _l("District"),
    DelegationKind.INDUSTRY: _l("Industry"),
    DelegationKind.ENTERPRISE: _l("Enterprise"),
    DelegationKind.SCHOOL: _l("School"),
}
ASPECT_TYPE = {
    AspectType.MEASUREMENT: _l("Measurement (M)"),
    AspectType.JUDGEMENT: _l("Judgement (J)"),
}
JUDGE_ROLE = {
    JudgeRole.CHIEF: _l("Chief judge"),
    JudgeRole.JUDGE: _l("Judge"),
    JudgeRole.SUPERVISOR: _l("Supervisor"),
}
USER_ROLE = {
    UserRole.ORGANISER: _l("Organiser"),
    UserRole.CHIEF_JUDGE: _l("Chief judge"),
    UserRole.JUDGE: _l("Judge"),
    UserRole.SUPERVISOR: _l("Supervisor"),
    UserRole.TEAM_LEADER: _l("Team leader"),
}
VISIBILITY = {
    Visibility.LIVE: _l("Live provisional ranks"),
    Visibility.PROGRESS: _l("Marking progress only"),
    Visibility.HIDDEN: _l("Nothing until results are published"),
}
COMPETITOR_STATUS = {
    CompetitorStatus.ACTIVE: _l("Competing"),
    CompetitorStatus.WITHDRAWN: _l("Withdrawn"),
    CompetitorStatus.DISQUALIFIED: _l("Disqualified"),
}
SCHEME_STATUS = {SchemeStatus.DRAFT: _l("Draft"), SchemeStatus.ACTIVE: _l("Active")}
LEVEL = {
    SkillLevel.PRIMARY: _l("Level 5 · Primary"),
    SkillLevel.INTERMEDIATE: _l("Level 4 · Intermediate"),
    SkillLevel.ADVANCED: _l("Level 3 · Advanced"),
    SkillLevel.TECHNICIAN: _l("Level 2 · Technician"),
    SkillLevel.SENIOR_TECHNICIAN: _l("Level 1 · Senior technician"),
}

ALL = {
    "tier": TIER,
    "project_kind": PROJECT_KIND,
    "marking_method": MARKING_METHOD,
    "division": DIVISION,
    "delegation_kind": DELEGATION_KIND,
    "aspect_type": ASPECT_TYPE,
    "judge_role": JUDGE_ROLE,
    "user_role": USER_ROLE,
    "visibility": VISIBILITY,
    "competitor_status": COMPETITOR_STATUS,
    "scheme_status": SCHEME_STATUS,
}


def label(value: object, vocabulary: str) -> str:
    """Template filter: `{{ project.kind|label('project_kind') }}`."""
    table = ALL[vocabulary]
    for key, text in table.items():
        if key == value:
            return str(text)
    return str(value)


def level_label(level: int | None) -> str:
    if level is None:
        return str(_l("None"))
    return str(LEVEL[SkillLevel(level)])


def options(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """WTForms select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]


def choices(table: dict) -> list[SelectChoice]:  # type: ignore[type-arg]
    """Select options for a vocabulary table, valued by the enum's stored code."""
    return options((k.value if hasattr(k, "value") else str(k), v) for k, v in table.items())
