"""An employer in Chromium checks certificates on the public verification page: one by
number and name, a revoked one, and one reached by scanning the QR code of the downloaded
PDF on a phone (the PDF is rendered to an image and its QR decoded in the test).

The certificates come from the real services on the live server's database
(tests/browser/seed_certificates.py). Elements are found by their data-* hooks and form
field names, never by UI text (the page is Chinese).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import Browser, Page, ViewportSize, expect

from app.domain.identity import mask_last4
from tests import live_server as live
from tests.browser.conftest import NAVIGATION_TIMEOUT, LiveServer
from tests.browser.flows import unique

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 412, "height": 915}


@pytest.fixture(scope="module")
def issued(live_server: LiveServer) -> dict[str, Any]:
    """One seeding for the module: a valid certificate (张伟, rank 1) and a revoked one."""
    try:
        data: dict[str, Any] = live_server.process.seed("tests.browser.seed_certificates",
                                                        unique("CERT"))
    except live.LiveServerError as error:
        pytest.fail(f"seeding failed:\n{error}", pytrace=False)
    return data


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url,
                                  is_mobile=True, has_touch=True, device_scale_factor=2,
                                  accept_downloads=True)
    context.set_default_timeout(NAVIGATION_TIMEOUT)
    yield context.new_page()
    context.close()


def look_up(page: Page, name: str, number: str = "", id_number: str = "") -> None:
    form = page.locator("[data-lookup-form]")
    form.locator("input[name=number]").fill(number)
    form.locator("input[name=id_number]").fill(id_number)
    form.locator("input[name=name]").fill(name)
    with page.expect_navigation():
        form.locator("[data-verify]").click()


def card(page: Page, number: str) -> Any:
    return page.locator(f"article[data-certificate='{number}']")


def test_a_certificate_is_verified_by_number_and_name(
        page: Page, issued: dict[str, Any], screenshot: Callable[..., Any]) -> None:
    valid = issued["valid"]
    page.goto("/certificates/verify")
    screenshot(page, "certificate-verify-form")
    look_up(page, valid["name"], number=valid["number"])
    found = card(page, valid["number"])
    expect(found).to_have_attribute("data-status", "valid")
    expect(found.locator("[data-field=name]")).to_have_text(valid["name"])
    expect(found.locator("[data-field=id]")).to_have_text(mask_last4(valid["id_number"][-4:]))
    expect(found.locator("[data-field=level]")).to_have_text("二级 · 技师")
    expect(found.locator("[data-field=occupation]")).to_contain_text("机修钳工")
    expect(found.locator("[data-field=source]")).to_contain_text("工业机械")
    assert valid["id_number"] not in found.inner_html()
    screenshot(page, "certificate-valid")

    # The ID number and the name find the same certificate; a wrong name finds nothing.
    look_up(page, valid["name"], id_number=valid["id_number"])
    expect(card(page, valid["number"])).to_have_attribute("data-status", "valid")
    look_up(page, "王小明", number=valid["number"])
    expect(page.locator("[data-not-found]")).to_be_visible()
    expect(page.locator("article[data-certificate]")).to_have_count(0)
    screenshot(page, "certificate-not-found")

    # A name alone is refused, with the reason on the number field.
    look_up(page, valid["name"])
    expect(page.locator("[data-error-for=number]")).to_be_visible()
    expect(page.locator("article[data-certificate]")).to_have_count(0)
    screenshot(page, "certificate-name-alone")


def test_a_revoked_certificate_is_marked_revoked(
        page: Page, issued: dict[str, Any], screenshot: Callable[..., Any]) -> None:
    revoked = issued["revoked"]
    page.goto("/certificates/verify")
    look_up(page, revoked["name"], number=revoked["number"])
    found = card(page, revoked["number"])
    expect(found).to_have_attribute("data-status", "revoked")
    expect(found.locator("[data-status-text]")).to_be_visible()
    expect(found.locator("[data-revoked-on]")).to_have_attribute(
        "data-revoked-on", re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    status_colour = found.locator(".cert-card__status").evaluate(
        "el => getComputedStyle(el).backgroundColor")
    assert status_colour == "rgb(185, 28, 28)"  # red, not the valid card's green
    screenshot(page, "certificate-revoked")


def qr_in_pdf(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    try:
        image = document[0].render(scale=2).to_pil()
    finally:
        document.close()
    return [found.text for found in zxingcpp.read_barcodes(image)
            if found.format == zxingcpp.BarcodeFormat.QRCode]


def test_the_pdfs_qr_code_opens_the_page_that_asks_for_the_name(
        phone: Page, issued: dict[str, Any], live_server: LiveServer,
        screenshot: Callable[..., Any], screenshot_dir: Path) -> None:
    valid = issued["valid"]
    phone.goto("/certificates/verify")
    look_up(phone, valid["name"], number=valid["number"])
    screenshot(phone, "certificate-valid-phone")
    with phone.expect_download() as waiting:
        card(phone, valid["number"]).locator("[data-download-pdf]").click()
    download = waiting.value
    assert download.suggested_filename == f"certificate-{valid['number']}.pdf"
    with open(download.path(), "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")

    (url,) = qr_in_pdf(data)
    assert url == f"{live_server.url}/certificates/verify?number={valid['number']}"

    # A fresh phone, as a stranger scanning the printed certificate: the number alone
    # shows nothing but the question for the name.
    phone.context.clear_cookies()
    phone.goto(url)
    expect(phone.locator("[data-asks-name]")).to_be_visible()
    expect(phone.locator("article[data-certificate]")).to_have_count(0)
    expect(phone.locator("input[name=number]")).to_have_value(valid["number"])
    expect(phone.locator("input[name=name]")).to_be_focused()
    assert valid["name"] not in phone.content()
    screenshot(phone, "certificate-qr-asks-name")

    phone.locator("input[name=name]").fill(valid["name"])
    with phone.expect_navigation():
        phone.locator("[data-verify]").click()
    result = card(phone, valid["number"])
    expect(result).to_have_attribute("data-status", "valid")
    expect(result.locator("[data-field=name]")).to_have_text(valid["name"])
    # The answer comes first, above the form: on a phone it is on the first screen.
    expect(result.locator("[data-status-text]")).to_be_in_viewport()
    phone.screenshot(path=str(screenshot_dir / "certificate-qr-valid-screen.png"))
    screenshot(phone, "certificate-qr-valid")
