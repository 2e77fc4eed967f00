"""A marking scheme in the WorldSkills CIS layout, one skill project per sheet.

    子标准编号 | 子标准名称 | 评分日 | 评分类型 | 评分点描述 | 评价分档 | 附加描述    | 分值
    A          | 零件加工   | 1      |          |            |          |             | 40   module
               |            |        | M        | 尺寸       |          | ±0.5=5;±1=3 | 5    aspect
               |            |        | J        | 表面质量   |          |             | 3    aspect
               |            |        |          |            | 0 … 3    | 低于标准 …  |      J rows

(要求, the M requirement, sits before 分值.)
A module row has an ID and a name but no type; its 分值 (max_mark) is the module's share
and may be empty. Aspects follow it (their ID blank or repeating the module's). Each J
aspect is followed by four rows scored 0–3 that carry its descriptors. The aspect's
position within its module, counted in file order, is its natural key with the letter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from app.domain.scheme import (
    AspectSpec,
    ModuleSpec,
    aspect_problems,
    module_problems,
    parse_tolerances,
)
from app.domain.sheets import Cell, ColumnSpec, RowError, Table, parse_number, parse_whole
from app.domain.vocabulary import AspectType

SCHEME_COLUMNS = (
    ColumnSpec("sub_criterion_id", "子标准编号", "sub_criterion_id", max_length=8),
    ColumnSpec("name", "子标准名称", "name", max_length=200),
    ColumnSpec("day", "评分日", "day", required=False),
    ColumnSpec("type", "评分类型", "type"),
    ColumnSpec("description", "评分点描述", "description"),
    ColumnSpec("judgement_score", "评价分档", "judgement_score"),
    ColumnSpec("extra_description", "附加描述", "extra_description"),
    ColumnSpec("requirement", "要求", "requirement", required=False),
    ColumnSpec("max_mark", "分值", "max_mark"),
)

_TYPES = {"m": AspectType.MEASUREMENT, "measurement": AspectType.MEASUREMENT,
          "测量": AspectType.MEASUREMENT, "测量分": AspectType.MEASUREMENT,
          "j": AspectType.JUDGEMENT, "judgement": AspectType.JUDGEMENT,
          "judgment": AspectType.JUDGEMENT, "评价": AspectType.JUDGEMENT,
          "评价分": AspectType.JUDGEMENT}
_LETTER = re.compile(r"^[A-Z][A-Z0-9.]{0,7}$")
_DAY = re.compile(r"^(?:C|D|第)?\s*(\d{1,2})\s*天?$", re.IGNORECASE)


@dataclass
class AspectRow:
    row: int
    position: int  # 1-based, within the module, in file order
    kind: AspectType
    description: str
    max_mark: float
    requirement: str = ""
    tolerances: list[tuple[str, float]] = field(default_factory=list)
    descriptors: dict[int, str] = field(default_factory=dict)  # J: score 0..3 -> text
    bad: bool = False
    typed: bool = True  # False when the type cell was not M or J

    def spec(self) -> AspectSpec:
        return AspectSpec(self.kind, self.max_mark, self.description,
                          tuple(self.descriptors.get(i, "") for i in range(4))
                          if self.kind is AspectType.JUDGEMENT else (),
                          tuple(v for _, v in self.tolerances))


@dataclass
class ModuleRow:
    row: int
    letter: str
    name: str
    day: int | None = None
    share: float | None = None
    aspects: list[AspectRow] = field(default_factory=list)  # every aspect row, bad or not
    bad: bool = False

    @property
    def good_aspects(self) -> list[AspectRow]:
        return [a for a in self.aspects if not a.bad]


@dataclass
class CheckedScheme:
    modules: list[ModuleRow]  # every module named, bad or not
    errors: list[RowError]

    @property
    def good_modules(self) -> list[ModuleRow]:
        return [m for m in self.modules if not m.bad]


def parse_day(text: str) -> int:
    """The day of marking: '2', 'C2', 'D2' or '第2天' -> 2."""
    match = _DAY.match(unicodedata.normalize("NFKC", text).strip())
    if not match:
        raise ValueError(text)
    return int(match.group(1))


class _Reader:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.modules: list[ModuleRow] = []
        self.errors: list[RowError] = []
        self.module: ModuleRow | None = None
        self.aspect: AspectRow | None = None
        self.number = 0
        self.cells: tuple[Cell, ...] = ()

    def text(self, key: str) -> str:
        return self.table.text(self.cells, key)

    def fail(self, key: str, code: str, **params: object) -> None:
        column = self.table.header(key) if key else ""
        value = self.text(key) if key else next(
            (t for t in (self.table.text(self.cells, s.key) for s in self.table.specs) if t), "")
        self.errors.append(RowError(self.number, column, value, code, params))

    def read(self) -> CheckedScheme:
        for number, cells in self.table.rows:
            self.number, self.cells = number, cells
            if self.text("type"):
                self.read_aspect()
            elif self.text("judgement_score"):
                self.read_descriptor()
            elif self.text("sub_criterion_id") or self.text("name"):
                self.read_module()
            else:
                self.fail("", "unrecognised_row")
        for module in self.modules:
            self.check_module(module)
        return CheckedScheme(self.modules, sorted(self.errors, key=lambda e: e.row))

    def read_module(self) -> None:
        before = len(self.errors)
        letter = unicodedata.normalize("NFKC", self.text("sub_criterion_id")).upper()
        name = self.text("name")
        if not letter:
            self.fail("sub_criterion_id", "required")
        elif not _LETTER.match(letter):
            self.fail("sub_criterion_id", "module_id_invalid")
        elif (first := next((m for m in self.modules if m.letter == letter), None)) is not None:
            self.fail("sub_criterion_id", "duplicate_module", row=first.row)
        if not name:
            self.fail("name", "required")
        elif len(name) > 200:
            self.fail("name", "too_long", max=200)
        module = ModuleRow(self.number, letter, name)
        if self.text("day"):
            try:
                module.day = parse_day(self.text("day"))
            except ValueError:
                self.fail("day", "day_invalid")
        if self.text("max_mark"):
            module.share = self.number_in("max_mark")
            if module.share is not None and module.share <= 0:
                self.fail("max_mark", "max_not_positive")
        module.bad = len(self.errors) > before
        self.modules.append(module)
        self.module, self.aspect = module, None

    def read_aspect(self) -> None:
        before = len(self.errors)
        module = self.module
        letter = unicodedata.normalize("NFKC", self.text("sub_criterion_id")).upper()
        if module is None:
            self.fail("type", "aspect_without_module")
        elif letter and letter != module.letter:
            self.fail("sub_criterion_id", "aspect_module_mismatch", module=module.letter)
        elif module.bad:
            self.fail("sub_criterion_id", "module_invalid", row=module.row)
        kind = _TYPES.get(unicodedata.normalize("NFKC", self.text("type")).strip().lower())
        if kind is None:
            self.fail("type", "type_invalid")
        description = self.text("description")
        if not description:
            self.fail("description", "required")
        max_mark = self.number_in("max_mark") if self.text("max_mark") else None
        if max_mark is None and not self.text("max_mark"):
            self.fail("max_mark", "required")
        aspect = AspectRow(self.number, len(module.aspects) + 1 if module else 0,
                           kind or AspectType.MEASUREMENT, description, max_mark or 0.0,
                           typed=kind is not None)
        if kind is AspectType.MEASUREMENT:
            self.read_measurement(aspect)
        aspect.bad = len(self.errors) > before
        if module is not None:
            module.aspects.append(aspect)
        self.aspect = aspect

    def read_measurement(self, aspect: AspectRow) -> None:
        aspect.requirement = self.text("requirement")
        extra = unicodedata.normalize("NFKC", self.text("extra_description"))
        if "=" not in extra:
            # A plain extra description (CIS has one on M rows too): keep it with the
            # requirement rather than lose it.
            if extra:
                aspect.requirement = "\n".join(t for t in (aspect.requirement, extra) if t)
            return
        try:
            aspect.tolerances.extend(parse_tolerances(extra))
        except ValueError:
            self.fail("extra_description", "tolerance_format")

    def read_descriptor(self) -> None:
        aspect = self.aspect
        if aspect is not None and not aspect.typed:
            return  # its aspect row already says what is wrong
        if aspect is None or aspect.kind is not AspectType.JUDGEMENT:
            self.fail("judgement_score", "descriptor_without_judgement")
            return
        try:
            score = parse_whole(self.table.raw(self.cells, "judgement_score"))
        except ValueError:
            score = -1
        text = self.text("extra_description") or self.text("description")
        if not 0 <= score <= 3:
            self.fail("judgement_score", "judgement_score_invalid")
        elif score in aspect.descriptors:
            self.fail("judgement_score", "judgement_score_duplicate")
        elif not text:
            self.fail("extra_description", "required")
        else:
            aspect.descriptors[score] = text

    def number_in(self, key: str) -> float | None:
        try:
            return parse_number(self.table.raw(self.cells, key))
        except ValueError:
            self.fail(key, "not_a_number")
            return None

    def check_module(self, module: ModuleRow) -> None:
        """The domain's rules, each reported on the aspect's row: first each aspect on its
        own, then the first aspect that takes the module over its share."""
        if module.bad:
            return
        if not module.aspects:
            self.report(module.row, "sub_criterion_id", module.letter, "module_empty", {})
            module.bad = True
            return
        for aspect in module.good_aspects:
            for problem in aspect_problems(aspect.spec()):
                self.report_aspect(aspect, problem.field, problem.code, problem.params)
        good = module.good_aspects
        spec = ModuleSpec(module.letter, tuple(a.spec() for a in good), module.share)
        for problem in module_problems(spec):
            if problem.code == "over_module_share" and problem.aspect is not None:
                self.report_aspect(good[problem.aspect - 1], "max_mark", problem.code,
                                   problem.params)

    def report_aspect(self, aspect: AspectRow, field_name: str, code: str,
                      params: dict[str, object]) -> None:
        key = "max_mark" if field_name == "max_mark" else "extra_description"
        value = _mark_text(aspect.max_mark) if key == "max_mark" else ""
        self.report(aspect.row, key, value, code, params)
        aspect.bad = True

    def report(self, row: int, key: str, value: str, code: str,
               params: dict[str, object]) -> None:
        self.errors.append(RowError(row, self.table.header(key), value, code, params))


def _mark_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check_scheme(table: Table) -> CheckedScheme:
    return _Reader(table).read()
