"""Browser tests: the real app served in a subprocess, driven by Debian's chromium.

The server is started once per session the way an operator starts it (`flask db upgrade`,
`flask create-user`, `flask serve`) on a fresh SQLite file, so these tests also prove the
migrations, the CLI and the Socket.IO server work together. Every test gets its own
browser context (cookies, storage) and makes its own uniquely named data, so tests do
not depend on each other even though the server is shared.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import live_server as live

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run",
]
ORGANISER = "organiser"
ORGANISER_PASSWORD = "browser-test-password"
NAVIGATION_TIMEOUT = 15_000  # ms; a page of this app renders in well under a second


@dataclass(frozen=True)
class LiveServer:
    url: str
    username: str
    password: str
    log: Path  # the server's stdout and stderr, shown when a test fails
    process: live.LiveServer  # runs commands (seeding) with the server's database and key


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the session, started as an operator starts it (tests/live_server.py),
    with an organiser account made through the CLI."""
    process = live.LiveServer(tmp_path_factory.mktemp("live-server"))
    try:
        process.flask("db", "upgrade")
        process.flask("create-user", ORGANISER, "--role", "organiser",
                      "--password", ORGANISER_PASSWORD, "--name", "赛事组织者")
        process.start()
    except live.LiveServerError as error:
        process.stop()
        pytest.fail(str(error), pytrace=False)
    try:
        yield LiveServer(process.url, ORGANISER, ORGANISER_PASSWORD, process.log_path, process)
    finally:
        process.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """On a failure, add the end of the server's log: a 500 in the page has its traceback there."""
    report = yield
    server = getattr(item, "funcargs", {}).get("live_server")
    if report.failed and isinstance(server, LiveServer) and server.log.exists():
        tail = server.log.read_text(errors="replace").splitlines()[-80:]
        report.sections.append(("live server log (last 80 lines)", "\n".join(tail)))
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import expect, sync_playwright

    # expect() polls until it holds; 5 s by default is short when the whole suite
    # shares two cores with the server and chromium.
    expect.set_options(timeout=NAVIGATION_TIMEOUT)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server: LiveServer) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                  base_url=live_server.url)
    context.set_default_timeout(NAVIGATION_TIMEOUT)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT)
    page = context.new_page()
    # Deletes and status changes ask through window.confirm; the tests always agree.
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """test-artifacts/screenshots (git-ignored). Each run overwrites the images by name;
    nothing is deleted, since another run of the suite may be writing there too."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def screenshot(screenshot_dir: Path):  # type: ignore[no-untyped-def]
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png."""

    def take(page, name: str) -> Path:  # type: ignore[no-untyped-def]
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# ---------------------------------------------------------------- judging data

# Runs in its own process against the live server's database, through the app factory and
# tests/builders.py judging_setup(). Every call makes a competition of its own; usernames
# are unique across the database, so they get the caller's prefix.
_SEED_JUDGING = """
import json, sys
from app import create_app
from app.extensions import db
from app.services import accounts, tablet_codes
from tests import builders

prefix, encrypted, measurement_allowed = sys.argv[1], sys.argv[2] == "1", sys.argv[3] == "1"
app = create_app()
with app.app_context():
    s = builders.judging_setup()
    s.competition.name = f"{s.competition.name} {prefix}"
    s.project.encrypted = encrypted
    s.project.block_conflicted_measurement = not measurement_allowed
    for user in [*s.users, s.chief]:
        user.username = f"{prefix}-{user.username}"
    db.session.commit()
    code = tablet_codes.issue_code(s.chief, s.judges[0], s.project).code
    print(json.dumps({
        "usernames": [u.username for u in s.users], "chief": s.chief.username,
        "user_ids": [u.id for u in s.users], "project_id": s.project.id,
        "competitors": [c.id for c in s.competitors],
        "j_aspect": s.j_aspect.id, "m_aspect": s.m_aspect.id, "b_aspect": s.b_aspect.id,
        "module_a": s.j_aspect.module_id, "module_b": s.b_aspect.module_id,
        "api_tokens": [accounts.issue_token(u, "browser test") for u in s.users],
        "tablet_code": code,
    }))
"""


@dataclass(frozen=True)
class JudgingWorld:
    """A project ready for marking (see tests/builders.py JudgingSetup): judges 1–3 with
    the password "judge password" (judge 1 is in competitor 2's delegation: 回避), API
    tokens for them, and a live one-time tablet code for judge 1."""

    data: dict[str, object]
    database: Path

    def __getitem__(self, key: str) -> object:
        return self.data[key]


@pytest.fixture
def seed_judging(live_server: LiveServer):  # type: ignore[no-untyped-def]
    """seed_judging(prefix, encrypted=False, measurement_allowed=False) -> JudgingWorld on
    the live server; measurement_allowed lets conflicted judges enter M marks."""
    process = live_server.process

    def seed(prefix: str, encrypted: bool = False,
             measurement_allowed: bool = False) -> JudgingWorld:
        try:
            output = process.run("-c", _SEED_JUDGING, prefix, str(int(encrypted)),
                                 str(int(measurement_allowed)))
        except live.LiveServerError as error:
            pytest.fail(f"seeding failed:\n{error}", pytrace=False)
        return JudgingWorld(json.loads(output.strip().splitlines()[-1]), process.db_path)

    return seed
