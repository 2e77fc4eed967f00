"""The baseline for the live benchmark: a bare Flask-SocketIO server, no app code.

    SOCKETIO_ASYNC_MODE=gevent python bench/live_baseline.py --port 5001

Namespace `/live`, as the app's, with two events:
- `subscribe` {project_id}: join that project's room; ack {ok, seq}.
- `submit` (from the "judge" client; any payload): broadcast one `board_update` of about
  300 bytes of JSON with the next seq to room 1, then ack {ok, seq}.

It runs in the same async mode, on the same web server and the same python-socketio /
engine.io / simple-websocket libraries (from the venv) as `flask --app wsgi serve`, so
`bench/live.mjs --baseline` measures what a broadcast costs with no app work around it:
no database, no board to recompute, no coalescing delay. `GET /healthz` answers 200.
"""

from __future__ import annotations

import os

if os.environ.get("SOCKETIO_ASYNC_MODE") == "gevent":
    # As wsgi.py does: patch the standard library before anything creates a socket or lock.
    from gevent import monkey

    monkey.patch_all()

import argparse
import json
import threading
from typing import Any

from flask import Flask
from flask_socketio import Namespace, SocketIO, join_room

ROOM = "live:project:{}"


def board_update(seq: int) -> dict[str, Any]:
    """A one-row delta shaped like the app's `board_update`: about 300 bytes of JSON."""
    return {
        "seq": seq, "project_id": 1, "division_id": 1,
        "progress": {"counted": 137 + seq % 50, "expected": 400, "percent": 34.3},
        "upsert": [{
            "competitor_id": 17, "name": "选手1-17", "delegation_id": 3,
            "delegation": "代表队3", "workstation": "17", "status": "active",
            "rank": 1 + seq % 20, "total": 61.25 + seq % 7, "scale": None, "award": None,
            "tie": None, "move": 0,
        }],
        "remove": [],
    }


class BareLive(Namespace):
    def __init__(self, namespace: str, socketio: SocketIO) -> None:
        super().__init__(namespace)
        self.socketio = socketio
        self.seq = 0
        self.lock = threading.Lock()  # threading mode runs handlers concurrently

    def on_connect(self, auth: Any = None) -> bool:
        return True

    def on_subscribe(self, data: Any = None) -> dict[str, Any]:
        project_id = data.get("project_id") if isinstance(data, dict) else None
        if not isinstance(project_id, int):
            return {"ok": False, "error": {"code": "invalid"}}
        join_room(ROOM.format(project_id))
        return {"ok": True, "seq": self.seq}

    def on_submit(self, data: Any = None) -> dict[str, Any]:
        with self.lock:
            self.seq += 1
            seq = self.seq
        self.socketio.emit("board_update", board_update(seq), namespace="/live",
                           to=ROOM.format(1))
        return {"ok": True, "seq": seq}


def create(async_mode: str) -> tuple[Flask, SocketIO]:
    app = Flask(__name__)
    socketio = SocketIO(app, async_mode=async_mode)  # the app's options: all defaults
    socketio.on_namespace(BareLive("/live", socketio))

    @app.get("/healthz")
    def healthz() -> tuple[str, int]:
        return "ok", 200

    return app, socketio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    args = parser.parse_args()
    mode = os.environ.get("SOCKETIO_ASYNC_MODE") or "threading"
    app, socketio = create(mode)
    size = len(json.dumps(board_update(1), separators=(",", ":")))  # as python-socketio
    print(f"bare Flask-SocketIO ({mode}) on http://{args.host}:{args.port}; "
          f"board_update is {size} bytes of JSON", flush=True)
    # As `flask --app wsgi serve` runs the app (app/cli.py).
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True,
                 use_reloader=False)


if __name__ == "__main__":
    main()
