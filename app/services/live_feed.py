"""What the live audience is sent: each board's public view, its changes as small
deltas numbered by the competition's sequence, and a bounded log of them.

`flush_board` is the only writer. It computes the public view (app.services.public_view),
compares it with the view last sent (BoardState.rows), and when it differs stores the new
view, logs the delta under the next sequence number and queues the push, all in one
transaction. A snapshot is therefore always the state at a known `seq`, and the deltas
after that `seq` apply to it exactly, whichever server process sent them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.domain.awards import TeamPoints, medal_table
from app.domain.vocabulary import Award
from app.extensions import db
from app.models import BoardState, Competition, Delegation, Division, LiveEvent, SkillProject
from app.models.base import utcnow
from app.realtime.publisher import live_competition_room, live_project_room, publish
from app.services import public_view
from app.services.transaction import begin_write

# Events kept per competition for spectators who reconnect; one further behind than this
# gets a fresh snapshot instead.
LOG_SIZE = 1000
BOARD_UPDATE, BOARD_SUMMARY, MEDALS = "board_update", "board_summary", "medals_update"


def flush_board(project_id: int, division_id: int) -> int | None:
    """Bring one board's public view up to date; see flush_boards."""
    return flush_boards([(project_id, division_id)])


def flush_boards(boards: Iterable[tuple[int, int]]) -> int | None:
    """Bring these boards' public views up to date, in one transaction (one commit for a
    whole burst); returns the last seq taken, or None when the public saw no change."""
    begin_write()
    try:
        seq, medals_changed = None, set()
        for project_id, division_id in sorted(set(boards)):
            flushed = _flush(project_id, division_id)
            if flushed is not None:
                seq, awards_changed, competition = flushed
                if awards_changed:
                    medals_changed.add(competition)
        for competition in medals_changed:
            db.session.flush()
            seq = _log(competition.id, None, MEDALS, medals_payload(competition),
                       live_competition_room(competition.id))
            db.session.execute(delete(LiveEvent).where(
                LiveEvent.competition_id == competition.id, LiveEvent.seq <= seq - LOG_SIZE))
        db.session.commit() if seq is not None else db.session.rollback()
    except Exception:
        db.session.rollback()
        raise
    return seq


def _flush(project_id: int, division_id: int) -> tuple[int, bool, Competition] | None:
    project = db.session.get(SkillProject, project_id)
    division = db.session.get(Division, division_id)
    if project is None or division is None or division.project_id != project.id:
        return None
    state = state_for_update(project, division)
    before: dict[str, Any] = state.rows or {}
    after = public_view.board_payload(public_view.public_board(project, division, state=state))
    _carry_movement(before, after)
    delta = board_delta(before, after)
    if delta is None:
        return None
    competition_id = project.competition_id
    seq = _log(competition_id, project.id, BOARD_UPDATE,
               {"project_id": project.id, "division_id": division.id, **delta},
               live_project_room(project.id))
    state.rows, state.seq, state.updated_at = after, seq, utcnow()
    if (before.get("phase"), before.get("progress")) != (after["phase"], after["progress"]):
        seq = _log(competition_id, None, BOARD_SUMMARY,
                   {"project_id": project.id, "division_id": division.id,
                    "phase": after["phase"], "progress": after["progress"]},
                   live_competition_room(competition_id))
    db.session.execute(delete(LiveEvent).where(LiveEvent.competition_id == competition_id,
                                               LiveEvent.seq <= seq - LOG_SIZE))
    return seq, _awards(before) != _awards(after), project.competition


def state_for_update(project: SkillProject, division: Division) -> BoardState:
    """The board's row, locked until commit (PostgreSQL; SQLite holds the write lock),
    made if the live feed has not sent this board yet."""
    query = select(BoardState).where(BoardState.project_id == project.id,
                                     BoardState.division_id == division.id).with_for_update()
    state = db.session.scalar(query)
    if state is None:
        # FOR UPDATE locks nothing while the row does not exist, so two processes can both
        # get here: the insert that loses does nothing, and both then lock the one row.
        insert = (postgresql_insert if db.engine.dialect.name == "postgresql"
                  else sqlite_insert)(BoardState).values(
            competition_id=project.competition_id, project_id=project.id,
            division_id=division.id, rows={}, seq=0, reveal_step=0
        ).on_conflict_do_nothing(index_elements=["project_id", "division_id"])
        db.session.execute(insert)
        state = db.session.scalars(query.execution_options(populate_existing=True)).one()
    return state


def _log(competition_id: int, project_id: int | None, event: str, data: dict[str, Any],
         room: str) -> int:
    """Take the competition's next sequence number, log the event, queue its push."""
    seq: int = db.session.execute(
        update(Competition).where(Competition.id == competition_id)
        .values(live_seq=Competition.live_seq + 1).returning(Competition.live_seq)
    ).scalar_one()
    payload = {"seq": seq, **data}
    db.session.add(LiveEvent(competition_id=competition_id, seq=seq, project_id=project_id,
                             event=event, data=payload))
    publish("/live", event, payload, room)
    return seq


# ------------------------------------------------------------------ deltas


def board_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any] | None:
    """What changed between two public views of a board: the header fields, the rows
    added or changed (whole rows), and the ids of rows gone. None when nothing did."""
    old_rows = {row["competitor_id"]: row for row in before.get("rows", [])}
    new_rows = {row["competitor_id"]: row for row in after["rows"]}
    upsert = [row for cid, row in new_rows.items() if old_rows.get(cid) != row]
    remove = sorted(cid for cid in old_rows if cid not in new_rows)
    header = {k: v for k, v in after.items() if k != "rows" and before.get(k) != v}
    if not before:
        header = {k: v for k, v in after.items() if k != "rows"}
    if not upsert and not remove and not header:
        return None
    return {**header, "upsert": upsert, "remove": remove}


def apply_delta(board: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """A delta applied to a snapshot: what every client does (static/js/live/board.js)."""
    rows = {row["competitor_id"]: row for row in board.get("rows", [])}
    for cid in delta["remove"]:
        rows.pop(cid, None)
    for row in delta["upsert"]:
        rows[row["competitor_id"]] = row
    header = {k: v for k, v in delta.items() if k not in ("upsert", "remove", "seq")}
    return {**{k: v for k, v in board.items() if k != "rows"}, **header,
            "rows": sorted(rows.values(), key=public_view.row_order)}


def _carry_movement(before: dict[str, Any], after: dict[str, Any]) -> None:
    """Movement arrows: a row's rank change in this update (old − new, up is positive).
    Worked out from the views the public saw, so a frozen board's arrows stay frozen."""
    old_ranks = {row["competitor_id"]: row["rank"] for row in before.get("rows", [])}
    ceremony = after["phase"] == public_view.Phase.CEREMONY.value
    for row in after["rows"]:
        old, new = old_ranks.get(row["competitor_id"]), row["rank"]
        # On stage a place is revealed, not climbed to: no arrows during the ceremony.
        row["move"] = old - new if old is not None and new is not None and not ceremony else 0


def _awards(view: dict[str, Any]) -> list[tuple[int, str | None]]:
    return sorted((row["delegation_id"], row["award"] or "") for row in view.get("rows", []))


# ------------------------------------------------------------------ snapshots and catch-up


@dataclass(frozen=True)
class Snapshot:
    seq: int
    data: dict[str, Any]


def board_snapshot(project: SkillProject, division: Division) -> Snapshot:
    """The public board as last sent, and its seq; a board never sent is flushed first."""
    state = public_view.board_state(project, division)
    if state is None or not state.rows or _phase_moved(project, state):
        flush_board(project.id, division.id)
        db.session.expire_all()
    seq = _current_seq(project.competition_id)
    state = public_view.board_state(project, division)
    if state is None or not state.rows:
        raise LookupError("board")
    return Snapshot(seq, state.rows)


def _phase_moved(project: SkillProject, state: BoardState) -> bool:
    """A freeze time passed (or came back) since the board was last sent."""
    phase = public_view.competition_phase(project.competition)
    return not state.reveal_mode and state.rows.get("phase") not in (
        phase.value, public_view.Phase.CEREMONY.value)


def competition_snapshot(competition: Competition) -> Snapshot:
    """Every board's phase and progress, and the medal table, at the current seq."""
    _ensure_boards(competition)
    seq = _current_seq(competition.id)
    states = _states(competition)
    boards = [{"project_id": s.project_id, "division_id": s.division_id,
               "phase": s.rows.get("phase"), "progress": s.rows.get("progress")}
              for s in states]
    return Snapshot(seq, {"boards": boards, "medals": medals_payload(competition)})


def _current_seq(competition_id: int) -> int:
    """Read BEFORE the boards it numbers. Where each statement sees the latest commit
    (PostgreSQL's READ COMMITTED), a board may then be newer than its seq, and the client
    applies an event it already holds again, which changes nothing (deltas carry whole
    rows and header values); a seq newer than its board would make it drop one it needs."""
    seq: int = db.session.execute(select(Competition.live_seq).where(
        Competition.id == competition_id)).scalar_one()
    return seq


def medals_payload(competition: Competition) -> dict[str, Any]:
    """The medal table from the public board views: nothing a board hides can count."""
    pairs: list[tuple[int, Award | None]] = [
        (row["delegation_id"], Award(row["award"]) if row["award"] else None)
        for state in _states(competition) for row in state.rows.get("rows", [])]
    points = TeamPoints(competition.points_gold, competition.points_silver,
                        competition.points_bronze, competition.points_merit)
    names = dict(db.session.execute(select(Delegation.id, Delegation.name).where(
        Delegation.competition_id == competition.id)).all())
    return {"rows": [
        {"delegation_id": r.delegation_id, "delegation": names.get(r.delegation_id, ""),
         "rank": r.rank, "gold": r.gold, "silver": r.silver, "bronze": r.bronze,
         "merit": r.merit, "points": r.points}
        for r in medal_table(pairs, points)]}


def _states(competition: Competition) -> list[BoardState]:
    return list(db.session.scalars(select(BoardState).where(
        BoardState.competition_id == competition.id).order_by(BoardState.project_id,
                                                                 BoardState.division_id)))


def _ensure_boards(competition: Competition) -> None:
    """Flush the boards never sent, and those a freeze time has passed by since."""
    states = {(s.project_id, s.division_id): s for s in _states(competition)}
    missing = [(p.id, d.id) for p in competition.projects for d in p.divisions
               if (p.id, d.id) not in states or _phase_moved(p, states[(p.id, d.id)])]
    for project_id, division_id in missing:
        flush_board(project_id, division_id)
    if missing:
        db.session.expire_all()


def events_since(competition_id: int, last_seq: int, project_id: int | None
                 ) -> list[dict[str, Any]] | None:
    """The events after `last_seq` for one project's room (or the competition's), or None
    when the log no longer reaches back that far, or when a board's phase changed since:
    replayed, the events before the change would hand out again what it now hides (the
    live board before the organiser hid it, the frozen places before the ceremony)."""
    oldest = db.session.scalar(select(LiveEvent.seq).where(
        LiveEvent.competition_id == competition_id).order_by(LiveEvent.seq).limit(1))
    if oldest is not None and last_seq < oldest - 1:
        return None
    query = select(LiveEvent).where(LiveEvent.competition_id == competition_id,
                                    LiveEvent.seq > last_seq)
    if project_id is not None:  # else every board's updates, for their phase changes
        query = query.where(LiveEvent.project_id == project_id)
    events = list(db.session.scalars(query.order_by(LiveEvent.seq)))
    if any(e.event == BOARD_UPDATE and "phase" in e.data for e in events):
        return None  # a delta carries "phase" only when it changed
    return [{"event": e.event, "data": e.data} for e in events if e.project_id == project_id]


def refresh_competition(competition: Competition) -> None:
    """After a visibility, freeze or publication change: every board may look different.
    Queued: the boards are recomputed after the caller commits, and again when a freeze
    set for later begins."""
    from app.realtime.publisher import refresh_board

    later = competition.freeze_at if competition.freeze_at and \
        competition.freeze_at > utcnow() else None
    for project in competition.projects:
        for division in project.divisions:
            refresh_board(project.id, division.id)
            if later is not None:
                refresh_board(project.id, division.id, at=later)
