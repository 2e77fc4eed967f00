"""What an organiser, a judge on a tablet and a chief judge do in the browser, step by step,
shared by the browser tests.

Fields are found by their name attribute, not their visible label: the UI is translated
last, and the tests must not break when the labels change language.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Locator, Page, expect


def unique(prefix: str) -> str:
    """A name no other test uses: the server (and its database) is shared."""
    return f"{prefix}{uuid.uuid4().hex[:6].upper()}"


def submit(page: Page, form_selector: str = "main form[method=post]") -> None:
    """Submit a form with its primary button and wait for the next page to load."""
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit].btn-primary").click()


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the login form; where the user lands depends on the role."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    submit(page)


def log_in(page: Page, username: str, password: str) -> None:
    sign_in(page, username, password)
    # An organiser lands on the competitions list.
    expect(page).to_have_url(re.compile(r"/organiser/?$"))


def create_competition(page: Page, name: str) -> int:
    page.goto("/organiser/competitions/new")
    page.fill("input[name=name]", name)
    page.fill("input[name=year]", "2025")
    page.fill("input[name=host]", "上海市人力资源和社会保障局")
    submit(page)
    expect(page).to_have_url(re.compile(r"/organiser/competitions/\d+$"))
    expect(page.locator("h1")).to_contain_text(name)
    return _id_in(page.url, "competitions")


def fill_project_form(page: Page, competition_id: int, code: str, name: str) -> None:
    page.goto(f"/organiser/competitions/{competition_id}/projects/new")
    page.fill("input[name=code]", code)
    page.fill("input[name=name]", name)
    page.fill("input[name=occupation_name]", "机床装调维修工")
    page.fill("input[name=occupation_code]", "6-20-01-01")
    page.check("input[name=divisions][value=employee]")


def create_project(page: Page, competition_id: int, code: str, name: str) -> int:
    fill_project_form(page, competition_id, code, name)
    submit(page)
    expect(page).to_have_url(re.compile(r"/organiser/projects/\d+$"))
    expect(page.locator("h1")).to_contain_text(name)
    return _id_in(page.url, "projects")


def _id_in(url: str, collection: str) -> int:
    match = re.search(rf"/{collection}/(\d+)", url)
    assert match, url
    return int(match.group(1))


# ---------------------------------------------------------------- the judge's tablet
# The tablet is drawn by static/js/judge/view.js; its data-* hooks hold whatever the language.


def sign_in_judge(page: Page, username: str, password: str) -> None:
    """Sign in with a password and wait for the tablet's socket to connect."""
    sign_in(page, username, password)
    expect(page).to_have_url(re.compile(r"/judge/$"))
    expect_connected(page)


def expect_connected(page: Page) -> None:
    expect(page.locator("[data-conn]")).to_have_attribute("data-conn", "connected")


def expect_offline(page: Page) -> None:
    expect(page.locator("[data-conn]")).to_have_attribute("data-conn", "offline")


def pending(page: Page, count: int) -> None:
    """The tablet's outbox holds `count` marks not yet acknowledged by the server."""
    expect(page.locator("[data-pending]")).to_have_attribute("data-pending", str(count))


def tap(page: Page, aspect_id: object, value: object) -> None:
    page.locator(f"[data-aspect='{aspect_id}'] [data-value='{value}']").click()


def mark_state(page: Page, state: str) -> None:
    """The open aspect's mark is `state`: saved, pending, …"""
    expect(page.locator(f"[data-aspect] [data-mark-state='{state}']")).to_be_visible()


def open_aspect(page: Page, module_id: object, aspect_id: object) -> None:
    page.locator(f"[data-module='{module_id}']").click()
    page.locator(f"[data-aspect-chip='{aspect_id}']").click()
    expect(page.locator(f"[data-aspect='{aspect_id}']")).to_be_visible()


# ---------------------------------------------------------------- the chief judge's console


def open_console(page: Page, url: str) -> None:
    """Open a console page (templates/chief/) and wait for its /staff socket."""
    page.goto(url)
    expect(page.locator("#cj-connection")).to_have_class(re.compile(r"\bis-live\b"))


def console_cell(page: Page, competitor: object, aspect_id: object, judge: object) -> Locator:
    """A cell of the console's grid: a judge's score of a J aspect (judge = the judge's
    row id), or the measured value of an M aspect (judge = "m")."""
    return page.locator(f'[data-k="{competitor}-{aspect_id}-{judge}"]')
