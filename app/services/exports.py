"""Result sheets of one project × division: .xlsx, .csv and a printable PDF to sign.

Two ways to build a sheet, one per audience, and renderers that do not care which:
- `public_sheet` reads the public read model (app.services.public_view), exactly like the
  public board and the REST snapshot, so a hidden, progress-only, frozen or half-revealed
  board exports exactly what the public may see of it and nothing more;
- `staff_sheet` reads the live results (app.services.results), for the organiser, the
  chief judge and the supervisor.

Labels come from the caller (`SheetText`): the web layer translates them, so this module
stays free of request state and a sheet prints in whichever language asked for it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.domain.vocabulary import CompetitorStatus, DivisionKind
from app.models import Division, SkillProject
from app.models.base import utcnow
from app.services import public_view, results
from app.services.public_view import Phase

PROVISIONAL, FINAL = "provisional", "final"

# Columns, in order. "scale" is left out when the project does not use the scale.
COLUMNS = ("rank", "workstation", "name", "delegation", "total", "scale", "award", "note")


@dataclass(frozen=True)
class SheetRow:
    rank: int | None
    workstation: str
    name: str
    delegation: str
    total: float
    scale: float | None
    award: str | None  # an Award code
    status: CompetitorStatus
    tie_step: str | None  # the tie-break step that placed this row, when it tied
    tie_undecided: bool = False


@dataclass(frozen=True)
class ResultSheet:
    competition: str
    competition_dates: tuple[date | None, date | None]
    project_code: str
    project_name: str
    division: DivisionKind
    phase: str  # PROVISIONAL or FINAL
    uses_scale: bool
    rows: tuple[SheetRow, ...]
    made_at: datetime
    # Public sheets only: what the public read model allowed (hidden boards have no rows).
    public_phase: Phase | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for c in COLUMNS if c != "scale" or self.uses_scale)

    @property
    def file_stem(self) -> str:
        """results-S01-employee-provisional: ASCII, so every browser keeps it."""
        return f"results-{self.project_code}-{self.division.value}-{self.phase}"


# ------------------------------------------------------------------ building a sheet


def public_sheet(project: SkillProject, division: Division,
                 now: datetime | None = None) -> ResultSheet:
    """What the public may see of this board, through the one public read model."""
    board = public_view.public_board(project, division, now)
    payload = public_view.board_payload(board)
    rows = tuple(SheetRow(
        rank=row["rank"], workstation=row["workstation"] or "", name=row["name"],
        delegation=row["delegation"], total=row["total"], scale=row["scale"],
        award=row["award"], status=CompetitorStatus(row["status"]),
        tie_step=row["tie"]["step"] if row["tie"] else None,
        tie_undecided=bool(row["tie"] and row["tie"]["undecided"]))
        for row in payload["rows"])
    return _sheet(project, division, FINAL if board.phase is Phase.PUBLISHED else PROVISIONAL,
                  rows, now, board.phase)


def staff_sheet(project: SkillProject, division: Division,
                now: datetime | None = None) -> ResultSheet:
    """The live results, as staff see them on the console: every competitor."""
    published = public_view.competition_phase(project.competition, now) is Phase.PUBLISHED
    rows = tuple(SheetRow(
        rank=line.rank, workstation=line.workstation or "", name=line.name,
        delegation=line.delegation, total=line.total, scale=line.scale_score,
        award=line.award.value if line.award else None, status=line.status,
        tie_step=line.tie.step if line.tie else None,
        tie_undecided=bool(line.tie and line.tie.undecided))
        for line in results.board(project, division).lines)
    return _sheet(project, division, FINAL if published else PROVISIONAL, rows, now, None)


def _sheet(project: SkillProject, division: Division, phase: str, rows: tuple[SheetRow, ...],
           now: datetime | None, public_phase: Phase | None) -> ResultSheet:
    competition = project.competition
    return ResultSheet(
        competition=competition.name,
        competition_dates=(competition.start_date, competition.end_date),
        project_code=project.code, project_name=project.name, division=division.kind,
        phase=phase, uses_scale=project.use_scale, rows=rows, made_at=now or utcnow(),
        public_phase=public_phase)


# ------------------------------------------------------------------ the words on it


@dataclass(frozen=True)
class SheetText:
    """Every word a sheet prints, translated by the caller."""

    title: str  # "Results"
    headings: Mapping[str, str]  # column -> heading
    phases: Mapping[str, str]  # PROVISIONAL/FINAL -> "Provisional results"…
    divisions: Mapping[str, str]  # DivisionKind value -> label
    awards: Mapping[str, str]  # Award value -> label
    statuses: Mapping[str, str]  # CompetitorStatus value -> label
    tie_note: Callable[[str, bool], str]  # (step, undecided) -> "Tie decided by …"
    no_rows: str  # shown instead of rows: "Results are not public yet."
    field_labels: Mapping[str, str]  # competition, project, division, phase, date, printed
    chief_judge: str  # "Chief judge (signature)": 裁判长（签字）
    supervisor: str  # "Supervisor (signature)": 监督仲裁（签字）
    signed_on: str  # "Date"
    labelled: Callable[[str, str], str]  # ("Division", "Employee") -> "Division: Employee"
    page: Callable[[int, int], str]  # (page, pages) -> "Page 1 of 2"
    watermark: str = ""  # printed across provisional sheets
    zone: tzinfo | None = None  # times are printed in the event's time zone


def _cells(sheet: ResultSheet, row: SheetRow, text: SheetText) -> dict[str, Any]:
    """One row as values: numbers stay numbers (the spreadsheet sums them)."""
    award = text.awards.get(row.award, row.award) if row.award else ""
    if row.status is not CompetitorStatus.ACTIVE:
        award = text.statuses.get(row.status.value, row.status.value)
    return {
        "rank": row.rank, "workstation": row.workstation, "name": row.name,
        "delegation": row.delegation, "total": row.total, "scale": row.scale,
        "award": award,
        "note": text.tie_note(row.tie_step, row.tie_undecided) if row.tie_step else "",
    }


def _local(moment: datetime, zone: tzinfo | None) -> datetime:
    return moment.astimezone(zone) if zone is not None else moment


def _dates(sheet: ResultSheet) -> str:
    start, end = sheet.competition_dates
    if start is None:
        return ""
    return start.isoformat() if end in (None, start) else f"{start.isoformat()} ~ {end}"


def title_block(sheet: ResultSheet, text: SheetText) -> list[tuple[str, str]]:
    """(label, value) pairs printed above the table of every format."""
    labels = text.field_labels
    made = _local(sheet.made_at, text.zone).strftime("%Y-%m-%d %H:%M")
    pairs = [
        (labels["competition"], sheet.competition),
        (labels["project"], f"{sheet.project_code} {sheet.project_name}"),
        (labels["division"], text.divisions.get(sheet.division.value, sheet.division.value)),
        (labels["phase"], text.phases[sheet.phase]),
    ]
    if _dates(sheet):
        pairs.append((labels["date"], _dates(sheet)))
    pairs.append((labels["printed"], made))
    return pairs


# ------------------------------------------------------------------ .csv


def to_csv(sheet: ResultSheet, text: SheetText) -> bytes:
    """The table alone, UTF-8 with a byte order mark: without it Excel reads Chinese as
    mojibake. Comma separated, CRLF line ends, as Excel writes it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = sheet.columns
    writer.writerow([text.headings[c] for c in columns])
    for row in sheet.rows:
        cells = _cells(sheet, row, text)
        writer.writerow([_csv_value(cells[c]) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


# ------------------------------------------------------------------ .xlsx

_WIDTHS = {"rank": 7, "workstation": 9, "name": 14, "delegation": 26, "total": 10,
           "scale": 10, "award": 12, "note": 34}
_HEAD_FILL = PatternFill("solid", fgColor="E8EEF6")
_THIN = Side(style="thin", color="A0A0A0")


def to_xlsx(sheet: ResultSheet, text: SheetText) -> bytes:
    """A title block (competition, project, division, phase, dates), then the table with
    frozen headings; totals as numbers with two decimals."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = f"{sheet.project_code} {text.divisions.get(sheet.division.value, '')}"[:31]
    columns = sheet.columns
    ws.append([f"{sheet.project_code} {sheet.project_name} {text.title}"])
    ws["A1"].font = Font(bold=True, size=14)
    for label, value in title_block(sheet, text):
        ws.append([text.labelled(label, value)])  # one cell: it spills over the empty ones
    ws.append([])
    head = heading_row(ws, [text.headings[c] for c in columns])
    for row in sheet.rows:
        cells = _cells(sheet, row, text)
        ws.append([cells[c] for c in columns])
        for index, column in enumerate(columns, start=1):
            if column in ("total", "scale"):
                ws.cell(ws.max_row, index).number_format = "0.00"
    if not sheet.rows:
        ws.append([text.no_rows])
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = _WIDTHS[column]
    for row_cells in ws.iter_rows(min_row=head + 1, max_col=2):
        for cell in row_cells:
            cell.alignment = Alignment(horizontal="center")
    return finished_workbook(book, ws, head, "portrait")


def heading_row(ws: Any, headings: list[str]) -> int:
    """Append the table's heading row, bold on a shaded band; returns its row number."""
    ws.append(headings)
    head = int(ws.max_row)
    for cell in ws[head]:
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.border = Border(bottom=_THIN)
    return head


def finished_workbook(book: Workbook, ws: Any, head: int, orientation: str) -> bytes:
    """The workbook as bytes, its sheet printing as a list should: the heading row frozen
    and repeated on every page, one page wide, as many pages long as it takes."""
    ws.freeze_panes = ws.cell(head + 1, 1)
    ws.print_title_rows = f"{head}:{head}"
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ PDF

# The PDF is drawn with reportlab's built-in CID font for Simplified Chinese: it needs no
# font file (the reader supplies the glyphs, as every PDF reader does for the standard
# Adobe-GB1 fonts), so the server and CI need nothing installed. Latin letters and digits
# are set in Helvetica, another standard font: the reader's stand-in for STSong's Latin
# glyphs rarely matches STSong's widths, which spaces English words unevenly.
PDF_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
_LATIN_RUN = re.compile(r"[\x20-\x7e]+")


def to_pdf(sheet: ResultSheet, text: SheetText) -> bytes:
    """An A4 sheet to print and sign: the title block, the ranked table (headings repeated
    on every page), tie-break notes, and the signature lines of the chief judge and the
    supervisor. Provisional sheets carry a watermark so nobody mistakes one for final.
    Built twice: the first pass counts the pages for the "page 1 of 2" footers."""
    pages = _build_pdf(sheet, text, pages=0)[1]
    return _build_pdf(sheet, text, pages=pages)[0]


def _build_pdf(sheet: ResultSheet, text: SheetText, pages: int) -> tuple[bytes, int]:
    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=20 * mm,
        bottomMargin=18 * mm, title=f"{sheet.project_code} {sheet.project_name} {text.title}",
        author=sheet.competition, subject=text.phases[sheet.phase], creator="SaiPing",
        invariant=True)

    def decorate(canvas: Any, document: Any) -> None:
        _pdf_page(canvas, document, sheet, text, pages)

    def watermark(canvas: Any, document: Any) -> None:
        _pdf_watermark(canvas, document, sheet, text)

    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate("sheet", [frame], onPage=decorate,
                                       onPageEnd=watermark)])
    doc.build([*_pdf_title(sheet, text, doc.width), _pdf_table(sheet, text, doc.width),
               _pdf_signatures(text, doc.width)])
    return buffer.getvalue(), int(doc.page)


def font_runs(value: str) -> list[tuple[str, str]]:
    """(font, text) runs: Latin in LATIN_FONT, everything else in the CJK font."""
    runs, at = [], 0
    for match in _LATIN_RUN.finditer(value):
        if match.start() > at:
            runs.append((PDF_FONT, value[at:match.start()]))
        runs.append((LATIN_FONT, match.group()))
        at = match.end()
    if at < len(value):
        runs.append((PDF_FONT, value[at:]))
    return runs


def _para(value: str, size: float = 10, align: int = TA_LEFT) -> Any:
    markup = "".join(escape(part) if font == PDF_FONT else
                     f'<font name="{font}">{escape(part)}</font>'
                     for font, part in font_runs(value))
    style = ParagraphStyle(f"sheet-{size}-{align}", fontName=PDF_FONT, fontSize=size,
                           leading=size * 1.3, alignment=align, wordWrap="CJK")
    return Paragraph(markup, style)


def _draw(canvas: Any, x: float, y: float, value: str, size: float, align: str = "left"
          ) -> None:
    """One line of mixed text on the canvas, aligned left, right or centre on x."""
    runs = font_runs(value)
    width = sum(pdfmetrics.stringWidth(part, font, size) for font, part in runs)
    line = canvas.beginText(x - {"left": 0, "right": width, "centre": width / 2}[align], y)
    for font, part in runs:
        line.setFont(font, size)
        line.textOut(part)
    canvas.drawText(line)


def _pdf_title(sheet: ResultSheet, text: SheetText, width: float) -> list[Any]:
    heading = f"{sheet.project_code} {sheet.project_name} {text.title}"
    pairs = title_block(sheet, text)[2:]  # the competition and the project are printed above
    cells = [[_para(text.labelled(label, value), 10) for label, value in pairs[i:i + 2]]
             for i in range(0, len(pairs), 2)]
    for row in cells:
        row.extend([""] * (2 - len(row)))
    info = Table(cells, colWidths=[width / 2] * 2)
    info.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#808080")),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#F4F6F9")),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return [_para(sheet.competition, 13, TA_CENTER), Spacer(1, 3 * mm),
            _para(heading, 18, TA_CENTER), Spacer(1, 5 * mm), info, Spacer(1, 5 * mm)]


# Relative column widths on the page; the delegation and the note share what is left.
_PDF_WIDTHS = {"rank": 0.07, "workstation": 0.09, "name": 0.12, "total": 0.09, "scale": 0.09,
               "award": 0.09}
_PDF_ALIGN = {"rank": "CENTER", "workstation": "CENTER", "total": "RIGHT", "scale": "RIGHT",
              "award": "CENTER"}


def _pdf_table(sheet: ResultSheet, text: SheetText, width: float) -> Any:
    columns = sheet.columns
    rest = 1 - sum(_PDF_WIDTHS.get(c, 0) for c in columns)
    share = {**_PDF_WIDTHS, "delegation": rest * 0.62, "note": rest * 0.38}
    head = [_para(text.headings[c], 10, TA_CENTER) for c in columns]
    body = [[_pdf_cell(column, cells[column]) for column in columns]
            for cells in (_cells(sheet, row, text) for row in sheet.rows)]
    if not body:
        body.append([_para(text.no_rows, 11, TA_CENTER)] + [""] * (len(columns) - 1))
    table = Table([head, *body], colWidths=[width * share[c] for c in columns], repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), LATIN_FONT, 10),  # plain cells hold numbers and codes
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE3EE")),
        ("LINEABOVE", (0, 0), (-1, 0), 1.2, colors.black),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, -1), (-1, -1), 1.2, colors.black),
        ("INNERGRID", (0, 1), (-1, -1), 0.3, colors.HexColor("#B0B0B0")),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]
    for index, column in enumerate(columns):
        style.append(("ALIGN", (index, 1), (index, -1), _PDF_ALIGN.get(column, "LEFT")))
    for number in range(2, len(body) + 1, 2):
        style.append(("BACKGROUND", (0, number), (-1, number), colors.HexColor("#F6F7F9")))
    if not sheet.rows:
        style.append(("SPAN", (0, 1), (-1, 1)))
    table.setStyle(TableStyle(style))
    return table


def _pdf_cell(column: str, value: object) -> Any:
    """Numbers as plain text (the table's Latin font), words as paragraphs that wrap."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if column in ("name", "delegation", "note", "award"):
        return _para(str(value), 9 if column == "note" else 10,
                     TA_CENTER if column == "award" else TA_LEFT)
    if _LATIN_RUN.fullmatch(str(value)) or not str(value):
        return str(value)
    return _para(str(value), 10, TA_CENTER)  # a workstation "A区01", say


def _pdf_signatures(text: SheetText, width: float) -> Any:
    """Two signature lines, each with its date line, kept together on the last page."""
    rows = [[_para(text.labelled(who, ""), 11, TA_RIGHT), "",
             _para(text.labelled(text.signed_on, ""), 11, TA_RIGHT), ""]
            for who in (text.chief_judge, text.supervisor)]
    table = Table(rows, colWidths=[width * 0.26, width * 0.36, width * 0.1, width * 0.28],
                  rowHeights=[14 * mm, 14 * mm])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (1, 0), (1, -1), 0.8, colors.black),
        ("LINEBELOW", (3, 0), (3, -1), 0.8, colors.black),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return KeepTogether([Spacer(1, 14 * mm), table])


def _pdf_page(canvas: Any, doc: Any, sheet: ResultSheet, text: SheetText, pages: int) -> None:
    """Every page: a running head (competition, project, phase) and the footer (when it
    was printed, page x of y)."""
    width, height = doc.pagesize
    left, right = doc.leftMargin, width - doc.rightMargin
    canvas.saveState()
    canvas.setFillColor(colors.HexColor("#505050"))
    top = height - 11 * mm
    _draw(canvas, left, top, sheet.competition, 8)
    _draw(canvas, right, top, f"{sheet.project_code} {sheet.project_name}  "
          f"{text.phases[sheet.phase]}", 8, "right")
    made = _local(sheet.made_at, text.zone).strftime("%Y-%m-%d %H:%M")
    _draw(canvas, left, 10 * mm, text.labelled(text.field_labels["printed"], made), 8)
    if pages:
        _draw(canvas, right, 10 * mm, text.page(doc.page, pages), 8, "right")
    canvas.restoreState()


def _pdf_watermark(canvas: Any, doc: Any, sheet: ResultSheet, text: SheetText) -> None:
    """Across a provisional sheet, over the table (drawn last, translucent)."""
    if sheet.phase != PROVISIONAL or not text.watermark:
        return
    width, height = doc.pagesize
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.6, 0.6, 0.6, alpha=0.18))
    canvas.translate(width / 2, height / 2)
    canvas.rotate(35)
    _draw(canvas, 0, -28, text.watermark, 80, "centre")
    canvas.restoreState()
