"""What an organiser does in the browser, step by step, shared by the browser tests.

Fields are found by their name attribute, not their visible label: the UI is translated
last, and the tests must not break when the labels change language.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect


def unique(prefix: str) -> str:
    """A name no other test uses: the server (and its database) is shared."""
    return f"{prefix}{uuid.uuid4().hex[:6].upper()}"


def submit(page: Page, form_selector: str = "main form[method=post]") -> None:
    """Submit a form with its primary button and wait for the next page to load."""
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit].btn-primary").click()


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    submit(page)
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
