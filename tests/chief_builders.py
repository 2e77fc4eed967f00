"""Helpers for the chief judge's console tests: scoring, extra judges, a second project
with its own chief judge, and a recorder for socket pushes."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.domain.vocabulary import JudgeRole, UserRole
from app.models import Aspect, Competitor, Judge, SkillProject, User
from app.services import accounts, marking, people
from tests import builders

_people = itertools.count(500)


def score(user: User, competitor: Competitor, aspect: Aspect, value: float,
          **extra: Any) -> dict[str, Any]:
    """Submit one mark through the marking service, as a tablet would."""
    key = "score" if aspect.kind.value == "J" else "value"
    payload = {"client_id": str(uuid.uuid4()), "competitor_id": competitor.id,
               "aspect_id": aspect.id, key: value, **extra}
    return marking.submit_mark(user, payload)


def add_judge(s: builders.JudgingSetup, name: str, delegation: str | None = None,
              employer: str = "", role: UserRole | None = UserRole.JUDGE,
              assign: JudgeRole | None = None) -> Judge:
    """Another judge of the setup's competition; `role=None` makes one without an account."""
    user = None
    if role is not None:
        user = accounts.create_user(f"{name}-{next(_people)}", role, "judge password")
    team = next((d for d in s.competition.delegations if d.name == delegation), None)
    judge = people.save_judge(s.competition, None, {
        "name": name, "delegation_id": team.id if team else None, "employer": employer,
        "user_id": user.id if user else None}, builders.valid_id_number(next(_people)))
    if assign is not None:
        people.assign_judge(judge, s.project, assign)
    return judge


def other_project(s: builders.JudgingSetup) -> tuple[SkillProject, User]:
    """A second project of the same competition, with a chief judge of its own."""
    project = builders.project(s.competition, code="G02", name="数控车")
    chief = accounts.create_user(f"chief-g02-{next(_people)}", UserRole.CHIEF_JUDGE,
                                 "chief password")
    judge = people.save_judge(s.competition, None, {
        "name": "另一裁判长", "delegation_id": None, "employer": "", "user_id": chief.id},
        builders.valid_id_number(next(_people)))
    people.assign_judge(judge, project, JudgeRole.CHIEF)
    return project, chief


def complete_module_a(s: builders.JudgingSetup) -> None:
    """Every aspect of module A counts, for a setup built with panel_size=2: competitor 1
    by judges 2 and 3 (judge 1 has a conflict with them), competitor 0 by all three."""
    for user in s.users:
        score(user, s.competitors[0], s.j_aspect, 2)
    for user in s.users[1:]:
        score(user, s.competitors[1], s.j_aspect, 1)
    score(s.users[1], s.competitors[0], s.m_aspect, 30)
    score(s.users[1], s.competitors[1], s.m_aspect, 15)


@dataclass
class Pushes:
    """Socket pushes that really went out (after a commit), as (namespace, event, data, room)."""

    sent: list[tuple[str, str, dict[str, Any], str]] = field(default_factory=list)

    def named(self, event: str) -> list[tuple[str, str, dict[str, Any], str]]:
        return [p for p in self.sent if p[1] == event]


def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash test passwords with few rounds: each setup makes five accounts, and the real
    cost (scrypt) would make these tests several times slower. Checking still works."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(accounts, "generate_password_hash",
                        partial(generate_password_hash, method="pbkdf2:sha256:1000"))


def record_pushes(monkeypatch: pytest.MonkeyPatch) -> Pushes:
    """Record what the publisher emits after commits, instead of emitting it."""
    from app.realtime import publisher

    recorded = Pushes()

    def emit(event: str, data: dict[str, Any], namespace: str, to: str) -> None:
        recorded.sent.append((namespace, event, data, to))

    monkeypatch.setattr(publisher.socketio, "emit", emit)
    return recorded
