"""An organiser in Chromium: sign in, create a competition and a skill project, import a
marking scheme from a CIS spreadsheet, then a bad one, and see every bad row.

Assertions use what the organiser typed and the data-* hooks of the templates, never
the English source strings, so the tests keep passing once the UI is translated. Where
a message matters (the reason a row is bad), the expected text is asked of the app
itself, in Chinese, the language the page is shown in.
"""

from __future__ import annotations

import functools
import re

import pytest
from flask import Flask
from flask_babel import force_locale
from playwright.sync_api import Page, expect

from tests.browser import workbooks
from tests.browser.conftest import LiveServer
from tests.browser.flows import (
    create_competition,
    create_project,
    fill_project_form,
    log_in,
    submit,
    unique,
)

pytestmark = pytest.mark.browser


def test_login_page_is_chinese_and_rejects_a_wrong_password(page: Page, live_server: LiveServer,
                                                            screenshot) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("input[name=username]")).to_be_visible()
    screenshot(page, "login-page")

    page.fill("input[name=username]", live_server.username)
    page.fill("input[name=password]", "not-the-password")
    submit(page)
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator(".alert-danger")).to_be_visible()
    expect(page.locator("input[name=password]")).to_have_value("")

    log_in(page, live_server.username, live_server.password)
    expect(page.locator(".navbar")).to_contain_text("赛事组织者")  # the display name


def test_project_form_shows_the_error_next_to_the_field(page: Page, live_server: LiveServer,
                                                        screenshot) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server.username, live_server.password)
    competition_id = create_competition(page, unique("上海市职业技能大赛"))
    code = unique("G")
    create_project(page, competition_id, code, "数控车")

    # The same code again: refused, with the message next to the code field.
    fill_project_form(page, competition_id, code, "数控铣")
    submit(page)
    expect(page).to_have_url(re.compile(r"/projects/new$"))
    expect(page.locator("input[name=code]")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("[data-error-for=code]")).to_be_visible()
    expect(page.locator("input[name=name]")).to_have_value("数控铣")  # nothing typed is lost
    screenshot(page, "project-form-duplicate-code")


def test_organiser_imports_a_marking_scheme_and_sees_the_bad_rows(
        page: Page, live_server: LiveServer, screenshot) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server.username, live_server.password)
    competition_name = unique("上海市第二届职业技能大赛")
    competition_id = create_competition(page, competition_name)

    code = unique("S")
    fill_project_form(page, competition_id, code, "数控车")
    screenshot(page, "scheme-01-project-form")
    submit(page)
    expect(page).to_have_url(re.compile(r"/organiser/projects/\d+$"))
    project_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("h1")).to_contain_text("数控车")
    screenshot(page, "scheme-02-project-page")

    # From the project page to the (empty) scheme editor, then to the import.
    with page.expect_navigation():
        page.locator(f"main a[href$='/projects/{project_id}/scheme']").click()
    expect(page.locator("#running-total")).to_have_text(re.compile(r"^\s*0\s*/\s*100\s*$"))
    with page.expect_navigation():
        page.locator(f"main a[href$='/projects/{project_id}/import/scheme']").click()
    expect(page.locator("form[data-import-upload]")).to_be_visible()
    expect(page.locator("main")).to_contain_text("子标准编号")  # the expected headers
    screenshot(page, "scheme-03-import-upload")

    # The good file: a preview of everything it would store, and no bad row.
    upload(page, "数控车评分标准.xlsx", workbooks.xlsx(workbooks.good_scheme_rows()))
    expect(page.locator("h1")).to_contain_text("数控车评分标准.xlsx")
    expect(page.locator("[data-count=new]")).to_have_text("7")  # 2 modules + 5 aspects
    expect(page.locator("[data-count=bad]")).to_have_text("0")
    expect(page.locator("table[data-errors]")).to_have_count(0)
    sample = page.locator("table[data-sample] tbody")
    for _, name, aspects in workbooks.GOOD_SCHEME:
        expect(sample).to_contain_text(name)
        for _, description, _ in aspects:
            expect(sample).to_contain_text(description)
    screenshot(page, "scheme-04-import-preview-good")

    # Previewing stored nothing yet.
    page.goto(f"/organiser/projects/{project_id}/scheme")
    expect(page.locator("[id^=module-]")).to_have_count(0)
    page.go_back()

    confirm(page)
    expect(page.locator("[data-count=new]")).to_have_text("7")
    with page.expect_navigation():
        page.locator("a[data-back]").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project_id}/scheme$"))
    assert_editor_shows_good_scheme(page)
    screenshot(page, "scheme-05-editor-after-import")
    stored = scheme_editor_text(page)

    # The bad file: every bad row with its row number, column, value and reason.
    page.goto(f"/organiser/projects/{project_id}/import/scheme")
    upload(page, "数控车评分标准-有错误.xlsx", workbooks.xlsx(workbooks.bad_scheme_rows()))
    expect(page.locator("[data-count=bad]")).to_have_text("3")
    errors = page.locator("table[data-errors]")
    expect(errors).to_be_visible()
    expected = [
        (5, "附加描述", "", "descriptors_missing", {"count": 2}),
        (9, "分值", "十分", "not_a_number", {}),
        (10, "评分类型", "X", "type_invalid", {}),
    ]
    rows = errors.locator("tbody tr")
    expect(rows).to_have_count(len(expected))
    for index, (row, column, value, code_, params) in enumerate(expected):
        cells = rows.nth(index).locator("td")
        expect(cells.nth(0)).to_have_text(str(row))
        expect(cells.nth(1)).to_have_text(column)
        expect(cells.nth(2)).to_have_text(value)
        expect(cells.nth(3)).to_have_text(reason(row, column, value, code_, params))
    screenshot(page, "scheme-06-import-preview-errors")

    # Confirming without "import only the valid rows" is refused, and nothing is stored.
    only_valid = page.locator("input[name=only_valid]")
    expect(only_valid).to_be_visible()
    expect(only_valid).not_to_be_checked()
    confirm(page)
    expect(page.locator(".alert-danger")).to_be_visible()
    expect(page.locator("table[data-errors]")).to_be_visible()  # still the preview
    screenshot(page, "scheme-07-import-refused")

    page.goto(f"/organiser/projects/{project_id}/scheme")
    assert_editor_shows_good_scheme(page)
    assert scheme_editor_text(page) == stored
    expect(page.locator("main")).not_to_contain_text("修订")
    screenshot(page, "scheme-08-editor-unchanged")


def upload(page: Page, filename: str, content: bytes) -> None:
    """Choose the file and upload it (import.js sends it by XHR, then opens the preview)."""
    page.set_input_files("input[name=file]",
                         files=[{"name": filename, "mimeType": workbooks.XLSX,
                                 "buffer": content}])
    page.locator("form[data-import-upload] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/imports/\d+$"))
    expect(page.locator("[data-counts]")).to_be_visible()


def confirm(page: Page) -> None:
    form = page.locator("form[action$='/confirm']")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def assert_editor_shows_good_scheme(page: Page) -> None:
    total = page.locator("#running-total")
    expect(total).to_have_text(re.compile(r"^\s*100\s*/\s*100\s*$"))
    expect(total).to_have_class(re.compile(r"\bsp-total-ok\b"))
    modules = page.locator("[id^=module-]")
    expect(modules).to_have_count(len(workbooks.GOOD_SCHEME))
    for index, (letter, name, aspects) in enumerate(workbooks.GOOD_SCHEME):
        card = modules.nth(index)
        expect(card.locator(".card-header")).to_contain_text(letter)
        expect(card.locator(".card-header")).to_contain_text(name)
        rows = card.locator("tbody tr[id^=aspect-]")
        expect(rows).to_have_count(len(aspects))
        for position, (kind, description, mark) in enumerate(aspects):
            cells = rows.nth(position).locator("td")
            expect(cells.nth(1)).to_have_text(kind)
            expect(cells.nth(2)).to_contain_text(description)
            expect(cells.nth(3)).to_have_text(f"{mark:g}")
            if kind == "J":
                expect(cells.nth(2).locator("details li")).to_have_text(
                    list(workbooks.DESCRIPTORS))


def scheme_editor_text(page: Page) -> list[str]:
    return [*page.locator("#running-total").all_inner_texts(),
            *page.locator("[id^=module-]").all_inner_texts()]


def reason(row: int, column: str, value: str, code: str, params: dict[str, object]) -> str:
    """The app's own message for this row error, in Chinese (the page's language)."""
    from app.domain.sheets import RowError
    from app.web.organiser.import_messages import row_message

    with _message_app().test_request_context(), force_locale("zh"):
        return row_message(RowError(row, column, value, code, params))


@functools.cache
def _message_app() -> Flask:
    """An app in this process, only to translate messages (its database is never used)."""
    from app import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "x" * 32,
                       "SQLALCHEMY_DATABASE_URI": "sqlite://"})
