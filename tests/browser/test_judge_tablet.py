"""The judge's tablet in Chromium at tablet sizes: score, lose the network, reload without
it, get it back, and find every mark stored exactly once; sign in with a tablet code;
see the server's refusals beside the aspect.

Elements are found by their data-* hooks, never by English text (the UI is translated
last). The database is read directly at the end: the tablet saying "saved" is not proof.
"""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import NAVIGATION_TIMEOUT, JudgingWorld, LiveServer
from tests.browser.flows import (
    expect_connected,
    mark_state,
    open_aspect,
    pending,
    sign_in_judge,
    tap,
    unique,
)

pytestmark = pytest.mark.browser

PORTRAIT = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1280, "height": 800}
PASSWORD = "judge password"


@pytest.fixture
def tablet(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(viewport=PORTRAIT, locale="zh-CN", base_url=live_server.url,
                                  has_touch=True)
    context.set_default_timeout(NAVIGATION_TIMEOUT)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the tablet's scripts: {errors}"


def sign_in(page: Page, username: str) -> None:
    sign_in_judge(page, username, PASSWORD)


def stored(world: JudgingWorld, judge: int) -> tuple[int, dict[tuple[int, int], tuple[float, int]]]:
    """(how many versions this judge's user stored, {(competitor, aspect): (value, version)})."""
    user_id = world["user_ids"][judge]  # type: ignore[index]
    with sqlite3.connect(world.database) as db:
        versions = db.execute("SELECT count(*) FROM mark_version WHERE user_id = ?",
                              (user_id,)).fetchone()[0]
        rows = db.execute("SELECT m.competitor_id, m.aspect_id, m.value, m.version FROM mark m "
                          "JOIN judge j ON j.id = m.judge_id WHERE j.user_id = ?", (user_id,))
        marks = {(c, a): (v, n) for c, a, v, n in rows}
    return versions, marks


def post_mark(live_server: LiveServer, token: str, body: dict[str, object]) -> dict[str, object]:
    """A mark from another device, through the REST API."""
    request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
        f"{live_server.url}/api/v1/marks", method="POST",
        data=json.dumps({"client_id": str(uuid.uuid4()), **body}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        return dict(json.loads(response.read()))


def test_marks_survive_offline_and_a_reload_and_are_stored_once(
        tablet: Page, seed_judging, live_server: LiveServer, screenshot) -> None:  # type: ignore[no-untyped-def]
    world = seed_judging(unique("jt"))
    ws1, ws2 = world["competitors"]  # type: ignore[misc]
    j, m, b = world["j_aspect"], world["m_aspect"], world["b_aspect"]
    sign_in(tablet, world["usernames"][0])  # type: ignore[index]

    # Judge 1 shares competitor 2's delegation: greyed out, 回避, cannot be opened.
    conflicted = tablet.locator(f"[data-competitor='{ws2}']")
    expect(conflicted).to_be_disabled()
    expect(conflicted.locator("[data-recused]")).to_contain_text("回避")
    screenshot(tablet, "judge-tablet-portrait-competitors")

    tablet.locator(f"[data-competitor='{ws1}']").click()
    expect(tablet.locator(f"[data-aspect='{j}'] [data-value]")).to_have_count(4)
    tap(tablet, j, 2)
    mark_state(tablet, "saved")
    tablet.locator("[data-next]").click()
    tap(tablet, m, 15)
    mark_state(tablet, "saved")
    pending(tablet, 0)
    screenshot(tablet, "judge-tablet-portrait-online")

    # The network goes: marks wait on the tablet.
    tablet.context.set_offline(True)
    expect(tablet.locator("[data-conn]")).to_have_attribute("data-conn", "offline")
    open_aspect(tablet, world["module_b"], b)
    tap(tablet, b, 40)
    pending(tablet, 1)
    mark_state(tablet, "pending")
    open_aspect(tablet, world["module_a"], j)
    tap(tablet, j, 3)  # a second version of a saved mark, entered offline
    pending(tablet, 2)
    tap(tablet, j, 1)  # changed again before it was sent: still one mark waiting
    tap(tablet, j, 3)
    pending(tablet, 2)
    screenshot(tablet, "judge-tablet-portrait-offline-pending")

    # Reloaded without network: the page comes from the tablet's copy (the server never
    # hears of it), the assignments from the cache, and the outbox is kept.
    served = live_server.log.read_text().count('"GET /judge/ ')
    tablet.reload()
    expect(tablet.locator(f"[data-competitor='{ws1}']")).to_be_visible()
    expect(tablet.locator("[data-conn]")).to_have_attribute("data-conn", "offline")
    pending(tablet, 2)
    expect(tablet.locator("[data-notice='info']")).to_be_visible()  # "offline copy from…"
    assert live_server.log.read_text().count('"GET /judge/ ') == served
    screenshot(tablet, "judge-tablet-portrait-offline-reloaded")
    open_aspect(tablet, world["module_a"], m)
    tap(tablet, m, 30)
    pending(tablet, 3)

    # The network returns: everything goes, in order, exactly once.
    tablet.context.set_offline(False)
    expect_connected(tablet)
    pending(tablet, 0)
    mark_state(tablet, "saved")
    versions, marks = stored(world, 0)
    assert versions == 5
    assert marks == {(ws1, j): (3.0, 2), (ws1, m): (30.0, 2), (ws1, b): (40.0, 1)}

    # A J aspect with its descriptors, and the conflicted competitor, in both orientations.
    open_aspect(tablet, world["module_a"], j)
    expect(tablet.locator(f"[data-aspect='{j}'] [data-value='3']")).to_have_attribute(
        "aria-pressed", "true")
    screenshot(tablet, "judge-tablet-portrait-judgement")
    tablet.set_viewport_size(LANDSCAPE)
    screenshot(tablet, "judge-tablet-landscape-judgement")
    expect(conflicted).to_be_disabled()
    tablet.context.set_offline(True)
    open_aspect(tablet, world["module_b"], b)
    tap(tablet, b, 0)
    pending(tablet, 1)
    screenshot(tablet, "judge-tablet-landscape-offline-pending")
    tablet.context.set_offline(False)
    pending(tablet, 0)
    assert stored(world, 0)[0] == 6


def test_a_shared_tablet_signs_in_with_a_code_and_sees_no_names_when_encrypted(
        tablet: Page, seed_judging, screenshot) -> None:  # type: ignore[no-untyped-def]
    world = seed_judging(unique("jc"), encrypted=True, measurement_allowed=True)
    ws1, ws2 = world["competitors"]  # type: ignore[misc]
    j, m = world["j_aspect"], world["m_aspect"]
    tablet.goto("/judge/")  # no password session: sent to sign in
    expect(tablet).to_have_url(re.compile(r"/login\?next="))
    tablet.goto("/judge/code")
    for digit in "000000":
        tablet.locator(f"[data-key='{digit}']").click()
    tablet.locator("[data-code-submit]").click()
    expect(tablet.locator("[data-code-error]")).to_be_visible()  # a wrong code: said so
    tablet.fill("[data-code-input]", "")
    for digit in str(world["tablet_code"]):
        tablet.locator(f"[data-key='{digit}']").click()
    screenshot(tablet, "judge-code-portrait")
    tablet.locator("[data-code-submit]").click()
    expect(tablet).to_have_url(re.compile(r"/judge/\?mode=tablet$"))
    expect_connected(tablet)
    assert tablet.evaluate("localStorage.getItem('saiping.judge.tablet')").count('"sp_') == 1

    tablet.locator(f"[data-competitor='{ws1}']").click()
    expect(tablet.locator("[data-competitor-title]")).to_be_visible()
    tap(tablet, j, 1)
    mark_state(tablet, "saved")
    # Judge 1 and competitor 2 share a delegation; this project lets them enter M only.
    tablet.locator(f"[data-competitor='{ws2}']").click()
    expect(tablet.locator(f"[data-competitor='{ws2}'] [data-recused]")).to_contain_text("回避")
    open_aspect(tablet, world["module_a"], j)
    expect(tablet.locator(f"[data-aspect-chip='{j}']")).to_have_attribute("data-state", "blocked")
    expect(tablet.locator(f"[data-aspect='{j}'] [data-value='0']")).to_be_disabled()
    tablet.set_viewport_size(LANDSCAPE)
    screenshot(tablet, "judge-tablet-landscape-conflict")
    open_aspect(tablet, world["module_a"], m)
    tap(tablet, m, 15)
    mark_state(tablet, "saved")
    body = tablet.locator("body").inner_text()
    assert "张伟" not in body and "李娜" not in body  # encrypted: workstation numbers only
    screenshot(tablet, "judge-tablet-landscape-encrypted")
    versions, marks = stored(world, 0)
    assert versions == 2 and marks == {(ws1, j): (1.0, 1), (ws2, m): (15.0, 1)}


def test_refusals_show_beside_the_aspect_and_leave_the_outbox(
        tablet: Page, browser: Browser, seed_judging, live_server: LiveServer,
        screenshot) -> None:  # type: ignore[no-untyped-def]
    world = seed_judging(unique("jr"))
    ws1, _ws2 = world["competitors"]  # type: ignore[misc]
    j, m, b = world["j_aspect"], world["m_aspect"], world["b_aspect"]
    tokens = world["api_tokens"]
    sign_in(tablet, world["usernames"][2])  # type: ignore[index]
    tablet.locator(f"[data-competitor='{ws1}']").click()

    # The other two judges are far apart from this one: re-discuss and re-score.
    post_mark(live_server, tokens[0], {"competitor_id": ws1, "aspect_id": j, "score": 3})  # type: ignore[index]
    post_mark(live_server, tokens[1], {"competitor_id": ws1, "aspect_id": j, "score": 0})  # type: ignore[index]
    tap(tablet, j, 1)
    mark_state(tablet, "saved")
    expect(tablet.locator(f"[data-aspect='{j}'] [data-rediscuss]")).to_contain_text("0 / 1 / 3")
    expect(tablet.locator(f"[data-aspect-chip='{j}']")).to_have_attribute("data-state", "rediscuss")

    # The same judge changed this mark on another device: the tablet's edit is stale.
    post_mark(live_server, tokens[2], {"competitor_id": ws1, "aspect_id": m, "value": 15})  # type: ignore[index]
    open_aspect(tablet, world["module_a"], m)
    tap(tablet, m, 30)
    expect(tablet.locator("[data-aspect-error='stale_version']")).to_be_visible()
    pending(tablet, 0)
    # …and it shows what the server has now, so the judge can decide again.
    expect(tablet.locator(f"[data-aspect='{m}'] [data-value='15']")).to_have_attribute(
        "aria-pressed", "true")
    screenshot(tablet, "judge-tablet-portrait-refusals")
    tap(tablet, m, 30)
    mark_state(tablet, "saved")
    expect(tablet.locator("[data-aspect-error]")).to_have_count(0)

    # Module B was locked meanwhile (no push: straight in the database).
    with sqlite3.connect(world.database) as db:
        db.execute("UPDATE module SET locked_at = ? WHERE id = ?",
                   (datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"), world["module_b"]))
    open_aspect(tablet, world["module_b"], b)
    tap(tablet, b, 40)
    expect(tablet.locator("[data-aspect-error='locked']")).to_be_visible()
    pending(tablet, 0)
    expect(tablet.locator(f"[data-aspect='{b}'] [data-locked]")).to_be_visible()
    expect(tablet.locator(f"[data-aspect='{b}'] [data-value='40']")).to_be_disabled()

    versions, marks = stored(world, 2)
    assert versions == 3  # the API's 15, the tablet's 1 and 30; nothing refused was kept
    assert marks == {(ws1, j): (1.0, 1), (ws1, m): (30.0, 2)}

    # The chief judge unlocks module B and, once judge 2 has measured it, locks it again:
    # each time the tablet hears it at once (a push, no reload).
    chief = browser.new_context(base_url=live_server.url)
    try:
        console = chief.new_page()
        console.goto("/login")
        console.fill("input[name=username]", str(world["chief"]))
        console.fill("input[name=password]", "chief password")
        with console.expect_navigation():
            console.locator("main form[method=post] button[type=submit]").click()
        console.goto("/chief/")
        csrf = console.locator("meta[name=csrf-token]").get_attribute("content")
        module_b = f"/chief/projects/{world['project_id']}/modules/{world['module_b']}"
        unlocked = console.request.post(f"{module_b}/unlock",
                                        form={"csrf_token": str(csrf), "reason": "复核后解锁"})
        assert unlocked.ok
        expect(tablet.locator(f"[data-aspect='{b}'] [data-value='40']")).to_be_enabled()
        for competitor in world["competitors"]:  # type: ignore[attr-defined]
            post_mark(live_server, tokens[1], {"competitor_id": competitor, "aspect_id": b,  # type: ignore[index]
                                               "value": 40})
        assert console.request.post(f"{module_b}/lock", form={"csrf_token": str(csrf)}).ok
        expect(tablet.locator(f"[data-aspect='{b}'] [data-locked]")).to_be_visible()
        expect(tablet.locator(f"[data-aspect='{b}'] [data-value='40']")).to_be_disabled()
    finally:
        chief.close()


# The outbox on its own, in Chromium, against a model of the server's rules: the parts a
# flaky network exercises but a test cannot time (an answer lost, a mark changed while
# its first value is still on the way).
OUTBOX_SCENARIOS = """
async () => {
  const { Outbox } = await import("/static/js/judge/outbox.js");
  const saved = new Map();  // what the tablet's IndexedDB would hold
  const store = {
    all: async () => [...saved.values()].map((e) => ({ ...e })),
    put: async (e) => { saved.set(e.client_id, { ...e }); },
    delete: async (id) => { saved.delete(id); },
  };
  const server = { versions: new Map(), seen: new Map(), log: [] };
  const answer = (p) => {  // the server's rules: idempotent client_id, expected_version
    if (server.seen.has(p.client_id)) return server.seen.get(p.client_id);
    const key = `${p.competitor_id}:${p.aspect_id}`;
    const current = server.versions.get(key) || 0;
    if (p.expected_version !== current) {
      return { ok: false, error: { code: "stale_version", message: "stale" } };
    }
    server.versions.set(key, current + 1);
    const ack = { ok: true, version: current + 1, status: "submitted" };
    server.seen.set(p.client_id, ack);
    return ack;
  };
  const results = { saved: [], refused: [], storedBeforeSend: true };
  const box = new Outbox(store, {
    onChange() {}, onStopped() {}, onStoreFailed() {},
    onSaved: (e, ack) => results.saved.push([e.aspect_id, e.value, ack.version]),
    onRefused: (e, error) => results.refused.push([e.aspect_id, e.value, error.code]),
  });
  box.setUser(1);
  const settle = () => new Promise((r) => setTimeout(r, 50));
  const mark = (aspectId, value, knownVersion = 0) =>
    box.add({ competitorId: 9, aspectId, kind: "M", value, knownVersion });

  // 1. Offline: a value changed before it is sent replaces it; order is kept.
  await mark(1, 10); await mark(2, 20); await mark(1, 11);
  results.queuedOffline = box.count();
  results.storedOffline = saved.size;

  // 2. Online, but the first answer is lost: kept, sent again, stored once.
  let loseNext = true;
  box.setTransport(async (p) => {
    server.log.push([p.aspect_id, p.value, p.expected_version]);
    if (!saved.has(p.client_id) || !saved.get(p.client_id).sent) results.storedBeforeSend = false;
    const ack = answer(p);
    if (loseNext) { loseNext = false; throw new Error("operation has timed out"); }
    return ack;
  });
  await settle();
  results.afterLoss = box.count();
  box.setTransport(async (p) => {  // reconnected: resent at once
    server.log.push([p.aspect_id, p.value, p.expected_version]);
    return answer(p);
  });
  await settle();

  // 3. A second value while the first is on its way: it waits, then replaces version 2.
  let release;
  const held = new Promise((r) => { release = r; });
  box.setTransport(async (p) => {
    server.log.push([p.aspect_id, p.value, p.expected_version]);
    const ack = answer(p);
    if (p.value === 12) await held;
    return ack;
  });
  await mark(1, 12, 1);
  await settle();
  await mark(1, 13, 1);  // entered while 12 is unanswered
  results.whileHeld = box.count();
  release();
  await settle();

  // 4. Someone else changed aspect 2 meanwhile: refused as stale, dropped, not retried.
  server.versions.set("9:2", 5);
  await mark(2, 21, 1);
  await settle();

  results.server = server.log;
  results.left = box.count();
  results.storedAtEnd = saved.size;
  results.versions = Object.fromEntries(server.versions);
  return results;
}
"""


def test_the_outbox_resends_lost_answers_and_chains_versions(tablet: Page) -> None:
    tablet.goto("/judge/code")  # any page of the app: the module is imported from it
    r = tablet.evaluate(OUTBOX_SCENARIOS)
    assert r["queuedOffline"] == 2 and r["storedOffline"] == 2
    assert r["storedBeforeSend"] is True
    assert r["whileHeld"] == 2
    assert r["server"] == [
        [1, 11, 0],  # the answer was lost…
        [1, 11, 0],  # …so it is sent again, and the server replays its ack
        [2, 20, 0],
        [1, 12, 1],
        [1, 13, 2],  # expected_version taken from the answer to 12
        [2, 21, 1],  # stale: version 5 on the server
    ]
    assert r["saved"] == [[1, 11, 1], [2, 20, 1], [1, 12, 2], [1, 13, 3]]
    assert r["refused"] == [[2, 21, "stale_version"]]
    assert r["left"] == 0 and r["storedAtEnd"] == 0
    assert r["versions"] == {"9:1": 3, "9:2": 5}
