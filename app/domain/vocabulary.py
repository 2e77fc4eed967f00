"""The closed vocabularies of the domain (domain.md §1–3, §5).

Values are stable codes stored in the database and used in the API; the web layer
owns the translated labels.
"""

from enum import IntEnum, StrEnum


class Tier(StrEnum):
    WORLD_SELECTION = "world_selection"  # 世赛选拔
    NATIONAL_I = "national_i"  # 国家级一类
    NATIONAL_II = "national_ii"  # 国家级二类
    MUNICIPAL_I = "municipal_i"  # 市级一类
    MUNICIPAL_II = "municipal_ii"  # 市级二类
    DISTRICT = "district"  # 区级
    ENTERPRISE = "enterprise"  # 企业/院校级


class ProjectKind(StrEnum):
    WORLDSKILLS_SELECTION = "worldskills_selection"  # 世赛选拔项目
    NATIONAL_SELECTED = "national_selected"  # 国赛精选项目
    FEATURED = "featured"  # 特色/展示/体验项目


class MarkingMethod(StrEnum):
    WORLDSKILLS = "worldskills"  # aspects, M and J, total 100
    CLASSIC = "classic"  # theory × 20% + practical × 80%, with pass marks


class DivisionKind(StrEnum):
    EMPLOYEE = "employee"  # 职工组
    STUDENT = "student"  # 学生组


class DelegationKind(StrEnum):
    DISTRICT = "district"
    INDUSTRY = "industry"
    ENTERPRISE = "enterprise"
    SCHOOL = "school"


class AspectType(StrEnum):
    MEASUREMENT = "M"
    JUDGEMENT = "J"


class JudgeRole(StrEnum):
    CHIEF = "chief"  # 裁判长
    JUDGE = "judge"  # 裁判员
    SUPERVISOR = "supervisor"  # 监督


class UserRole(StrEnum):
    ORGANISER = "organiser"
    CHIEF_JUDGE = "chief_judge"
    JUDGE = "judge"
    SUPERVISOR = "supervisor"
    TEAM_LEADER = "team_leader"  # 领队: files written appeals for the delegation's competitors


class Visibility(StrEnum):
    """What the public sees while marking goes on (domain.md §4)."""

    LIVE = "live"  # live provisional ranks
    PROGRESS = "progress"  # progress only
    HIDDEN = "hidden"  # nothing until publication


class CompetitorStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    DISQUALIFIED = "disqualified"


class SchemeStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"


class SkillLevel(IntEnum):
    """National vocational skill levels; the number is the certificate's level digit."""

    SENIOR_TECHNICIAN = 1  # 一级/高级技师
    TECHNICIAN = 2  # 二级/技师
    ADVANCED = 3  # 三级/高级工
    INTERMEDIATE = 4  # 四级/中级工
    PRIMARY = 5  # 五级/初级工


class Award(StrEnum):
    """What a ranked competitor receives (domain.md §4)."""

    GOLD = "gold"
    SILVER = "silver"
    BRONZE = "bronze"
    EXCELLENCE = "excellence"  # 优胜奖: ranks after the medals down to the top half
    MEDALLION = "medallion"  # Medallion for Excellence: WorldSkills scale score ≥ 700
