"""The one way anything is pushed to sockets: queued during a use case, sent after commit.

A service calls `publish(...)` while it works; the events wait on the session and go out
only when that transaction commits. A rollback drops them, so nobody is ever told about
a mark that was not stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db, socketio

_KEY = "pending_socket_events"


@dataclass(frozen=True)
class Push:
    namespace: str
    event: str
    data: dict[str, Any]
    room: str


def publish(namespace: str, event_name: str, data: dict[str, Any], room: str) -> None:
    db.session.info.setdefault(_KEY, []).append(Push(namespace, event_name, data, room))


@event.listens_for(Session, "after_commit")
def _send(session: Session) -> None:
    for push in session.info.pop(_KEY, []):
        socketio.emit(push.event, push.data, namespace=push.namespace, to=push.room)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_KEY, None)


def project_room(project_id: int) -> str:
    return f"project:{project_id}"


def judge_room(judge_id: int) -> str:
    return f"judge:{judge_id}"
