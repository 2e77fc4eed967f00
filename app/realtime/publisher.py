"""The one way anything is pushed to sockets: queued during a use case, sent after commit.

A service calls `publish(...)` while it works; the events wait on the session and go out
only when that transaction commits. A rollback drops them, so nobody is ever told about
a mark that was not stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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


# Boards whose public view may have changed; after commit they go to the live coalescer
# (app.realtime.live), which recomputes each at most a few times a second.
_BOARDS_KEY = "boards_to_refresh"


_TIMED_KEY = "boards_to_refresh_later"


def refresh_board(project_id: int, division_id: int, at: datetime | None = None) -> None:
    """Recompute a board for the public after this commit, or at `at` (a freeze time:
    the board's phase changes then, with no mark to trigger it)."""
    if at is None:
        db.session.info.setdefault(_BOARDS_KEY, set()).add((project_id, division_id))
    else:
        db.session.info.setdefault(_TIMED_KEY, []).append((at, (project_id, division_id)))


@event.listens_for(Session, "after_commit")
def _refresh_boards(session: Session) -> None:
    boards = session.info.pop(_BOARDS_KEY, None)
    timed = session.info.pop(_TIMED_KEY, None)
    if boards or timed:
        from app.realtime.live import coalescer  # the live layer imports this module

        if boards:
            coalescer().touch(boards)
        for at, board in timed or ():
            coalescer().touch_at(at, [board])


@event.listens_for(Session, "after_rollback")
def _drop_boards(session: Session) -> None:
    session.info.pop(_BOARDS_KEY, None)
    session.info.pop(_TIMED_KEY, None)


def live_project_room(project_id: int) -> str:
    return f"live:project:{project_id}"


def live_competition_room(competition_id: int) -> str:
    return f"live:competition:{competition_id}"
