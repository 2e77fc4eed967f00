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


# (judge index, competitor index): five tablets a world, judges 2 and 3 on two each; no two
# own the same (competitor, aspect, judge), so the intended final marks are well defined.
OWNERS = [(0, 0), (1, 0), (1, 1), (2, 0), (2, 1)]
Key = tuple[int, int, int]  # (competitor, aspect, judge)


def planned_edits(w: Json, per_tablet: int, rng: Any, final: dict[Key, tuple[float, int]],
                  nonzero_last: bool = False) -> list[tuple[str, list[Json]]]:
    """One outbox per owner of world `w`, as (token, submissions): each tablet edits its
    three marks over and over. `final` collects what the database must end with:
    key -> (value, version). With `nonzero_last` the last round is never 0, so every final
    total differs from 0."""
    allowed = {w["j_aspect"]: [0, 1, 2, 3], w["m_aspect"]: [0, 15, 30],
               w["b_aspect"]: [0, 40]}
    planned = []
    for judge, competitor in OWNERS:
        outbox = []
        for n in range(per_tablet):
            aspect = list(allowed)[n % 3]
            last_round = n >= per_tablet - len(allowed)
            value = rng.choice([v for v in allowed[aspect]
                                if v or not (nonzero_last and last_round)])
            key = (w["competitors"][competitor], aspect, w["judges"][judge])
            final[key] = (float(value), final.get(key, (0.0, 0))[1] + 1)
            field = "score" if aspect == w["j_aspect"] else "value"
            outbox.append({"client_id": str(uuid.uuid4()), "competitor_id": key[0],
                           "aspect_id": aspect, field: value})
        planned.append((w["tokens"][judge], outbox))
    return planned
