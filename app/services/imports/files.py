"""Reading an uploaded spreadsheet into a `Table`: .xlsx with openpyxl, .csv in UTF-8
(with or without BOM) or GBK/GB18030 as Chinese Excel saves it. Anything else, or a
file that cannot be read, raises SheetError with a code the web layer translates."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterator, Sequence
from pathlib import PurePath

from openpyxl import load_workbook

from app.domain.sheets import Cell, ColumnSpec, SheetError, Table, build_table

MAX_COLUMNS = 60  # the widest layout has 9 columns; more is someone else's sheet
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the old binary .xls format


def read_table(filename: str, data: bytes, specs: Sequence[ColumnSpec],
               max_rows: int) -> Table:
    suffix = PurePath(filename or "").suffix.lower()
    if not data:
        raise SheetError("empty")
    if suffix == ".xls" or data.startswith(_OLE):
        raise SheetError("old_xls")
    if suffix == ".xlsx":
        return _read_xlsx(data, specs, max_rows)
    if suffix == ".csv":
        if data.startswith(_ZIP) or b"\x00" in data[:4096]:
            raise SheetError("corrupt")
        return build_table(_csv_rows(data), specs, max_rows)
    raise SheetError("file_type", suffix=suffix or filename)


def _read_xlsx(data: bytes, specs: Sequence[ColumnSpec], max_rows: int) -> Table:
    if not data.startswith(_ZIP):
        raise SheetError("corrupt")
    # openpyxl warns about styles and extensions it ignores; they change nothing here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # zip, XML or openpyxl errors: all mean "cannot read"
            raise SheetError("corrupt") from error
        try:
            if not book.worksheets:
                raise SheetError("empty")
            sheet = book.worksheets[0]
            rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
            return build_table(enumerate(rows, start=1), specs, max_rows)
        except SheetError:
            raise
        except Exception as error:
            raise SheetError("corrupt") from error
        finally:
            book.close()


def decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError("encoding")


def _csv_rows(data: bytes) -> Iterator[tuple[int, Sequence[Cell]]]:
    text = decode_text(data)
    first = text.split("\n", 1)[0]
    # Excel saves "CSV" with commas, but a tab- or semicolon-separated export is common.
    delimiter = max(",\t;", key=first.count)
    try:
        yield from enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1)
    except csv.Error as error:
        raise SheetError("corrupt") from error
