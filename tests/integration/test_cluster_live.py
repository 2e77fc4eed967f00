"""Two server processes, one PostgreSQL database, one Redis queue: a mark submitted
through process A reaches a spectator connected to process B, in order, with its
sequence numbers intact, and B's spectator ends on the board A serves over HTTP.

Set SAIPING_TEST_DATABASE_URL to a PostgreSQL server (postgresql+psycopg://…; the test
makes a database of its own there and drops it) and run Redis on 127.0.0.1:6379;
otherwise the test is skipped. Run in both async modes: the queue's listener is a thread
under threading and a greenlet under gevent.

The spectators (one on each process) subscribe to the project and to the competition
on one WebSocket each. The world has one project, so between them the two rooms are sent
every event the competition logs: each spectator must see every seq after its snapshot,
once, in order, with nothing missing, exactly as the database's live_event log has them.
Process A serves no HTTP request before the marks (it is started without /healthz, and
the test reads from B until the end): a process reached over Socket.IO alone, like one a
tablet reconnects to after a restart, must publish what its judges change.
Every wait is bounded; nothing asserts how long anything takes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import socketio

from tests.integration import cluster
from tests.integration.cluster import WAIT, ClusterServer, Json, WireSpectator
from tests.realtime.judge_client import NS, SEED, close_all, j_mark, m_mark

MODES = ("threading", "gevent")
INTERVAL = 0.05  # LIVE_UPDATE_INTERVAL: small, so the test waits little for the coalescer

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(cluster.server_url() is None,
                       reason=f"{cluster.DATABASE_ENV} names no PostgreSQL server"),
    pytest.mark.skipif(not cluster.redis_answers(), reason="no Redis on 127.0.0.1:6379"),
]


# ------------------------------------------------------------------ database and processes

@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    url = cluster.server_url()
    assert url is not None
    with cluster.fresh_database(url) as fresh:
        yield fresh


@pytest.fixture(scope="module")
def worlds(database: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Json]:
    """Migrated with `flask db upgrade`, then one seeded world per async mode."""
    setup = ClusterServer(tmp_path_factory.mktemp("setup"), "setup", database,
                          "", "threading", INTERVAL)  # no queue: nothing to push to
    setup.migrate()
    return setup.seed(SEED, *MODES)["worlds"]  # type: ignore[no-any-return]


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def processes(database: str, worlds: dict[str, Json], mode: str,
              tmp_path: Path) -> Iterator[tuple[ClusterServer, ClusterServer]]:
    """Processes A and B, both stopped whatever happens. A is started without a single
    HTTP request, and the test sends it none before the marks: like a process a tablet
    reconnects its socket to after a restart, reached over Socket.IO only."""
    queue_url = f"redis://{cluster.REDIS_HOST}:{cluster.REDIS_PORT}/{cluster.spare_redis_db()}"
    a, b = (ClusterServer(tmp_path, name, database, queue_url, mode, INTERVAL)
            for name in ("A", "B"))
    try:
        cluster.start_all(a.start_quietly, b.start)
        yield a, b
    finally:
        cluster.stop_all((a, b))


# ------------------------------------------------------------------ HTTP and judges


def judges_on(server: ClusterServer, tokens: list[str], opened: list[socketio.Client]
              ) -> list[socketio.Client]:
    """Connect one /judge client per token, each added to `opened` (closed by the caller)
    before it connects."""
    for token in tokens:
        client = socketio.Client(reconnection=False)
        opened.append(client)
        client.connect(server.url, namespaces=[NS], auth={"token": token}, wait_timeout=WAIT)
    return opened


def submit(judge: socketio.Client, mark: Json) -> None:
    ack = judge.call("submit_mark", {"client_id": str(uuid.uuid4()), **mark},
                     namespace=NS, timeout=WAIT)
    assert isinstance(ack, dict) and ack.get("ok") is True, ack


# ------------------------------------------------------------------ a spectator's view

def row_order(row: Json) -> tuple[bool, int, int]:
    return (row["rank"] is None, row["rank"] or 0, row["competitor_id"])


class View:
    """What one spectator holds: the board, the medal table, the board's progress, and
    every event it applied, checked to come with the next seq each time."""

    def __init__(self, fan: WireSpectator, project_id: int, competition_id: int) -> None:
        self.fan = fan
        board_ack = fan.call("subscribe", {"project_id": project_id})
        hall_ack = fan.call("subscribe", {"competition_id": competition_id})
        assert board_ack["ok"] and hall_ack["ok"], (board_ack, hall_ack)
        # Nothing is being marked, and the boards were sent before: one seq for both.
        assert board_ack["seq"] == hall_ack["seq"], (board_ack, hall_ack)
        (self.board,) = board_ack["boards"]
        self.medals = hall_ack["medals"]["rows"]
        (summary,) = hall_ack["boards"]
        self.progress = summary["progress"]
        self.seq = self.first_seq = board_ack["seq"]
        self.applied: list[tuple[str, Json]] = []

    def take(self) -> None:
        """Apply the next event that is newer than the snapshot; it must be seq + 1."""
        name, data = self.fan.next_event()
        if data["seq"] <= self.first_seq:
            return  # pushed between joining the room and reading the snapshot: held already
        assert data["seq"] == self.seq + 1, (f"after seq {self.seq} came {name} "
                                             f"seq {data['seq']}", self.applied[-3:])
        self.seq = data["seq"]
        self.applied.append((name, data))
        if name == "board_update":
            rows = {row["competitor_id"]: row for row in self.board["rows"]}
            for competitor_id in data["remove"]:
                rows.pop(competitor_id, None)
            for row in data["upsert"]:
                rows[row["competitor_id"]] = row
            header = {k: v for k, v in data.items() if k not in ("seq", "upsert", "remove")}
            self.board = {**self.board, **header, "rows": sorted(rows.values(), key=row_order)}
        elif name == "board_summary":
            self.progress = data["progress"]
        else:
            assert name == "medals_update", name
            self.medals = data["rows"]

    def until_totals(self, wanted: dict[str, float]) -> None:
        while totals(self.board) != wanted:
            self.take()

    def until_seq(self, seq: int) -> None:
        while self.seq < seq:
            self.take()


def totals(board: Json) -> dict[str, float]:
    return {row["name"]: row["total"] for row in board["rows"] if row["rank"] is not None}


# ------------------------------------------------------------------ the test

def test_marks_through_process_a_reach_a_spectator_on_process_b_in_order(
        processes: tuple[ClusterServer, ClusterServer], worlds: dict[str, Json], mode: str,
        database: str) -> None:
    a, b = processes
    w = worlds[mode]
    with cluster.logs_on_failure(a, b), ExitStack() as stack:
        project = b.get_json(f"/api/v1/projects/{w['project_id']}")
        project_id, competition_id = project["id"], project["competition"]["id"]
        (division,) = project["divisions"]
        # The board's first public view is made (and logged) by this read, before anyone
        # subscribes, so both spectators start from the same seq.
        b.get_json(f"/api/v1/projects/{project_id}/leaderboard?division={division['id']}")

        fans = []
        for server in (b, a):  # the one that matters first: B, where no judge is
            fan = WireSpectator(server.url)
            stack.callback(fan.close)
            fans.append(View(fan, project_id, competition_id))
        on_b, on_a = fans
        judges: list[socketio.Client] = []
        stack.callback(close_all, judges)
        judges_on(a, w["tokens"], judges)

        # Mark by mark through A; each reaches B's spectator (and A's) before the next.
        steps: list[tuple[int, Json, dict[str, float]]] = [
            (1, m_mark(w, 0, 30), {"张伟": 30.0}),
            (1, m_mark(w, 1, 15), {"张伟": 30.0, "李娜": 15.0}),
            (0, j_mark(w, 0, 2), {"张伟": 30.0, "李娜": 15.0}),  # J panel incomplete:
            (1, j_mark(w, 0, 2), {"张伟": 30.0, "李娜": 15.0}),  # no total yet
            (2, j_mark(w, 0, 3), {"张伟": 53.33, "李娜": 15.0}),
            (2, m_mark(w, 1, 40, aspect="b_aspect"), {"张伟": 53.33, "李娜": 55.0}),
        ]
        for judge, mark, wanted in steps:
            submit(judges[judge], mark)
            for view in fans:
                view.until_totals(wanted)

        # Everything the competition logged after the snapshot, and nothing else.
        (live_seq,) = cluster.query(database, "SELECT live_seq FROM competition WHERE id = %s",
                                    competition_id)[0]
        for view in fans:
            view.until_seq(live_seq)
        logged = [(event, data) for event, data in cluster.query(
            database, "SELECT event, data FROM live_event WHERE competition_id = %s "
                      "AND seq > %s ORDER BY seq", competition_id, on_b.first_seq)]
        assert [data["seq"] for _, data in logged] == list(
            range(on_b.first_seq + 1, live_seq + 1))
        assert on_b.applied == logged
        assert on_a.applied == logged
        assert {name for name, _ in logged} == {"board_update", "board_summary",
                                                "medals_update"}
        assert sum(name == "board_update" for name, _ in logged) >= 4  # one per step, or so

        # B's spectator ends where A's HTTP API is.
        fresh = a.get_json(f"/api/v1/projects/{project_id}/leaderboard?division={division['id']}")
        assert fresh["seq"] == on_b.seq == live_seq
        assert on_b.board == fresh["board"]
        assert on_b.progress == fresh["board"]["progress"]
        assert on_b.medals == a.get_json(f"/api/v1/competitions/{competition_id}/medals")["rows"]
        assert [(r["name"], r["rank"], r["award"]) for r in on_b.board["rows"]] == [
            ("李娜", 1, "gold"), ("张伟", 2, "silver")]
