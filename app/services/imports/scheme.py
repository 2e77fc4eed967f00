"""Importing a project's marking scheme from a CIS-layout sheet.

The file is the whole scheme: modules and aspects are matched by their natural key
(module letter, aspect position) and updated in place; the ones the file no longer
names are removed (the preview counts them). With "only the valid rows", a bad row
leaves its stored module or aspect as it was. An active scheme is never touched."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.domain.scheme import AspectSpec, ModuleSpec, scheme_problems
from app.domain.sheet_scheme import AspectRow, ModuleRow, check_scheme
from app.domain.sheets import Table
from app.domain.vocabulary import AspectType, SchemeStatus
from app.extensions import db
from app.models import Aspect, MarkingScheme, Module, SkillProject
from app.services.imports.outcome import Outcome, assign, status_of

# Scheme-wide problems that do not stop an import: the scheme stays a draft until fixed.
_WARNINGS = ("total_mismatch", "shares_mismatch")


def import_scheme(project: SkillProject, table: Table) -> Outcome:
    checked = check_scheme(table)
    outcome = Outcome(errors=list(checked.errors))
    scheme = db.session.scalar(select(MarkingScheme).where(MarkingScheme.project_id == project.id))
    if scheme is not None and scheme.status is SchemeStatus.ACTIVE:
        outcome.blocked = ("scheme_active", {"project": project.name})
        return outcome
    if scheme is None:
        if not checked.good_modules:
            return outcome
        scheme = MarkingScheme(project_id=project.id, status=SchemeStatus.DRAFT)
        db.session.add(scheme)
    stored = {m.letter: m for m in scheme.modules}
    for module in checked.good_modules:
        _put_module(scheme, stored.get(module.letter), module, outcome)
    named = {m.letter for m in checked.modules}
    for letter, gone in stored.items():
        if letter not in named:
            outcome.removed += 1 + len(gone.aspects)
            scheme.modules.remove(gone)
    db.session.flush()
    problems = scheme_problems([_spec(m) for m in scheme.modules], project.total_marks)
    outcome.warnings = [(p.code, dict(p.params)) for p in problems if p.code in _WARNINGS]
    return outcome


def _put_module(scheme: MarkingScheme, row: Module | None, module: ModuleRow,
                outcome: Outcome) -> None:
    created = row is None
    if row is None:
        row = Module(letter=module.letter, name=module.name)
        scheme.modules.append(row)
    changed = assign(row, {"name": module.name, "marking_day": module.day,
                           "share": module.share})
    outcome.count(status_of(created, changed), {
        "row": module.row, "letter": module.letter, "position": "", "kind": "",
        "description": module.name, "max_mark": module.share, "detail": module.day or ""})
    stored = {a.position: a for a in row.aspects}
    for aspect in module.good_aspects:
        _put_aspect(row, stored.get(aspect.position), aspect, outcome)
    named = {a.position for a in module.aspects}
    for position, gone in stored.items():
        if position not in named:
            outcome.removed += 1
            row.aspects.remove(gone)


def _put_aspect(module: Module, row: Aspect | None, aspect: AspectRow,
                outcome: Outcome) -> None:
    created = row is None
    if row is None:
        row = Aspect(position=aspect.position)
        module.aspects.append(row)
    judgement = aspect.kind is AspectType.JUDGEMENT
    values: dict[str, Any] = {
        "kind": aspect.kind,
        "description": aspect.description,
        "max_mark": aspect.max_mark,
        "requirement": "" if judgement else aspect.requirement,
        "tolerances": [{"label": label, "value": value} for label, value in aspect.tolerances]
        or None,
        "descriptors": [aspect.descriptors[i] for i in range(4)] if judgement else None,
    }
    changed = assign(row, values)
    if judgement:
        detail = " | ".join(f"{i}: {aspect.descriptors[i]}" for i in range(4))
    else:
        table = "; ".join(f"{label}={value:g}" for label, value in aspect.tolerances)
        detail = " · ".join(t for t in (aspect.requirement, table) if t)
    outcome.count(status_of(created, changed), {
        "row": aspect.row, "letter": module.letter, "position": aspect.position,
        "kind": aspect.kind.value, "description": aspect.description,
        "max_mark": aspect.max_mark, "detail": detail})


def _spec(module: Module) -> ModuleSpec:
    return ModuleSpec(module.letter, tuple(
        AspectSpec(a.kind, a.max_mark, a.description, tuple(a.descriptors or ()),
                   tuple(t["value"] for t in a.tolerances or ()))
        for a in module.aspects), module.share)
