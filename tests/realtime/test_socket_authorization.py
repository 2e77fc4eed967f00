"""Every socket event × every role, with real python-socketio clients against a live server
(tests/live_server.py), checked against the tables below.

EVENTS lists every event a client may send on /judge, /staff and /live, and the test that
checks it; test_every_registered_event_is_in_the_table reads the handlers the server
really registered, so a new event without an entry fails. The roles: a spectator (no
credentials at all), a panel judge of world A, a judge of world B, world A's chief judge,
world B's chief judge, a supervisor, a team leader and an organiser, each with a bearer
token (the /judge and /staff credential). What is checked, above all: a spectator can
never write, a judge never touches another project's competitor, and /staff takes no
judges and no anonymous clients.
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Iterator

import pytest
import socketio

from app import create_app
from app.extensions import socketio as server_socketio
from tests.conftest import TEST_SECRET
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

pytestmark = pytest.mark.timeout(180)

STAFF, LIVE = "/staff", "/live"
ANON = "spectator"  # no credentials: every phone in the stands
ROLES = (ANON, "judge", "other_judge", "chief_judge", "other_chief", "supervisor",
         "team_leader", "organiser")
CONNECTED, REFUSED = "connected", "refused"
QUIET = 1.5  # seconds to wait for a push that must NOT come

# Who may connect to each namespace (to /staff: watching world A's project).
CONNECT = {
    NS: {ANON: REFUSED, "judge": CONNECTED, "other_judge": CONNECTED,
         "chief_judge": CONNECTED, "other_chief": CONNECTED, "supervisor": REFUSED,
         "team_leader": REFUSED, "organiser": REFUSED},
    STAFF: {ANON: REFUSED, "judge": REFUSED, "other_judge": REFUSED,
            "chief_judge": CONNECTED, "other_chief": REFUSED, "supervisor": CONNECTED,
            "team_leader": REFUSED, "organiser": CONNECTED},
    LIVE: dict.fromkeys(ROLES, CONNECTED),
}
# What each role's submit_mark for world A's competitor gets: "ok" (stored), a refusal
# code, or None when the role cannot even connect to /judge.
SUBMIT = {ANON: None, "judge": "ok", "other_judge": "not_assigned",
          "chief_judge": "not_assigned", "other_chief": "not_assigned", "supervisor": None,
          "team_leader": None, "organiser": None}
# Every event a client can send, and the test below that checks it for every role.
EVENTS = {
    (NS, "connect"): "test_who_may_connect",
    (NS, "disconnect"): "test_a_disconnect_ends_only_that_connection",
    (NS, "submit_mark"): "test_submit_mark_by_role",
    (NS, "rejoin"): "test_rejoin_joins_only_the_judges_own_projects",
    (STAFF, "connect"): "test_who_may_connect",
    (LIVE, "connect"): "test_who_may_connect",
    (LIVE, "subscribe"): "test_live_is_read_only_for_everyone",
    (LIVE, "unsubscribe"): "test_live_is_read_only_for_everyone",
}


# ------------------------------------------------------------------ the table itself


def registered_events() -> set[tuple[str, str]]:
    """(namespace, event) for every handler the Socket.IO server has: the class-based
    namespaces' on_<event> methods and any @socketio.on handler."""
    create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                "SQLALCHEMY_DATABASE_URI": "sqlite://", "LIVE_UPDATE_INTERVAL": 0})
    server = server_socketio.server
    found = {(namespace, name[3:]) for namespace, handler in server.namespace_handlers.items()
             for name in dir(type(handler)) if name.startswith("on_")}
    found |= {(namespace, event) for namespace, events in server.handlers.items()
              for event in events}
    return found


def test_every_registered_event_is_in_the_table() -> None:
    registered = registered_events()
    missing = sorted(registered - EVENTS.keys())
    stale = sorted(EVENTS.keys() - registered)
    assert not missing, f"socket events without an entry: add them to EVENTS: {missing}"
    assert not stale, f"entries for events that no longer exist: {stale}"
    for key, test in EVENTS.items():
        assert callable(globals().get(test)), (key, test)


# ------------------------------------------------------------------ server, data, clients


# A supervisor and a team leader (seed_judging.py makes neither), made the way the app
# makes accounts, in one process beside the server: their bearer tokens as JSON.
MORE_ACCOUNTS = """
import json
from app import create_app
from app.domain.vocabulary import UserRole
from app.services import accounts
with create_app().app_context():
    print(json.dumps({role.value + "_token": accounts.issue_token(accounts.create_user(
        "sockets-" + role.value, role, "a long password")) for role in (
        UserRole.SUPERVISOR, UserRole.TEAM_LEADER)}))
"""


@pytest.fixture(scope="module")
def seeded(server: LiveServer) -> Json:
    data: Json = server.seed(SEED, "sa", "sb")
    data.update(json.loads(server.run("-c", MORE_ACCOUNTS).strip().splitlines()[-1]))
    return data


def tokens(seeded: Json) -> dict[str, str | None]:
    a, b = seeded["worlds"]["sa"], seeded["worlds"]["sb"]
    return {ANON: None, "judge": a["tokens"][1], "other_judge": b["tokens"][1],
            "chief_judge": a["chief_token"], "other_chief": b["chief_token"],
            "supervisor": seeded["supervisor_token"],
            "team_leader": seeded["team_leader_token"],
            "organiser": seeded["organiser_token"]}


class Sockets:
    """Opens clients (pushes named in `pushes` go to client.pushes); all closed after."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.opened: list[socketio.Client] = []
        self._lock = threading.Lock()

    def open(self, namespace: str, auth: Json | None,
             pushes: tuple[str, ...] = ()) -> socketio.Client:
        client = socketio.Client(reconnection=False)
        client.pushes = queue.Queue()  # type: ignore[attr-defined]
        for name in pushes:
            client.on(name, collector(client, name), namespace=namespace)
        with self._lock:
            self.opened.append(client)
        client.connect(self.server.url, namespaces=[namespace], auth=auth, wait_timeout=WAIT)
        return client

    def try_open(self, namespace: str, auth: Json | None) -> socketio.Client | None:
        """The connected client, or None when the server refused the connection."""
        try:
            return self.open(namespace, auth)
        except socketio.exceptions.ConnectionError:
            return None

    def try_all(self, attempts: dict[str, tuple[str, Json | None]],
                ) -> dict[str, socketio.Client | None]:
        """try_open for each, side by side: a refused client's teardown may wait for its
        long-poll to end."""
        got: dict[str, socketio.Client | None] = {}

        def attempt(name: str, namespace: str, auth: Json | None) -> None:
            got[name] = self.try_open(namespace, auth)

        threads = [threading.Thread(target=attempt, args=(name, *how), daemon=True)
                   for name, how in attempts.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=3 * WAIT)
        assert got.keys() == attempts.keys(), "an attempt did not finish"
        return got


def outcomes(clients: dict[str, socketio.Client | None]) -> dict[str, str]:
    return {name: REFUSED if client is None else CONNECTED for name, client in clients.items()}


@pytest.fixture
def sockets(server: LiveServer) -> Iterator[Sockets]:
    opened = Sockets(server)
    yield opened
    close_all(opened.opened)


def auth_for(namespace: str, token: str | None, project_id: int) -> Json | None:
    if namespace == STAFF:
        return {"project_id": project_id, **({"token": token} if token else {})}
    return {"token": token} if token is not None else None


def mark_rows(server: LiveServer) -> tuple[int, int]:
    (marks,), = sql(server, "SELECT count(*) FROM mark")
    (versions,), = sql(server, "SELECT count(*) FROM mark_version")
    return int(marks), int(versions)


def nothing_within(client: socketio.Client, seconds: float = QUIET) -> bool:
    try:
        client.pushes.get(timeout=seconds)  # type: ignore[attr-defined]
    except queue.Empty:
        return True
    return False


# ------------------------------------------------------------------ connecting


@pytest.mark.parametrize("namespace", [NS, STAFF, LIVE])
def test_who_may_connect(namespace: str, seeded: Json, sockets: Sockets) -> None:
    project_id = seeded["worlds"]["sa"]["project_id"]
    assert outcomes(sockets.try_all({
        role: (namespace, auth_for(namespace, token, project_id))
        for role, token in tokens(seeded).items()})) == CONNECT[namespace]


def test_staff_refuses_judges_and_watchers_of_another_project(seeded: Json,
                                                             sockets: Sockets) -> None:
    a, b = seeded["worlds"]["sa"], seeded["worlds"]["sb"]
    refused = {
        "a judge's tablet-page token": {"project_id": a["project_id"],
                                        "token": a["session_tokens"][1]},
        "A's chief on B's project": {"project_id": b["project_id"], "token": a["chief_token"]},
        "a judge's token bound to B": {"project_id": b["project_id"],
                                       "token": seeded["bound_token"]},
        "an expired token": {"project_id": a["project_id"], "token": seeded["expired_token"]},
        "a revoked token": {"project_id": a["project_id"], "token": seeded["revoked_token"]},
        "a project id as text": {"project_id": str(a["project_id"]), "token": a["chief_token"]},
        "no project": {"token": a["chief_token"]},
    }
    assert outcomes(sockets.try_all({name: (STAFF, auth) for name, auth in refused.items()})) \
        == dict.fromkeys(refused, REFUSED)
    assert sockets.try_open(STAFF, {"project_id": b["project_id"],
                                    "token": b["chief_token"]}) is not None


# ------------------------------------------------------------------ writing


def test_submit_mark_by_role(server: LiveServer, seeded: Json, sockets: Sockets) -> None:
    a, b = seeded["worlds"]["sa"], seeded["worlds"]["sb"]
    watcher = sockets.open(STAFF, {"project_id": a["project_id"], "token": a["chief_token"]},
                           pushes=("mark",))
    # Connect every role first (side by side), then each connected one submits in turn.
    clients = sockets.try_all({role: (NS, auth_for(NS, token, a["project_id"]))
                               for role, token in tokens(seeded).items()})
    got: dict[str, str | None] = {}
    for role in ROLES:
        before = mark_rows(server)
        client_id = str(uuid.uuid4())
        client = clients[role]
        if client is None:
            got[role] = None
        else:
            ack = submit(client, client_id=client_id, **j_mark(a, 0, 2))
            got[role] = "ok" if ack["ok"] else ack["error"]["code"]
        stored = 1 if got[role] == "ok" else 0
        assert versions_of(server, client_id) == stored, role
        assert mark_rows(server) == (before[0] + stored, before[1] + stored), role
    assert got == SUBMIT
    # The chief judge's console heard the one stored mark, and nothing else.
    name, data = watcher.pushes.get(timeout=WAIT)  # type: ignore[attr-defined]
    assert (name, data["competitor_id"], data["value"]) == ("mark", a["competitors"][0], 2.0)
    assert nothing_within(watcher)

    # Neither way across projects: A's judge on B's competitor, B's judge on A's aspect
    # with B's competitor, a tablet token of A's judge bound to B's project on A's
    # competitor; and nobody replays another judge's client_id to read their ack.
    judge_a = sockets.open(NS, {"token": a["tokens"][1]})
    judge_b = sockets.open(NS, {"token": b["tokens"][1]})
    bound = sockets.open(NS, {"token": seeded["bound_token"]})
    before = mark_rows(server)
    assert submit(judge_a, **j_mark(b, 0, 3))["error"]["code"] == "not_assigned"
    assert submit(judge_b, **j_mark(b, 0, 3, aspect_id=a["j_aspect"]))["error"]["code"] == \
        "unknown_aspect"
    assert submit(bound, **m_mark(a, 0, 30))["error"]["code"] == "not_assigned"
    mine = str(uuid.uuid4())
    assert submit(judge_a, client_id=mine, **m_mark(a, 1, 15))["ok"]
    replay = submit(judge_b, client_id=mine, **m_mark(b, 1, 15))
    assert set(replay) == {"ok", "error"} and replay["error"]["code"] == "invalid"  # no ack
    assert mark_rows(server) == (before[0] + 1, before[1] + 1)


def test_no_other_namespace_takes_a_mark(server: LiveServer, seeded: Json,
                                         sockets: Sockets) -> None:
    """/live and /staff have no write handlers: a submit_mark there runs nothing, whoever
    sends it, and stores nothing."""
    a = seeded["worlds"]["sa"]
    spectator = sockets.open(LIVE, None)
    chief = sockets.open(STAFF, {"project_id": a["project_id"], "token": a["chief_token"]})
    organiser = sockets.open(STAFF, {"project_id": a["project_id"],
                                     "token": seeded["organiser_token"]})
    before = mark_rows(server)
    for client, namespace in ((spectator, LIVE), (chief, STAFF), (organiser, STAFF)):
        client_id = str(uuid.uuid4())
        for event in ("submit_mark", "rejoin", "lock", "mark"):
            reply = client.call(event, {"client_id": client_id, **j_mark(a, 0, 1)},
                                namespace=namespace, timeout=WAIT)
            assert reply is None, (namespace, event, reply)  # acknowledged by nobody
        assert versions_of(server, client_id) == 0
    assert mark_rows(server) == before
    # A spectator never gets onto /judge, so it has nowhere to send a mark.
    with pytest.raises(socketio.exceptions.ConnectionError):
        sockets.open(NS, None)
    with pytest.raises(socketio.exceptions.BadNamespaceError):
        spectator.call("submit_mark", j_mark(a, 0, 1), namespace=NS, timeout=WAIT)


# ------------------------------------------------------------------ rooms


def test_rejoin_joins_only_the_judges_own_projects(server: LiveServer, seeded: Json,
                                                   sockets: Sockets) -> None:
    """After `rejoin`, world A's sign-off (module_locked, to A's project room) reaches A's
    panel judge and nobody from world B, nor the chief judge, who scores nothing."""
    from tests.realtime.test_judge_live import ChiefConsole

    a = seeded["worlds"]["sa"]
    heard = ("module_locked", "rediscuss", "reassigned")
    clients = {role: sockets.open(NS, {"token": tokens(seeded)[role]}, pushes=heard)
               for role in ("judge", "other_judge", "chief_judge", "other_chief")}
    bound = sockets.open(NS, {"token": seeded["bound_token"]}, pushes=heard)
    for client in [*clients.values(), bound]:
        assert client.call("rejoin", None, namespace=NS, timeout=WAIT) == {"ok": True}
    # Module B of world A has one measurement aspect, complete once both have a mark.
    for competitor, value in ((0, 40), (1, 0)):
        assert submit(clients["judge"], **m_mark(a, competitor, value, aspect="b_aspect"))["ok"]
    ChiefConsole(server, a).post(f"/modules/{a['module_b']}/lock")
    assert clients["judge"].pushes.get(timeout=WAIT) == (  # type: ignore[attr-defined]
        "module_locked", {"module_id": a["module_b"], "locked": True})
    assert nothing_within(bound), "a tablet token bound to world B heard world A"
    for role in ("other_judge", "chief_judge", "other_chief"):
        assert nothing_within(clients[role], 0.1), role


def test_a_disconnect_ends_only_that_connection(server: LiveServer, seeded: Json,
                                                 sockets: Sockets) -> None:
    a = seeded["worlds"]["sa"]
    first = sockets.open(NS, {"token": a["tokens"][2]})
    second = sockets.open(NS, {"token": a["tokens"][2]})
    other = sockets.open(NS, {"token": a["tokens"][0]})
    first.disconnect()
    with pytest.raises(socketio.exceptions.BadNamespaceError):
        first.call("submit_mark", j_mark(a, 0, 1), namespace=NS, timeout=WAIT)
    assert submit(second, **j_mark(a, 0, 1))["ok"]
    assert submit(other, **j_mark(a, 0, 3))["ok"]


# ------------------------------------------------------------------ /live


def test_live_is_read_only_for_everyone(server: LiveServer, seeded: Json,
                                        sockets: Sockets) -> None:
    """Every role (credentials or none: /live ignores them) may subscribe and unsubscribe,
    and neither writes a mark, a version or an account."""
    a = seeded["worlds"]["sa"]
    before = (mark_rows(server), sql(server, "SELECT count(*) FROM user"),
              sql(server, "SELECT count(*) FROM api_token"))
    for role, token in tokens(seeded).items():
        client = sockets.open(LIVE, {"token": token} if token else None)
        ack = client.call("subscribe", {"project_id": a["project_id"]}, namespace=LIVE,
                          timeout=WAIT)
        assert ack["ok"] is True and ack["boards"], role
        assert client.call("unsubscribe", {"project_id": a["project_id"]}, namespace=LIVE,
                           timeout=WAIT) == {"ok": True}, role
    assert (mark_rows(server), sql(server, "SELECT count(*) FROM user"),
            sql(server, "SELECT count(*) FROM api_token")) == before
