"""The database goes away for 10 seconds under a live server, then comes back.

A real `flask serve` process (tests/integration/cluster.py's ClusterServer, one process,
no Redis) reaches a fresh PostgreSQL database only through a TCP proxy that this test
runs in a thread; cutting it closes every open connection and refuses new ones (the
listening socket is closed), as a database restart or a pulled cable between the app
and the database server would.

Five tablets (real Socket.IO clients, as tests/realtime/test_judge_kill.py's Tablet: an
outbox sent in order, one at a time, each waiting for its ack) keep submitting through
the outage. While the database is away every submission must be answered, promptly, with
the "unavailable" error ack the tablet keeps and retries (static/js/judge/outbox.js),
never with a false "saved", and /healthz must answer 503 "database unavailable". Once the
proxy is back the outboxes drain, resending with the same client_ids: every mark is then
acknowledged and stored exactly once, with the ack it got, the final marks are the
intended ones, and /healthz is 200 again. Bounded in time; skipped unless
SAIPING_TEST_DATABASE_URL names a PostgreSQL server.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import make_url

from tests.integration import cluster
from tests.integration.cluster import WAIT, ClusterServer, Json
from tests.live_server import free_port
from tests.realtime.judge_client import NS, SEED, Key, planned_edits, release

OUTAGE = 10.0  # seconds the database is unreachable
ACKS_BEFORE_CUT = 15  # the tablets are really under way when the cut comes
PER_TABLET = 20
RETRY = 0.2  # seconds a tablet waits before resending after "unavailable" (the page backs off)
ACK_TIMEOUT = 8.0  # the tablet page's ACK_TIMEOUT_MS: longer than this is no answer at all

pytestmark = [
    pytest.mark.timeout(240),
    pytest.mark.skipif(cluster.server_url() is None,
                       reason=f"{cluster.DATABASE_ENV} names no PostgreSQL server"),
]


# ------------------------------------------------------------------ the proxy

class CuttableProxy:
    """127.0.0.1:<port> → target, one pair of pump threads per connection. `cut()` closes
    the listening socket (new connections are refused) and every open connection;
    `restore()` listens on the same port again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.accepted = 0

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut() or close()
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
                self.accepted += 1
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                self._drop(sock)

    def _drop(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # wakes the other pump's recv()
        sock.close()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes accept() on Linux
            listener.close()
        with self._lock:
            open_now = list(self._open)
        for sock in open_now:
            self._drop(sock)

    def restore(self) -> None:
        self.start()

    close = cut


# ------------------------------------------------------------------ the tablets

@dataclass
class Attempt:
    client_id: str
    sent: float  # time.monotonic()
    answered: float
    ack: Json | None  # None: no answer within ACK_TIMEOUT


@dataclass
class OutageTablet:
    """An outbox sent in order, one at a time; an "unavailable" ack or no answer keeps
    the mark at the head, to be resent with the same client_id; any other ack is final."""

    token: str
    outbox: list[Json]
    sent: int = 0
    acks: dict[str, Json] = field(default_factory=dict)
    attempts: list[Attempt] = field(default_factory=list)

    def run(self, url: str, on_ack: Any, deadline: float) -> None:
        client = socketio.Client(reconnection=False)
        client.connect(url, namespaces=[NS], transports=["websocket"],
                       auth={"token": self.token}, wait_timeout=WAIT)
        try:
            while self.sent < len(self.outbox) and time.monotonic() < deadline:
                payload = self.outbox[self.sent]
                began = time.monotonic()
                try:
                    ack = client.call("submit_mark", payload, namespace=NS,
                                      timeout=ACK_TIMEOUT)
                except socketio.exceptions.TimeoutError:
                    ack = None
                self.attempts.append(Attempt(payload["client_id"], began,
                                             time.monotonic(), ack))
                if ack is None or ack.get("error", {}).get("code") == "unavailable":
                    time.sleep(RETRY)
                    continue
                self.acks[payload["client_id"]] = ack
                self.sent += 1
                on_ack()
        finally:
            release(client)




def outboxes(w: Json) -> tuple[list[OutageTablet], dict[Key, tuple[float, int]]]:
    """Each tablet edits its three marks over and over; key -> (value, version) at the end."""
    final: dict[Key, tuple[float, int]] = {}
    planned = planned_edits(w, PER_TABLET, random.Random(10), final)
    return [OutageTablet(token, outbox) for token, outbox in planned], final


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def proxy(database: str) -> Iterator[CuttableProxy]:
    url = make_url(database)
    running = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
    running.start()
    try:
        yield running
    finally:
        running.close()



@pytest.fixture
def server(database: str, proxy: CuttableProxy, mode: str, tmp_path: Path
           ) -> Iterator[ClusterServer]:
    """Migrated, seeded and served through the proxy; stopped whatever happens."""
    through = make_url(database).set(host="127.0.0.1", port=proxy.port)
    served = ClusterServer(tmp_path, "server",
                           through.render_as_string(hide_password=False), "", mode, 0.05)
    served.migrate()
    try:
        served.start()
        yield served
    finally:
        cluster.stop_all((served,))


def health(server: ClusterServer) -> tuple[int, Json, float]:
    began = time.monotonic()
    with requests.Session() as http:
        http.trust_env = False  # the server is on the loopback interface: no proxy
        response = http.get(f"{server.url}/healthz", timeout=WAIT)
    return response.status_code, response.json(), time.monotonic() - began


# ------------------------------------------------------------------ the test

def test_database_outage_is_reported_honestly_and_outboxes_drain_after(
        server: ClusterServer, proxy: CuttableProxy, database: str) -> None:
    w = server.seed(SEED, "outage")["worlds"]["outage"]
    tablets, final = outboxes(w)
    lock = threading.Lock()
    acked = Counter[str]()
    under_way = threading.Event()
    errors: list[BaseException] = []

    def on_ack() -> None:
        with lock:
            acked["n"] += 1
            if acked["n"] >= ACKS_BEFORE_CUT:
                under_way.set()

    deadline = time.monotonic() + OUTAGE + 90

    def run(tablet: OutageTablet) -> None:
        try:
            tablet.run(server.url, on_ack, deadline)
        except BaseException as error:  # reported in the test's thread
            errors.append(error)

    with cluster.logs_on_failure(server):
        threads = [threading.Thread(target=run, args=(t,), daemon=True) for t in tablets]
        for thread in threads:
            thread.start()
        assert under_way.wait(timeout=60), f"only {acked['n']} acks before the cut"

        proxy.cut()
        cut_at = time.monotonic()
        healths = []
        while time.monotonic() - cut_at < OUTAGE - 1.5:
            healths.append(health(server))
            time.sleep(1.0)
        time.sleep(max(0.0, OUTAGE - (time.monotonic() - cut_at)))
        # What the database holds at the end of the outage, read around the proxy.
        stored_in_outage = {cid for (cid,) in cluster.query(
            database, "SELECT client_id FROM mark_version")}
        ok_in_outage = {cid for t in tablets for cid, ack in t.acks.copy().items()
                        if ack.get("ok")}
        restore_at = time.monotonic()
        proxy.restore()

        for thread in threads:
            thread.join(timeout=max(1.0, deadline - time.monotonic() + 5))
        assert not any(thread.is_alive() for thread in threads), "a tablet is stuck"
        assert not errors, errors
        after = health(server)

        # Every submission sent while the database was away got an answer (none waited
        # out the tablet's ack timeout), and each answer that came before the restore is
        # "unavailable" with a message: "saved" can only come once the database is back.
        sent_in_outage = [a for t in tablets for a in t.attempts
                          if cut_at <= a.sent < restore_at]
        unanswered = [a for a in sent_in_outage if a.ack is None]
        assert not unanswered, (f"{len(unanswered)} of {len(sent_in_outage)} submissions "
                                f"during the outage got no ack within {ACK_TIMEOUT:g} s")
        during = [a for a in sent_in_outage if a.answered < restore_at]
        assert len(during) >= 5 * len(tablets), "the tablets hardly submitted in the outage"
        wrong = [a.ack for a in during if a.ack is None or a.ack.get("ok") is not False
                 or set(a.ack["error"]) != {"code", "message"}
                 or a.ack["error"]["code"] != "unavailable" or not a.ack["error"]["message"]]
        assert not wrong, wrong[:3]
        # No false "saved": what was acknowledged is in the database, outage or not.
        assert ok_in_outage <= stored_in_outage, ok_in_outage - stored_in_outage
        # /healthz says the database is away, and says it promptly.
        assert healths, "no /healthz during the outage"
        assert all(code == 503 and body == {"status": "error", "database": "unavailable"}
                   for code, body, _ in healths), healths

        # After: every mark acknowledged, stored exactly once, with the ack it got.
        acks = {cid: ack for t in tablets for cid, ack in t.acks.items()}
        assert len(acks) == len(tablets) * PER_TABLET
        assert all(ack["ok"] for ack in acks.values()), [
            ack for ack in acks.values() if not ack["ok"]][:3]
        rows = cluster.query(database, "SELECT client_id, ack FROM mark_version")
        assert Counter(cid for cid, _ in rows) == Counter(list(acks))
        for client_id, stored in rows:
            stored = stored if isinstance(stored, dict) else json.loads(stored)
            assert stored == acks[client_id], client_id
        state = {(c, asp, j): (float(value), version) for c, asp, j, value, version in
                 cluster.query(database, "SELECT competitor_id, aspect_id, judge_id, value, "
                                         "version FROM mark")}
        assert state == final
        assert after[:2] == (200, {"status": "ok"}), after

        latencies = [a.answered - a.sent for a in during]
        drained = max(a.answered for t in tablets for a in t.attempts) - restore_at
        ambiguous = stored_in_outage - ok_in_outage
        print(f"\n[{server.env['SOCKETIO_ASYNC_MODE']}] outage {restore_at - cut_at:.1f} s: "
              f"{len(during)} submissions answered 'unavailable' (slowest "
              f"{max(latencies):.3f} s), /healthz 503 x{len(healths)} (slowest "
              f"{max(h[2] for h in healths):.3f} s); stored but acked 'unavailable': "
              f"{len(ambiguous)}; outboxes drained {drained:.1f} s after the restore; "
              f"{len(acks)} marks stored once each; proxy connections {proxy.accepted}")
