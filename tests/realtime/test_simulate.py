"""`flask --app wsgi simulate` against a live server (tests/live_server.py), run the way a
newcomer runs it: next to the server, on its database, over the real /judge socket.

Each test drives a tiny seeded competition of its own (tests/realtime/seed_judging.py:
three panel judges, two competitors, judge 1 in conflict with competitor 2) and checks
the database afterwards: what the simulator says it stored is what is stored.
"""

from __future__ import annotations

import json

import pytest

from tests.live_server import LiveServer
from tests.realtime.judge_client import SEED, Connect, Json, j_mark, sql, submit

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def worlds(server: LiveServer) -> dict[str, Json]:
    return server.seed(SEED, "simulate", "paced")["worlds"]  # type: ignore[no-any-return]


def competition_of(server: LiveServer, world: Json) -> int:
    return int(sql(server, "SELECT competition_id FROM skill_project WHERE id = ?",
                   world["project_id"])[0][0])


def simulate(server: LiveServer, world: Json, *args: str) -> Json:
    output = server.flask("simulate", "--url", server.url,
                          "--competition", str(competition_of(server, world)), "--json", *args)
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def stored_by_simulation(server: LiveServer, world: Json) -> int:
    """Mark versions the simulator's tablets stored in this world."""
    return int(sql(server, "SELECT count(*) FROM mark_version v JOIN mark m ON m.id = v.mark_id"
                           " JOIN competitor c ON c.id = m.competitor_id"
                           " WHERE c.project_id = ? AND v.device_id LIKE 'simulate-%'",
                   world["project_id"])[0][0])


def marks(server: LiveServer, world: Json, aspect: str) -> dict[tuple[int, int], float]:
    """(judge id, competitor id) -> value, for one aspect."""
    return {(judge, competitor): value for judge, competitor, value in sql(
        server, "SELECT judge_id, competitor_id, value FROM mark WHERE aspect_id = ?",
        world[aspect])}


def test_the_simulation_scores_every_mark_it_may_and_the_database_agrees(
        server: LiveServer, worlds: dict[str, Json], connect: Connect) -> None:
    w = worlds["simulate"]
    zhang, li = w["competitors"]
    judge1, judge2, judge3 = w["judges"]
    # Two judges already scored 张伟's J aspect, three apart: the simulated judge 1 completes
    # the panel out of tolerance, the server pushes `rediscuss`, and the panel re-scores.
    for token, score in ((w["tokens"][1], 3), (w["tokens"][2], 0)):
        assert submit(connect(token), **j_mark(w, 0, score))["ok"]

    summary = simulate(server, w, "--rate", "40", "--duration", "60")

    assert summary["left"] == 0 and summary["refused"] == {}, summary
    assert summary["acked"] == stored_by_simulation(server, w) > 0
    j = marks(server, w, "j_aspect")
    # Judge 1 never scores 李娜 (回避); everyone else scores everyone.
    assert set(j) == {(judge1, zhang), (judge2, zhang), (judge3, zhang), (judge2, li),
                      (judge3, li)}
    # 张伟's panel was re-discussed and now agrees.
    assert summary["rediscussed"] >= 1 and summary["rescored"] >= 1, summary
    panel = [j[(judge, zhang)] for judge in (judge1, judge2, judge3)]
    assert max(panel) - min(panel) <= 1, panel  # J marks are stored as the scores, 0–3
    # Each M aspect is entered by two judges free to score the competitor, with one value.
    for aspect in ("m_aspect", "b_aspect"):
        m = marks(server, w, aspect)
        assert sorted(m) == sorted([(judge1, zhang), (judge2, zhang), (judge2, li),
                                    (judge3, li)]), (aspect, m)
        assert m[(judge1, zhang)] == m[(judge2, zhang)] and m[(judge2, li)] == m[(judge3, li)]
    # The tokens it issued are revoked when it stops.
    assert sql(server, "SELECT count(*) FROM api_token WHERE label = 'simulate' "
                       "AND revoked_at IS NULL") == [(0,)]

    # A second run finds every mark in and sends nothing.
    again = simulate(server, w, "--rate", "40", "--duration", "30")
    assert again["acked"] == 0 and again["left"] == 0 and again["refused"] == {}, again
    assert stored_by_simulation(server, w) == summary["acked"]


def test_the_simulation_keeps_to_its_rate_and_stops_at_its_duration(
        server: LiveServer, worlds: dict[str, Json]) -> None:
    w = worlds["paced"]
    summary = simulate(server, w, "--rate", "2", "--duration", "2")
    # The pacer hands out one send every 1/rate s from the start: at most rate × t + 1.
    assert 1 <= summary["acked"] <= 2 * 2 + 1, summary
    assert summary["left"] > 0, summary
    assert stored_by_simulation(server, w) == summary["acked"]
