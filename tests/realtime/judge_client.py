"""A real python-socketio client for the /judge namespace of a live server
(tests/live_server.py), and the small helpers the live socket tests share."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import requests
import socketio

from tests.live_server import LiveServer

NS = "/judge"
SEED = "tests.realtime.seed_judging"
WAIT = 10.0  # seconds: the longest any single acknowledgement or push may take

Json = dict[str, Any]


def sql(server: LiveServer | Path, statement: str, *params: object) -> list[tuple[Any, ...]]:
    """Run one statement on the server's database file, as an operator's sqlite3 would."""
    path = server.db_path if isinstance(server, LiveServer) else server
    with closing(sqlite3.connect(path, timeout=10)) as connection:
        rows = connection.execute(statement, params).fetchall()
        connection.commit()
        return rows


def versions_of(server: LiveServer, client_id: str) -> int:
    return int(sql(server, "SELECT count(*) FROM mark_version WHERE client_id = ?",
                   client_id)[0][0])


Connect = Callable[..., socketio.Client]


def release(client: socketio.Client) -> None:
    """Disconnect, and close the sockets underneath even when the server is gone: after
    a SIGKILL the client library leaves its WebSocket's socket open."""
    client.disconnect()
    ws = getattr(client.eio, "ws", None)
    if ws is not None:
        ws.shutdown()
    if client.eio.http is not None:
        client.eio.http.close()


def close_all(clients: list[socketio.Client]) -> None:
    """Disconnect together: over WebSocket each close waits up to 3 s for the server's
    close frame, which the development server never sends (it reads the client's close
    frame as a bad HTTP request instead: the "Bad request syntax ('\\x88…')" log lines)."""
    threads = [threading.Thread(target=release, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 3 * WAIT
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))


def collector(client: socketio.Client, name: str) -> Callable[[Any], None]:
    def collect(data: Any) -> None:
        client.pushes.put((name, data))  # type: ignore[attr-defined]

    return collect


def submit(client: socketio.Client, **payload: Any) -> Json:
    payload.setdefault("client_id", str(uuid.uuid4()))
    ack = client.call("submit_mark", payload, namespace=NS, timeout=WAIT)
    assert isinstance(ack, dict), ack
    return ack


def post_mark(server: LiveServer, token: str, payload: object) -> requests.Response:
    with requests.Session() as http:
        http.trust_env = False  # the server is on the loopback interface: no proxy
        return http.post(f"{server.url}/api/v1/marks", json=payload, timeout=WAIT,
                         headers={"Authorization": f"Bearer {token}"})


def get_assignments(server: LiveServer, token: str) -> Json:
    with requests.Session() as http:
        http.trust_env = False
        response = http.get(f"{server.url}/api/v1/judge/assignments", timeout=WAIT,
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def j_mark(w: Json, competitor: int, score: object, **more: Any) -> Json:
    return {"competitor_id": w["competitors"][competitor], "aspect_id": w["j_aspect"],
            "score": score, **more}


def m_mark(w: Json, competitor: int, value: object, aspect: str = "m_aspect",
           **more: Any) -> Json:
    return {"competitor_id": w["competitors"][competitor], "aspect_id": w[aspect],
            "value": value, **more}
