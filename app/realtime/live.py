"""The /live namespace: spectators, phones and the hall's projectors. Read-only: the only
events a client may send are `subscribe` and `unsubscribe`; everything else is pushed.

And the coalescer: a board touched by a committed change is recomputed at once when
the feed is idle, then at most every LIVE_UPDATE_INTERVAL seconds while changes keep
coming, so a burst of marks becomes a few small updates per room, not one per mark.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from flask_socketio import Namespace, join_room, leave_room
from sqlalchemy.exc import OperationalError

from app.extensions import db, socketio
from app.models import Competition, SkillProject
from app.models.base import utcnow
from app.realtime.publisher import live_competition_room, live_project_room
from app.services import live_feed, screens

log = logging.getLogger(__name__)

# A burst of touched boards is flushed a few per transaction: one commit for several
# boards, yet never holding the write lock (or, under gevent, the only thread) long.
BOARDS_PER_TRANSACTION = 10


class LiveNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> bool:
        return True  # spectators need no account; nothing here can write

    def on_subscribe(self, data: Any = None) -> dict[str, Any]:
        """`{project_id}` or `{competition_id[, screen]}`, with an optional `last_seq`.
        The room is joined before the snapshot is read, so nothing falls in between; the
        client drops any event whose seq is not above the one it holds."""
        request_ = _parse(data)
        if isinstance(request_, str):
            return _error(request_)
        project_id, competition_id, screen_name, last_seq = request_
        if project_id is not None:
            project = db.session.get(SkillProject, project_id)
            if project is None:
                return _error("not_found")
            competition = project.competition
        else:
            competition = db.session.get(Competition, competition_id)
            if competition is None:
                return _error("not_found")
        screen = screens.named(competition, screen_name) if screen_name is not None else None
        if screen_name is not None and screen is None:
            return _error("not_found")  # before any room is joined: a refusal joins none
        join_room(live_project_room(project.id) if project_id is not None
                  else live_competition_room(competition.id))
        ack: dict[str, Any] = {"ok": True}
        if screen is not None:
            join_room(screens.room(screen))
            ack["screen"] = screens.payload(screen)
        # Read what follows in a new transaction: SQLite reads from the snapshot of the
        # transaction's first read, taken before the join, and an update committed (and
        # pushed to the room) in between would be in neither the snapshot nor the pushes.
        db.session.rollback()
        if last_seq is not None and last_seq <= competition.live_seq:
            missed = live_feed.events_since(competition.id, last_seq, project_id)
            if missed is not None:
                return {**ack, "seq": competition.live_seq, "events": missed}
        if project_id is not None:
            snapshots = [live_feed.board_snapshot(project, d) for d in project.divisions]
            return {**ack, "seq": max([s.seq for s in snapshots], default=competition.live_seq),
                    "boards": [s.data for s in snapshots]}
        snapshot = live_feed.competition_snapshot(competition)
        return {**ack, "seq": snapshot.seq, **snapshot.data}

    def on_unsubscribe(self, data: Any = None) -> dict[str, Any]:
        project_id = data.get("project_id") if isinstance(data, dict) else None
        if not _is_id(project_id):
            return _error("invalid")
        leave_room(live_project_room(project_id))
        return {"ok": True}


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _parse(data: Any) -> tuple[int | None, int | None, str | None, int | None] | str:
    if not isinstance(data, dict):
        return "invalid"
    project_id, competition_id = data.get("project_id"), data.get("competition_id")
    last_seq, screen = data.get("last_seq"), data.get("screen")
    if (project_id is None) == (competition_id is None):
        return "invalid"
    if any(v is not None and not _is_id(v) for v in (project_id, competition_id)):
        return "invalid"
    if last_seq is not None and (not isinstance(last_seq, int) or isinstance(last_seq, bool)
                                 or last_seq < 0):
        return "invalid"
    if screen is not None and (not isinstance(screen, str) or not 0 < len(screen) <= 50
                               or project_id is not None):
        return "invalid"
    return project_id, competition_id, screen, last_seq


def _error(code: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code}}


class Coalescer:
    """Collects boards to recompute and flushes them from one background task."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app = app
        self.interval = interval  # 0: never in the background; tests call flush()
        self._dirty: set[tuple[int, int]] = set()
        self._lock = threading.Lock()
        self._running = False
        # Flushing in the background starts with the first request this process serves:
        # a command (seed-demo, imports) has nobody to push to, and its own writes would
        # only meet the flusher's.
        self.serving = False

    def touch(self, boards: Iterable[tuple[int, int]]) -> None:
        with self._lock:
            self._dirty.update(boards)
            start = self.interval > 0 and self.serving and not self._running
            self._running = self._running or start
        if start:
            socketio.start_background_task(self._run)

    def touch_at(self, when: datetime, boards: Iterable[tuple[int, int]]) -> None:
        """Touch these boards at `when` (in this process; a restart forgets the timer,
        and the next snapshot read notices the phase change itself)."""
        if self.interval <= 0 or not self.serving:
            return
        boards = list(boards)

        def later() -> None:
            socketio.sleep(max(0.0, (when - utcnow()).total_seconds()))
            self.touch(boards)

        socketio.start_background_task(later)

    def _run(self) -> None:
        # A throttle, not a debounce: the first change goes out at once, and while
        # changes keep coming each board is flushed at most once per interval.
        # It also yields: the pause is at least four times the flush it follows, so the
        # live audience never takes more than a fifth of the process from the judges.
        while True:
            started = time.monotonic()
            self.flush()
            socketio.sleep(max(self.interval, 4 * (time.monotonic() - started)))
            with self._lock:
                if not self._dirty:
                    self._running = False
                    return

    def flush(self) -> int:
        """Recompute every board touched since the last flush; returns how many."""
        with self._lock:
            boards, self._dirty = self._dirty, set()
        if not boards:
            return 0
        ordered = sorted(boards)
        for start in range(0, len(ordered), BOARDS_PER_TRANSACTION):
            chunk = ordered[start:start + BOARDS_PER_TRANSACTION]
            with self.app.app_context():
                try:
                    live_feed.flush_boards(chunk)
                except OperationalError:
                    log.warning("%d boards not refreshed (database busy); retrying",
                                len(chunk))
                    with self._lock:
                        self._dirty.update(chunk)
                except Exception:
                    log.exception("boards %s not refreshed", chunk)
                finally:
                    db.session.remove()
            socketio.sleep(0)  # let the judges' marks in between (one thread under gevent)
        return len(boards)


def coalescer() -> Coalescer:
    found: Coalescer = current_app.extensions["live_coalescer"]
    return found


def install(app: Flask) -> None:
    interval = app.config["LIVE_UPDATE_INTERVAL"]
    if app.config["SQLALCHEMY_DATABASE_URI"] in ("sqlite://", "sqlite:///:memory:"):
        # An in-memory database is one connection shared by every session (tests): a
        # background writer beside the requests would meet them inside one transaction.
        interval = 0
    feed = app.extensions["live_coalescer"] = Coalescer(app, interval)

    @app.before_request
    def _serving() -> None:
        feed.serving = True

