"""The certificate as a PDF (职业技能等级证书, domain.md §6): one A4 landscape page to print
or keep, with a QR code that opens the public verification page for its number.

The certificate is a Chinese document, so its wording is Chinese whatever language the
person downloading it reads (small English captions under the labels help a foreign
employer). It prints only what the Certificate row copied in at issue time, and the ID
number masked. A revoked certificate is still drawn, stamped 已撤销 / REVOKED across the
page, so a copy in circulation says what it is worth.

Fonts as in app.services.exports: STSong-Light (a standard CID font the reader supplies,
nothing to embed or install) for Chinese, Helvetica for Latin runs.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from app.domain.identity import mask_last4
from app.domain.vocabulary import SkillLevel
from app.models import Certificate
from app.services.exports import PDF_FONT, font_runs

TITLE = "职业技能等级证书"
# The national levels, highest first (SkillLevel: smaller number = higher level).
LEVEL_NAMES = {
    SkillLevel.SENIOR_TECHNICIAN: ("一级", "高级技师"),
    SkillLevel.TECHNICIAN: ("二级", "技师"),
    SkillLevel.ADVANCED: ("三级", "高级工"),
    SkillLevel.INTERMEDIATE: ("四级", "中级工"),
    SkillLevel.PRIMARY: ("五级", "初级工"),
}
REVOKED = "revoked"
SHANGHAI = ZoneInfo("Asia/Shanghai")

PAGE = landscape(A4)
RED = colors.HexColor("#8E1B1B")
GOLD = colors.HexColor("#B08D3C")
INK = colors.HexColor("#1F1F1F")
GREY = colors.HexColor("#6B6B6B")
STAMP = colors.HexColor("#C62828")


def level_text(level: int) -> str:
    """二级/技师: the grade and the title, as certificates print them."""
    grade, title = LEVEL_NAMES[SkillLevel(level)]
    return f"{grade}/{title}"


def chinese_date(day: date | datetime) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def source_text(certificate: Certificate) -> str:
    """Where the promotion came from (以赛代评): the competition, the project, the rank."""
    parts = [certificate.competition_name, certificate.project_name]
    if certificate.rank is not None:
        parts.append(f"第{certificate.rank}名")
    return " · ".join(part for part in parts if part)


def certificate_pdf(certificate: Certificate, verify_url: str,
                    timezone: tzinfo = SHANGHAI) -> bytes:
    """The certificate on one A4 landscape page; `verify_url` (absolute) goes in the QR.
    `timezone`: where the revocation's day is counted."""
    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE, invariant=True)
    canvas.setTitle(f"{TITLE} {certificate.number}")
    canvas.setAuthor(certificate.issuing_body)
    canvas.setSubject(f"{certificate.name} {certificate.occupation_name} "
                      f"{level_text(certificate.level)}")
    canvas.setCreator("SaiPing")
    _frame(canvas)
    _heading(canvas)
    _statement(canvas, certificate)
    _fields(canvas, certificate)
    _qr(canvas, verify_url)
    _issuer(canvas, certificate)
    if certificate.status == REVOKED:
        _revoked(canvas, certificate, timezone)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# ------------------------------------------------------------------ drawing

def _width(value: str, size: float, spacing: float = 0) -> float:
    return float(sum(pdfmetrics.stringWidth(part, font, size) for font, part in font_runs(value))
                 + spacing * max(len(value) - 1, 0))


def _text(canvas: Canvas, x: float, y: float, value: str, size: float,
          color: Any = INK, align: str = "left", spacing: float = 0) -> float:
    """One line of mixed text, aligned on x; one text object, so it reads back as one
    line. Returns its width."""
    width = _width(value, size, spacing)
    line = canvas.beginText(x - {"left": 0, "right": width, "centre": width / 2}[align], y)
    line.setFillColor(color)
    line.setCharSpace(spacing)  # always: the character spacing outlives the text object
    for font, part in font_runs(value):
        line.setFont(font, size)
        line.textOut(part)
    canvas.drawText(line)
    return width


def _fit(value: str, size: float, width: float, smallest: float = 8) -> float:
    """The largest size up to `size` at which `value` fits in `width`."""
    while size > smallest and _width(value, size) > width:
        size -= 0.5
    return size


_NO_LINE_START = set("，。、：；！？）」』》")  # closing marks stay on the line before
_NO_LINE_END = set("（「『《")  # opening marks go to the next line


def _wrap(value: str, size: float, width: float) -> list[str]:
    """Lines of about `width`: Chinese breaks anywhere, Latin words stay whole, and no
    line starts with a closing mark or ends with an opening one."""
    tokens = re.findall(r"[\x21-\x7e]+|\s|.", value)
    lines, line = [], ""
    for token in tokens:
        if line and token not in _NO_LINE_START and _width(line + token, size) > width:
            carried = ""
            while line and line[-1] in _NO_LINE_END:
                line, carried = line[:-1], line[-1] + carried
            lines.append(line.rstrip())
            line = carried + token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _frame(canvas: Canvas) -> None:
    """A warm paper tone, a red outer rule and a thin gold inner rule with corner marks."""
    w, h = PAGE
    canvas.setFillColor(colors.HexColor("#FFFDF7"))
    canvas.rect(0, 0, w, h, stroke=0, fill=1)
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(3)
    canvas.rect(10 * mm, 10 * mm, w - 20 * mm, h - 20 * mm)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    inset = 14 * mm
    canvas.rect(inset, inset, w - 2 * inset, h - 2 * inset)
    corner = 7 * mm
    canvas.setLineWidth(1.6)
    for x, y, dx, dy in ((inset, inset, 1, 1), (w - inset, inset, -1, 1),
                         (inset, h - inset, 1, -1), (w - inset, h - inset, -1, -1)):
        x2, y2 = x + dx * 2.5 * mm, y + dy * 2.5 * mm
        canvas.lines([(x2, y2, x2 + dx * corner, y2), (x2, y2, x2, y2 + dy * corner)])


def _heading(canvas: Canvas) -> None:
    w, h = PAGE
    _text(canvas, w / 2, h - 42 * mm, TITLE, 32, RED, "centre", spacing=10)
    _text(canvas, w / 2, h - 50 * mm, "VOCATIONAL SKILL LEVEL CERTIFICATE", 9, GREY,
          "centre", spacing=2.2)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.6)
    canvas.line(w / 2 - 60 * mm, h - 55 * mm, w / 2 + 60 * mm, h - 55 * mm)


_LEFT = 30 * mm  # the text column's left edge
_TEXT_WIDTH = 175 * mm


def _statement(canvas: Canvas, c: Certificate) -> None:
    """The sentence a certificate is for, wrapped in the text column."""
    rank = f"获得第{c.rank}名，" if c.rank is not None else ""
    sentence = (f"兹证明 {c.name} 在{c.competition_name}{c.project_name}项目中{rank}"
                f"经以赛代评认定，职业技能等级为{c.occupation_name}{level_text(c.level)}。"
                "特发此证。")
    width, size = PAGE[0] - 2 * _LEFT, 13.0
    lines = _wrap(sentence, size, width)
    while len(lines) > 3 and size > 9:  # very long names: smaller, never cut off
        size -= 0.5
        lines = _wrap(sentence, size, width)
    y = PAGE[1] - 70 * mm
    for line in lines:
        _text(canvas, _LEFT, y, line, size)
        y -= size * 0.58 * mm


def _fields(canvas: Canvas, c: Certificate) -> None:
    """Label (with an English caption) and value, one per row, ruled lightly."""
    occupation = c.occupation_name + (f"  {c.occupation_code}" if c.occupation_code else "")
    grade = f"{level_text(c.level)}（等级代码 {c.level}）"
    rows = [
        ("姓　　名", "Name", c.name),
        ("身份证号", "ID number", mask_last4(c.id_last4)),
        ("职业（工种）", "Occupation and code", occupation),
        ("职业技能等级", "Skill level", grade),
        ("证书编号", "Certificate number", c.number),
        ("以赛代评", "Awarded through", source_text(c)),
    ]
    top = PAGE[1] - 96 * mm
    step = 10.5 * mm
    value_x = _LEFT + 40 * mm
    value_width = _TEXT_WIDTH - 40 * mm
    canvas.setStrokeColor(colors.HexColor("#E2D6B8"))
    canvas.setLineWidth(0.4)
    for index, (label, caption, value) in enumerate(rows):
        y = top - index * step
        _text(canvas, _LEFT, y, label, 11, GREY)
        _text(canvas, _LEFT, y - 3.6 * mm, caption, 6.5, GREY)
        _value(canvas, value_x, y - (0.6 * mm if index else 1 * mm), value,
               13 if index else 16, value_width)
        canvas.line(_LEFT, y - 5.6 * mm, _LEFT + _TEXT_WIDTH, y - 5.6 * mm)


def _value(canvas: Canvas, x: float, y: float, value: str, size: float,
           width: float) -> None:
    """One line, smaller when long; two lines when even 10 pt does not fit."""
    fitted = _fit(value, size, width, smallest=10)
    if _width(value, fitted) <= width:
        _text(canvas, x, y, value, fitted)
        return
    first, *rest = _wrap(value, 10, width)
    _text(canvas, x, y + 2 * mm, first, 10)
    _text(canvas, x, y - 2.2 * mm, "".join(rest), _fit("".join(rest), 10, width, 6))


def _qr(canvas: Canvas, url: str) -> None:
    """The QR code of the verification URL, with a quiet zone and a caption."""
    size = 38 * mm
    x, y = PAGE[0] - 30 * mm - size, PAGE[1] - 96 * mm - 6 * mm - size + 10.5 * mm
    widget = QrCodeWidget(url, barLevel="M", barBorder=4)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0,
                                             size / (top - bottom), 0, 0])
    drawing.add(widget)
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    renderPDF.draw(drawing, canvas, x, y)
    _text(canvas, x + size / 2, y - 5 * mm, "扫码查验证书", 10, GREY, "centre")
    _text(canvas, x + size / 2, y - 9 * mm, "Scan to verify", 7, GREY, "centre")


def _issuer(canvas: Canvas, c: Certificate) -> None:
    """The issuing body and the date, bottom right, where a seal would go."""
    right = PAGE[0] - 30 * mm
    y = 40 * mm
    body = f"发证机构：{c.issuing_body}"
    _text(canvas, right, y, body, _fit(body, 14, PAGE[0] - 2 * _LEFT, 8), INK, "right")
    _text(canvas, right, y - 9 * mm, f"发证日期：{chinese_date(c.issued_on)}", 13, INK,
          "right")
    _text(canvas, _LEFT, 24 * mm, "凭证书编号与姓名可在线查验本证书。"
          "Verify online with the certificate number and the holder's name.", 7.5, GREY)


def _revoked(canvas: Canvas, c: Certificate, timezone: tzinfo) -> None:
    """A red band at the top saying since when, and a stamp across the page. The reason
    stays off: it is a code for the organisers' records, not for the public."""
    w, h = PAGE
    canvas.saveState()
    canvas.setFillColor(STAMP)
    canvas.rect(14 * mm, h - 30 * mm, w - 28 * mm, 16 * mm, stroke=0, fill=1)
    when = f"于{chinese_date(c.revoked_at.astimezone(timezone))}" if c.revoked_at else ""
    _text(canvas, w / 2, h - 21 * mm, f"本证书已{when}撤销，不再有效", 13, colors.white,
          "centre")
    _text(canvas, w / 2, h - 26.5 * mm, "This certificate has been REVOKED and is no "
          "longer valid.", 8.5, colors.white, "centre")
    canvas.restoreState()
    canvas.saveState()
    # Over the fields, clear of the QR code, which must still scan.
    canvas.translate(_LEFT + _TEXT_WIDTH / 2, h / 2 - 12 * mm)
    canvas.rotate(15)
    canvas.setStrokeColor(STAMP)
    canvas.setStrokeAlpha(0.75)
    canvas.setFillAlpha(0.28)
    canvas.setLineWidth(4)
    canvas.roundRect(-82 * mm, -24 * mm, 164 * mm, 48 * mm, 6 * mm)
    canvas.setLineWidth(1.2)
    canvas.roundRect(-78 * mm, -20 * mm, 156 * mm, 40 * mm, 4 * mm)
    _text(canvas, 0, 1 * mm, "已撤销", 64, STAMP, "centre", spacing=18)
    _text(canvas, 0, -15 * mm, "REVOKED", 26, STAMP, "centre", spacing=10)
    canvas.restoreState()
