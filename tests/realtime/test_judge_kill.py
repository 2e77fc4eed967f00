"""SIGKILL in the middle of a burst: 5 tablets send 200 marks to a live server, which is
killed with SIGKILL once 50 are acknowledged and started again on the same database and
port. Every tablet then resends its unacknowledged marks, in order, with the same
client_ids, as the tablet's outbox does. Every acknowledged mark must be stored exactly
once, with the acknowledgement it got, and the final marks must be the intended ones.
Bounded in time; nothing asserts how long anything takes."""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Callable

import pytest
import socketio

from tests.live_server import LiveServer
from tests.realtime.judge_client import (
    NS,
    SEED,
    WAIT,
    Json,
    Key,
    planned_edits,
    release,
    sql,
)

TABLETS = 5
PER_TABLET = 40  # 5 × 40 = 200 submissions
KILL_AFTER = 50  # acknowledgements before the server is killed


class Tablet:
    """One tablet's outbox, sent in order, one at a time, each waiting for its ack, as
    the tablet page does. `sent` is the index of the first unacknowledged mark."""

    def __init__(self, token: str, outbox: list[Json]) -> None:
        self.token = token
        self.outbox = outbox
        self.sent = 0
        self.acks: dict[str, Json] = {}

    def drain(self, url: str, on_ack: Callable[[], None] = lambda: None,
              start: threading.Barrier | None = None) -> None:
        client = socketio.Client(reconnection=False)
        client.connect(url, namespaces=[NS], transports=["websocket"],
                       auth={"token": self.token}, wait_timeout=WAIT)
        try:
            if start:
                start.wait()
            while self.sent < len(self.outbox):
                payload = self.outbox[self.sent]
                try:
                    ack = client.call("submit_mark", payload, namespace=NS, timeout=5)
                except (socketio.exceptions.TimeoutError,
                        socketio.exceptions.BadNamespaceError):
                    return  # the server is gone: keep the rest for later
                self.acks[payload["client_id"]] = ack
                self.sent += 1
                on_ack()
        finally:
            release(client)


def _outboxes(w: Json) -> tuple[list[Tablet], dict[Key, tuple[float, int]]]:
    """Five tablets, each owning three marks it edits over and over, and the final state
    that should result: key -> (value, version)."""
    final: dict[Key, tuple[float, int]] = {}
    planned = planned_edits(w, PER_TABLET, random.Random(3), final)
    return [Tablet(token, outbox) for token, outbox in planned], final


def _run(tablets: list[Tablet], url: str, on_ack: Callable[[], None] = lambda: None) -> None:
    start = threading.Barrier(len(tablets), timeout=WAIT)
    errors: list[BaseException] = []

    def drain(tablet: Tablet) -> None:
        try:
            tablet.drain(url, on_ack, start)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=drain, args=(t,)) for t in tablets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a tablet is stuck"
    assert not errors, errors


@pytest.mark.timeout(180)
def test_sigkill_mid_burst_loses_and_duplicates_nothing(own_server: LiveServer) -> None:
    live = own_server
    w = live.seed(SEED, "kill")["worlds"]["kill"]
    tablets, final = _outboxes(w)
    count = Counter[str]()
    lock = threading.Lock()
    kill_now = threading.Event()

    def on_ack() -> None:
        with lock:
            count["acks"] += 1
            if count["acks"] >= KILL_AFTER:
                kill_now.set()

    burst = threading.Thread(target=_run, args=(tablets, live.url, on_ack))
    burst.start()
    assert kill_now.wait(timeout=60), f"only {count['acks']} acks before the kill"
    live.kill()
    burst.join(timeout=60)
    assert not burst.is_alive()
    before_kill = {cid: ack for t in tablets for cid, ack in t.acks.items()}
    assert KILL_AFTER <= len(before_kill) < TABLETS * PER_TABLET  # really mid-burst

    # The power is back: the same server on the same database and port; every
    # tablet resends its unacknowledged marks, in order, from the first one.
    live.start()
    _run(tablets, live.url)
    acks = {cid: ack for t in tablets for cid, ack in t.acks.items()}
    assert len(acks) == TABLETS * PER_TABLET
    assert all(ack["ok"] for ack in acks.values()), [
        a for a in acks.values() if not a["ok"]][:3]

    rows = sql(live, "SELECT client_id, ack FROM mark_version")
    assert Counter(cid for cid, _ in rows) == Counter(list(acks))  # each exactly once
    for client_id, stored in rows:  # and each ack is the stored one
        assert json.loads(stored) == acks[client_id], client_id
    for client_id, ack in before_kill.items():
        assert acks[client_id] == ack
    state = {(c, a, j): (value, version) for c, a, j, value, version in sql(
        live, "SELECT competitor_id, aspect_id, judge_id, value, version FROM mark")}
    assert state == final
    assert "database is locked" not in live.log()
