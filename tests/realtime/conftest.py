"""Live-server fixtures for the socket tests (the server itself: tests/live_server.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.live_server import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for a test module; tests keep out of each other's way with their own data."""
    live = LiveServer(tmp_path_factory.mktemp("live"))
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of the test's own, for a test that kills it."""
    live = LiveServer(tmp_path_factory.mktemp("live-own"))
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """On a failure, add the end of the server's log: its tracebacks are there."""
    report = yield
    for value in getattr(item, "funcargs", {}).values():
        if report.failed and isinstance(value, LiveServer):
            tail = value.log().splitlines()[-60:]
            report.sections.append(("live server log (last 60 lines)", "\n".join(tail)))
    return report
