"""The /live protocol end to end: real python-socketio spectators against a live server
process (tests/live_server.py), while real judges submit marks over /judge, as at the
venue. The server runs with its real coalescing interval (LIVE_UPDATE_INTERVAL, 0.3 s).

The spectator here is written from docs/api.md alone, not from the server's code: it
keeps the board from the acknowledgement (or GET …/leaderboard) and its seq, ignores
events whose seq is not above the one it holds, and applies each board_update (remove the
ids, upsert whole rows, take the header fields, sort by rank with the unranked last).
The tests then compare its board with a fresh snapshot from the REST endpoint.

Each test works in its own seeded world (a competition of its own, seed_judging.py), so
tests do not depend on each other. Every wait is bounded; nothing asserts how long
anything takes.
"""

from __future__ import annotations

import queue
import uuid
from collections.abc import Callable, Iterator

import pytest
import socketio

from tests.live_server import LiveServer
from tests.realtime.judge_client import (
    NS,
    SEED,
    WAIT,
    Json,
    close_all,
    collector,
    j_mark,
    m_mark,
    sql,
    submit,
    versions_of,
)

LIVE = "/live"
PUSHES = ("board_update", "board_summary", "medals_update", "screen_update")
WORLDS = ("errors", "follow", "resume", "behind", "phase", "readonly")

pytestmark = pytest.mark.timeout(120)

# ------------------------------------------------------------------ server and data

@pytest.fixture(scope="module")
def worlds(server: LiveServer) -> dict[str, Json]:
    return server.seed(SEED, *WORLDS)["worlds"]  # type: ignore[no-any-return]


class Sockets:
    """Spectators on /live (no credentials; pushes go to `client.pushes`) and judges on
    /judge, closed together after the test (each close may wait for the server)."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.opened: list[socketio.Client] = []

    def _open(self, namespace: str, auth: Json | None = None) -> socketio.Client:
        client = socketio.Client(reconnection=False)
        client.pushes = queue.Queue()  # type: ignore[attr-defined]
        if namespace == LIVE:
            for name in PUSHES:
                client.on(name, collector(client, name), namespace=LIVE)
        self.opened.append(client)
        client.connect(self.server.url, namespaces=[namespace], auth=auth, wait_timeout=WAIT)
        return client

    def spectator(self) -> socketio.Client:
        return self._open(LIVE)

    def judge(self, token: str | None) -> socketio.Client:
        return self._open(NS, {"token": token} if token is not None else None)


@pytest.fixture
def sockets(server: LiveServer) -> Iterator[Sockets]:
    opened = Sockets(server)
    yield opened
    close_all(opened.opened)



def ids_of(server: LiveServer, w: Json) -> tuple[int, int, int]:
    """The world's competition, project and (only) division, from the public catalogue."""
    project = server.get_json(f"/api/v1/projects/{w['project_id']}")
    (division,) = project["divisions"]
    return project["competition"]["id"], project["id"], division["id"]


def fresh_board(server: LiveServer, project_id: int, division_id: int) -> Json:
    return server.get_json(  # type: ignore[no-any-return]
        f"/api/v1/projects/{project_id}/leaderboard?division={division_id}")


def subscribe(client: socketio.Client, payload: object) -> Json:
    ack = client.call("subscribe", payload, namespace=LIVE, timeout=WAIT)
    assert isinstance(ack, dict), ack
    return ack


# ------------------------------------------------------------------ the client's rules

def row_order(row: Json) -> tuple[bool, int, int]:
    return (row["rank"] is None, row["rank"] or 0, row["competitor_id"])


def apply(board: Json, delta: Json) -> Json:
    """docs/api.md: remove the ids, upsert whole rows, take the header fields, sort."""
    rows = {row["competitor_id"]: row for row in board["rows"]}
    for competitor_id in delta["remove"]:
        rows.pop(competitor_id, None)
    for row in delta["upsert"]:
        rows[row["competitor_id"]] = row
    header = {k: v for k, v in delta.items() if k not in ("seq", "upsert", "remove")}
    return {**board, **header, "rows": sorted(rows.values(), key=row_order)}


class Follower:
    """One board as a spectator's page keeps it."""

    def __init__(self, client: socketio.Client, ack: Json) -> None:
        assert ack["ok"] is True and len(ack["boards"]) == 1, ack
        self.client, self.board, self.seq = client, ack["boards"][0], ack["seq"]
        self.deltas: list[Json] = []  # applied, in order

    def until(self, wanted: Callable[[Json], bool]) -> list[Json]:
        """Apply the board_updates as they come until the board is as wanted; the deltas
        applied on the way."""
        applied: list[Json] = []
        while not wanted(self.board):
            try:
                name, data = self.client.pushes.get(timeout=WAIT)  # type: ignore[attr-defined]
            except queue.Empty:
                raise AssertionError(f"no update after seq {self.seq}: {self.board}") from None
            assert name == "board_update", name  # a project's room gets nothing else
            if data["seq"] <= self.seq:
                continue  # already in the snapshot the acknowledgement carried
            assert data["project_id"] == self.board["project_id"]
            self.board, self.seq = apply(self.board, data), data["seq"]
            applied.append(data)
        self.deltas += applied
        return applied


def follow(sockets: Sockets, project_id: int) -> Follower:
    client = sockets.spectator()
    return Follower(client, subscribe(client, {"project_id": project_id}))


def totals(board: Json) -> dict[str, float]:
    return {row["name"]: row["total"] for row in board["rows"] if row["rank"] is not None}


# ------------------------------------------------------------------ subscribing

INVALID: list[object] = [
    None, "project 1", 7, [1], {},
    {"project_id": "1"}, {"project_id": 0}, {"project_id": -3}, {"project_id": True},
    {"project_id": 1.0}, {"competition_id": "1"},
    {"project_id": "P", "competition_id": "C"},  # both (filled in below)
    {"project_id": "P", "last_seq": -1}, {"project_id": "P", "last_seq": "3"},
    {"project_id": "P", "last_seq": True}, {"project_id": "P", "last_seq": 1.5},
    {"competition_id": "C", "screen": ""}, {"competition_id": "C", "screen": 5},
    {"competition_id": "C", "screen": "x" * 51}, {"project_id": "P", "screen": "主屏"},
]


def fill(payload: object, competition_id: int, project_id: int) -> object:
    if not isinstance(payload, dict):
        return payload
    ids = {"competition_id": competition_id, "project_id": project_id}
    return {k: ids[k] if v in ("C", "P") and k in ids else v for k, v in payload.items()}


def test_subscribe_refuses_what_it_cannot_read_and_then_joins_nothing(
        server: LiveServer, worlds: dict[str, Json], sockets: Sockets) -> None:
    w = worlds["errors"]
    competition_id, project_id, _ = ids_of(server, w)
    fan = sockets.spectator()
    for payload in INVALID:
        ack = subscribe(fan, fill(payload, competition_id, project_id))
        assert ack == {"ok": False, "error": {"code": "invalid"}}, payload
    for payload in ({"project_id": 999_999}, {"competition_id": 999_999},
                    {"competition_id": competition_id, "screen": "no such screen"},
                    {"project_id": 999_999, "last_seq": 0}):
        ack = subscribe(fan, payload)
        assert ack == {"ok": False, "error": {"code": "not_found"}}, payload
    for payload in (None, {}, {"project_id": "1"}, {"competition_id": competition_id}):
        ack = fan.call("unsubscribe", payload, namespace=LIVE, timeout=WAIT)
        assert ack == {"ok": False, "error": {"code": "invalid"}}, payload

    # None of those joined a room. The fan now follows the project only; a judge's mark
    # changes the board's progress and medals, so the competition's room is sent a
    # board_summary and a medals_update right after each board_update. A second update
    # is the barrier: anything for the competition's room from the first flush would
    # have come before it, on this one connection.
    follower = Follower(fan, subscribe(fan, {"project_id": project_id}))
    judge = sockets.judge(w["tokens"][1])
    assert submit(judge, **m_mark(w, 0, 30))["ok"]
    follower.until(lambda board: totals(board) == {"张伟": 30.0})
    assert submit(judge, **m_mark(w, 1, 15))["ok"]
    follower.until(lambda board: totals(board) == {"张伟": 30.0, "李娜": 15.0})
    assert fan.pushes.empty()  # type: ignore[attr-defined]


# ------------------------------------------------------------------ following the marks

def test_a_spectator_follows_the_judges_and_ends_on_the_fresh_snapshot(
        server: LiveServer, worlds: dict[str, Json], sockets: Sockets) -> None:
    w = worlds["follow"]
    competition_id, project_id, division_id = ids_of(server, w)
    phone = follow(sockets, project_id)
    assert phone.board["rows"] and not totals(phone.board)  # nobody ranked yet
    hall = sockets.spectator()
    hall_ack = subscribe(hall, {"competition_id": competition_id})
    assert hall_ack["ok"] and hall_ack["boards"][0]["project_id"] == project_id
    assert [(r["gold"], r["silver"]) for r in hall_ack["medals"]["rows"]] == [(0, 0), (0, 0)]
    judges = [sockets.judge(token) for token in w["tokens"]]

    # One mark, one small update: only the row that changed.
    assert submit(judges[1], **m_mark(w, 0, 30))["ok"]
    (first,) = phone.until(lambda board: totals(board) == {"张伟": 30.0})
    assert [row["name"] for row in first["upsert"]] == ["张伟"] and first["remove"] == []
    assert submit(judges[1], **m_mark(w, 1, 15))["ok"]
    (second,) = phone.until(lambda board: totals(board) == {"张伟": 30.0, "李娜": 15.0})
    assert [row["name"] for row in second["upsert"]] == ["李娜"]

    # A burst: the whole J panel at once (2, 2, 3), coalesced into few updates; the
    # total counts only once the panel is complete.
    for judge, score in zip(judges, (2, 2, 3), strict=True):
        assert submit(judge, **j_mark(w, 0, score))["ok"]
    phone.until(lambda board: totals(board) == {"张伟": 53.33, "李娜": 15.0})

    # 李娜 overtakes: both rows move, with their arrows.
    assert submit(judges[2], **m_mark(w, 1, 40, aspect="b_aspect"))["ok"]
    (overtaking,) = phone.until(lambda board: totals(board) == {"张伟": 53.33, "李娜": 55.0})
    assert {row["name"]: (row["rank"], row["move"]) for row in overtaking["upsert"]} == {
        "李娜": (1, 1), "张伟": (2, -1)}

    seqs = [delta["seq"] for delta in phone.deltas]
    assert seqs == sorted(set(seqs)) and len(seqs) >= 4
    fresh = fresh_board(server, project_id, division_id)
    assert phone.board == fresh["board"]
    assert fresh["seq"] >= phone.seq
    assert [(r["name"], r["rank"], r["award"]) for r in phone.board["rows"]] == [
        ("李娜", 1, "gold"), ("张伟", 2, "silver")]

    # The hall, subscribed to the competition, is sent each board's progress and the
    # medal table (never a board_update), and ends on the fresh medal table.
    medals = server.get_json(f"/api/v1/competitions/{competition_id}/medals")
    assert [(r["delegation"], r["gold"], r["silver"]) for r in medals["rows"]] == [
        ("浦东新区", 1, 0), ("闵行区", 0, 1)]
    received: list[tuple[str, Json]] = []
    while not received or received[-1] != ("medals_update", {**received[-1][1],
                                                             "rows": medals["rows"]}):
        received.append(hall.pushes.get(timeout=WAIT))  # type: ignore[attr-defined]
    assert {name for name, _ in received} == {"board_summary", "medals_update"}
    summaries = [data for name, data in received if name == "board_summary"]
    assert summaries[-1]["progress"] == fresh["board"]["progress"]
    assert all(s["project_id"] == project_id and s["phase"] == "live" for s in summaries)
    seqs = [data["seq"] for _, data in received]
    assert seqs == sorted(set(seqs))


# ------------------------------------------------------------------ reconnecting

def test_resuming_with_last_seq_sends_exactly_the_missed_events(
        server: LiveServer, worlds: dict[str, Json], sockets: Sockets) -> None:
    w = worlds["resume"]
    _, project_id, division_id = ids_of(server, w)
    watcher = follow(sockets, project_id)
    phone = subscribe(sockets.spectator(), {"project_id": project_id})
    board, seq = phone["boards"][0], phone["seq"]
    # The phone goes out of coverage; two updates happen meanwhile.
    judge = sockets.judge(w["tokens"][1])
    assert submit(judge, **m_mark(w, 0, 15))["ok"]
    watcher.until(lambda b: totals(b) == {"张伟": 15.0})
    assert submit(judge, **m_mark(w, 1, 30))["ok"]
    watcher.until(lambda b: totals(b) == {"张伟": 15.0, "李娜": 30.0})
    missed = [delta for delta in watcher.deltas if delta["seq"] > seq]
    assert len(missed) == 2

    back = subscribe(sockets.spectator(), {"project_id": project_id, "last_seq": seq})
    assert back["ok"] is True and "boards" not in back
    assert back["events"] == [{"event": "board_update", "data": d} for d in missed]
    assert back["seq"] >= missed[-1]["seq"]
    for event in back["events"]:
        board = apply(board, event["data"])
    assert board == fresh_board(server, project_id, division_id)["board"]

    # Up to date: nothing missed, nothing sent.
    latest = subscribe(sockets.spectator(), {"project_id": project_id, "last_seq": back["seq"]})
    assert latest["events"] == []


def test_too_far_behind_or_ahead_of_the_server_gets_a_fresh_snapshot(
        server: LiveServer, worlds: dict[str, Json], sockets: Sockets) -> None:
    w = worlds["behind"]
    competition_id, project_id, division_id = ids_of(server, w)
    watcher = follow(sockets, project_id)
    seq = watcher.seq
    judge = sockets.judge(w["tokens"][1])
    for competitor, value in ((0, 15), (1, 30), (0, 30)):
        assert submit(judge, **m_mark(w, competitor, value))["ok"]
        watcher.until(lambda b, c=competitor, v=value: any(
            r["competitor_id"] == w["competitors"][c] and r["total"] == v
            for r in b["rows"]))
    # The log keeps the last LOG_SIZE (1000) events of a competition; an operator's
    # delete stands in for the thousand updates that would push these out.
    sql(server, "DELETE FROM live_event WHERE competition_id = ? AND seq <= ?",
        competition_id, seq + 2)
    fresh = fresh_board(server, project_id, division_id)
    for last_seq in (seq, seq + 1, 0, fresh["seq"] + 1000):
        ack = subscribe(sockets.spectator(), {"project_id": project_id, "last_seq": last_seq})
        assert "events" not in ack, last_seq
        assert ack["seq"] == fresh["seq"] and ack["boards"] == [fresh["board"]], last_seq
    # The competition's subscribers too.
    ack = subscribe(sockets.spectator(), {"competition_id": competition_id, "last_seq": seq})
    assert "events" not in ack and ack["seq"] == fresh["seq"]
    assert ack["medals"]["rows"] == server.get_json(
        f"/api/v1/competitions/{competition_id}/medals")["rows"]


def test_resuming_across_a_visibility_change_replays_nothing_from_before_it(
        server: LiveServer, worlds: dict[str, Json], sockets: Sockets) -> None:
    """The organiser turns live ranks off: the events before that carried ranks and
    totals, so a spectator that missed the change gets the new (empty) board instead."""
    w = worlds["phase"]
    competition_id, project_id, division_id = ids_of(server, w)
    watcher = follow(sockets, project_id)
    judge = sockets.judge(w["tokens"][1])
    assert submit(judge, **m_mark(w, 0, 30))["ok"]
    watcher.until(lambda b: totals(b) == {"张伟": 30.0})
    before = watcher.seq
    sql(server, "UPDATE competition SET visibility = 'progress' WHERE id = ?", competition_id)
    assert submit(judge, **m_mark(w, 1, 15))["ok"]  # the next update shows the change
    (change,) = watcher.until(lambda b: b["phase"] == "progress")
    assert change["upsert"] == [] and change["remove"]
    assert watcher.board["rows"] == [] and watcher.board["progress"]["counted"] == 2

    for last_seq in (before - 1, before):
        ack = subscribe(sockets.spectator(), {"project_id": project_id, "last_seq": last_seq})
        assert "events" not in ack, last_seq
        assert ack["boards"] == [fresh_board(server, project_id, division_id)["board"]]
        assert "张伟" not in str(ack) and "30.0" not in str(ack)


# ------------------------------------------------------------------ read-only

def test_a_spectator_cannot_write(server: LiveServer, worlds: dict[str, Json],
                                  sockets: Sockets) -> None:
    w = worlds["readonly"]
    _, project_id, _ = ids_of(server, w)
    fan = sockets.spectator()
    client_ids = [str(uuid.uuid4()) for _ in range(2)]
    fan.emit("submit_mark", {"client_id": client_ids[0], **m_mark(w, 0, 30)}, namespace=LIVE)
    # /live has no such event: the server answers with nothing once it has dropped it.
    assert fan.call("submit_mark", {"client_id": client_ids[1], **m_mark(w, 1, 15)},
                    namespace=LIVE, timeout=WAIT) is None
    # Still connected and subscribing: the marks were ignored, not an error.
    assert subscribe(fan, {"project_id": project_id})["ok"] is True
    assert fan.connected
    assert [versions_of(server, client_id) for client_id in client_ids] == [0, 0]
    assert sql(server, "SELECT count(*) FROM mark WHERE competitor_id IN (?, ?)",
               *w["competitors"]) == [(0,)]
    # And /judge takes no spectator: no token, no connection.
    with pytest.raises(socketio.exceptions.ConnectionError):
        sockets.judge(None)
