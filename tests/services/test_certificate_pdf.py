"""The certificate PDF (app.services.certificate_pdf): what it says, read back from the
file, and its QR code, decoded from the page rendered to an image as a phone would see it
(pypdfium2 renders, zxing-cpp decodes)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
import zxingcpp
from flask import Flask
from PIL import Image

from app import create_app
from app.domain.vocabulary import SkillLevel
from app.extensions import db
from app.models import Certificate
from app.services.certificate_pdf import certificate_pdf, chinese_date, level_text
from tests.chief_builders import cheap_passwords
from tests.conftest import TEST_SECRET
from tests.pdf_text import pdf_pages, pdf_text

VERIFY = "https://saiping.example.cn/certificates/verify?number="


@dataclass
class Made:
    valid: Certificate
    revoked: Certificate
    id_numbers: dict[str, str]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    from tests.browser.seed_certificates import issue_certificates

    app: Flask = create_app({
        "TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "RATELIMIT_ENABLED": False, "LIVE_UPDATE_INTERVAL": 0,
        "DEMO_LOGINS_FILE": tmp_path_factory.mktemp("pdf") / "logins.txt"})
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        cheap_passwords(patch)
        db.create_all()
        issued = issue_certificates()
        yield Made(issued.valid, issued.revoked, issued.id_numbers)
        db.session.remove()
        db.drop_all()


def render(data: bytes, dpi: int = 150) -> Image.Image:
    document = pypdfium2.PdfDocument(data)
    try:
        image: Image.Image = document[0].render(scale=dpi / 72).to_pil()
        return image
    finally:
        document.close()


def qr_codes(image: Image.Image) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(image)
            if found.format == zxingcpp.BarcodeFormat.QRCode]


def test_the_pdf_prints_every_field_in_chinese(made: Made) -> None:
    c = made.valid
    text = pdf_text(certificate_pdf(c, VERIFY + c.number))
    masked = "**************" + made.id_numbers[c.name][-4:]
    for shown in ("职业技能等级证书", c.name, masked, "机修钳工", "6-31-01-03", "二级/技师",
                  "等级代码 2", c.number, "发证机构：上海市职业技能鉴定指导中心",
                  f"发证日期：{c.issued_on.year}年{c.issued_on.month}月{c.issued_on.day}日",
                  "以赛代评", "上海市测试技能大赛 · 工业机械 · 第1名"):
        assert shown in text, shown
    assert made.id_numbers[c.name] not in text and c.id_hash not in text
    assert "已撤销" not in text and "REVOKED" not in text


def test_one_a4_landscape_page(made: Made) -> None:
    data = certificate_pdf(made.valid, VERIFY + made.valid.number)
    assert data.startswith(b"%PDF-") and pdf_pages(data) == 1
    document = pypdfium2.PdfDocument(data)
    width, height = document[0].get_size()
    document.close()
    assert (round(width), round(height)) == (842, 595)  # 297 × 210 mm in points


def test_the_qr_code_opens_the_verification_page_for_that_number(made: Made) -> None:
    url = VERIFY + made.valid.number
    assert qr_codes(render(certificate_pdf(made.valid, url))) == [url]


def test_the_qr_code_still_scans_at_a_phones_low_resolution(made: Made) -> None:
    url = VERIFY + made.valid.number
    assert qr_codes(render(certificate_pdf(made.valid, url), dpi=72)) == [url]


def test_a_revoked_certificate_is_stamped_and_its_qr_still_scans(made: Made) -> None:
    c = made.revoked
    assert c.status == "revoked" and c.revoked_at is not None
    url = VERIFY + c.number
    data = certificate_pdf(c, url)
    text = pdf_text(data)
    assert "已撤销" in text and "REVOKED" in text
    day = c.revoked_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"本证书已于{chinese_date(day)}撤销" in text
    assert c.revoked_reason not in text  # a code for the records, not for the public
    assert c.name in text and c.number in text  # still readable under the stamp
    assert qr_codes(render(data)) == [url]


def test_the_revocation_day_is_counted_where_the_event_is_held(made: Made) -> None:
    c = made.revoked
    late = c.revoked_at
    assert late is not None
    c.revoked_at = late.replace(hour=20, minute=0)  # 20:00 UTC is 04:00 the next day
    try:
        shanghai = pdf_text(certificate_pdf(c, VERIFY + c.number))
        utc = pdf_text(certificate_pdf(c, VERIFY + c.number, timezone=ZoneInfo("UTC")))
    finally:
        c.revoked_at = late
    next_day = date.fromordinal(late.date().toordinal() + 1)
    assert f"已于{chinese_date(next_day)}撤销" in shanghai
    assert f"已于{chinese_date(late.date())}撤销" in utc


@pytest.mark.parametrize(("level", "text"), [
    (SkillLevel.SENIOR_TECHNICIAN, "一级/高级技师"), (SkillLevel.TECHNICIAN, "二级/技师"),
    (SkillLevel.ADVANCED, "三级/高级工"), (SkillLevel.INTERMEDIATE, "四级/中级工"),
    (SkillLevel.PRIMARY, "五级/初级工"),
])
def test_levels_read_as_certificates_print_them(level: SkillLevel, text: str) -> None:
    assert level_text(level) == text


def test_long_values_still_fit_and_read_back(made: Made) -> None:
    """A long issuing body and competition shrink to fit rather than run off the page."""
    c = made.valid
    before = (c.issuing_body, c.competition_name)
    c.issuing_body = "上海市人力资源和社会保障局职业技能鉴定中心（上海市职业技能鉴定指导中心）"
    c.competition_name = "2026年上海市职工职业技能大赛暨第二届上海市职业技能大赛选拔赛"
    try:
        data = certificate_pdf(c, VERIFY + c.number)
    finally:
        c.issuing_body, c.competition_name = before
    text = pdf_text(data)
    assert "上海市人力资源和社会保障局职业技能鉴定中心" in text
    assert "2026年上海市职工职业技能大赛暨第二届上海市职业技能大赛选拔赛" in text.replace("\n", "")
    assert qr_codes(render(data)) == [VERIFY + c.number]
