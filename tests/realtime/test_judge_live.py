"""The /judge protocol end to end: a real python-socketio client against a live server
process (tests/live_server.py) on a SQLite file, as tablets talk to it at the venue.

The in-process namespace tests (test_judge_namespace.py) are fast; these prove the same
rules hold over a real network connection with a real server: refused connections,
every refusal code (and its HTTP twin on POST /api/v1/marks), idempotent retries, the
version conflict between two tablets of one judge, the lock, the conflict of interest,
and the pushes (`rediscuss`, and `module_locked` and `reassigned` from the chief judge's
console). A SIGKILL in the middle of a burst is in test_judge_kill.py.

The module's server is shared; every test works in its own seeded "world" (a
competition of its own, see seed_judging.py), so tests do not depend on each other.
Every wait is bounded; nothing asserts how long anything takes.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest
import requests
import socketio

from tests.live_server import LiveServer
from tests.realtime.judge_client import (
    NS,
    SEED,
    WAIT,
    Connect,
    Json,
    get_assignments,
    j_mark,
    m_mark,
    post_mark,
    sql,
    submit,
    versions_of,
)

WORLDS = ("codes", "other", "retry", "versions", "lock", "draft", "rediscuss", "conflict",
          "gone", "console")
# The REST twin's HTTP status for each refusal code (docs/api.md lists the same).
HTTP_STATUS = {"invalid": 400, "unknown_aspect": 404, "unknown_competitor": 404,
               "not_assigned": 403, "conflict_of_interest": 403, "out_of_range": 422,
               "locked": 409, "stale_version": 409, "not_open": 409}

pytestmark = pytest.mark.timeout(120)


# ------------------------------------------------------------------ server and data

@pytest.fixture(scope="module")
def seeded(server: LiveServer) -> Json:
    return server.seed(SEED, *WORLDS)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def worlds(seeded: Json) -> dict[str, Json]:
    return seeded["worlds"]  # type: ignore[no-any-return]


# ------------------------------------------------------------------ connecting

def test_a_connection_without_a_valid_judge_token_is_refused(
        server: LiveServer, seeded: Json, worlds: dict[str, Json], connect: Connect) -> None:
    w = worlds["codes"]
    refused = {
        "no auth at all": None,
        "empty token": "",
        "unknown bearer token": "sp_" + "x" * 43,
        "forged session token": "ss_MQ.forged.signature",
        "an organiser's token": seeded["organiser_token"],
        "an expired token": seeded["expired_token"],
        "a revoked token": seeded["revoked_token"],
    }
    outcome: dict[str, str] = {}

    def attempt(what: str, token: str | None) -> None:
        try:
            connect(token, transport="polling")  # refused the same way as over WebSocket
            outcome[what] = "connected"
        except socketio.exceptions.ConnectionError:
            outcome[what] = "refused"

    # Side by side: a refused client's own teardown may wait for a long-poll to end.
    threads = [threading.Thread(target=attempt, args=item, daemon=True)
               for item in refused.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome == dict.fromkeys(refused, "refused")
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect("sp_" + "x" * 43, transport="websocket")
    # A bearer token, the tablet page's session token and the chief judge's token work,
    # with an upgrade to WebSocket, over WebSocket only and over long-polling only.
    for token in (w["tokens"][1], w["session_tokens"][1], w["chief_token"]):
        assert connect(token).connected
    assert connect(w["tokens"][2], transport="websocket").connected
    assert connect(w["tokens"][2], transport="polling").connected


# ------------------------------------------------------------------ every refusal code

def _cases(worlds: dict[str, Json], seeded: Json) -> dict[str, list[tuple[str, object]]]:
    """code -> [(token, payload without client_id)], each one refused with that code."""
    w, other, draft = worlds["codes"], worlds["other"], worlds["draft"]
    judge1, judge2 = w["tokens"][0], w["tokens"][1]
    return {
        "invalid": [
            (judge2, {"competitor_id": w["competitors"][0], "aspect_id": w["j_aspect"]}),
            (judge2, j_mark(w, 0, 2, competitor_id="1")),
            (judge2, j_mark(w, 0, 2, value=2)),  # both score and value
            (judge2, j_mark(w, 0, 2, expected_version=-1)),
            (judge2, j_mark(w, 0, 2, tablet_time="yesterday")),
            (judge2, j_mark(w, 0, "2")),  # a score is a number
        ],
        "unknown_competitor": [(judge2, j_mark(w, 0, 2, competitor_id=999_999))],
        "unknown_aspect": [
            (judge2, j_mark(w, 0, 2, aspect_id=999_999)),
            (judge2, j_mark(w, 0, 2, aspect_id=other["j_aspect"])),  # another project's
        ],
        "not_assigned": [
            (w["chief_token"], j_mark(w, 0, 2)),  # the chief judge is not on the panel
            (judge2, j_mark(other, 0, 2)),  # another competition's competitor
            (seeded["bound_token"], j_mark(w, 0, 2)),  # a tablet bound to another project
        ],
        "conflict_of_interest": [
            (judge1, j_mark(w, 1, 2)),  # judge 1 and competitor 2: same delegation
            (judge1, m_mark(w, 1, 15)),  # M is blocked too, by default
        ],
        "out_of_range": [
            (judge2, j_mark(w, 0, 4)),
            (judge2, j_mark(w, 0, 1.5)),
            (judge2, m_mark(w, 0, 7)),  # not 0, the max 30, nor the tolerance value 15
            (judge2, m_mark(w, 0, 41, aspect="b_aspect")),
        ],
        "not_open": [(draft["tokens"][1], j_mark(draft, 0, 2))],
    }


def test_every_refusal_has_its_code_a_message_and_stores_nothing(
        server: LiveServer, seeded: Json, worlds: dict[str, Json], connect: Connect) -> None:
    clients: dict[str, socketio.Client] = {}
    checked = Counter[str]()
    for code, cases in _cases(worlds, seeded).items():
        for token, payload in cases:
            client = clients.get(token) or clients.setdefault(token, connect(token))
            client_id = str(uuid.uuid4())
            body = {**payload, "client_id": client_id}  # type: ignore[dict-item]
            ack = submit(client, **body)
            assert ack["ok"] is False, (code, payload, ack)
            assert ack["error"]["code"] == code, (payload, ack)
            assert ack["error"]["message"].strip(), ack
            assert versions_of(server, client_id) == 0
            # The REST twin refuses the same payload with the same code and its status.
            response = post_mark(server, token, {**body, "client_id": str(uuid.uuid4())})
            assert response.status_code == HTTP_STATUS[code], (code, response.text)
            assert response.json()["error"]["code"] == code
            checked[code] += 1
    assert set(checked) == set(HTTP_STATUS) - {"locked", "stale_version"}  # tested below
    competitors = [c for name in ("codes", "other", "draft") for c in worlds[name]["competitors"]]
    marks = sql(server, f"SELECT count(*) FROM mark WHERE competitor_id IN "  # noqa: S608
                        f"({', '.join('?' * len(competitors))})", *competitors)
    assert marks == [(0,)]


def test_a_payload_that_is_not_an_object_is_invalid(worlds: dict[str, Json],
                                                    connect: Connect) -> None:
    client = connect(worlds["codes"]["tokens"][1])
    for payload in ("hello", [1, 2], 42, None):
        ack = client.call("submit_mark", payload, namespace=NS, timeout=WAIT)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid", payload


def test_out_of_range_names_the_allowed_values(worlds: dict[str, Json],
                                               connect: Connect) -> None:
    ack = submit(connect(worlds["codes"]["tokens"][1]), **m_mark(worlds["codes"], 0, 7))
    assert ack["error"]["field"] == "value"
    for allowed in ("0", "15", "30"):
        assert allowed in ack["error"]["message"]


def test_a_deactivated_judge_is_refused_on_an_open_connection(
        server: LiveServer, worlds: dict[str, Json], connect: Connect) -> None:
    w = worlds["gone"]
    client = connect(w["tokens"][1])
    assert submit(client, **j_mark(w, 0, 2))["ok"]
    sql(server, "UPDATE user SET active = 0 WHERE id = ?", w["users"][1])
    ack = submit(client, **j_mark(w, 0, 3))
    assert ack["ok"] is False and ack["error"]["code"] == "unauthorized"
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(w["tokens"][1])
    assert sql(server, "SELECT value, version FROM mark WHERE judge_id = ?",
               w["judges"][1]) == [(2.0, 1)]


# ------------------------------------------------------------------ idempotency

def test_a_retried_client_id_gets_the_original_ack_and_stores_nothing_new(
        server: LiveServer, worlds: dict[str, Json], connect: Connect) -> None:
    w = worlds["retry"]
    client_id = str(uuid.uuid4())
    body = m_mark(w, 0, 15, client_id=client_id, device_id="tablet-7",
                  tablet_time="2026-11-23T09:30:00+08:00")
    first = submit(connect(w["tokens"][1]), **body)
    assert first["ok"] is True and first["version"] == 1 and first["status"] == "submitted"
    assert set(first) == {"ok", "mark_id", "version", "status"}

    # The acknowledgement was lost: the tablet retries on the same connection, then on a
    # new one after a reconnect, then through the REST twin, and finally with a changed
    # value under the same client_id. The submission is the client_id: nothing new.
    assert submit(connect(w["tokens"][1]), **body) == first
    assert submit(connect(w["session_tokens"][1]), **body) == first
    response = post_mark(server, w["tokens"][1], body)
    assert response.status_code in (200, 201) and response.json() == first
    assert submit(connect(w["tokens"][1]), **{**body, "value": 30}) == first

    assert versions_of(server, client_id) == 1
    assert sql(server, "SELECT value, version FROM mark WHERE id = ?",
               first["mark_id"]) == [(15.0, 1)]
    stored = sql(server, "SELECT device_id, tablet_time, ack FROM mark_version "
                         "WHERE client_id = ?", client_id)
    (device, tablet_time, ack), = stored
    assert device == "tablet-7" and tablet_time.startswith("2026-11-23 01:30:00")
    assert json.loads(ack) == first

    # Another judge cannot reuse (or read back) someone else's client_id.
    stolen = submit(connect(w["tokens"][2]), **body)
    assert stolen["ok"] is False and stolen["error"]["code"] == "invalid"
    assert stolen["error"]["field"] == "client_id"
    assert versions_of(server, client_id) == 1


# ------------------------------------------------------------------ versions

def at_once(sends: list[tuple[socketio.Client, Json]]) -> list[Json]:
    """Submit each payload on its client, all released at the same moment; the acks."""
    barrier = threading.Barrier(len(sends), timeout=WAIT)
    acks: list[Json] = [{} for _ in sends]

    def send(i: int) -> None:
        barrier.wait()
        client, payload = sends[i]
        acks[i] = submit(client, **payload)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * WAIT)
    assert all(acks), acks
    return acks


def test_two_tablets_of_one_judge_editing_from_the_same_version_one_wins(
        server: LiveServer, worlds: dict[str, Json], connect: Connect) -> None:
    """Both tablets saw version n and send a different score with expected_version=n at
    the same moment: exactly one is stored, the other is told stale_version and the
    current version, and nothing is silently overwritten. Repeated to catch races."""
    w = worlds["versions"]
    tablets = [connect(w["tokens"][1]), connect(w["session_tokens"][1])]
    created = submit(tablets[0], **j_mark(w, 0, 0, expected_version=0))
    assert created["ok"] and created["version"] == 1
    mark_id = created["mark_id"]

    for version in range(1, 6):
        scores = [1 + version % 2, 3]
        acks = at_once([(tablet, j_mark(w, 0, score, expected_version=version))
                        for tablet, score in zip(tablets, scores, strict=True)])
        ok = [i for i, ack in enumerate(acks) if ack["ok"]]
        assert len(ok) == 1, acks
        winner, loser = acks[ok[0]], acks[1 - ok[0]]
        assert winner["version"] == version + 1 and winner["mark_id"] == mark_id
        assert loser["error"]["code"] == "stale_version"
        assert loser["error"]["current_version"] == version + 1
        assert loser["error"]["field"] == "expected_version"
        assert sql(server, "SELECT value, version FROM mark WHERE id = ?", mark_id) == [
            (float(scores[ok[0]]), version + 1)]

    # The loser looks again and scores on top of the current version; a stale edit from
    # an old version, or a "new mark" (expected_version 0) where one exists, is refused.
    final = submit(tablets[1], **j_mark(w, 0, 2, expected_version=6))
    assert final["ok"] and final["version"] == 7
    for expected in (0, 3, 6):
        assert submit(tablets[0], **j_mark(w, 0, 1, expected_version=expected))["error"][
            "code"] == "stale_version"
    # Without expected_version the last write wins (the tablet chose not to check).
    assert submit(tablets[0], **j_mark(w, 0, 1))["version"] == 8
    assert sql(server, "SELECT count(*), max(version) FROM mark_version WHERE mark_id = ?",
               mark_id) == [(8, 8)]


def test_stale_version_over_rest_says_the_current_version(
        server: LiveServer, worlds: dict[str, Json]) -> None:
    w = worlds["versions"]
    token = w["tokens"][2]
    body = m_mark(w, 0, 40, aspect="b_aspect")
    assert post_mark(server, token, {**body, "client_id": str(uuid.uuid4())}).status_code == 201
    response = post_mark(server, token, {**body, "client_id": str(uuid.uuid4()),
                                         "value": 0, "expected_version": 0})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale_version"
    assert response.json()["error"]["current_version"] == 1


# ------------------------------------------------------------------ the lock

def test_a_locked_module_refuses_every_change(server: LiveServer, worlds: dict[str, Json],
                                              connect: Connect) -> None:
    w = worlds["lock"]
    client = connect(w["tokens"][1])
    before = submit(client, **m_mark(w, 0, 15))
    assert before["ok"]

    # Module A is locked as an operator's sqlite3 would do it: the lock is the module's
    # locked_at, whoever wrote it. (Signing off through the console: see below.)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    sql(server, "UPDATE module SET locked_at = ?, locked_by = ? WHERE id = ?", now,
        w["chief_user"], w["module_a"])

    for payload in (m_mark(w, 0, 30), m_mark(w, 0, 0, expected_version=1), j_mark(w, 1, 2)):
        ack = submit(client, **payload)
        assert ack["ok"] is False and ack["error"]["code"] == "locked", ack
        assert "A" in ack["error"]["message"]
    response = post_mark(server, w["tokens"][2], {**j_mark(w, 0, 2),
                                                  "client_id": str(uuid.uuid4())})
    assert response.status_code == 409 and response.json()["error"]["code"] == "locked"
    assert sql(server, "SELECT value, version FROM mark WHERE id = ?",
               before["mark_id"]) == [(15.0, 1)]

    # Module B is not locked, and the tablet's download says which module is.
    assert submit(client, **m_mark(w, 0, 40, aspect="b_aspect"))["ok"]
    modules = get_assignments(server, w["tokens"][1])["projects"][0]["modules"]
    assert {m["letter"]: m["locked"] for m in modules} == {"A": True, "B": False}

    # Unlocked again (straight in the database here; the console test below unlocks with
    # a written reason), the mark may change.
    sql(server, "UPDATE module SET locked_at = NULL, locked_by = NULL WHERE id = ?",
        w["module_a"])
    assert submit(client, **m_mark(w, 0, 30, expected_version=1))["version"] == 2


# ------------------------------------------------------------------ conflict of interest

def test_conflict_of_interest_blocks_the_competitor_not_the_judge(
        server: LiveServer, worlds: dict[str, Json], connect: Connect) -> None:
    w = worlds["conflict"]
    judge1 = w["tokens"][0]
    listed = get_assignments(server, judge1)["projects"][0]["competitors"]
    assert [c["conflict"] for c in listed] == [False, True]  # 回避, greyed out

    client = connect(judge1)
    for payload in (j_mark(w, 1, 2), m_mark(w, 1, 30), m_mark(w, 1, 0, aspect="b_aspect")):
        ack = submit(client, **payload)
        assert ack["error"]["code"] == "conflict_of_interest", ack
        assert ack["error"]["field"] == "competitor_id"
    assert submit(client, **j_mark(w, 0, 2))["ok"]  # the other competitor is fine
    assert submit(connect(w["tokens"][1]), **j_mark(w, 1, 2))["ok"]  # and other judges
    assert sql(server, "SELECT count(*) FROM mark WHERE judge_id = ? AND competitor_id = ?",
               w["judges"][0], w["competitors"][1]) == [(0,)]


# ------------------------------------------------------------------ pushes

def test_rediscuss_is_pushed_to_the_judges_involved(
        worlds: dict[str, Json], connect: Connect) -> None:
    w = worlds["rediscuss"]
    pushes = ("rediscuss",)
    judges = [connect(token, pushes) for token in w["tokens"]]
    second_tablet = connect(w["session_tokens"][1], pushes)  # judge 2's other device
    outsider = connect(worlds["other"]["tokens"][1], pushes)

    statuses = [submit(judge, **j_mark(w, 0, score))["status"]
                for judge, score in zip(judges, (0, 2, 3), strict=True)]
    assert statuses == ["draft", "draft", "rediscuss"]  # 3 − 0 > 1: out of tolerance

    expected = {"competitor_id": w["competitors"][0], "aspect_id": w["j_aspect"],
                "scores": [0, 2, 3]}
    for client in (*judges, second_tablet):
        assert client.pushes.get(timeout=WAIT) == ("rediscuss", expected)  # type: ignore[attr-defined]
    # Pushes leave the server together; by now the outsider's would have arrived too.
    assert outsider.pushes.empty()  # type: ignore[attr-defined]

    # Judge 1 re-scores 0 → 2: the panel agrees (2, 2, 3), nobody is asked again.
    assert submit(judges[0], **j_mark(w, 0, 2, expected_version=1))["status"] == "submitted"
    assert submit(judges[1], **j_mark(w, 1, 3))["status"] == "draft"
    assert all(c.pushes.empty() for c in (*judges, second_tablet))  # type: ignore[attr-defined]


# ------------------------------------------------------------------ the chief judge's console

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class ChiefConsole:
    """The chief judge's browser, as plain HTTP: signed in, posting the console's forms."""

    def __init__(self, server: LiveServer, w: Json) -> None:
        self.base = f"{server.url}/chief/projects/{w['project_id']}"
        self.http = requests.Session()
        self.http.trust_env = False
        response = self.post_form(f"{server.url}/login", f"{server.url}/login",
                                  username=w["chief_username"], password="chief password")
        assert response.status_code == 302, response.text[:500]

    def post_form(self, page: str, action: str, **form: object) -> requests.Response:
        html = self.http.get(page, timeout=WAIT).text
        match = CSRF.search(html)
        assert match, html[:500]
        return self.http.post(action, data={**form, "csrf_token": match.group(1)},
                              timeout=WAIT, allow_redirects=False)

    def post(self, path: str, **form: object) -> None:
        response = self.post_form(self.base, self.base + path, **form)
        assert response.status_code == 302, response.text[:500]


def test_the_chief_judges_console_pushes_locks_and_reassignments(
        server: LiveServer, worlds: dict[str, Json], connect: Connect) -> None:
    """Sign-off, unlock and a substitute, done on the console (HTTP) of the same server,
    reach the tablets as `module_locked` and `reassigned` pushes."""
    w = worlds["console"]
    pushes = ("module_locked", "reassigned")
    judge2, judge3 = connect(w["tokens"][1], pushes), connect(w["tokens"][2], pushes)
    spare = connect(w["spare_token"], pushes)
    outsider = connect(worlds["other"]["tokens"][1], pushes)
    module_b = w["module_b"]
    # Module B has one measurement aspect: it is complete once each competitor has one.
    for competitor, value in ((0, 40), (1, 0)):
        assert submit(judge2, **m_mark(w, competitor, value, aspect="b_aspect"))["ok"]

    chief = ChiefConsole(server, w)
    chief.post(f"/modules/{module_b}/lock")
    for tablet in (judge2, judge3):
        assert tablet.pushes.get(timeout=WAIT) == (  # type: ignore[attr-defined]
            "module_locked", {"module_id": module_b, "locked": True})
    assert submit(judge3, **m_mark(w, 0, 0, aspect="b_aspect"))["error"]["code"] == "locked"

    reason = "申诉复核：重新测量"
    chief.post(f"/modules/{module_b}/unlock", reason=reason)
    for tablet in (judge2, judge3):
        assert tablet.pushes.get(timeout=WAIT) == (  # type: ignore[attr-defined]
            "module_locked", {"module_id": module_b, "locked": False})
    assert submit(judge3, **m_mark(w, 0, 40, aspect="b_aspect"))["ok"]
    assert sql(server, "SELECT action, reason, user_id FROM module_lock_event "
                       "WHERE module_id = ? ORDER BY id", module_b) == [
        ("lock", "", w["chief_user"]), ("unlock", reason, w["chief_user"])]

    # Judge 1 may not score competitor 2 (回避); the spare judge is named in their place.
    substitute = j_mark(w, 1, 2)
    assert submit(spare, **substitute)["error"]["code"] == "not_assigned"
    chief.post("/substitutes", competitor_id=w["competitors"][1], judge_id=w["spare_judge"])
    assert spare.pushes.get(timeout=WAIT) == ("reassigned", {})  # type: ignore[attr-defined]
    assert submit(spare, **substitute)["ok"]
    assert submit(spare, **j_mark(w, 0, 2))["error"]["code"] == "not_assigned"  # only them
    listed = get_assignments(server, w["spare_token"])["projects"][0]["competitors"]
    assert [c["id"] for c in listed] == [w["competitors"][1]]
    assert outsider.pushes.empty()  # type: ignore[attr-defined]
    assert judge2.pushes.empty() and judge3.pushes.empty()  # type: ignore[attr-defined]
