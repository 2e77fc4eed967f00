"""The marking-scheme editor's use cases: modules, aspects, activation.

The rules themselves live in app.domain.scheme; this module turns rows into the
domain's specs, asks it for problems, and only then writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.domain.scheme import (
    AspectSpec,
    ModuleSpec,
    Problem,
    aspect_problems,
    module_problems,
    running_total,
    scheme_problems,
)
from app.domain.vocabulary import AspectType, SchemeStatus
from app.extensions import db
from app.models import Aspect, MarkingScheme, Module, SkillProject
from app.models.base import utcnow
from app.services.editing import delete, save
from app.services.errors import ServiceError


class SchemeProblems(ServiceError):
    """The domain found problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("scheme_invalid")
        self.problems = problems


@dataclass(frozen=True)
class SchemeSummary:
    scheme: MarkingScheme | None
    total: float
    expected: float
    problems: list[Problem]

    @property
    def can_activate(self) -> bool:
        return self.scheme is not None and not self.problems


def aspect_spec(values: dict[str, Any]) -> AspectSpec:
    return AspectSpec(
        kind=AspectType(values["kind"]),
        max_mark=float(values["max_mark"]),
        description=values.get("description") or "",
        descriptors=tuple(values.get("descriptors") or ()),
        tolerances=tuple(float(t["value"]) for t in values.get("tolerances") or ()),
    )


def module_spec(module: Module, replace: tuple[Aspect | None, AspectSpec] | None = None
                ) -> ModuleSpec:
    """The module as the domain sees it; `replace` swaps in (or appends) an edited aspect."""
    specs = []
    for aspect in module.aspects:
        if replace is not None and aspect is replace[0]:
            specs.append(replace[1])
        else:
            specs.append(aspect_spec({
                "kind": aspect.kind, "max_mark": aspect.max_mark,
                "descriptors": aspect.descriptors, "tolerances": aspect.tolerances,
            }))
    if replace is not None and replace[0] is None:
        specs.append(replace[1])
    return ModuleSpec(letter=module.letter, aspects=tuple(specs), share=module.share)


def scheme_summary(project: SkillProject) -> SchemeSummary:
    scheme = scheme_of(project)
    modules = [module_spec(m) for m in scheme.modules] if scheme else []
    return SchemeSummary(
        scheme=scheme,
        total=running_total(modules),
        expected=project.total_marks,
        problems=scheme_problems(modules, project.total_marks) if scheme else [],
    )


def scheme_of(project: SkillProject) -> MarkingScheme | None:
    return db.session.scalar(select(MarkingScheme).where(MarkingScheme.project_id == project.id))


def ensure_scheme(project: SkillProject) -> MarkingScheme:
    scheme = scheme_of(project)
    if scheme is None:
        scheme = save(MarkingScheme(project_id=project.id), {"status": SchemeStatus.DRAFT},
                      competition_id=project.competition_id)
    return scheme


def _editable(scheme: MarkingScheme) -> None:
    if scheme.status is SchemeStatus.ACTIVE:
        raise ServiceError("scheme_active")


def _competition_id(scheme: MarkingScheme) -> int:
    project = db.session.get(SkillProject, scheme.project_id)
    assert project is not None
    return project.competition_id


def save_module(scheme: MarkingScheme, module: Module | None, values: dict[str, Any]) -> Module:
    _editable(scheme)
    if module is not None and values.get("share") is not None:
        shrunk = ModuleSpec(module.letter, module_spec(module).aspects, values["share"])
        over = [p for p in module_problems(shrunk) if p.code == "over_module_share"]
        if over:
            raise ServiceError("share_below_aspects", "share",
                               total=over[0].params["total"])
    return save(module or Module(scheme_id=scheme.id), values,
                competition_id=_competition_id(scheme))


def save_aspect(module: Module, aspect: Aspect | None, values: dict[str, Any]) -> Aspect:
    """Validate the aspect on its own and within its module's share, then save it."""
    _editable(module.scheme)
    spec = aspect_spec(values)
    problems = aspect_problems(spec)
    in_module = module_problems(module_spec(module, (aspect, spec)))
    position = (module.aspects.index(aspect) + 1) if aspect else len(module.aspects) + 1
    problems += [p for p in in_module if p.code == "over_module_share" and p.aspect == position]
    if problems:
        raise SchemeProblems(problems)
    if spec.kind is AspectType.JUDGEMENT:
        values = {**values, "tolerances": None, "requirement": values.get("requirement") or ""}
    else:
        values = {**values, "descriptors": None}
    if aspect is None:
        values["position"] = (db.session.scalar(
            select(func.max(Aspect.position)).where(Aspect.module_id == module.id)) or 0) + 1
    return save(aspect or Aspect(module_id=module.id), values,
                competition_id=_competition_id(module.scheme))


def delete_module(module: Module) -> None:
    _editable(module.scheme)
    delete(module, competition_id=_competition_id(module.scheme))


def delete_aspect(aspect: Aspect) -> None:
    _editable(aspect.module.scheme)
    delete(aspect, competition_id=_competition_id(aspect.module.scheme))


def activate(project: SkillProject) -> MarkingScheme:
    """Activate the scheme, or raise SchemeProblems saying why it cannot be."""
    summary = scheme_summary(project)
    if summary.scheme is None:
        raise SchemeProblems([Problem("module_empty", "aspects")])
    if summary.problems:
        raise SchemeProblems(summary.problems)
    return save(summary.scheme, {"status": SchemeStatus.ACTIVE, "activated_at": utcnow()},
                competition_id=project.competition_id, action="activate_scheme")


def return_to_draft(project: SkillProject) -> MarkingScheme:
    scheme = scheme_of(project)
    if scheme is None:
        raise ServiceError("no_scheme")
    return save(scheme, {"status": SchemeStatus.DRAFT}, competition_id=project.competition_id,
                action="draft_scheme")
