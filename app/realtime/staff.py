"""The /staff namespace: the chief judge's console and the read-only views of supervisors
and organisers receive marks, locks and substitutions live, for one project.

Connect with `auth: {project_id, token}`; the token is a session token embedded in the
console page (accounts.session_token) or a bearer token. Without a token the signed-in
Flask session is used. The client is then in the project's room, and that is all: this
namespace has no event handlers, so a client can write nothing through it. Every push
comes from a service, after its transaction committed (app.realtime.publisher).
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_socketio import Namespace, join_room

from app.extensions import db
from app.models import SkillProject, User
from app.realtime.publisher import project_room
from app.services import accounts, console


class StaffNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> bool:
        auth = auth if isinstance(auth, dict) else {}
        user = _user(auth.get("token"))
        project_id = auth.get("project_id")
        if user is None or isinstance(project_id, bool) or not isinstance(project_id, int):
            return False  # refused: the client gets a connect_error
        project = db.session.get(SkillProject, project_id)
        if project is None or not console.may_watch(user, project):
            return False
        join_room(project_room(project.id))
        return True


def _user(token: object) -> User | None:
    if token:
        resolved = accounts.resolve_token(token)
        return resolved[0] if resolved else None
    if current_user and current_user.is_authenticated:
        user = current_user._get_current_object()
        return user if isinstance(user, User) else None
    return None
