"""Seed a live server's database with independent judging "worlds" and print their ids
and tokens as one JSON line: `python -m tests.realtime.seed_judging WORLD [WORLD…]`.

Runs in its own process with the server's DATABASE_URL and SECRET_KEY, through the app
factory and tests/builders.py `judging_setup()`, so the data is made the way the app
makes it. Each world is a competition of its own (project, scheme, three panel judges,
two competitors, a chief judge), so a test that locks a module or returns a scheme to
draft does not disturb the others sharing the server. A world named `draft…` has its
scheme returned to draft, for the `not_open` refusal. Every world also has a fourth judge
on no panel, who may be named a substitute. Passwords: "judge password", "chief password".
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app import create_app
from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import ApiToken
from app.models.base import utcnow
from app.services import accounts, people, schemes
from tests import builders


def _token_row(token: str) -> ApiToken:
    row = db.session.scalar(select(ApiToken).where(
        ApiToken.token_hash == accounts._token_hash(token)))
    assert row is not None
    return row


def seed_world(name: str) -> dict[str, Any]:
    s = builders.judging_setup()
    s.competition.name = f"{s.competition.name} {name}"
    for user in [*s.users, s.chief]:  # usernames are unique across the whole database
        user.username = f"{name}-{user.username}"
    db.session.commit()
    if name.startswith("draft"):
        schemes.return_to_draft(s.project)
    # A judge of the competition who is on no panel: the chief judge may name them a
    # substitute for a competitor whose panel is short because of a conflict.
    spare = accounts.create_user(f"{name}-judge4", UserRole.JUDGE, "judge password")
    spare_judge = people.save_judge(s.competition, None, {
        "name": "裁判4", "delegation_id": None, "employer": "单位4", "user_id": spare.id},
        builders.valid_id_number(204))
    module_a, module_b = s.j_aspect.module, s.b_aspect.module
    return {
        "project_id": s.project.id,
        "competitors": [c.id for c in s.competitors],
        "j_aspect": s.j_aspect.id, "m_aspect": s.m_aspect.id, "b_aspect": s.b_aspect.id,
        "module_a": module_a.id, "module_b": module_b.id,
        "judges": [j.id for j in s.judges],
        "users": [u.id for u in s.users],
        "usernames": [u.username for u in s.users],
        "tokens": [accounts.issue_token(u, "live test") for u in s.users],
        "session_tokens": [accounts.session_token(u) for u in s.users],
        "chief_user": s.chief.id,
        "chief_username": s.chief.username,
        "chief_token": accounts.issue_token(s.chief, "live test"),
        "spare_judge": spare_judge.id,
        "spare_token": accounts.issue_token(spare, "live test"),
    }


def seed(names: list[str]) -> dict[str, Any]:
    worlds = {name: seed_world(name) for name in names}
    organiser = accounts.create_user(f"organiser-{'-'.join(names)}"[:64], UserRole.ORGANISER,
                                     "organiser password")
    first = worlds[names[0]]
    from app.models import User

    judge = db.session.get(User, first["users"][1])
    assert judge is not None
    expired = accounts.issue_token(judge, "expired")
    _token_row(expired).expires_at = utcnow() - timedelta(minutes=1)
    revoked = accounts.issue_token(judge, "revoked")
    _token_row(revoked).revoked_at = utcnow()
    extra: dict[str, Any] = {}
    if len(names) > 1:
        # A tablet token of world 1's judge 2, bound to world 2's project: it may score
        # nothing in world 1.
        bound = accounts.issue_token(judge, "tablet bound elsewhere")
        _token_row(bound).project_id = worlds[names[1]]["project_id"]
        extra["bound_token"] = bound
    db.session.commit()
    return {"worlds": worlds, "organiser_token": accounts.issue_token(organiser),
            "expired_token": expired, "revoked_token": revoked, **extra}


def main(names: list[str]) -> None:
    app = create_app()
    with app.app_context():
        # Cheap hashing: the passwords are never used here, and 4 accounts a world add up.
        accounts.generate_password_hash = partial(  # type: ignore[assignment]
            generate_password_hash, method="pbkdf2:sha256:1000")
        print(json.dumps(seed(names)))


if __name__ == "__main__":
    main(sys.argv[1:] or ["world"])
