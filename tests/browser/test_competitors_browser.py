"""An organiser in Chromium adds competitors through the forms, sees their ID numbers
masked in the list, and finds them with the search box."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.domain.identity import check_character, mask_last4
from tests.browser.conftest import LiveServer
from tests.browser.flows import create_competition, create_project, log_in, submit, unique

pytestmark = pytest.mark.browser


def id_number(serial: int) -> str:
    """A well-formed ID number (Huangpu, born 1992-05-18) with a valid check character."""
    first17 = f"31010119920518{serial:03d}"
    return first17 + check_character(first17)


def add_delegation(page: Page, competition_id: int, name: str) -> None:
    page.goto(f"/organiser/competitions/{competition_id}/delegations/new")
    page.fill("input[name=name]", name)
    page.select_option("select[name=kind]", "district")
    submit(page)
    expect(page).to_have_url(re.compile(rf"/competitions/{competition_id}/delegations$"))
    expect(page.locator("main table")).to_contain_text(name)


def add_competitor(page: Page, competition_id: int, name: str, number: str, employer: str,
                   workstation: str) -> None:
    page.goto(f"/organiser/competitions/{competition_id}/competitors/new")
    page.fill("input[name=name]", name)
    page.fill("input[name=id_number]", number)
    # The competition has one project, one division and one delegation: each select
    # offers exactly that one, already chosen.
    for select in ("project_id", "division_id", "delegation_id"):
        expect(page.locator(f"select[name={select}] option")).to_have_count(1)
    page.fill("input[name=employer]", employer)
    page.select_option("select[name=current_level]", "3")
    page.fill("input[name=workstation]", workstation)
    submit(page)
    expect(page).to_have_url(re.compile(rf"/competitions/{competition_id}/competitors$"))


def search(page: Page, text: str) -> None:
    box = page.locator("main form[role=search] input[name=q]")
    box.fill(text)
    with page.expect_navigation():
        box.press("Enter")


def test_competitor_list_masks_id_numbers_and_searches(page: Page, live_server: LiveServer,
                                                       screenshot) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server.username, live_server.password)
    competition_id = create_competition(page, unique("浦东新区职业技能竞赛"))
    create_project(page, competition_id, unique("P"), "养老护理")
    add_delegation(page, competition_id, "浦东新区代表队")
    first, second = id_number(123), id_number(456)
    add_competitor(page, competition_id, "张伟", first, "上海电气集团", "01")
    add_competitor(page, competition_id, "李娜", second, "上海市第一人民医院", "02")

    table = page.locator("main table tbody")
    expect(table.locator("tr")).to_have_count(2)
    row = table.locator("tr", has_text="张伟")
    expect(row.locator("td.sp-masked")).to_have_text(mask_last4(first[-4:]))
    expect(row).to_contain_text("上海电气集团")
    # Only the last four characters ever reach the page.
    html = page.content()
    for number in (first, second):
        assert number not in html
        assert number[:14] not in html
    screenshot(page, "competitor-list")

    search(page, "李娜")
    expect(page).to_have_url(re.compile(r"[?&]q=%E6%9D%8E%E5%A8%9C"))
    expect(table.locator("tr")).to_have_count(1)
    expect(table).to_contain_text("李娜")
    expect(table.locator("td.sp-masked")).to_have_text(mask_last4(second[-4:]))
    expect(page.locator("main form[role=search] input[name=q]")).to_have_value("李娜")
    screenshot(page, "competitor-search-name")

    search(page, first[-4:])  # the last four, as read off an ID card
    expect(table.locator("tr")).to_have_count(1)
    expect(table).to_contain_text("张伟")

    search(page, "电气")  # part of the employer
    expect(table.locator("tr")).to_have_count(1)
    expect(table).to_contain_text("张伟")

    search(page, "王五")  # nobody: one row saying so, spanning the table
    expect(table.locator("tr")).to_have_count(1)
    expect(table.locator("td[colspan]")).to_be_visible()
    screenshot(page, "competitor-search-none")

    # The edit form never shows the stored number, only its mask as a hint.
    page.goto(f"/organiser/competitions/{competition_id}/competitors")
    with page.expect_navigation():
        table.locator("tr", has_text="张伟").locator("a[href*='/edit']").click()
    expect(page.locator("input[name=id_number]")).to_have_value("")
    expect(page.locator("input[name=id_number]")).to_have_attribute(
        "placeholder", mask_last4(first[-4:]))
    assert first not in page.content()
