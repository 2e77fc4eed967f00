"""The organiser's side of results: what the public may see, the freeze, the ceremony,
the chief judge's tie decisions, the results settings, and publication.

Every use case is one transaction that takes the write lock first, is audited, and, when
it changes what the public sees, queues a refresh of the boards concerned before its
commit (the live layer recomputes them once the commit has happened; a rollback drops
the refresh).

Decisions worth knowing:
- Publication is final. There is no unpublish: certificates and promotions read the
  published results (domain.md §5), so taking them back would leave those wrong.
  Visibility, freeze, tie decisions, ceremony moves and settings are refused after it.
- Publication is refused while any board has a tie nobody decided (ranks are never
  shared, 排名不并列) or a ceremony is half way; it is also refused while marking is
  incomplete or a module is not signed off, unless the organiser forces it with a
  written reason, which is audited.
- A ceremony shows the final results (app.services.public_view), so it may start only
  when every module of the project is signed off, or when the organiser confirms that
  it should start anyway (audited with the unsigned modules). It never starts over an
  undecided tie: the places it would unveil are not decided yet.
- A tie decision needs the chain to end with the "chief" step: only then does the
  recorded order separate exactly the competitors the chain left together, and nobody
  else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.domain.awards import MERIT_RULES, AwardSettings
from app.domain.ranking import CHIEF, MODULE_PREFIX, parse_chain
from app.domain.results import classic_total
from app.domain.scale import ScaleSettings
from app.domain.vocabulary import CompetitorStatus, SchemeStatus, Visibility
from app.extensions import db
from app.models import (
    BoardState,
    Competition,
    Competitor,
    Division,
    MarkingScheme,
    Module,
    SkillProject,
)
from app.models.base import utcnow
from app.realtime.publisher import refresh_board
from app.services import audit, live_feed, public_view, results
from app.services.errors import ServiceError
from app.services.public_view import AWARD, RANK
from app.services.transaction import begin_write

REVEAL_MODES = (RANK, AWARD)
# A written reason, as for unlocking a module (app.services.signoff): 申诉复核 is four.
MIN_REASON = 4
MAX_REASON = 1000


# ------------------------------------------------------------------ visibility and freeze


def set_visibility(competition: Competition, visibility: Visibility) -> None:
    """What the public sees while marking goes on: live ranks, progress, or nothing."""
    if not isinstance(visibility, Visibility):
        raise ServiceError("invalid", field="visibility")
    begin_write()
    try:
        _require_unpublished(competition)
        before = competition.visibility
        if before is not visibility:
            competition.visibility = visibility
            audit.record("results.visibility", competition,
                         before=before.value, after=visibility.value)
            live_feed.refresh_competition(competition)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def set_freeze(competition: Competition, freeze_at: datetime | None) -> None:
    """Freeze the public boards at `freeze_at` (utcnow() for "now"), or unfreeze (None).

    A time in the future schedules the freeze; a time in the past shows the boards as
    the marks stood then."""
    if freeze_at is not None and freeze_at.tzinfo is None:
        raise ServiceError("invalid", field="freeze_at")  # a naive time is ambiguous
    begin_write()
    try:
        _require_unpublished(competition)
        before = competition.freeze_at
        if before != freeze_at:
            competition.freeze_at = freeze_at
            audit.record("results.freeze" if freeze_at else "results.unfreeze", competition,
                         before=before, after=freeze_at)
            live_feed.refresh_competition(competition)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


# ------------------------------------------------------------------ publication


@dataclass(frozen=True)
class Problem:
    """Something that stands in the way of publication.

    `blocking` problems cannot be overridden; the others can, with a written reason."""

    code: str  # undecided_tie | ceremony_running | no_scheme | marking_incomplete | not_signed_off
    project: SkillProject
    division: Division | None
    blocking: bool
    params: Mapping[str, Any] = field(default_factory=dict)


def readiness(competition: Competition) -> list[Problem]:
    """Everything that stands in the way of publishing this competition's results."""
    problems: list[Problem] = []
    for project in competition.projects:
        scheme = _active_scheme(project)
        unsigned = unsigned_modules(project)
        if scheme is None and _has_competitors(project):
            problems.append(Problem("no_scheme", project, None, blocking=False))
        if unsigned:
            problems.append(Problem("not_signed_off", project, None, blocking=False,
                                    params={"modules": unsigned}))
        for division in project.divisions:
            lines = results.board(project, division).lines
            undecided = [line.name for line in lines if line.tie and line.tie.undecided]
            if undecided:
                problems.append(Problem("undecided_tie", project, division, blocking=True,
                                        params={"names": undecided}))
            missing = [line.name for line in lines if line.status is CompetitorStatus.ACTIVE
                       and line.counted < line.expected]
            if missing:
                problems.append(Problem("marking_incomplete", project, division,
                                        blocking=False, params={"count": len(missing)}))
            state = public_view.board_state(project, division)
            if state is not None and state.reveal_mode:
                steps = _reveal_steps(project, division)
                if state.reveal_step < steps:
                    problems.append(Problem("ceremony_running", project, division,
                                            blocking=True,
                                            params={"step": state.reveal_step, "steps": steps}))
    return problems


def publish(competition: Competition, force: bool = False, reason: str = "") -> None:
    """Make the results final and public. Refused (ServiceError, nothing stored) while a
    blocking problem remains, or while marking is incomplete unless `force` with a reason."""
    reason = (reason or "").strip()
    begin_write()
    try:
        if competition.published_at is not None:
            raise ServiceError("already_published")
        problems = readiness(competition)
        blocking = [p for p in problems if p.blocking]
        if blocking:
            first = blocking[0]
            raise ServiceError(first.code, project=first.project.name,
                               division=first.division.kind.value if first.division else "",
                               **first.params)
        if problems and not force:
            raise ServiceError("not_ready", field="force", count=len(problems))
        if problems:
            _check_reason(reason)  # forced: say why, for the audit log
        competition.published_at = utcnow()
        audit.record("results.publish", competition, forced=bool(problems),
                     reason=reason if problems else "",
                     problems=[_problem_summary(p) for p in problems])
        live_feed.refresh_competition(competition)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def unpublish(competition: Competition) -> None:
    """Published results are final: certificates and promotions are made from them."""
    raise ServiceError("published_final")


def _problem_summary(problem: Problem) -> dict[str, Any]:
    return {"code": problem.code, "project": problem.project.code,
            "division": problem.division.kind.value if problem.division else None,
            **problem.params}


# ------------------------------------------------------------------ the ceremony


def start_reveal(project: SkillProject, division: Division, mode: str,
                 confirm_unsigned: bool = False) -> BoardState:
    """Start unveiling one board: from the bottom rank up ("rank") or award by award
    ("award"). Nothing is shown until the first step."""
    if mode not in REVEAL_MODES:
        raise ServiceError("invalid", field="mode")
    _check_board(project, division)
    begin_write()
    try:
        _require_unpublished(project.competition)
        if _active_scheme(project) is None:
            raise ServiceError("no_scheme")
        state = live_feed.state_for_update(project, division)
        if state.reveal_mode:
            raise ServiceError("ceremony_running", field="mode")
        if any(line.tie and line.tie.undecided
               for line in results.board(project, division).lines):
            raise ServiceError("undecided_tie", project=project.name,
                               division=division.kind.value)
        unsigned = unsigned_modules(project)
        if unsigned and not confirm_unsigned:
            raise ServiceError("not_signed_off", field="confirm", modules=unsigned)
        state.reveal_mode, state.reveal_step = mode, 0
        audit.record("ceremony.start", project, project.competition_id,
                     division=division.kind.value, mode=mode,
                     unsigned_modules=unsigned)
        refresh_board(project.id, division.id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return state


def next_step(project: SkillProject, division: Division) -> int:
    """Unveil the next step; returns the step now shown."""
    return _move(project, division, +1)


def previous_step(project: SkillProject, division: Division) -> int:
    """Take back the last step (a mis-click on stage); returns the step now shown."""
    return _move(project, division, -1)


def end_reveal(project: SkillProject, division: Division) -> None:
    """End the ceremony: the board goes back to what the competition's phase shows."""
    _check_board(project, division)
    begin_write()
    try:
        state = live_feed.state_for_update(project, division)
        if not state.reveal_mode:
            raise ServiceError("no_ceremony")
        audit.record("ceremony.end", project, project.competition_id,
                     division=division.kind.value, mode=state.reveal_mode,
                     step=state.reveal_step)
        state.reveal_mode, state.reveal_step = None, 0
        refresh_board(project.id, division.id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def _move(project: SkillProject, division: Division, by: int) -> int:
    _check_board(project, division)
    begin_write()
    try:
        _require_unpublished(project.competition)
        state = live_feed.state_for_update(project, division)
        if not state.reveal_mode:
            raise ServiceError("no_ceremony")
        steps = _reveal_steps(project, division)
        # Bound to [0, steps]; the number of steps can only shrink if a competitor
        # is withdrawn mid-ceremony, and then the step is pulled back inside.
        current = min(state.reveal_step, steps)
        wanted = current + by
        if wanted > steps:
            raise ServiceError("last_step", steps=steps)
        if wanted < 0:
            raise ServiceError("first_step")
        state.reveal_step = wanted
        audit.record("ceremony.next" if by > 0 else "ceremony.previous", project,
                     project.competition_id, division=division.kind.value,
                     mode=state.reveal_mode, step=wanted, steps=steps)
        refresh_board(project.id, division.id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return wanted


def _reveal_steps(project: SkillProject, division: Division) -> int:
    """How many steps the board's ceremony has, as the public read model counts them."""
    return public_view.public_board(project, division).reveal_steps


# ------------------------------------------------------------------ tie decisions


def tie_groups(project: SkillProject, division: Division) -> list[list[results.Line]]:
    """The ties a chief judge may order: per total, the lines the chain left together or
    separated only by an earlier chief decision (which may be corrected), board order."""
    groups: dict[float, list[results.Line]] = {}
    for line in results.board(project, division).lines:
        if line.rank is not None and line.tie is not None \
                and (line.tie.undecided or line.tie.step == CHIEF):
            groups.setdefault(line.total, []).append(line)
    return [group for group in groups.values() if len(group) > 1]


def record_tie_decision(project: SkillProject, division: Division,
                        ordered_ids: Sequence[int], reason: str) -> None:
    """The chief judge's order for a tie the chain cannot separate: the first listed gets
    the better place. `ordered_ids` must be exactly one of `tie_groups`."""
    reason = (reason or "").strip()
    _check_reason(reason)
    _check_board(project, division)
    ids = list(ordered_ids)
    if len(set(ids)) != len(ids):
        raise ServiceError("order_repeats", field="order")
    begin_write()
    try:
        _require_unpublished(project.competition)
        chain = parse_chain(project.tie_break_chain)
        if not chain or chain[-1] != CHIEF:
            raise ServiceError("chief_not_last", field="order")
        group = next((g for g in tie_groups(project, division)
                      if {line.competitor_id for line in g} == set(ids)), None)
        if group is None:
            raise ServiceError("not_a_tie", field="order")
        competitors = {c.id: c for c in db.session.scalars(
            select(Competitor).where(Competitor.id.in_(ids)))}
        before = {cid: competitors[cid].tie_position for cid in ids}
        for position, cid in enumerate(ids, start=1):
            competitors[cid].tie_position = position
        audit.record("results.tie_decision", project, project.competition_id,
                     division=division.kind.value, total=group[0].total, order=ids,
                     names=[competitors[cid].name for cid in ids], before=before,
                     reason=reason)
        refresh_board(project.id, division.id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


# ------------------------------------------------------------------ settings

PROJECT_SETTINGS = ("tie_break_chain", "use_scale", "scale_centre", "scale_k",
                    "theory_weight", "theory_pass", "practical_pass")
# These change each competitor's stored total; the others only how a board is computed.
_METHOD_SETTINGS = ("theory_weight", "theory_pass", "practical_pass")
AWARD_SETTINGS = ("medal_count", "merit_award", "points_gold", "points_silver",
                  "points_bronze", "points_merit")


def update_project_settings(project: SkillProject, values: Mapping[str, Any]) -> dict[str, Any]:
    """The project's ranking settings: tie-break chain, the WorldSkills scale, and the
    classic method's theory weight and pass marks. Returns the changes made."""
    unknown = set(values) - set(PROJECT_SETTINGS)
    if unknown:
        raise ServiceError("invalid", field=sorted(unknown)[0])
    data = dict(values)
    if "tie_break_chain" in data:
        data["tie_break_chain"] = _checked_chain(project, str(data["tie_break_chain"] or ""))
    merged = {key: data.get(key, getattr(project, key)) for key in PROJECT_SETTINGS}
    try:
        ScaleSettings(float(merged["scale_centre"]), float(merged["scale_k"]))
    except ValueError:
        raise ServiceError("invalid", field="scale_k") from None
    weight = float(merged["theory_weight"])
    try:
        # The same weights results.refresh_competitor will use: a weight it cannot add up
        # to exactly 100 % would make every later mark of the project fail.
        classic_total(0.0, 0.0, theory_weight=weight, practical_weight=1 - weight)
    except ValueError:
        raise ServiceError("invalid", field="theory_weight") from None
    if not 0 <= weight <= 1:
        raise ServiceError("invalid", field="theory_weight")
    for key in ("theory_pass", "practical_pass"):
        if merged[key] is not None and not 0 <= float(merged[key]) <= 100:
            raise ServiceError("invalid", field=key)
    begin_write()
    try:
        _require_unpublished(project.competition)
        changes = _apply(project, data)
        if changes:
            if set(changes) & set(_METHOD_SETTINGS):
                results.refresh_project(project)
            audit.record("results.project_settings", project, project.competition_id,
                         changes=changes)
            for division in project.divisions:
                refresh_board(project.id, division.id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return changes


def update_award_settings(competition: Competition, values: Mapping[str, Any]
                          ) -> dict[str, Any]:
    """The event's awards: how many medals, the merit award, and the team points."""
    unknown = set(values) - set(AWARD_SETTINGS)
    if unknown:
        raise ServiceError("invalid", field=sorted(unknown)[0])
    merged = {key: values.get(key, getattr(competition, key)) for key in AWARD_SETTINGS}
    if merged["merit_award"] not in MERIT_RULES:
        raise ServiceError("invalid", field="merit_award")
    try:
        AwardSettings(medals=int(merged["medal_count"]), merit=str(merged["merit_award"]))
    except ValueError:
        raise ServiceError("invalid", field="medal_count") from None
    for key in AWARD_SETTINGS[2:]:
        if not 0 <= int(merged[key]) <= 100:
            raise ServiceError("invalid", field=key)
    begin_write()
    try:
        _require_unpublished(competition)
        changes = _apply(competition, values)
        if changes:
            audit.record("results.award_settings", competition, changes=changes)
            live_feed.refresh_competition(competition)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return changes


def _checked_chain(project: SkillProject, text: str) -> str:
    """The chain normalised ("Judgement, module:c" -> "judgement,module:C"); a module step
    must name a module of the project's scheme."""
    try:
        chain = parse_chain(text)
    except ValueError as error:
        raise ServiceError("invalid_chain", field="tie_break_chain", detail=str(error)) from None
    letters = {m.letter.upper() for m in _modules(project)}
    for step in chain:
        if step.startswith(MODULE_PREFIX) and step.removeprefix(MODULE_PREFIX) not in letters:
            raise ServiceError("unknown_module", field="tie_break_chain",
                               letter=step.removeprefix(MODULE_PREFIX))
    return ",".join(chain)


def _apply(row: object, values: Mapping[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key, value in values.items():
        old = getattr(row, key)
        if old != value:
            changes[key] = [old, value]
            setattr(row, key, value)
    return changes


# ------------------------------------------------------------------ shared


def unsigned_modules(project: SkillProject) -> list[str]:
    """Letters of the modules of the project's active scheme not yet signed off."""
    return [m.letter for m in _modules(project, active=True) if m.locked_at is None]


def _modules(project: SkillProject, active: bool = False) -> list[Module]:
    query = (select(Module).join(MarkingScheme, Module.scheme_id == MarkingScheme.id)
             .where(MarkingScheme.project_id == project.id).order_by(Module.letter))
    if active:
        query = query.where(MarkingScheme.status == SchemeStatus.ACTIVE)
    return list(db.session.scalars(query))


def _active_scheme(project: SkillProject) -> MarkingScheme | None:
    scheme: MarkingScheme | None = db.session.scalar(select(MarkingScheme).where(
        MarkingScheme.project_id == project.id, MarkingScheme.status == SchemeStatus.ACTIVE))
    return scheme


def _has_competitors(project: SkillProject) -> bool:
    return db.session.scalar(select(Competitor.id).where(
        Competitor.project_id == project.id).limit(1)) is not None


def _check_board(project: SkillProject, division: Division) -> None:
    if division.project_id != project.id:
        raise ServiceError("division_not_in_project", field="division")


def _check_reason(reason: str) -> None:
    if len(reason) < MIN_REASON:
        raise ServiceError("reason_required", field="reason", min=MIN_REASON)
    if len(reason) > MAX_REASON:
        raise ServiceError("reason_too_long", field="reason", max=MAX_REASON)


def _require_unpublished(competition: Competition) -> None:
    if competition.published_at is not None:
        raise ServiceError("published_final")

