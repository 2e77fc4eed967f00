"""The /judge namespace: tablets submit marks and hear about locks, re-discussions and
reassignments. A thin adapter over app.services.marking; it never commits itself."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import force_locale
from flask_socketio import Namespace, join_room
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import User
from app.realtime.live import coalescer
from app.realtime.publisher import judge_room, project_room
from app.services import accounts, judging
from app.services.marking import MarkingError, submit_mark
from app.web.api.auth import JUDGING_ROLES
from app.web.messages import marking_message


class JudgeNamespace(Namespace):
    """Connections are keyed by sid: (user id, token scope). A process knows only its own
    sockets, which is all it needs: pushes to rooms go through the message queue.
    Each event runs in its own app context, whose teardown closes the database session."""

    def __init__(self, namespace: str = "/judge") -> None:
        super().__init__(namespace)
        self.connections: dict[str, tuple[int, judging.TokenScope]] = {}

    def on_connect(self, auth: Any = None) -> bool:
        # This process serves, even if no HTTP request has reached it yet (a tablet that
        # reconnects its socket to a restarted process): its marks must reach the boards.
        coalescer().serving = True
        token = auth.get("token") if isinstance(auth, dict) else None
        resolved = accounts.resolve_token(token)
        if resolved is None or resolved[0].role not in JUDGING_ROLES:
            return False  # refused: the client gets a connect_error
        user, project_id = resolved
        scope = judging.TokenScope(project_id)
        self.connections[request.sid] = (user.id, scope)  # type: ignore[attr-defined]
        self._join_rooms(user, scope)
        return True

    def on_rejoin(self, data: Any = None) -> dict[str, bool]:
        """After a `reassigned` push the tablet asks to hear its new projects too."""
        user_id, scope = self.connections[request.sid]  # type: ignore[attr-defined]
        user = db.session.get(User, user_id)
        if user is not None and user.active:
            self._join_rooms(user, scope)
        return {"ok": True}

    @staticmethod
    def _join_rooms(user: User, scope: judging.TokenScope) -> None:
        for judge in judging.judges_of(user):
            join_room(judge_room(judge.id))
            for project_id in judging.marking_project_ids(judge):
                if scope.allows(project_id):
                    join_room(project_room(project_id))

    def on_disconnect(self, reason: Any = None) -> None:
        self.connections.pop(request.sid, None)  # type: ignore[attr-defined]

    def on_submit_mark(self, payload: Any = None) -> dict[str, Any]:
        """The return value is the acknowledgement, sent after the service committed."""
        user_id, scope = self.connections[request.sid]  # type: ignore[attr-defined]
        locale = "zh"  # until the user is read: the database may be the thing that is away
        try:
            user = db.session.get(User, user_id)
            locale = (user.locale if user else None) or "zh"
            if user is None or not user.active:
                raise MarkingError("unauthorized")
            return submit_mark(user, payload, scope)
        except MarkingError as error:
            with force_locale(locale):
                return error.ack(marking_message(error.code, error.params))
        except OperationalError:
            # The database is unreachable or busy: nothing was stored, say so honestly.
            db.session.rollback()
            with force_locale(locale):
                return MarkingError("unavailable").ack(marking_message("unavailable", {}))
