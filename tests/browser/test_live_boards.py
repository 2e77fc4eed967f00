"""The spectators' screens in Chromium, against the real server (tests/browser/conftest.py).

- A spectator's board (and the competition home, and the medal table) follow a judge's
  mark without a reload; a board whose connection drops says so, and catches up with
  what it missed once the network is back.
- The hall's projector rotates through the boards, pauses and resumes with the space
  bar, shows a QR code for the board on screen, and follows the organiser's console.
- A phone (375×812) shows the board without sideways scrolling.

The world is tests/browser/seed_live.py: G01 工业机械装调 (employee and student
divisions) and G02 数控车; 孙梦瑶 waits for her B1 mark. Elements are found by their ids
and data-* hooks, never by UI text (the pages are Chinese).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import NAVIGATION_TIMEOUT, LiveServer
from tests.browser.flows import log_in, unique

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}
PROJECTOR = {"width": 1920, "height": 1080}
NO_RELOAD = "window.__liveBoardNeverReloaded"
ROTATE_SECONDS = 5  # the seed's screen 大屏


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> dict[str, Any]:
    data: dict[str, Any] = live_server.process.seed("tests.browser.seed_live", unique("LV"))
    return data


@pytest.fixture
def open_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """open_page(viewport) -> a page in a browser context of its own. Uncaught script
    errors in any of them fail the test."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_(viewport: dict[str, int]) -> Page:
        context = browser.new_context(viewport=viewport, locale="zh-CN",  # type: ignore[arg-type]
                                      base_url=live_server.url)
        context.set_default_timeout(NAVIGATION_TIMEOUT)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, f"uncaught errors in the pages' scripts: {errors}"


def board_url(world: dict[str, Any], division: str = "G01-employee") -> str:
    return (f"/c/{world['competition_id']}/p/{world['projects'][0]}"
            f"?division={world['divisions'][division]}")


def go_live(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("data-live", "live")


def submit_mark(judge: Page, world: dict[str, Any], competitor: str, aspect: str,
                value: float) -> None:
    """A judge's mark over the REST API (docs/api.md), from a browser context of its own
    (so it goes through while the spectator's is offline)."""
    response = judge.request.post("/api/v1/marks", data=json.dumps({
        "client_id": str(uuid.uuid4()), "competitor_id": world["competitors"][competitor],
        "aspect_id": world["aspects"][aspect], "value": value}),
        headers={"Authorization": f"Bearer {world['token']}",
                 "Content-Type": "application/json"})
    assert response.ok and response.json()["ok"], response.text()


def row(page: Page, world: dict[str, Any], name: str):  # type: ignore[no-untyped-def]
    return page.locator(f'#lv-board tr[data-competitor="{world["competitors"][name]}"]')


# ------------------------------------------------------------------ spectators


def test_a_spectators_board_follows_a_judges_mark_without_a_reload(
        open_page, world, screenshot) -> None:
    board = open_page(LAPTOP)
    go_live(board, board_url(world))
    home = open_page(LAPTOP)
    go_live(home, f"/c/{world['competition_id']}")
    medals = open_page(LAPTOP)
    go_live(medals, f"/c/{world['competition_id']}/medals")
    for page in (board, home, medals):
        page.evaluate(f"{NO_RELOAD} = true")
    sun = row(board, world, "孙梦瑶")
    expect(sun).to_have_attribute("data-rank", "5")
    expect(sun.locator(".lv-total")).to_have_text("60.00")
    g01 = f'[data-board="{world["projects"][0]}:{world["divisions"]["G01-employee"]}"]'
    expect(home.locator(f"{g01} .lv-board-percent")).to_have_text("92%")
    minhang = medals.locator(f'tr[data-delegation="{world["delegations"]["闵行区"]}"]')
    expect(minhang.locator(".lv-c-medal").nth(1)).to_have_text("0")  # silver

    submit_mark(open_page(LAPTOP), world, "孙梦瑶", "B1", 35.0)  # 60 -> 95: first place

    expect(sun).to_have_attribute("data-rank", "1")
    expect(sun.locator(".lv-total")).to_have_text("95.00")
    expect(sun.locator(".lv-c-move")).to_have_text("▲4")
    expect(sun.locator(".lv-badge-gold")).to_be_visible()
    leader = row(board, world, "陈思远")
    expect(leader).to_have_attribute("data-rank", "2")
    expect(leader.locator(".lv-c-move")).to_have_text("▼1")
    expect(board.locator("#lv-board tbody tr").first).to_have_attribute(
        "data-competitor", str(world["competitors"]["孙梦瑶"]))
    expect(home.locator(f"{g01} .lv-board-percent")).to_have_text("95%")  # 38 of 40
    expect(minhang.locator(".lv-c-medal").nth(1)).to_have_text("1")  # 陈思远's silver
    for page in (board, home, medals):
        assert page.evaluate(NO_RELOAD) is True, f"{page.url} was reloaded"
    screenshot(board, "live-board-after-mark")
    screenshot(home, "live-home")
    screenshot(medals, "live-medals")


def test_a_board_that_loses_its_connection_says_so_and_catches_up(
        open_page, world, screenshot) -> None:
    board = open_page(LAPTOP)
    go_live(board, board_url(world))
    board.evaluate(f"{NO_RELOAD} = true")
    wu = row(board, world, "吴晨曦")
    expect(wu.locator(".lv-total")).to_have_text("40.00")

    board.context.set_offline(True)
    expect(board.locator("html")).to_have_attribute("data-live", "reconnecting")
    expect(board.locator("#lv-stale")).to_be_visible()
    expect(board.locator("#lv-board")).to_have_class(re.compile(r"\bis-stale\b"))
    screenshot(board, "live-board-reconnecting")
    submit_mark(open_page(LAPTOP), world, "吴晨曦", "A3", 10.0)  # 40 -> 50, while it is away

    board.context.set_offline(False)
    expect(board.locator("html")).to_have_attribute("data-live", "live")
    expect(board.locator("#lv-stale")).to_be_hidden()
    expect(wu.locator(".lv-total")).to_have_text("50.00")
    assert board.evaluate(NO_RELOAD) is True


def test_a_phone_shows_the_board_without_sideways_scrolling(open_page, world,
                                                             screenshot) -> None:
    phone = open_page(PHONE)
    go_live(phone, board_url(world))
    first = phone.locator("#lv-board tbody tr").first
    expect(first.locator(".lv-person")).to_be_visible()
    expect(first.locator(".lv-sub")).to_be_visible()  # the delegation, under the name
    expect(first.locator(".lv-c-delegation")).to_be_hidden()
    expect(first.locator(".lv-c-award .lv-badge")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "live-board-phone")


# ------------------------------------------------------------------ the projector


def slide_of(world: dict[str, Any], project: int, division: str) -> str:
    return f"{world['projects'][project]}:{world['divisions'][division]}"


def test_the_projector_rotates_pauses_and_resumes(open_page, world, screenshot) -> None:
    screen = open_page(PROJECTOR)
    go_live(screen, f"/c/{world['competition_id']}/screen?name=大屏")
    body = screen.locator("body")
    rotation = ROTATE_SECONDS * 1000 * 3  # allow for a slow machine
    first, second, third = (slide_of(world, 0, "G01-employee"),
                            slide_of(world, 0, "G01-student"), slide_of(world, 1, "G02-employee"))
    expect(body).to_have_attribute("data-slide", first)
    # The QR code on screen is the one of the board on screen.
    assert screen.inner_html("#sc-qr-code") == screen.inner_html(f'#sc-qrs [data-qr="{first}"]')
    expect(screen.locator("#sc-stage tbody tr")).to_have_count(8)
    screenshot(screen, "live-projector")

    expect(body).to_have_attribute("data-slide", second, timeout=rotation)
    assert screen.inner_html("#sc-qr-code") == screen.inner_html(f'#sc-qrs [data-qr="{second}"]')
    screen.keyboard.press("Space")
    expect(body).to_have_attribute("data-paused", "1")
    # Paused: longer than a turn goes by, and the board stays.
    screen.wait_for_timeout(ROTATE_SECONDS * 1000 + 1500)
    assert body.get_attribute("data-slide") == second
    screen.keyboard.press("Space")
    expect(body).to_have_attribute("data-paused", "0")
    expect(body).to_have_attribute("data-slide", third, timeout=rotation)
    screen.click("#sc-pause")  # the button too
    expect(body).to_have_attribute("data-paused", "1")


def test_the_projector_follows_the_organisers_console(open_page, live_server, world,
                                                      screenshot) -> None:
    screen = open_page(PROJECTOR)
    go_live(screen, f"/c/{world['competition_id']}/screen?name=奖牌屏")
    screen.evaluate(f"{NO_RELOAD} = true")
    body = screen.locator("body")
    expect(body).to_have_attribute("data-slide", "medals")
    screenshot(screen, "live-projector-medals")

    organiser = open_page(LAPTOP)
    log_in(organiser, live_server.username, live_server.password)
    token = organiser.get_attribute('meta[name="csrf-token"]', "content")
    board = slide_of(world, 1, "G02-employee")
    sid = world["screens"]["奖牌屏"]
    fields = {"csrf_token": token or "", "name": "奖牌屏", "show": "project", "board": board,
              "rotate_seconds": "15"}
    # The console's form for this screen (app/web/organiser/results.py), as it posts it.
    response = organiser.request.post(
        f"/organiser/competitions/{world['competition_id']}/results/screens/{sid}",
        form={f"screen-{sid}-{key}": value for key, value in fields.items()})
    assert response.ok, response.status
    assert "is-invalid" not in response.text(), response.text()[:3000]

    expect(body).to_have_attribute("data-slide", board)
    assert screen.evaluate(NO_RELOAD) is True
    screenshot(screen, "live-projector-pointed")


def test_the_projector_shows_the_ceremony(open_page, live_server, screenshot) -> None:
    """A board half way through its ceremony, bottom rank up: the hidden places on top,
    then the places revealed (seeded as the organiser's console leaves them)."""
    ceremony = live_server.process.seed("tests.browser.seed_live", unique("LVC"),
                                        "ceremony-rank")
    screen = open_page(PROJECTOR)
    go_live(screen, f"/c/{ceremony['competition_id']}/screen?name=颁奖屏")
    expect(screen.locator("#sc-stage")).to_have_attribute("data-kind", "ceremony")
    expect(screen.locator("#sc-stage .sc-hidden-row")).to_have_count(3)  # ranks 1–3
    revealed = screen.locator("#sc-stage tr.lv-row:not(.sc-hidden-row)")
    expect(revealed).to_have_count(4)  # ranks 4–7
    expect(revealed.first).to_have_attribute("data-rank", "4")
    screenshot(screen, "live-projector-ceremony")
