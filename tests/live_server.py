"""A real SaiPing server in a subprocess, started the way an operator starts it.

`flask db upgrade` on a fresh SQLite file, then `flask serve` (HTTP and Socket.IO in one
process). Unlike an in-process test client this proves the migrations, the CLI, the
Socket.IO server and the database work together, and it can be killed with SIGKILL and
started again on the same database and port, as a power cut at the venue would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0  # seconds for /healthz to answer; the server starts in about 2 s
COMMAND_TIMEOUT = 120.0
SECRET_KEY = "live-test-secret-key-0123456789abcdef"  # test-only


class LiveServerError(RuntimeError):
    """The server, or a command run next to it, failed; the message carries its output."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(url: str) -> bool:
    # No proxy: the server is on the loopback interface.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class LiveServer:
    """One server process on its own SQLite file in `workdir`.

    `start()` migrates (once) and serves; `kill()` sends SIGKILL; `start()` again serves
    the same database on the same port. The log accumulates across restarts.
    """

    def __init__(self, workdir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.workdir = workdir
        self.db_path = workdir / "live.sqlite"
        self.log_path = workdir / "server.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.db_path}",
            "SECRET_KEY": SECRET_KEY,
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        self.env.pop("SOCKETIO_MESSAGE_QUEUE", None)  # one process: no Redis
        self.env.pop("PORT", None)
        self.process: subprocess.Popen[bytes] | None = None
        self._migrated = False

    # ---------------------------------------------------------------- commands beside it

    def get_json(self, path: str, timeout: float = 10.0) -> Any:
        """GET a page of this server's JSON API, which must answer 200."""
        import requests

        with requests.Session() as http:
            http.trust_env = False  # the server is on the loopback interface: no proxy
            response = http.get(f"{self.url}{path}", timeout=timeout)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    def run(self, *args: str) -> str:
        """Run `python <args>` in the repository with the server's environment; its stdout."""
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
            timeout=COMMAND_TIMEOUT, check=False)
        if result.returncode != 0:
            raise LiveServerError(f"{' '.join(args[:4])} failed ({result.returncode}):\n"
                                  f"{result.stdout}\n{result.stderr}")
        return result.stdout

    def flask(self, *args: str) -> str:
        return self.run("-m", "flask", "--app", "wsgi", *args)

    def seed(self, module: str, *args: str) -> Any:
        """Run a seeding module (`python -m module args…`) that prints one JSON document
        as its last line, and return that document."""
        output = self.run("-m", module, *args)
        return json.loads(output.strip().splitlines()[-1])

    # ---------------------------------------------------------------- the process

    def start(self) -> None:
        if not self._migrated:
            self.flask("db", "upgrade")
            self._migrated = True
        assert self.process is None or self.process.poll() is not None, "already running"
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "serve",
                 "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while not healthy(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                state = (f"exited with {self.process.returncode}"
                         if self.process.poll() is not None
                         else f"did not answer /healthz within {START_TIMEOUT:g} s")
                self.stop()
                raise LiveServerError(f"the server {state}:\n{self.log()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no goodbye to the clients."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextmanager
def running(workdir: Path) -> Iterator[LiveServer]:
    """A started server on a fresh database in `workdir`, stopped afterwards."""
    live = LiveServer(workdir)
    live.start()
    try:
        yield live
    finally:
        live.stop()
