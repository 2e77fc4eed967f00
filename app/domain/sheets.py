"""Spreadsheet rows as organisers keep them: header mapping, cell normalisation, the
vocabularies people type (levels, divisions, roles), and row errors.

Pure: the service reads the file (xlsx or csv) into raw rows `(row number, cells)` and
hands them here. Every problem is a `RowError` with a stable `code` and its `params`,
so the web layer can say it in the user's language.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from app.domain.vocabulary import DivisionKind, JudgeRole

Cell = object  # str, int, float, bool, date, datetime or None, as the reader gives them


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    zh: str
    en: str
    required: bool = True
    max_length: int | None = None

    @property
    def aliases(self) -> tuple[str, ...]:
        return (header_key(self.zh), header_key(self.en))


@dataclass(frozen=True)
class RowError:
    """One bad cell: the row as the spreadsheet shows it, the column header as written in
    the file (empty when the problem concerns the whole row), the value, and why."""

    row: int
    column: str
    value: str
    code: str
    params: dict[str, object] = field(default_factory=dict)


class SheetError(ValueError):
    """The file as a whole cannot be imported; nothing is read from it."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Table:
    """A sheet's data rows, with the columns found in its header row."""

    specs: tuple[ColumnSpec, ...]
    headers: dict[str, str]  # key -> header as written in the file
    index: dict[str, int]  # key -> column position
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]

    def raw(self, cells: Sequence[Cell], key: str) -> Cell:
        position = self.index.get(key)
        if position is None or position >= len(cells):
            return None
        return cells[position]

    def text(self, cells: Sequence[Cell], key: str) -> str:
        return cell_text(self.raw(cells, key))

    def header(self, key: str) -> str:
        spec = next(s for s in self.specs if s.key == key)
        return self.headers.get(key, spec.zh)


def header_key(text: str) -> str:
    """'  身份证号 *', 'ID_Number' and 'id number' compare as their bare, lower-case letters."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s*:_\-]+", "", text).lower()


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)


def cell_text(value: Cell) -> str:
    """A cell as the text a person sees: numbers Excel stored as 5.0 read '5', spaces and
    invisible characters (full-width spaces, BOMs, zero-width) trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).translate(_INVISIBLE).replace("\u3000", " ")
    return text.strip()


def is_blank(cells: Sequence[Cell]) -> bool:
    return all(cell_text(c) == "" for c in cells)


def build_table(raw_rows: Iterable[tuple[int, Sequence[Cell]]], specs: Sequence[ColumnSpec],
                max_rows: int) -> Table:
    """Find the header row (a title row above it is allowed), map the columns and keep the
    non-blank data rows. Raises SheetError: empty, missing_columns, no_rows, too_many_rows."""
    rows = iter(raw_rows)
    # The header is the first of the leading rows that names at least two known columns;
    # when none does, the first non-blank row (and the missing columns are reported).
    leading: list[tuple[int, Sequence[Cell]]] = []
    for number, cells in rows:
        if not is_blank(cells):
            leading.append((number, cells))
            if _matches(cells, specs) >= min(2, len(specs)) or len(leading) == 10:
                break
    if not leading:
        raise SheetError("empty")
    header = next((r for r in leading if _matches(r[1], specs) >= min(2, len(specs))),
                  leading[0])
    rows = itertools.chain(leading, rows)
    headers, index = _map_columns(header[1], specs)
    missing = [s for s in specs if s.required and s.key not in index]
    if missing:
        raise SheetError("missing_columns", columns=[f"{s.zh} ({s.en})" for s in missing])
    data: list[tuple[int, tuple[Cell, ...]]] = []
    for number, cells in rows:
        if number <= header[0] or is_blank(cells):
            continue
        if len(data) >= max_rows:
            raise SheetError("too_many_rows", limit=max_rows)
        data.append((number, tuple(cells)))
    if not data:
        raise SheetError("no_rows")
    return Table(tuple(specs), headers, index, tuple(data))


def _matches(cells: Sequence[Cell], specs: Sequence[ColumnSpec]) -> int:
    keys = {header_key(cell_text(c)) for c in cells}
    return sum(1 for s in specs if keys & set(s.aliases))


def _map_columns(cells: Sequence[Cell],
                 specs: Sequence[ColumnSpec]) -> tuple[dict[str, str], dict[str, int]]:
    headers: dict[str, str] = {}
    index: dict[str, int] = {}
    for position, cell in enumerate(cells):
        key = header_key(cell_text(cell))
        for spec in specs:
            if key and key in spec.aliases and spec.key not in index:
                index[spec.key] = position
                headers[spec.key] = cell_text(cell)
    return headers, index


def check_length(table: Table, number: int, key: str, value: str) -> RowError | None:
    spec = next(s for s in table.specs if s.key == key)
    if spec.max_length is not None and len(value) > spec.max_length:
        return RowError(number, table.header(key), value, "too_long", {"max": spec.max_length})
    return None


# --- the vocabularies people type ------------------------------------------------------

_LEVELS: dict[str, int] = {}
for _code, _names in {
    5: ("五级", "初级工", "初级"),
    4: ("四级", "中级工", "中级"),
    3: ("三级", "高级工", "高级"),
    2: ("二级", "技师"),
    1: ("一级", "高级技师"),
}.items():
    _LEVELS[str(_code)] = _code
    _LEVELS[f"{_code}级"] = _code
    for _name in _names:
        _LEVELS[_name] = _code
_NO_LEVEL = {"", "无", "none", "-", "—", "/"}


def parse_level(text: str) -> int | None:
    """5..1 from '3', '三级', '高级工' or '三级/高级工'; None for no level. ValueError else."""
    key = unicodedata.normalize("NFKC", text).strip().lower()
    if key in _NO_LEVEL:
        return None
    parts = {p.strip() for p in re.split(r"[/／、()（）]", key) if p.strip()}
    codes = {_LEVELS.get(p) for p in parts}
    if len(codes) != 1 or None in codes:
        raise ValueError(text)
    level = codes.pop()
    assert level is not None
    return level


_DIVISIONS = {
    "职工组": DivisionKind.EMPLOYEE, "职工": DivisionKind.EMPLOYEE,
    "employee": DivisionKind.EMPLOYEE, "employees": DivisionKind.EMPLOYEE,
    "学生组": DivisionKind.STUDENT, "学生": DivisionKind.STUDENT,
    "student": DivisionKind.STUDENT, "students": DivisionKind.STUDENT,
}

_ROLES = {
    "裁判长": JudgeRole.CHIEF, "chief": JudgeRole.CHIEF, "chiefjudge": JudgeRole.CHIEF,
    "裁判员": JudgeRole.JUDGE, "裁判": JudgeRole.JUDGE, "judge": JudgeRole.JUDGE,
    "监督": JudgeRole.SUPERVISOR, "监督员": JudgeRole.SUPERVISOR,
    "supervisor": JudgeRole.SUPERVISOR,
}


def parse_division(text: str) -> DivisionKind:
    kind = _DIVISIONS.get(header_key(text))
    if kind is None:
        raise ValueError(text)
    return kind


def parse_role(text: str) -> JudgeRole:
    role = _ROLES.get(header_key(text))
    if role is None:
        raise ValueError(text)
    return role


def parse_number(value: Cell) -> float:
    """A mark typed as 2, 2.5, '2.5' or '２．５'; ValueError for text such as 'ten'."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        return float(value)
    text = unicodedata.normalize("NFKC", cell_text(value)).replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise ValueError(text)
    return float(text)


def parse_whole(value: Cell) -> int:
    number = parse_number(value)
    if not number.is_integer():
        raise ValueError(value)
    return int(number)


def key_text(text: str) -> str:
    """How names and codes are matched: NFKC, trimmed, case-folded."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def groups_of_duplicates(keys: Iterable[tuple[object, int]]) -> dict[int, list[int]]:
    """For (key, row) pairs: each row whose key appears more than once -> the other rows."""
    by_key: dict[object, list[int]] = {}
    for key, row in keys:
        by_key.setdefault(key, []).append(row)
    result: dict[int, list[int]] = {}
    for rows in by_key.values():
        if len(rows) > 1:
            for row in rows:
                result[row] = [r for r in rows if r != row]
    return result
