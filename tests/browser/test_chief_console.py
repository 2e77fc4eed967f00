"""The chief judge's console in Chromium against a real server: the grid fills in while
judges submit marks (through the REST API, with their bearer tokens), without a reload;
a substitute is named from the queue; the module is signed off, and a supervisor's
read-only console, open all along, shows it locked. Then a tablet code and a history.

Assertions use the data-* hooks and classes of the templates, never UI strings, so they
hold in Chinese (the page's language) and in English.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.browser.flows import unique
from tests.live_server import LiveServer, running

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1440, "height": 900}  # a chief judge's laptop


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running(tmp_path_factory.mktemp("chief-console")) as live:
        yield live


@pytest.fixture
def world(server: LiveServer) -> dict[str, Any]:
    return server.seed("tests.browser.seed_console", unique("CJ"))  # type: ignore[no-any-return]


class Judges:
    """Judges' tablets, as far as the server can tell: POST /api/v1/marks with a token."""

    def __init__(self, server: LiveServer, world: dict[str, Any]) -> None:
        self.url = server.url
        self.world = world
        self.http = requests.Session()
        self.http.trust_env = False  # the server is on the loopback interface: no proxy

    def mark(self, token: str, competitor: int, aspect: str, value: float,
             expect_status: tuple[int, ...] = (200, 201)) -> dict[str, Any]:
        kind = "score" if aspect in ("A1", "A2", "A4", "B2") else "value"
        response = self.http.post(f"{self.url}/api/v1/marks", timeout=10, json={
            "client_id": str(uuid.uuid4()), "competitor_id": competitor,
            "aspect_id": self.world["aspects"][aspect], kind: value,
            "device_id": "tablet-test"}, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code in expect_status, response.text
        return response.json()  # type: ignore[no-any-return]

    def panel(self, competitor: int, aspect: str, scores: list[float | None]) -> None:
        """Scores of judges 1, 2, 3 (None: that judge does not score)."""
        for token, value in zip(self.world["tokens"], scores, strict=True):
            if value is not None:
                self.mark(token, competitor, aspect, value)


def open_console(browser: Browser, server: LiveServer, username: str, password: str,
                 url: str) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", base_url=server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # sign-off asks for confirmation
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.goto(url)
    expect(page.locator("#cj-connection")).to_have_class(re.compile(r"\bis-live\b"))
    return page


def cell(page: Page, competitor: int, aspect_id: int, judge: int | str) -> Any:
    return page.locator(f'[data-k="{competitor}-{aspect_id}-{judge}"]')


def test_the_grid_fills_in_live_and_the_module_is_signed_off(
        browser: Browser, server: LiveServer, world: dict[str, Any], screenshot) -> None:  # type: ignore[no-untyped-def]
    judges = Judges(server, world)
    c = world["competitors"]
    a = world["aspects"]
    j1, j2, j3 = world["judges"]
    # Before the console opens: three competitors done, one out of tolerance, the two
    # from judge 1's delegation scored by judges 2 and 3 only (回避).
    for competitor, scores in [(c[0], [2, 2, 3]), (c[2], [3, 3, 3]), (c[3], [1, 2, 2])]:
        for aspect in ("A1", "A2", "A4"):
            judges.panel(competitor, aspect, scores)
        judges.mark(world["tokens"][1], competitor, "A3", 10)
        judges.mark(world["tokens"][1], competitor, "A5", 7.5)
    judges.panel(c[4], "A1", [0, 2, 3])
    judges.panel(c[1], "A1", [None, 2, 2])

    url = f"/chief/projects/{world['project_id']}/modules/{world['modules']['A']}"
    chief = open_console(browser, server, world["chief"], world["password"], url)
    supervisor = open_console(browser, server, world["supervisor"], world["password"], url)
    expect(supervisor.locator(".cj-readonly")).to_be_visible()
    expect(supervisor.locator("#cj-lock-form")).to_have_count(0)
    expect(cell(chief, c[4], a["A1"], j1)).to_have_class(re.compile(r"\bcj-rediscuss\b"))
    expect(chief.locator("#cj-queue .list-group-item")).to_have_count(1)
    chief.evaluate("window.__notReloaded = true")

    # Judges score competitor 07 while the chief watches.
    judges.mark(world["tokens"][0], c[6], "A1", 2)
    expect(cell(chief, c[6], a["A1"], j1)).to_have_text("2")
    expect(cell(chief, c[6], a["A1"], j1)).to_have_class(re.compile(r"\bcj-draft\b"))
    judges.mark(world["tokens"][1], c[6], "A1", 2)
    judges.mark(world["tokens"][2], c[6], "A1", 3)
    expect(cell(chief, c[6], a["A1"], j3)).to_have_text("3")
    expect(cell(chief, c[6], a["A1"], j3)).to_have_class(re.compile(r"\bcj-submitted\b"))
    judges.mark(world["tokens"][1], c[6], "A3", 5)
    expect(cell(chief, c[6], a["A3"], "m")).to_have_text("5")
    expect(cell(supervisor, c[6], a["A1"], j2)).to_have_text("2")  # read-only, live too
    # The server's refresh follows: the aspect mark (10 × 7/9) and the queue.
    row = chief.locator(f"#row-{c[6]}")
    expect(row.locator(f'[data-a="{c[6]}-{a["A1"]}"].cj-mark')).to_have_text("7.78")
    judges.panel(c[5], "A1", [None, 0, 3])  # incomplete yet: judge 1 may not score 06
    judges.panel(c[7], "A2", [0, 2, 3])
    expect(chief.locator("#cj-queue .list-group-item")).to_have_count(2)
    assert chief.evaluate("window.__notReloaded") is True
    screenshot(chief, "chief-console-live")

    # Judge 1 may not score 02 and 06: the chief names the spare judge for each.
    expect(chief.locator("#conflicts .list-group-item")).to_have_count(2)
    for competitor in (c[1], c[5]):
        form = chief.locator(
            f'#conflicts form:has(input[name=competitor_id][value="{competitor}"])')
        form.locator("select[name=judge_id]").select_option(str(world["spare"]))
        with chief.expect_navigation():
            form.locator("button[type=submit]").click()
    expect(chief.locator("#conflicts .list-group-item")).to_have_count(0)

    # The panels re-discuss and re-score; every aspect of module A gets done, with the
    # substitute scoring 02 and 06 in place of judge 1.
    t1, t2, t3 = world["tokens"]
    spare = world["spare_token"]
    judges.mark(t1, c[4], "A1", 2)  # 0 2 3 → 2 2 3
    judges.mark(t2, c[5], "A1", 2)  # 0 3 → 2 3
    for competitor in (c[1], c[5]):
        judges.mark(spare, competitor, "A1", 2)
    judges.panel(c[7], "A1", [3, 3, 2])
    for competitor in (c[1], c[4], c[5], c[6], c[7]):
        conflicted = competitor in (c[1], c[5])
        for aspect in ("A2", "A4"):
            judges.panel(competitor, aspect, [None, 2, 2] if conflicted else [3, 2, 2])
            if conflicted:
                judges.mark(spare, competitor, aspect, 2)
        if competitor != c[6]:
            judges.mark(t2, competitor, "A3", 10)
        judges.mark(t3, competitor, "A5", 15)
    expect(chief.locator("#cj-progress .cj-percent")).to_have_text("100%")
    expect(chief.locator("#cj-queue .list-group-item")).to_have_count(0)

    # Sign-off: the chief's page shows the module locked, and so does the supervisor's,
    # which was told over its socket.
    with chief.expect_navigation():
        chief.locator("#cj-lock-form button[type=submit]").click()
    expect(chief.locator('#cj-lock-state[data-locked="1"]')).to_be_visible()
    expect(chief.locator(".cj-grid-wrap.is-locked")).to_be_visible()
    expect(chief.locator("#cj-unlock-form")).to_be_attached()
    expect(supervisor.locator('#cj-lock-state[data-locked="1"]')).to_be_visible()
    expect(supervisor.locator(".cj-modules .nav-link.active .cj-lock-badge")).to_be_visible()
    refused = judges.mark(world["tokens"][1], c[0], "A2", 3, expect_status=(409,))
    assert refused["error"]["code"] == "locked"
    screenshot(chief, "chief-console-locked")
    screenshot(supervisor, "chief-console-supervisor")
    supervisor.context.close()
    chief.context.close()


def test_a_tablet_code_is_issued_and_the_history_exported(
        browser: Browser, server: LiveServer, world: dict[str, Any], screenshot) -> None:  # type: ignore[no-untyped-def]
    judges = Judges(server, world)
    first = world["competitors"][0]
    judges.mark(world["tokens"][1], first, "A1", 1)
    judges.mark(world["tokens"][1], first, "A1", 2)
    judges.mark(world["tokens"][1], first, "A3", 5)
    url = f"/chief/projects/{world['project_id']}/tablets"
    page = open_console(browser, server, world["chief"], world["password"],
                        f"/chief/projects/{world['project_id']}")
    page.goto("/chief/")
    expect(page.locator(f'a[href="/chief/projects/{world["project_id"]}"]')).to_be_visible()
    screenshot(page, "chief-projects")
    page.goto(url)
    screenshot(page, "chief-tablet-codes")
    form = page.locator(f'form:has(input[name=judge_id][value="{world["judges"][1]}"])')
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    code = re.sub(r"\D", "", page.locator("#tablet-code").inner_text())
    assert len(code) == 6
    expect(page.locator(".cj-qr svg")).to_be_visible()
    screenshot(page, "chief-tablet-code")
    redeemed = judges.http.post(f"{server.url}/api/v1/tablet/redeem", json={"code": code},
                                timeout=10)
    assert redeemed.status_code == 201 and redeemed.json()["project_id"] == world["project_id"]

    page.goto(f"/chief/projects/{world['project_id']}/competitors/{first}")
    expect(page.locator(".cj-history tbody tr")).to_have_count(3)
    screenshot(page, "chief-history")
    with page.expect_download() as download:
        page.locator(f'a[href$="/competitors/{first}/history.xlsx"]').click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.context.close()
