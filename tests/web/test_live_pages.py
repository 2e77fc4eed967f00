"""The spectators' pages (app/web/live): the competition home, a division's board, the
medal table and the projector, read anonymously with the test client.

What each state may show is proved for every public surface in test_visibility_leaks.py;
here: that the pages draw what the public view holds (rows, awards, movement, tie notes,
banners per phase, progress), hand their script the snapshot and its seq, answer 404 for
what does not exist, and are built from the public read model only. Words are compared
with the app's own labels, so the tests hold whatever the catalogue says.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import uuid
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.domain.vocabulary import Visibility
from app.extensions import db
from app.models import BoardState, LiveEvent, MarkVersion
from app.models.base import utcnow
from app.realtime.live import coalescer
from app.realtime.publisher import refresh_board
from app.services import live_feed, screens
from app.services.marking import submit_mark
from app.web.live.labels import award_label, phase_label, tie_label
from tests import builders
from tests.builders import JudgingSetup, judging_setup

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ reading the pages


class Rows(HTMLParser):
    """The board's (or medal table's) rows: each <tr class="lv-row …"> with its data-*
    attributes and the text of each cell, keyed by the cell's first class."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self._cell: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if tag == "tr" and "lv-row" in classes:
            self.rows.append({"classes": classes, "cells": {},
                              **{k: v for k, v in found.items() if k.startswith("data-")}})
        elif tag == "td" and self.rows and classes:
            self._cell = classes[0]
            self.rows[-1]["cells"][self._cell] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            cells = self.rows[-1]["cells"]
            cells[self._cell] = (cells[self._cell] + " " + data.strip()).strip()


def rows_in(page: str) -> list[dict[str, Any]]:
    parser = Rows()
    parser.feed(page)
    return parser.rows


def config_of(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="lv-config">(.*?)</script>', page,
                      re.S)
    assert found, "the page hands its script no configuration"
    return json.loads(found.group(1))


def get(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def words(app: Flask, say: Any, *args: Any) -> str:
    """A label as the page renders it: in the language an anonymous visitor gets."""
    with app.test_request_context("/"):
        return str(say(*args))


# ------------------------------------------------------------------ the world


def mark(s: JudgingSetup, judge: int, competitor: int, aspect: Any, **value: Any) -> None:
    ack = submit_mark(s.users[judge], {"client_id": str(uuid.uuid4()),
                                       "competitor_id": s.competitors[competitor].id,
                                       "aspect_id": aspect.id, **value})
    assert ack["ok"], ack


@pytest.fixture
def s(app: Flask) -> JudgingSetup:
    """张伟 (闵行区) J 2,2,2 = 20 + M 30 = 50, gold; 李娜 (浦东新区) M 15, silver; 3 of 6
    aspects marked. The board has been sent live once."""
    s = judging_setup()
    for judge in range(3):
        mark(s, judge, 0, s.j_aspect, score=2)
    mark(s, 1, 0, s.m_aspect, value=30.0)
    mark(s, 1, 1, s.m_aspect, value=15.0)
    coalescer().flush()
    return s


def board_url(s: JudgingSetup, division: object = None) -> str:
    url = f"/c/{s.competition.id}/p/{s.project.id}"
    return url if division is None else f"{url}?division={division}"


def switch(s: JudgingSetup, **values: Any) -> None:
    """Change what the public sees, as the organiser's console does, and flush the boards."""
    for key, value in values.items():
        setattr(s.competition, key, value)
    live_feed.refresh_competition(s.competition)
    db.session.commit()
    coalescer().flush()


def freeze(s: JudgingSetup) -> None:
    """Freeze the board at the last mark so far."""
    switch(s, freeze_at=db.session.scalar(select(func.max(MarkVersion.server_time))))


def reveal(s: JudgingSetup, mode: str, step: int) -> None:
    state = db.session.scalar(select(BoardState).where(BoardState.project_id == s.project.id))
    state.reveal_mode, state.reveal_step = mode, step
    refresh_board(s.project.id, s.project.divisions[0].id)
    db.session.commit()
    coalescer().flush()


# ------------------------------------------------------------------ the board


def test_the_board_draws_ranks_totals_and_awards_in_order(app, client, s) -> None:
    page = get(client, board_url(s))
    rows = rows_in(page)
    assert [(r["cells"]["lv-c-name"].split()[0], r["data-rank"], r["cells"]["lv-c-total"])
            for r in rows] == [("张伟", "1", "50.00"), ("李娜", "2", "15.00")]
    assert [r["cells"]["lv-c-award"] for r in rows] == [
        words(app, award_label, "gold"), words(app, award_label, "silver")]
    assert [r["cells"]["lv-c-delegation"] for r in rows] == ["闵行区", "浦东新区"]
    assert 'data-phase="live"' in page
    assert words(app, phase_label, "live") in page
    assert 'data-percent="50.0"' in page  # 3 of 6 aspects


def test_the_board_hands_its_script_the_snapshot_and_its_seq(client, s) -> None:
    config = config_of(get(client, board_url(s)))
    snapshot = live_feed.board_snapshot(s.project, s.project.divisions[0])
    assert config["seq"] == snapshot.seq == s.competition.live_seq > 0
    assert config["board"] == snapshot.data
    assert (config["projectId"], config["divisionId"]) == (s.project.id,
                                                           s.project.divisions[0].id)
    assert config["labels"]["award"]["gold"]  # the script draws with the page's words


def test_movement_arrows_follow_the_last_update(client, s) -> None:
    mark(s, 2, 1, s.b_aspect, value=40.0)  # 李娜 55 overtakes 张伟 50
    coalescer().flush()
    rows = rows_in(get(client, board_url(s)))
    assert [(r["cells"]["lv-c-name"].split()[0], r["cells"]["lv-c-move"]) for r in rows] == [
        ("李娜", "▲1"), ("张伟", "▼1")]


def test_a_tie_shows_the_step_that_decided_it(app, client) -> None:
    s = judging_setup()
    for judge in range(3):
        mark(s, judge, 0, s.j_aspect, score=3)  # 张伟 30, all of it judgement
    mark(s, 1, 1, s.m_aspect, value=30.0)  # 李娜 30, measurement only
    coalescer().flush()
    rows = rows_in(get(client, board_url(s)))
    note = words(app, tie_label, {"step": "judgement", "undecided": False})
    assert [r["cells"]["lv-c-name"] for r in rows] == [f"张伟 闵行区 {note}",
                                                       f"李娜 浦东新区 {note}"]


def test_a_withdrawn_competitor_is_listed_last_without_a_rank(client, s) -> None:
    from app.domain.vocabulary import CompetitorStatus

    s.competitors[0].status = CompetitorStatus.WITHDRAWN
    refresh_board(s.project.id, s.project.divisions[0].id)
    db.session.commit()
    coalescer().flush()
    rows = rows_in(get(client, board_url(s)))
    assert [(r["cells"]["lv-c-name"].split()[0], r["data-rank"]) for r in rows] == [
        ("李娜", "1"), ("张伟", "")]
    assert "lv-row-unranked" in rows[1]["classes"]


def test_each_division_has_its_board_and_a_tab(client) -> None:
    from app.domain.vocabulary import DivisionKind

    comp = builders.competition("分组测试赛")
    project = builders.project(comp, divisions={DivisionKind.EMPLOYEE, DivisionKind.STUDENT})
    employee, student = project.divisions
    default = get(client, f"/c/{comp.id}/p/{project.id}")
    assert config_of(default)["divisionId"] == employee.id
    chosen = get(client, f"/c/{comp.id}/p/{project.id}?division={student.id}")
    assert config_of(chosen)["divisionId"] == student.id
    for division in (employee, student):
        assert f"/c/{comp.id}/p/{project.id}?division={division.id}" in chosen


def test_what_does_not_exist_is_not_found(client, s) -> None:
    other = builders.competition("另一场比赛")
    cid, pid = s.competition.id, s.project.id
    for url in ("/c/999", "/c/999/medals", "/c/999/screen", "/c/999/p/1", f"/c/{cid}/p/999",
                f"/c/{cid}/p/{pid}?division=999", f"/c/{cid}/p/{pid}?division=x",
                f"/c/{other.id}/p/{pid}"):  # the last: a project of another competition
        assert client.get(url).status_code == 404, url


# ------------------------------------------------------------------ per phase


def test_progress_only_shows_the_progress_and_no_rows(app, client, s) -> None:
    switch(s, visibility=Visibility.PROGRESS)
    page = get(client, board_url(s))
    assert rows_in(page) == [] and "张伟" not in page and "lv-table" not in page
    assert 'data-phase="progress"' in page and 'data-percent="50.0"' in page
    assert words(app, phase_label, "progress") in page


def test_hidden_shows_neither_rows_nor_progress(client, s) -> None:
    switch(s, visibility=Visibility.HIDDEN)
    page = get(client, board_url(s))
    assert rows_in(page) == [] and "张伟" not in page
    assert 'data-phase="hidden"' in page and "lv-progress" not in page
    assert config_of(page)["board"]["progress"] is None


def test_a_frozen_board_says_so_and_keeps_the_totals_of_the_freeze(app, client, s) -> None:
    freeze(s)
    mark(s, 2, 1, s.b_aspect, value=40.0)  # after the freeze
    coalescer().flush()
    page = get(client, board_url(s))
    assert 'data-phase="frozen"' in page and words(app, phase_label, "frozen") in page
    assert [r["cells"]["lv-c-total"] for r in rows_in(page)] == ["50.00", "15.00"]


def test_the_ceremony_shows_only_the_places_revealed(app, client, s) -> None:
    freeze(s)
    reveal(s, "rank", 1)
    page = get(client, board_url(s))
    assert 'data-phase="ceremony"' in page and words(app, phase_label, "ceremony") in page
    assert [r["cells"]["lv-c-name"].split()[0] for r in rows_in(page)] == ["李娜"]
    assert "张伟" not in page
    assert config_of(page)["board"]["ceremony"] == {"mode": "rank", "step": 1, "steps": 2,
                                                    "pending": 1}


def test_published_results_are_final(app, client, s) -> None:
    switch(s, published_at=utcnow() - timedelta(seconds=1))
    page = get(client, board_url(s))
    assert 'data-phase="published"' in page and words(app, phase_label, "published") in page
    assert len(rows_in(page)) == 2


# ------------------------------------------------------------------ home and medals


def test_the_home_lists_every_board_with_its_status(app, client, s) -> None:
    second = builders.project(s.competition, code="G02", name="数控车")
    coalescer().flush()
    page = get(client, f"/c/{s.competition.id}")
    for project in (s.project, second):
        division = project.divisions[0]
        assert (f"/c/{s.competition.id}/p/{project.id}?division={division.id}") in page
        assert f'data-board="{project.id}:{division.id}"' in page
    assert re.search(rf'data-board="{s.project.id}:\d+" data-phase="live"', page)
    assert "50%" in page  # 张伟 and 李娜's board: 3 of 6 aspects
    assert f"/c/{s.competition.id}/medals" in page and f"/c/{s.competition.id}/screen" in page
    assert config_of(page)["seq"] == s.competition.live_seq


def test_the_home_says_when_results_are_hidden(app, client, s) -> None:
    switch(s, visibility=Visibility.HIDDEN)
    page = get(client, f"/c/{s.competition.id}")
    assert 'id="lv-overall" data-phase="hidden"' in page
    assert "50%" not in page


def test_the_medal_table_counts_the_public_awards(client, s) -> None:
    page = get(client, f"/c/{s.competition.id}/medals")
    rows = rows_in(page)
    assert [(r["cells"]["lv-c-name"], r["cells"]["lv-c-rank"]) for r in rows] == [
        ("闵行区", "1"), ("浦东新区", "2")]
    medals = [re.findall(r'<td class="lv-c-medal(?: lv-c-merit)?">(\d+)</td>', part)
              for part in page.split('data-delegation="')[1:]]
    assert medals == [["1", "0", "0", "0"], ["0", "1", "0", "0"]]  # gold silver bronze merit
    assert [r["cells"]["lv-c-points"] for r in rows] == ["4", "3"]


def test_the_medal_table_is_empty_while_results_are_hidden(client, s) -> None:
    switch(s, visibility=Visibility.HIDDEN)
    page = get(client, f"/c/{s.competition.id}/medals")
    assert rows_in(page) == [] and "闵行区" not in page


def test_the_start_page_links_to_each_competition_home(client, s) -> None:
    assert f'href="/c/{s.competition.id}"' in get(client, "/")


# ------------------------------------------------------------------ the projector


def test_the_projector_has_every_board_and_a_qr_code_for_each(client, s) -> None:
    second = builders.project(s.competition, code="G02", name="数控车")
    page = get(client, f"/c/{s.competition.id}/screen")
    config = config_of(page)
    keys = [(b["project_id"], b["division_id"]) for b in config["boards"]]
    assert keys == [(s.project.id, s.project.divisions[0].id),
                    (second.id, second.divisions[0].id)]
    assert config["boards"][0]["board"]["rows"][0]["name"] == "张伟"
    assert config["screen"] is None and config["rotateSeconds"] == 15
    codes = re.findall(r'<div data-qr="([^"]+)"><svg', page)
    assert codes == [f"{p}:{d}" for p, d in keys] + ["medals"]


def test_a_named_screen_hands_its_orders_to_the_projector(client, s) -> None:
    screens.point(s.competition, None, {"name": "主屏", "show": "medals",
                                        "rotate_seconds": 20})
    config = config_of(get(client, f"/c/{s.competition.id}/screen?name=主屏"))
    assert config["screen"] == {"name": "主屏", "show": "medals", "project_id": None,
                                "division_id": None, "rotate_seconds": 20}
    assert config["screenName"] == "主屏"
    unknown = config_of(get(client, f"/c/{s.competition.id}/screen?name=侧屏"))
    assert unknown["screen"] is None and unknown["screenName"] is None


def test_the_rotation_time_of_an_unnamed_screen(client, s) -> None:
    for asked, seconds in (("8", 8), ("1", 5), ("99999", 600), ("soon", 15)):
        page = get(client, f"/c/{s.competition.id}/screen?seconds={asked}")
        assert config_of(page)["rotateSeconds"] == seconds, asked


def test_the_projector_shows_nothing_hidden(client, s) -> None:
    switch(s, visibility=Visibility.PROGRESS)
    page = get(client, f"/c/{s.competition.id}/screen")
    assert "张伟" not in page and "李娜" not in page


# ------------------------------------------------------------------ plumbing


def test_every_script_and_style_a_page_asks_for_exists(client, s) -> None:
    cid, pid = s.competition.id, s.project.id
    for url in (f"/c/{cid}", f"/c/{cid}/p/{pid}", f"/c/{cid}/medals", f"/c/{cid}/screen"):
        page = get(client, url)
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
        assert any("/js/live/" in a for a in assets) and any("live.css" in a for a in assets)
        for asset in assets:
            with client.get(asset) as response:
                assert response.status_code == 200, (url, asset)
        modules = [ROOT / a.removeprefix("/") for a in assets if "/js/live/" in a]
        for module in modules:  # and the modules those import
            for name in re.findall(r'from "\./([\w-]+\.js)"', module.read_text()):
                assert (module.parent / name).exists(), (module, name)


def test_the_browsers_delta_gives_the_servers_next_board(s, tmp_path) -> None:
    """static/js/live/render.js applyDelta, run by node on a real update: what a spectator's
    page holds afterwards is the server's next snapshot, in the server's order."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    division = s.project.divisions[0]
    before = live_feed.board_snapshot(s.project, division).data
    mark(s, 2, 1, s.b_aspect, value=40.0)  # 李娜 overtakes 张伟: rows change places
    coalescer().flush()
    delta = db.session.scalars(select(LiveEvent).where(LiveEvent.event == "board_update")
                               .order_by(LiveEvent.seq.desc())).first().data
    after = live_feed.board_snapshot(s.project, division).data
    # A copy named .mjs, so node reads it as the ES module the browser loads.
    module = tmp_path / "render.mjs"
    module.write_text((ROOT / "static/js/live/render.js").read_text())
    script = (f"import {{ applyDelta }} from {json.dumps(module.as_uri())};"
              "const [board, delta] = JSON.parse(process.argv[1]);"
              "console.log(JSON.stringify(applyDelta(board, delta)));")
    result = subprocess.run([node, "--input-type=module", "-e", script,
                             json.dumps([before, delta])],
                            capture_output=True, text=True, timeout=30, check=True)
    assert [r["name"] for r in after["rows"]] == ["李娜", "张伟"]
    assert json.loads(result.stdout) == after


def test_the_pages_are_built_from_the_public_read_model_only() -> None:
    """app.services.results is the staff's view; the public pages must not reach it."""
    for path in (ROOT / "app" / "web" / "live").glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module}
        imported |= {f"{node.module}.{a.name}" for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module for a in node.names}
        imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for a in node.names}
        assert not any(name == "app.services.results" for name in imported), path
