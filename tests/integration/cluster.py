"""Several real SaiPing processes on one PostgreSQL database, sharing live events through
Redis, as docs/operations.md deploys them; and a spectator that speaks the wire protocol.

- `fresh_database()`: a database of the test's own on the server that
  SAIPING_TEST_DATABASE_URL names, dropped afterwards (whatever the test left connected).
- `spare_redis_db()`: a Redis database number nobody uses, flushed. Socket.IO's Redis
  queue is publish/subscribe, which Redis does not scope by database number: this keeps
  keys apart, not messages (see docs/operations.md, "One Redis per deployment").
- `ClusterServer`: tests/live_server.py's server process, on that database and queue.
- `WireSpectator`: a /live client over a bare WebSocket (no long-polling, so no sticky
  session), reading frames in the order the server sent them. python-socketio's client
  runs each incoming message's handler in a thread of its own, so the order its handlers
  see is not the wire's, and order is what the cluster test is about.
"""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Any

import psycopg
import websocket
from psycopg import sql

from tests.live_server import ROOT, START_TIMEOUT, LiveServer, LiveServerError

DATABASE_ENV = "SAIPING_TEST_DATABASE_URL"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
WAIT = 10.0  # seconds: the longest any one acknowledgement or push may take

Json = dict[str, Any]


# ------------------------------------------------------------------ the services

def server_url() -> str | None:
    """The PostgreSQL server to make test databases on, or None (the tests skip)."""
    return os.environ.get(DATABASE_ENV) or None


def redis_answers() -> bool:
    """A bare RESP PING: no client library needed to decide whether to skip."""
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _libpq(url: str) -> str:
    """SQLAlchemy's postgresql+psycopg:// URL as libpq takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@contextmanager
def fresh_database(url: str, name: str | None = None) -> Iterator[str]:
    """A new, empty database on `url`'s server (named with the pid unless `name` says);
    yields its URL. Dropped WITH (FORCE) afterwards: a killed server may leave
    connections behind."""
    name = name or f"saiping_cluster_test_{os.getpid()}"
    with closing(psycopg.connect(_libpq(url), autocommit=True, connect_timeout=5)) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))  # a leftover of an earlier run with the same pid
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _with_database(url, name)
    finally:
        with closing(psycopg.connect(_libpq(url), autocommit=True, connect_timeout=5)) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


def query(url: str, statement: str, *params: object) -> list[tuple[Any, ...]]:
    """One read on the test's database, as an operator's psql would."""
    with closing(psycopg.connect(_libpq(url), connect_timeout=5)) as connection:
        return connection.execute(statement, params).fetchall()


def spare_redis_db() -> int:
    """The highest Redis database number with no keys, flushed (FLUSHDB) for the test."""
    import redis  # the app's message queue needs it too (requirements.txt)

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_timeout=5)
    try:
        used = {int(name[2:]) for name in client.info("keyspace") if name.startswith("db")}
        number = next(n for n in range(15, -1, -1) if n not in used)
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number, socket_timeout=5).flushdb()
        return number
    finally:
        client.close()


# ------------------------------------------------------------------ the processes

class ClusterServer(LiveServer):
    """A `flask serve` process on a shared PostgreSQL database and Redis queue. Migrating
    is done once, by the test (`migrate()`), not by each process."""

    def __init__(self, workdir: Path, name: str, database_url: str, message_queue: str,
                 async_mode: str, interval: float) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        super().__init__(workdir)
        self.name = name
        self.log_path = workdir / f"{name}.log"
        self.env.update({
            "DATABASE_URL": database_url,
            "SOCKETIO_MESSAGE_QUEUE": message_queue,
            "SOCKETIO_ASYNC_MODE": async_mode,
            "LIVE_UPDATE_INTERVAL": str(interval),
        })
        self._migrated = True

    def migrate(self) -> None:
        self.flask("db", "upgrade")

    def start_quietly(self) -> None:
        """Start without a single HTTP request (no /healthz): ready when the port takes a
        TCP connection, which `flask serve` opens only once the app is built. A process
        that has served no HTTP request must still publish what its sockets change."""
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "serve",
                 "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
                return
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise LiveServerError(f"{self.name} did not open its port:\n{self.log()}")
            time.sleep(0.1)


def start_all(*starts: Callable[[], None]) -> None:
    """Start the processes side by side: each takes seconds to import and connect."""
    with ThreadPoolExecutor(len(starts)) as pool:
        for started in [pool.submit(start) for start in starts]:
            started.result()


def stop_all(servers: tuple[LiveServer, ...]) -> None:
    """SIGTERM to every process first, then wait for each (SIGKILL after 10 s)."""
    for server in servers:
        if server.process is not None and server.process.poll() is None:
            server.process.terminate()
    for server in servers:
        server.stop()


@contextmanager
def logs_on_failure(*servers: LiveServer) -> Iterator[None]:
    """A failure carries the end of every server's log: the tracebacks are there."""
    try:
        yield
    except BaseException as error:
        for server in servers:
            tail = "\n".join(server.log().splitlines()[-40:])
            error.add_note(f"--- {getattr(server, 'name', server.url)} log (last 40 lines)"
                           f" ---\n{tail}")
        raise


# ------------------------------------------------------------------ the spectator

class WireSpectator:
    """A /live client over one WebSocket, Engine.IO 4 / Socket.IO 5 framing by hand.

    A reader thread answers the server's pings and keeps every event in arrival order
    (`events`, a Queue of (name, data)); `call()` sends an event and waits for its ack.
    """

    NAMESPACE = "/live"

    def __init__(self, base_url: str) -> None:
        url = base_url.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(url, timeout=WAIT, suppress_origin=True)
        self.events: queue.Queue[tuple[str, Json]] = queue.Queue()
        self._acks: dict[int, queue.Queue[Any]] = {}
        self._next_id = 0
        self._lock = threading.Lock()
        opening = self._recv()
        assert opening.startswith("0"), opening  # Engine.IO open
        self.ws.settimeout(None)  # the reader waits as long as the server stays quiet
        self._connected: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.ws.send(f"40{self.NAMESPACE},")
        reply = self._connected.get(timeout=WAIT)
        assert reply.startswith(f"0{self.NAMESPACE},"), reply  # not 4: CONNECT_ERROR

    def _read(self) -> None:
        prefix = f"{self.NAMESPACE},"
        try:
            while True:
                frame = self._recv()
                if frame == "2":  # Engine.IO ping: the server drops us without a pong
                    self.ws.send("3")
                    continue
                if not frame.startswith("4"):
                    continue
                packet = frame[1:]
                kind, rest = packet[0], packet[1:]
                if not rest.startswith(prefix):
                    continue
                rest = rest[len(prefix):]
                if kind in "04":  # CONNECT, CONNECT_ERROR: the Socket.IO packet
                    self._connected.put(packet)
                    continue
                digits = len(rest) - len(rest.lstrip("0123456789"))
                ack_id, body = rest[:digits], json.loads(rest[digits:])
                if kind == "2":
                    self.events.put((body[0], body[1] if len(body) > 1 else {}))
                elif kind == "3" and ack_id:
                    self._acks.pop(int(ack_id)).put(body[0] if body else None)
        except (websocket.WebSocketException, OSError):
            return  # closed: by close(), or by the server

    def _recv(self) -> str:
        frame = self.ws.recv()
        assert isinstance(frame, str), frame  # Socket.IO's text framing: no binary here
        return frame

    def call(self, event: str, data: object) -> Any:
        answer: queue.Queue[Any] = queue.Queue()
        with self._lock:
            ack_id, self._next_id = self._next_id, self._next_id + 1
            self._acks[ack_id] = answer
            self.ws.send(f"42{self.NAMESPACE},{ack_id}{json.dumps([event, data])}")
        return answer.get(timeout=WAIT)

    def next_event(self) -> tuple[str, Json]:
        try:
            return self.events.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError(f"no /live event within {WAIT:g} s") from None

    def close(self) -> None:
        """Say goodbye (Socket.IO, then Engine.IO), then cut the connection: waiting for
        the server's WebSocket close frame would race the reader thread for the socket."""
        with suppress(websocket.WebSocketException, OSError):
            self.ws.send(f"41{self.NAMESPACE},")
            self.ws.send("1")
        sock = self.ws.sock
        if sock is not None:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the reader's recv()
            self._reader.join(timeout=WAIT)
            sock.close()
