"""Nothing the organisers hide reaches the public: every public surface, in every state.

Past peers leaked a frozen or hidden board through side doors: solve lists, first-place
markers, derived values, second displays, exports (../shared/docs/peers.md, "Freeze
leaks"). So each state below is built the way it happens at the venue (marks go in while
the board is live, then the organiser switches), and then every public surface is read:
the REST snapshots, the /live acknowledgements (fresh, and resuming from an old seq, which
replays the event log), the /live pushes a spectator already connected receives, and the
public pages. Each must show exactly what the state allows (the rows, the medal table)
and must not contain any of the state's secrets anywhere in its text: totals, progress
figures and names that only the staff may see now.

The marks (tests.builders.judging_setup; 张伟 of 闵行区, 李娜 of 浦东新区):
- before the freeze: 张伟 J 2,2,3 (23.33) + M 30 = 53.33; 李娜 M 15 + B 40 = 55.0;
  4 of 6 aspects marked (66.7 %). 李娜 gold, 张伟 silver.
- after it: 张伟 B 40, so 93.33; 5 of 6 (83.3 %). 张伟 gold, 李娜 silver.
The figures are chosen so that no other public text contains them by chance.
"""

from __future__ import annotations

import html
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.domain.vocabulary import Visibility
from app.extensions import db, socketio
from app.models import BoardState, MarkVersion
from app.models.base import utcnow
from app.realtime.live import coalescer
from app.realtime.publisher import refresh_board
from app.services import live_feed, screens
from app.services.marking import submit_mark
from tests.builders import JudgingSetup, judging_setup
from tests.chief_builders import cheap_passwords
from tests.pdf_text import pdf_text
from tests.web.test_openapi import check, response_schema

# ------------------------------------------------------------------ the public surfaces
# Add every new public page, file or endpoint here (GET, no login). Paths are formatted
# with {competition_id}, {project_id} and {division_id}. Everything is searched decoded
# (page_text): JSON escapes 张伟 as \uXXXX on the wire, a page's HTML entities and its
# embedded JSON, spreadsheet cells and PDF strings.

PUBLIC_PAGES: list[str] = [
    "/",
    "/c/{competition_id}",
    "/c/{competition_id}/p/{project_id}",
    "/c/{competition_id}/p/{project_id}?division={division_id}",
    "/c/{competition_id}/medals",
    "/c/{competition_id}/screen",
    "/c/{competition_id}/screen?name=主屏",
    "/c/{competition_id}/p/{project_id}/results.csv",
    "/c/{competition_id}/p/{project_id}/results.xlsx?division={division_id}",
    "/c/{competition_id}/p/{project_id}/results.pdf",
]
# Pages that show a board: in a state that shows one, its names must be found on them.
BOARD_PAGES = {page for page in PUBLIC_PAGES if "/p/" in page or "/screen" in page}
PUBLIC_JSON: list[str] = [
    "/api/v1/competitions",
    "/api/v1/competitions/{competition_id}",
    "/api/v1/projects/{project_id}",
    "/api/v1/projects/{project_id}/leaderboard",
    "/api/v1/projects/{project_id}/leaderboard?division={division_id}",
    "/api/v1/competitions/{competition_id}/medals",
]
SCREEN = "主屏"  # a named hall screen, subscribed to like the projector does


def live_subscriptions(w: World) -> dict[str, dict[str, Any]]:
    """Every way to subscribe on /live; `before` is the seq just before the state changed."""
    project, competition = {"project_id": w.project_id}, {"competition_id": w.competition_id}
    return {
        "project": project,
        "project, resuming from 0": {**project, "last_seq": 0},
        "project, resuming from before the change": {**project, "last_seq": w.before},
        "project, resuming from the future": {**project, "last_seq": w.before + 10_000},
        "competition": competition,
        "competition, resuming from 0": {**competition, "last_seq": 0},
        "competition, resuming from before the change": {**competition, "last_seq": w.before},
        "competition's hall screen": {**competition, "screen": SCREEN},
    }


# ------------------------------------------------------------------ the states

NAMES = ("张伟", "李娜")
BASE_TOTALS = ("53.3", "55.0")  # "53.3" also catches 53.33
POST_TOTAL = "93.3"
BASE_PROGRESS, POST_PROGRESS = "66.7", "83.3"

FINAL = [("张伟", 1, 93.33, "gold"), ("李娜", 2, 55.0, "silver")]
FINAL_MEDALS = [("闵行区", 1, 0), ("浦东新区", 0, 1)]


@dataclass(frozen=True)
class State:
    visibility: Visibility
    freeze: bool = False  # freeze the board before the later marks
    reveal: tuple[str, int] | None = None  # the ceremony: (mode, step) afterwards
    publish: bool = False  # publish afterwards
    board: list[tuple[str, int, float, str]] = field(default_factory=list)
    progress: float | None = None  # the percent the public sees
    medals: list[tuple[str, int, int]] = field(default_factory=list)  # delegation, gold, silver
    secrets: tuple[str, ...] = ()  # must appear nowhere
    # Resuming from before the change replays the events: only when no board's phase
    # changed (else those events would show again what the change hid: a snapshot).
    replays: bool = False
    shown: tuple[str, ...] = ()  # must appear in the leaderboard: the search really works


STATES = {
    "live": State(Visibility.LIVE, board=FINAL, progress=83.3, medals=FINAL_MEDALS,
                  shown=(*NAMES, POST_TOTAL, POST_PROGRESS), replays=True),
    "progress": State(Visibility.PROGRESS, progress=83.3,
                      secrets=(*NAMES, *BASE_TOTALS, POST_TOTAL), shown=(POST_PROGRESS,)),
    "progress, frozen": State(Visibility.PROGRESS, freeze=True, progress=66.7,
                              secrets=(*NAMES, *BASE_TOTALS, POST_TOTAL, POST_PROGRESS),
                              shown=(BASE_PROGRESS,)),
    "hidden": State(Visibility.HIDDEN,
                    secrets=(*NAMES, *BASE_TOTALS, POST_TOTAL, BASE_PROGRESS, POST_PROGRESS)),
    "frozen": State(Visibility.LIVE, freeze=True,
                    board=[("李娜", 1, 55.0, "gold"), ("张伟", 2, 53.33, "silver")],
                    progress=66.7, medals=[("浦东新区", 1, 0), ("闵行区", 0, 1)],
                    secrets=(POST_TOTAL, POST_PROGRESS), shown=(*NAMES, *BASE_TOTALS)),
    "ceremony, nothing revealed yet": State(
        Visibility.LIVE, freeze=True, reveal=("award", 0),
        secrets=(*NAMES, *BASE_TOTALS, POST_TOTAL, BASE_PROGRESS, POST_PROGRESS)),
    "ceremony, up to silver": State(
        Visibility.LIVE, freeze=True, reveal=("award", 3), board=[("李娜", 2, 55.0, "silver")],
        medals=[("浦东新区", 0, 1)],
        secrets=("张伟", "53.3", POST_TOTAL, BASE_PROGRESS, POST_PROGRESS), shown=("李娜",)),
    "ceremony, bottom rank revealed": State(
        Visibility.LIVE, freeze=True, reveal=("rank", 1), board=[("李娜", 2, 55.0, "silver")],
        medals=[("浦东新区", 0, 1)],
        secrets=("张伟", "53.3", POST_TOTAL, BASE_PROGRESS, POST_PROGRESS), shown=("李娜",)),
    "published": State(Visibility.HIDDEN, freeze=True, publish=True, board=FINAL,
                       progress=83.3, medals=FINAL_MEDALS,
                       shown=(*NAMES, POST_TOTAL, POST_PROGRESS)),
}


# ------------------------------------------------------------------ building a state

@dataclass
class World:
    setup: JudgingSetup
    competition_id: int
    project_id: int
    division_id: int
    before: int = 0  # the competition's seq just before the state changed
    board_before: dict[str, Any] = field(default_factory=dict)  # the board then
    pushes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def mark(s: JudgingSetup, judge: int, competitor: int, aspect: Any, **value: Any) -> None:
    ack = submit_mark(s.users[judge], {"client_id": str(uuid.uuid4()),
                                       "competitor_id": s.competitors[competitor].id,
                                       "aspect_id": aspect.id, **value})
    assert ack["ok"], ack


def subscribe(app: Flask, payload: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    client = socketio.test_client(app, namespace="/live")
    ack = client.emit("subscribe", payload, namespace="/live", callback=True)
    assert isinstance(ack, dict) and ack.get("ok"), (payload, ack)
    return client, ack


def enter(app: Flask, state: State) -> World:
    s = judging_setup()
    w = World(s, s.competition.id, s.project.id, s.project.divisions[0].id)
    screens.point(s.competition, None, {"name": SCREEN, "show": "project",
                                        "project_id": s.project.id})
    for judge, score in enumerate((2, 2, 3)):
        mark(s, judge, 0, s.j_aspect, score=score)
    mark(s, 1, 0, s.m_aspect, value=30.0)
    mark(s, 1, 1, s.m_aspect, value=15.0)
    mark(s, 2, 1, s.b_aspect, value=40.0)
    coalescer().flush()  # the public has seen the board live

    # A spectator watching the project and the competition while the organiser switches.
    (project_watcher, ack), (competition_watcher, _) = (
        subscribe(app, {"project_id": w.project_id}),
        subscribe(app, {"competition_id": w.competition_id}))
    watchers = [project_watcher, competition_watcher]
    w.board_before = ack["boards"][0]
    for watcher in watchers:
        watcher.get_received("/live")
    competition = s.competition
    w.before = competition.live_seq
    competition.visibility = state.visibility
    if state.freeze:
        competition.freeze_at = db.session.scalar(select(func.max(MarkVersion.server_time)))
    live_feed.refresh_competition(competition)
    db.session.commit()
    coalescer().flush()

    mark(s, 0, 0, s.b_aspect, value=40.0)  # the later marks: staff see them at once
    if state.freeze:
        latest = db.session.scalar(select(func.max(MarkVersion.server_time)))
        assert latest > competition.freeze_at  # the premise: this mark is after the freeze
    coalescer().flush()

    if state.reveal is not None or state.publish:
        # What the spectator got until now was the frozen (or hidden) state's, checked
        # as such: from here on, the ceremony's or the publication's.
        for watcher in watchers:
            watcher.get_received("/live")
    if state.reveal is not None:
        board = db.session.scalar(select(BoardState).where(
            BoardState.project_id == w.project_id, BoardState.division_id == w.division_id))
        board.reveal_mode, board.reveal_step = state.reveal
        refresh_board(w.project_id, w.division_id)
        db.session.commit()
        coalescer().flush()
    if state.publish:
        competition.published_at = utcnow()
        live_feed.refresh_competition(competition)
        db.session.commit()
        coalescer().flush()
    for watcher in watchers:
        w.pushes += [(m["name"], m["args"][0]) for m in watcher.get_received("/live")]
        watcher.disconnect(namespace="/live")
    return w


# ------------------------------------------------------------------ checking

def text_of(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def page_text(url: str, data: bytes) -> str:
    """What a page or file says, decoded: spreadsheet cells, PDF strings, and the JSON a
    page embeds for its script (tojson writes 张伟 as \\u5f20\\u4f1f)."""
    path = url.split("?")[0]
    if path.endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "\n".join(book.read(name).decode() for name in book.namelist()
                             if name.endswith(".xml"))
    if path.endswith(".pdf"):
        return pdf_text(data)
    text = html.unescape(data.decode())
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)


def rows_of(board: dict[str, Any]) -> list[tuple[str, int, float, str]]:
    return [(r["name"], r["rank"], r["total"], r["award"]) for r in board["rows"]]


def medals_of(rows: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return [(r["delegation"], r["gold"], r["silver"]) for r in rows]


def no_secrets(state: State, where: str, text: str) -> None:
    found = [secret for secret in state.secrets if secret in text]
    assert not found, f"{where} shows {found}"


def check_board(state: State, where: str, board: dict[str, Any]) -> None:
    assert rows_of(board) == state.board, where
    percent = board["progress"]["percent"] if board["progress"] else None
    assert percent == state.progress, where


@pytest.mark.parametrize("name", STATES)
def test_no_public_surface_shows_what_the_state_hides(
        app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    cheap_passwords(monkeypatch)
    state = STATES[name]
    w = enter(app, state)
    ids = {"competition_id": w.competition_id, "project_id": w.project_id,
           "division_id": w.division_id}

    for path in PUBLIC_JSON:
        url = path.format(**ids)
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_json()
        schema_path = path.split("?")[0]
        if schema_path in ("/api/v1/projects/{project_id}/leaderboard",
                           "/api/v1/competitions/{competition_id}/medals"):
            assert not check(body, response_schema(schema_path, 200)), url
        no_secrets(state, url, text_of(body))

    leaderboard = client.get(f"/api/v1/projects/{w.project_id}/leaderboard"
                             f"?division={w.division_id}").get_json()
    check_board(state, "leaderboard", leaderboard["board"])
    for shown in state.shown:
        assert shown in text_of(leaderboard), shown
    medals = client.get(f"/api/v1/competitions/{w.competition_id}/medals").get_json()
    assert medals_of(medals["rows"]) == state.medals

    for page in PUBLIC_PAGES:
        url = page.format(**ids)
        response = client.get(url)
        assert response.status_code == 200, url
        text = page_text(url, response.get_data())
        no_secrets(state, url, text)
        if page in BOARD_PAGES:
            assert all(name in text for name, *_ in state.board), url

    for what, payload in live_subscriptions(w).items():
        subscriber, ack = subscribe(app, payload)
        subscriber.disconnect(namespace="/live")
        no_secrets(state, f"/live ack ({what})", text_of(ack))
        assert ("events" in ack) == (state.replays and "from before" in what), what
        if "events" in ack:  # a resume: the client applies the missed events in order
            if "project_id" in payload:
                board = w.board_before
                for event in ack["events"]:
                    board = live_feed.apply_delta(board, event["data"])
                check_board(state, f"/live ack ({what}), applied", board)
            continue
        if "boards" in ack and "project_id" in payload:
            check_board(state, f"/live ack ({what})", ack["boards"][0])
        else:
            assert medals_of(ack["medals"]["rows"]) == state.medals, what

    assert w.pushes, "the spectator watching during the change was told of it"
    for event, data in w.pushes:
        no_secrets(state, f"/live push {event} seq {data['seq']}", text_of(data))
