"""Freeze, then the ceremony, driven from the organiser's console while a spectator watches.

Two browser contexts on one live server: the organiser on the results console
(/organiser/competitions/<id>/results) and a spectator on the public board
(/c/<competition>/p/<project>?division=<division>). The organiser freezes the boards and
reveals them step by step, from the bottom rank up and then award by award; after each
click the spectator's board shows exactly the places revealed so far, without a reload
(the /live namespace pushes each step).

Elements are found by their data-* hooks, never by UI text (the pages are Chinese).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests import live_server as live
from tests.browser import flows
from tests.browser.conftest import NAVIGATION_TIMEOUT, LiveServer

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 412, "height": 915}
# tests/services/test_ceremony.py FIELD: eight competitors, best first, every module signed off.
BEST_FIRST = ["张伟", "李娜", "王芳", "刘洋", "陈静", "杨帆", "赵磊", "黄敏"]

# Runs in its own process against the live server's database (as conftest's seed_judging).
_SEED = """
import json, sys
from app import create_app
from app.extensions import db
from tests.services.test_ceremony import scored_board, sign_off

prefix, tie = sys.argv[1], sys.argv[2] == "1"
app = create_app()
with app.app_context():
    c = scored_board(tie=tie)
    sign_off(c)
    c.competition.name = f"{c.competition.name} {prefix}"
    for user in [*c.setup.users, c.setup.chief]:
        user.username = f"{prefix}-{user.username}"  # usernames are unique server-wide
    db.session.commit()
    print(json.dumps({"competition": c.competition.id, "project": c.project.id,
                      "division": c.division.id}))
"""


@pytest.fixture
def contexts(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """open(viewport) -> a page in a browser context of its own. Uncaught script errors
    in any of them fail the test."""
    opened: list[BrowserContext] = []
    errors: list[str] = []

    def open_page(viewport: dict[str, int]) -> Page:
        context = browser.new_context(viewport=viewport, locale="zh-CN",  # type: ignore[arg-type]
                                      base_url=live_server.url)
        context.set_default_timeout(NAVIGATION_TIMEOUT)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT)
        opened.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # data-confirm: the organiser agrees
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        return page

    yield open_page
    for context in opened:
        context.close()
    assert not errors, f"uncaught errors in the pages' scripts: {errors}"


def seed(live_server: LiveServer, tie: bool = False) -> dict[str, int]:
    """The board of tests/services/test_ceremony.py, signed off; with `tie`, 黄敏 and 赵磊
    tie on every step of the chain."""
    try:
        output = live_server.process.run("-c", _SEED, flows.unique("cer"), str(int(tie)))
    except live.LiveServerError as error:
        pytest.fail(f"seeding failed:\n{error}", pytrace=False)
    ids: dict[str, int] = json.loads(output.strip().splitlines()[-1])
    return ids


def board_card(console: Page, ids: dict[str, int]) -> Locator:
    return console.locator(f"[data-board='{ids['project']}-{ids['division']}']")


def click(console: Page, card: Locator, action: str) -> None:
    """Press a console button and wait for the page it leads back to."""
    with console.expect_navigation():
        card.locator(f"[data-action='{action}']").click()


def public_names(spectator: Page) -> Locator:
    return spectator.locator("#lv-board tr.lv-row .lv-person")


def expect_public(spectator: Page, phase: str, names: list[str]) -> None:
    """The spectator's board is in `phase` and shows exactly `names`, best first."""
    expect(spectator.locator("#lv-board [data-phase]")).to_have_attribute("data-phase", phase)
    expect(public_names(spectator)).to_have_text(names)


def test_freeze_then_reveal_step_by_step_reaches_the_spectator(
        contexts: Callable[..., Page], live_server: LiveServer,
        screenshot: Callable[[Page, str], Path]) -> None:
    ids = seed(live_server)
    console = contexts(LAPTOP)
    flows.log_in(console, live_server.username, live_server.password)
    console.goto(f"/organiser/competitions/{ids['competition']}/results")
    expect(console.locator("[data-phase]").first).to_have_attribute("data-phase", "live")

    spectator = contexts(PHONE)
    spectator.goto(f"/c/{ids['competition']}/p/{ids['project']}?division={ids['division']}")
    expect_public(spectator, "live", BEST_FIRST)
    expect(spectator.locator("#lv-conn")).to_have_class(re.compile(r"\bis-live\b"))

    # Freeze: the public board stays as it is, now marked frozen.
    with console.expect_navigation():
        console.locator("[data-action='freeze-now']").click()
    expect(console.locator("[data-freeze-state] strong")).to_be_visible()
    expect_public(spectator, "frozen", BEST_FIRST)

    # The ceremony, from the bottom rank up: nothing shown, then one place per step.
    card = board_card(console, ids)
    click(console, card, "start-rank")
    card = board_card(console, ids)
    expect(card.locator("[data-next-reveal] strong")).to_have_text("黄敏")
    expect_public(spectator, "ceremony", [])
    screenshot(console, "ceremony-console-start")
    for step in range(1, 4):
        click(console, card, "next")
        card = board_card(console, ids)
        expect(card.locator("[data-step]")).to_contain_text(f"{step}")
        expect_public(spectator, "ceremony", BEST_FIRST[8 - step:])
    expect(card.locator("[data-public-sees] li")).to_have_count(3)
    screenshot(console, "ceremony-console-step3")
    screenshot(spectator, "ceremony-public-rank-step3")

    # A mis-click is taken back: the last place revealed disappears again.
    click(console, card, "previous")
    card = board_card(console, ids)
    expect_public(spectator, "ceremony", BEST_FIRST[6:])

    # End it and reveal award by award instead: 优胜奖 first, then bronze.
    click(console, card, "end")
    card = board_card(console, ids)
    expect_public(spectator, "frozen", BEST_FIRST)
    click(console, card, "start-award")
    card = board_card(console, ids)
    expect_public(spectator, "ceremony", [])
    click(console, card, "next")
    card = board_card(console, ids)
    expect_public(spectator, "ceremony", ["刘洋"])
    click(console, card, "next")
    card = board_card(console, ids)
    expect_public(spectator, "ceremony", ["王芳", "刘洋"])
    expect(spectator.locator("#lv-board tr.lv-row-bronze .lv-person")).to_have_text("王芳")
    screenshot(spectator, "ceremony-public-award-step2")
    for _ in range(2):
        click(console, card, "next")
        card = board_card(console, ids)
    expect_public(spectator, "ceremony", BEST_FIRST[:4])
    expect(card.locator("[data-action='next']")).to_be_disabled()

    # Every step shown: publish. The spectator sees the whole final board.
    with console.expect_navigation():
        console.locator("[data-action='publish']").click()
    expect(console.locator(".sp-page-head [data-phase]")).to_have_attribute(
        "data-phase", "published")
    expect_public(spectator, "published", BEST_FIRST)
    screenshot(console, "ceremony-console-published")


def test_the_chief_judges_decision_on_a_tie_unblocks_the_ceremony(
        contexts: Callable[..., Page], live_server: LiveServer,
        screenshot: Callable[[Page, str], Path]) -> None:
    ids = seed(live_server, tie=True)
    console = contexts(LAPTOP)
    flows.log_in(console, live_server.username, live_server.password)
    console.goto(f"/organiser/competitions/{ids['competition']}/results")
    card = board_card(console, ids)
    expect(card.locator("tr[data-undecided]")).to_have_count(2)
    expect(card.locator("[data-action='start-rank']")).to_be_disabled()
    expect(console.locator("[data-problem='undecided_tie']")).to_be_visible()

    # The same competitor in both places: refused, the error next to the field.
    form = card.locator("[data-tie-form]")
    selects = form.locator("select")
    expect(selects).to_have_count(2)
    selects.nth(1).select_option(index=0)
    form.locator("textarea").fill("裁判长复核：完成质量更高")
    with console.expect_navigation():
        form.locator("button[type=submit]").click()
    card = board_card(console, ids)
    form = card.locator("[data-tie-form]")
    expect(form.locator(".invalid-feedback")).to_be_visible()
    expect(card.locator("tr[data-undecided]")).to_have_count(2)
    screenshot(console, "ceremony-console-tie-error")

    # 黄敏 first, 赵磊 second: decided, and the ceremony may start.
    selects = form.locator("select")
    selects.nth(0).select_option(label="黄敏（黄浦区）")
    selects.nth(1).select_option(label="赵磊（徐汇区）")
    form.locator("textarea").fill("裁判长复核：黄敏完成质量更高")
    with console.expect_navigation():
        form.locator("button[type=submit]").click()
    card = board_card(console, ids)
    expect(card.locator("tr[data-undecided]")).to_have_count(0)
    expect(card.locator("tbody tr").nth(6)).to_contain_text("黄敏")
    expect(card.locator("[data-action='start-rank']")).to_be_enabled()
    screenshot(console, "ceremony-console-tie-decided")
