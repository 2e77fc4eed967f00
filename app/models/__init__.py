"""Persistence only: typed SQLAlchemy models and constraints. No commits, no rules."""

from app.models.accounts import ApiToken, User
from app.models.audit import AuditEvent
from app.models.base import Base
from app.models.competition import Competition, Delegation, Division, SkillProject, Venue, Zone
from app.models.imports import ImportJob
from app.models.marking import Mark, MarkVersion, ModuleLockEvent, Substitute, TabletCode
from app.models.people import Competitor, Judge, JudgeAssignment
from app.models.promotion import (
    Appeal,
    Certificate,
    CertificateSerial,
    Promotion,
    PromotionRule,
)
from app.models.results import BoardState, CompetitorResult, LiveEvent, Screen
from app.models.scheme import Aspect, MarkingScheme, Module

__all__ = [
    "ApiToken",
    "Appeal",
    "Aspect",
    "AuditEvent",
    "Base",
    "BoardState",
    "Certificate",
    "CertificateSerial",
    "Competition",
    "Competitor",
    "CompetitorResult",
    "Delegation",
    "Division",
    "ImportJob",
    "Judge",
    "JudgeAssignment",
    "LiveEvent",
    "Mark",
    "MarkVersion",
    "MarkingScheme",
    "Module",
    "ModuleLockEvent",
    "Promotion",
    "PromotionRule",
    "Screen",
    "SkillProject",
    "Substitute",
    "TabletCode",
    "User",
    "Venue",
    "Zone",
]
