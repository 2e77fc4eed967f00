"""A judge's tablet and the chief judge's console, side by side in one Chromium.

The judge scores on a tablet (768×1024), loses the network, enters marks, reloads the page
without network, and gets the network back. Meanwhile the chief judge has the console
open on a laptop (1280×800), in a browser context of its own: the grid fills in with the
marks entered online, then with the ones entered offline once they arrive, and the page
is never reloaded. The server's database is the proof that each mark was stored once.

Elements are found by their data-* hooks and ids, never by UI text (the pages are Chinese).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser import flows
from tests.browser.conftest import NAVIGATION_TIMEOUT, JudgingWorld, LiveServer
from tests.browser.flows import console_cell, mark_state, open_aspect, pending, tap, unique

pytestmark = pytest.mark.browser

TABLET = {"width": 768, "height": 1024}  # portrait
LAPTOP = {"width": 1280, "height": 800}
JUDGE_PASSWORD = "judge password"  # tests/builders.py judging_setup()
CHIEF_PASSWORD = "chief password"
LOADED_MARKER = "window.__consoleLoadedOnce"


@pytest.fixture
def contexts(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """open(viewport, **options) -> a page in a browser context of its own (cookies,
    storage, network switch). Uncaught script errors in any of them fail the test."""
    opened: list[BrowserContext] = []
    errors: list[str] = []

    def open_page(viewport: dict[str, int], **options: object) -> Page:
        context = browser.new_context(viewport=viewport, locale="zh-CN",  # type: ignore[arg-type]
                                      base_url=live_server.url, **options)
        context.set_default_timeout(NAVIGATION_TIMEOUT)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT)
        opened.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        return page

    yield open_page
    for context in opened:
        context.close()
    assert not errors, f"uncaught errors in the pages' scripts: {errors}"


def judge_id(world: JudgingWorld, judge: int) -> int:
    """The judge's row id: the console's columns are keyed by it, not by the user."""
    with sqlite3.connect(world.database) as db:
        row = db.execute("SELECT id FROM judge WHERE user_id = ?",
                         (world["user_ids"][judge],)).fetchone()  # type: ignore[index]
    return int(row[0])


def stored_versions(world: JudgingWorld, judge: int) -> list[tuple[int, int, int, float]]:
    """Every MarkVersion row this judge's user stored, in the order the server stored them:
    (competitor, aspect, version, value). A mark stored twice would show as a second row."""
    with sqlite3.connect(world.database) as db:
        rows = db.execute(
            "SELECT m.competitor_id, m.aspect_id, v.version, v.value FROM mark_version v "
            "JOIN mark m ON m.id = v.mark_id WHERE v.user_id = ? ORDER BY v.id",
            (world["user_ids"][judge],)).fetchall()  # type: ignore[index]
    return [(c, a, n, float(value)) for c, a, n, value in rows]


def times_served(live_server: LiveServer, path: str) -> int:
    """How many times the server logged a GET of exactly this path."""
    return live_server.log.read_text(errors="replace").count(f'"GET {path} ')


def test_offline_marks_reach_the_chief_console_once_without_a_reload(
        contexts: Callable[..., Page], seed_judging, live_server: LiveServer,
        screenshot) -> None:  # type: ignore[no-untyped-def]
    world = seed_judging(unique("tc"))
    ws1, ws2 = world["competitors"]  # type: ignore[misc]
    j, m, b = world["j_aspect"], world["m_aspect"], world["b_aspect"]
    # Judge 2 (静安区) has no conflict with either competitor: both can be scored.
    judge = 1
    column = judge_id(world, judge)

    # The chief judge opens module A's console before any mark exists.
    console = contexts(LAPTOP)
    flows.sign_in(console, str(world["chief"]), CHIEF_PASSWORD)
    console_path = f"/chief/projects/{world['project_id']}/modules/{world['module_a']}"
    flows.open_console(console, console_path)
    console.evaluate(f"{LOADED_MARKER} = true")  # gone if the page is ever reloaded
    for competitor, aspect, key in [(ws1, j, column), (ws1, m, "m"), (ws2, j, column),
                                    (ws2, m, "m")]:
        expect(console_cell(console, competitor, aspect, key)).to_have_class(
            re.compile(r"\bcj-empty\b"))

    # Online: the judge scores competitor 1; the console shows each mark as it is saved.
    tablet = contexts(TABLET, has_touch=True)
    flows.sign_in_judge(tablet, world["usernames"][judge], JUDGE_PASSWORD)  # type: ignore[index]
    tablet.locator(f"[data-competitor='{ws1}']").click()
    tap(tablet, j, 2)
    mark_state(tablet, "saved")
    expect(console_cell(console, ws1, j, column)).to_have_text("2")
    expect(console_cell(console, ws1, j, column)).to_have_class(re.compile(r"\bcj-draft\b"))
    tablet.locator("[data-next]").click()
    tap(tablet, m, 15)
    mark_state(tablet, "saved")
    pending(tablet, 0)
    expect(console_cell(console, ws1, m, "m")).to_have_text("15")

    # Offline: a module B mark, a new version of a saved mark (changed twice before it
    # could go: still one mark waiting) and a first mark for competitor 2.
    tablet.context.set_offline(True)
    flows.expect_offline(tablet)
    open_aspect(tablet, world["module_b"], b)
    tap(tablet, b, 40)
    pending(tablet, 1)
    mark_state(tablet, "pending")
    open_aspect(tablet, world["module_a"], j)
    tap(tablet, j, 3)
    tap(tablet, j, 1)
    tap(tablet, j, 3)
    pending(tablet, 2)
    tablet.locator(f"[data-competitor='{ws2}']").click()
    open_aspect(tablet, world["module_a"], j)
    tap(tablet, j, 3)
    pending(tablet, 3)

    # Reloaded without network: the page comes from the tablet's own copy (the server
    # never hears of it) and the outbox is still there; one more mark goes into it.
    served = times_served(live_server, "/judge/")
    tablet.reload()
    flows.expect_offline(tablet)
    pending(tablet, 3)
    expect(tablet.locator("[data-notice='info']")).to_be_visible()  # "offline copy from…"
    assert times_served(live_server, "/judge/") == served
    tablet.locator(f"[data-competitor='{ws2}']").click()
    open_aspect(tablet, world["module_a"], m)
    tap(tablet, m, 30)
    pending(tablet, 4)
    mark_state(tablet, "pending")
    screenshot(tablet, "tablet-with-console-offline-reloaded")
    # Nothing has reached the server, so the console still shows the online marks only.
    assert stored_versions(world, judge) == [(ws1, j, 1, 2.0), (ws1, m, 1, 15.0)]
    expect(console_cell(console, ws1, j, column)).to_have_text("2")
    expect(console_cell(console, ws2, j, column)).to_have_class(re.compile(r"\bcj-empty\b"))

    # The network returns: the outbox empties and the console fills in by itself.
    tablet.context.set_offline(False)
    flows.expect_connected(tablet)
    pending(tablet, 0)
    mark_state(tablet, "saved")
    expect(console_cell(console, ws1, j, column)).to_have_text("3")
    expect(console_cell(console, ws2, j, column)).to_have_text("3")
    expect(console_cell(console, ws2, j, column)).to_have_class(re.compile(r"\bcj-draft\b"))
    expect(console_cell(console, ws2, m, "m")).to_have_text("30")
    expect(console_cell(console, ws1, m, "m")).to_have_text("15")
    # The server's own refresh of the grid follows the pushes: both measurements count,
    # both judgement panels still wait for judges 1 and 3 (or a substitute).
    expect(console_cell(console, ws2, m, "m")).to_have_class(re.compile(r"\bcj-submitted\b"))
    expect(console.locator("#cj-progress .cj-percent")).to_have_text("50%")

    # Each mark stored exactly once, in the order it was entered.
    assert stored_versions(world, judge) == [
        (ws1, j, 1, 2.0), (ws1, m, 1, 15.0),  # online
        (ws1, b, 1, 40.0), (ws1, j, 2, 3.0), (ws2, j, 1, 3.0),  # offline
        (ws2, m, 1, 30.0),  # offline, after the reload
    ]
    # The console was loaded once and lived through it all.
    assert console.evaluate(LOADED_MARKER) is True
    assert times_served(live_server, console_path) == 1
    screenshot(tablet, "tablet-with-console-tablet")
    screenshot(console, "tablet-with-console-console")
