"""The public results endpoints: the /live snapshots over HTTP, their errors, and their
caching (ETag from the competition's seq and phase, 304, Cache-Control).

What each visibility state lets them show is in test_visibility_leaks.py; that their
answers match the OpenAPI document, in test_openapi.py and there.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from app.domain.vocabulary import DivisionKind
from app.extensions import db
from app.models import Division
from app.models.base import utcnow
from app.realtime.live import coalescer
from app.services import live_feed
from app.services.marking import submit_mark
from tests.builders import JudgingSetup, judging_setup, project
from tests.chief_builders import cheap_passwords


@pytest.fixture
def s(app, monkeypatch) -> JudgingSetup:  # type: ignore[no-untyped-def]
    cheap_passwords(monkeypatch)
    return judging_setup()


def mark(s: JudgingSetup, judge: int, competitor: int, value: float) -> None:
    """An M mark, then the live boards brought up to date."""
    ack = submit_mark(s.users[judge], {"client_id": str(uuid.uuid4()),
                                       "competitor_id": s.competitors[competitor].id,
                                       "aspect_id": s.m_aspect.id, "value": value})
    assert ack["ok"], ack
    coalescer().flush()


def board_url(s: JudgingSetup, division_id: object = None) -> str:
    url = f"/api/v1/projects/{s.project.id}/leaderboard"
    return url if division_id is None else f"{url}?division={division_id}"


def test_the_leaderboard_is_the_live_snapshot(client: FlaskClient, s: JudgingSetup) -> None:
    mark(s, 1, 1, 15.0)
    one = s.project.divisions[0]
    body = client.get(board_url(s, one.id)).get_json()
    snapshot = live_feed.board_snapshot(s.project, one)
    assert body == {"seq": snapshot.seq, "board": snapshot.data}
    assert [(r["name"], r["rank"], r["total"]) for r in body["board"]["rows"]] == [
        ("李娜", 1, 15.0), ("张伟", None, 0.0)]
    assert body["seq"] == s.competition.live_seq > 0


def test_without_a_division_every_division_comes(client: FlaskClient, s: JudgingSetup) -> None:
    second = Division(project_id=s.project.id, kind=DivisionKind.STUDENT)
    db.session.add(second)
    db.session.commit()
    body = client.get(board_url(s)).get_json()
    assert [b["division_id"] for b in body["boards"]] == [d.id for d in s.project.divisions]
    assert second.id in [b["division_id"] for b in body["boards"]]
    assert body["boards"][0] == client.get(board_url(s, s.project.divisions[0].id)).get_json()[
        "board"]
    assert body["seq"] == s.competition.live_seq


def test_the_medal_table(client: FlaskClient, s: JudgingSetup) -> None:
    mark(s, 1, 1, 15.0)
    body = client.get(f"/api/v1/competitions/{s.competition.id}/medals").get_json()
    assert body["phase"] == "live" and body["seq"] == s.competition.live_seq
    assert [(r["delegation"], r["gold"], r["points"]) for r in body["rows"]] == [
        ("浦东新区", 1, 4), ("闵行区", 0, 0)]


@pytest.mark.parametrize("value", ["abc", "", "1.5", "+1", " 1", "1_0", "-1", "١"])
def test_a_division_that_is_not_a_whole_number_is_a_bad_request(
        client: FlaskClient, s: JudgingSetup, value: str) -> None:
    response = client.get(board_url(s, value))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert "ETag" not in response.headers


def test_unknown_ids_are_not_found(client: FlaskClient, s: JudgingSetup) -> None:
    elsewhere = project(s.competition, code="X9", name="电工").divisions[0].id  # another project's
    db.session.commit()
    for url in ("/api/v1/projects/999999/leaderboard", board_url(s, 999_999),
                board_url(s, elsewhere), board_url(s, 10**30),
                "/api/v1/competitions/999999/medals"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json()["error"]["code"] == "not_found", url


@pytest.mark.parametrize("url", ["board", "medals"])
def test_cached_until_the_seq_or_the_phase_changes(client: FlaskClient, s: JudgingSetup,
                                                   url: str) -> None:
    path = board_url(s, s.project.divisions[0].id) if url == "board" \
        else f"/api/v1/competitions/{s.competition.id}/medals"
    first = client.get(path)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and first.headers["Cache-Control"] in (
        "public, max-age=2", "max-age=2, public")
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag and "max-age=2" in again.headers["Cache-Control"]
    assert client.get(path, headers={"If-None-Match": '"something else"'}).status_code == 200

    mark(s, 1, 1, 15.0)  # a new seq
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    etag = changed.headers["ETag"]

    # The clock passes freeze_at, with nothing else happening (no refresh was queued):
    # the phase changes, and the client's copy is no longer current.
    s.competition.freeze_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    frozen = client.get(path, headers={"If-None-Match": etag})
    assert frozen.status_code == 200 and frozen.headers["ETag"] != etag
    body = frozen.get_json()
    assert (body["board"]["phase"] if url == "board" else body["phase"]) == "frozen"
