"""Live-server fixtures for the socket tests (the server itself: tests/live_server.py)."""

from __future__ import annotations

import queue
from collections.abc import Iterator

import pytest
import socketio

from tests.live_server import LiveServer, running
from tests.realtime.judge_client import NS, WAIT, Connect, close_all, collector


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for a test module; tests keep out of each other's way with their own data."""
    with running(tmp_path_factory.mktemp("live")) as live:
        yield live


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of the test's own, for a test that kills it."""
    with running(tmp_path_factory.mktemp("live-own")) as live:
        yield live


@pytest.fixture
def connect(server: LiveServer) -> Iterator[Connect]:
    """Open /judge connections with a token; every one is closed after the test.
    `pushes` names server events to collect into `client.pushes` (a Queue)."""
    opened: list[socketio.Client] = []

    def open_client(token: str | None, pushes: tuple[str, ...] = (),
                    transport: str | None = None) -> socketio.Client:
        client = socketio.Client(reconnection=False)
        client.pushes = queue.Queue()  # type: ignore[attr-defined]
        for name in pushes:
            client.on(name, collector(client, name), namespace=NS)
        opened.append(client)
        # By default, like socket.io-client in the tablet's browser: long-polling first,
        # then an upgrade to WebSocket.
        client.connect(server.url, namespaces=[NS], transports=[transport] if transport else None,
                       auth={"token": token} if token is not None else None,
                       wait_timeout=WAIT)
        return client

    yield open_client
    close_all(opened)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """On a failure, add the end of the server's log: its tracebacks are there."""
    report = yield
    for value in getattr(item, "funcargs", {}).values():
        if report.failed and isinstance(value, LiveServer):
            tail = value.log().splitlines()[-60:]
            report.sections.append(("live server log (last 60 lines)", "\n".join(tail)))
    return report
