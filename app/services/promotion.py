"""以赛代评, the use cases: what blocks promotion, running the engine over the published
results, and the organiser's approval.

The engine runs only on results that are published, signed off and past their appeal
window with no appeal open. Every competitor gets one current decision; running again
writes nothing for a decision that did not change, revokes a promotion that no longer
holds (and its certificate), and never promotes a person twice: the database refuses
a second live promotion of one person to one level, in any competition.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from app.domain import promotion as engine
from app.domain.promotion import Candidate, Decision
from app.domain.vocabulary import MarkingMethod, SkillLevel
from app.extensions import db
from app.models import (
    Appeal,
    Certificate,
    Competition,
    Competitor,
    CompetitorResult,
    Promotion,
    PromotionRule,
    SkillProject,
    User,
)
from app.models.base import utcnow
from app.services import audit, ceremony, promotion_rules, results
from app.services.errors import ServiceError
from app.services.transaction import begin_write

PROPOSED, APPROVED, ISSUED = "proposed", "approved", "issued"
REVOKED, SUPERSEDED, NOT_PROMOTED = "revoked", "superseded", "not_promoted"
LIVE = (PROPOSED, APPROVED, ISSUED)  # a promotion that stands


# ------------------------------------------------------------------ blockers


@dataclass(frozen=True)
class Blocker:
    """What stands in the way; `code` is stable, for translation."""

    code: str  # not_published | not_signed_off | no_end_time | appeal_window | appeals_open
    project: SkillProject | None = None
    params: dict[str, Any] = field(default_factory=dict)


def appeal_deadline(project: SkillProject, competition: Competition) -> datetime | None:
    """Appeals are accepted until the window after the project's end; None: the end is
    not set yet."""
    if project.ends_at is None:
        return None
    return project.ends_at + timedelta(minutes=competition.appeal_window_minutes)


def blockers(competition: Competition, now: datetime | None = None) -> list[Blocker]:
    now = now or utcnow()
    found = []
    if competition.published_at is None or competition.published_at > now:
        found.append(Blocker("not_published"))
    open_appeals = dict(db.session.execute(
        select(Appeal.project_id, func.count()).where(
            Appeal.competition_id == competition.id, Appeal.status == "open")
        .group_by(Appeal.project_id)).all())
    for project in _projects_with_competitors(competition):
        unsigned = ceremony.unsigned_modules(project)
        if unsigned:
            found.append(Blocker("not_signed_off", project, {"modules": ", ".join(unsigned)}))
        deadline = appeal_deadline(project, competition)
        if deadline is None:
            found.append(Blocker("no_end_time", project))
        elif deadline > now:
            found.append(Blocker("appeal_window", project, {"until": deadline}))
        if open_appeals.get(project.id):
            found.append(Blocker("appeals_open", project, {"count": open_appeals[project.id]}))
    return found


class PromotionBlocked(ServiceError):
    def __init__(self, found: Sequence[Blocker]) -> None:
        super().__init__("promotion_blocked", count=len(found))
        self.blockers = list(found)


# ------------------------------------------------------------------ the engine


@dataclass
class RunSummary:
    new: int = 0
    unchanged: int = 0
    superseded: int = 0
    revoked: int = 0
    promoted: int = 0  # live promotions after the run
    not_promoted: int = 0


def run(competition: Competition, now: datetime | None = None) -> RunSummary:
    """Decide every competitor of the competition; one transaction. Raises
    PromotionBlocked (nothing written) while anything blocks."""
    begin_write()
    try:
        summary = _run(competition, now or utcnow())
        audit.record("promotion.run", competition, **summary.__dict__)
        db.session.commit()
        return summary
    except Exception:
        db.session.rollback()
        raise


def rerun_if_decided(competition: Competition) -> RunSummary | None:
    """After a correction (a module signed off again after an upheld appeal): recompute
    the decisions if the engine has run for this competition and nothing blocks now."""
    decided = db.session.scalar(select(Promotion.id).where(
        Promotion.competition_id == competition.id).limit(1))
    if decided is None or blockers(competition):
        return None
    return run(competition)


def _run(competition: Competition, now: datetime) -> RunSummary:
    found = blockers(competition, now)
    if found:
        raise PromotionBlocked(found)
    rules = [promotion_rules.to_rule(r) for r in promotion_rules.ensure_seeded(competition)]
    rule_ids = {(r.rule_key, r.version): r for r in _all_rule_rows(competition)}
    current = {p.competitor_id: p for p in db.session.scalars(select(Promotion).where(
        Promotion.competition_id == competition.id, Promotion.current))}
    people = _people(competition)
    history = _history(competition, [c.id_hash for c in people.values()])
    summary = RunSummary()
    for board in results.competition_boards(competition):
        for candidate, who in _candidates(board, people, history, competition):
            fresh = engine.decide(candidate, rules, competition.one_promotion_per_year)
            _apply(competition, who, candidate, fresh, current.get(who.id), rule_ids, now,
                   summary)
    db.session.flush()
    summary.promoted = _count(competition, LIVE)
    summary.not_promoted = _count(competition, (NOT_PROMOTED,))
    return summary


@dataclass(frozen=True)
class _History:
    best_level: SkillLevel | None  # the highest level other live promotions gave
    this_year: bool  # promoted by another competition in this calendar year


def _history(competition: Competition, hashes: Sequence[str]) -> dict[str, _History]:
    rows = db.session.execute(select(Promotion.person_hash, Promotion.new_level, Promotion.year)
                              .where(Promotion.person_hash.in_(hashes),
                                     Promotion.competition_id != competition.id,
                                     Promotion.status.in_(LIVE))).all()
    found: dict[str, _History] = {}
    for person, level, year in rows:
        if level is None:
            continue
        before = found.get(person, _History(None, False))
        best = level if before.best_level is None else min(level, before.best_level)
        found[person] = _History(SkillLevel(best), before.this_year or year == competition.year)
    return found


def _candidates(board: results.BoardResult, people: dict[int, Competitor],
                history: dict[str, _History], competition: Competition
                ) -> Iterable[tuple[Candidate, Competitor]]:
    teams = {line.competitor_id: team for line in board.lines
             if (team := people[line.competitor_id].team_code)}
    entry_rank = engine.entry_ranks([(line.competitor_id, line.rank, teams.get(line.competitor_id))
                                     for line in board.lines])
    ranked_entries = len({v for v in entry_rank.values() if v is not None})
    passes = _passes(board.project, [line.competitor_id for line in board.lines])
    candidates = []
    for line in board.lines:
        who = people[line.competitor_id]
        past = history.get(who.id_hash, _History(None, False))
        levels = [lv for lv in (who.current_level, past.best_level) if lv is not None]
        theory, practical = passes.get(who.id, (True, True))
        candidates.append(Candidate(
            key=who.id, division=board.division.kind, status=line.status,
            rank=entry_rank.get(who.id), award=line.award, ranked_count=ranked_entries,
            current_level=SkillLevel(min(levels)) if levels else None,
            theory_passed=theory, practical_passed=practical,
            promoted_this_year=past.this_year))
    for candidate in engine.as_team_entries(candidates, teams):
        yield candidate, people[candidate.key]


def _passes(project: SkillProject, ids: Sequence[int]) -> dict[int, tuple[bool, bool]]:
    """(theory passed, practical passed) per competitor. Only the classic method has
    pass marks; a WorldSkills-marked project has neither exam to fail."""
    if project.marking_method is not MarkingMethod.CLASSIC or not ids:
        return {}
    rows = db.session.execute(
        select(Competitor.id, Competitor.theory_score, CompetitorResult.module_totals)
        .outerjoin(CompetitorResult, CompetitorResult.competitor_id == Competitor.id)
        .where(Competitor.id.in_(ids))).all()
    found = {}
    for competitor_id, theory, modules in rows:
        practical = sum((modules or {}).values())
        found[competitor_id] = (
            project.theory_pass is None or (theory or 0.0) >= project.theory_pass,
            project.practical_pass is None or practical >= project.practical_pass)
    return found


def _apply(competition: Competition, who: Competitor, candidate: Candidate, fresh: Decision,
           old: Promotion | None, rule_ids: dict[tuple[int, int], PromotionRule],
           now: datetime, summary: RunSummary) -> None:
    rule_row = rule_ids.get((fresh.rule.key, fresh.rule.version)) if fresh.rule else None
    row = Promotion(
        competition_id=competition.id, competitor_id=who.id, project_id=who.project_id,
        person_hash=who.id_hash, year=competition.year, current=True,
        status=PROPOSED if fresh.promoted else NOT_PROMOTED,
        reason=fresh.reason.value if fresh.reason else None,
        old_level=int(candidate.current_level) if candidate.current_level else None,
        new_level=int(fresh.new_level) if fresh.new_level else None, title=fresh.title,
        rule_id=rule_row.id if rule_row is not None else None, rank=candidate.rank,
        snapshot=_snapshot(candidate, competition), decided_at=now)
    if old is None:
        db.session.add(row)
        summary.new += 1
        return
    if old.status in (APPROVED, ISSUED) and _still_holds(old, candidate):
        summary.unchanged += 1  # approved terms stand: a later rule edit changes nothing
        return
    if old.status in (PROPOSED, NOT_PROMOTED) and _same(old, row):
        summary.unchanged += 1
        return
    old.current = False
    if old.status in LIVE and row.new_level == old.new_level and old.status == PROPOSED:
        old.status = SUPERSEDED  # the same promotion, new terms or facts: not a revocation
        summary.superseded += 1
    elif old.status in LIVE:
        revoke(old, fresh.reason.value if fresh.reason else "level_changed", now)
        summary.revoked += 1
    db.session.flush()  # the old row stops being current before the new one is added
    db.session.add(row)
    summary.new += 1


def _still_holds(old: Promotion, candidate: Candidate) -> bool:
    """An approved promotion stands while its own rule version, applied to the fresh
    result, still gives the same level."""
    if old.rule is None:
        return False
    again = engine.decide(candidate, [promotion_rules.to_rule(old.rule)],
                          one_per_year=False)  # this very promotion is the year's one
    return again.new_level is not None and int(again.new_level) == old.new_level


_COMPARED = ("status", "reason", "old_level", "new_level", "title", "rule_id", "rank",
             "snapshot")


def _same(old: Promotion, new: Promotion) -> bool:
    return all(getattr(old, name) == getattr(new, name) for name in _COMPARED)


def revoke(promotion: Promotion, reason: str, now: datetime | None = None) -> None:
    """Revoke a promotion and its certificate, if one was issued (caller's transaction)."""
    now = now or utcnow()
    promotion.status, promotion.revoked_at, promotion.revoked_reason = REVOKED, now, reason
    promotion.current = False
    certificate = db.session.scalar(select(Certificate).where(
        Certificate.promotion_id == promotion.id))
    if certificate is not None and certificate.status != REVOKED:
        certificate.status, certificate.revoked_at = REVOKED, now
        certificate.revoked_reason = reason
    audit.record("promotion.revoke", promotion, competition_id=promotion.competition_id,
                 reason=reason, certificate=certificate.number if certificate else None)


def _snapshot(candidate: Candidate, competition: Competition) -> dict[str, Any]:
    return {"entry_rank": candidate.rank, "ranked": candidate.ranked_count,
            "award": candidate.award.value if candidate.award else None,
            "division": candidate.division.value, "status": candidate.status.value,
            "theory_passed": candidate.theory_passed,
            "practical_passed": candidate.practical_passed,
            "promoted_this_year": candidate.promoted_this_year,
            "published_at": competition.published_at.isoformat()
            if competition.published_at else None}


# ------------------------------------------------------------------ approval


def approve(competition: Competition, user: User, ids: Sequence[int] | None = None) -> int:
    """Approve proposed promotions (the given ids, or every one). Refused while anything
    blocks: a reopened project's proposals may be about to change."""
    begin_write()
    try:
        rows = unblocked_with_status(competition, PROPOSED, ids)
        now = utcnow()
        for row in rows:
            row.status, row.approved_by, row.approved_at = APPROVED, user.id, now
        if rows:
            audit.record("promotion.approve", competition, count=len(rows),
                         ids=[r.id for r in rows])
        db.session.commit()
        return len(rows)
    except Exception:
        db.session.rollback()
        raise


def unblocked_with_status(competition: Competition, status: str,
                          ids: Sequence[int] | None = None) -> list[Promotion]:
    """The current decisions in `status` (the given ids, or all), inside a write
    transaction. Refused while anything blocks, or when an id is not in that status."""
    found = blockers(competition)
    if found:
        raise PromotionBlocked(found)
    query = select(Promotion).where(Promotion.competition_id == competition.id,
                                    Promotion.current, Promotion.status == status)
    if ids is not None:
        query = query.where(Promotion.id.in_(ids))
    rows = list(db.session.scalars(query.order_by(Promotion.id)))
    if ids is not None and len(rows) != len(set(ids)):
        raise ServiceError("not_" + status)
    return rows


# ------------------------------------------------------------------ reading


def decisions(competition: Competition, include_history: bool = False) -> list[Promotion]:
    query = select(Promotion).where(Promotion.competition_id == competition.id)
    if not include_history:
        query = query.where(Promotion.current | (Promotion.status == REVOKED))
    return list(db.session.scalars(query.order_by(Promotion.project_id, Promotion.rank,
                                                  Promotion.id)))


def _people(competition: Competition) -> dict[int, Competitor]:
    return {c.id: c for c in db.session.scalars(select(Competitor).where(
        Competitor.competition_id == competition.id))}


def _all_rule_rows(competition: Competition) -> list[PromotionRule]:
    return list(db.session.scalars(select(PromotionRule).where(
        PromotionRule.competition_id == competition.id)))


def _projects_with_competitors(competition: Competition) -> list[SkillProject]:
    ids = set(db.session.scalars(select(Competitor.project_id).where(
        Competitor.competition_id == competition.id).distinct()))
    return [p for p in competition.projects if p.id in ids]


def _count(competition: Competition, statuses: Sequence[str]) -> int:
    return db.session.scalar(select(func.count()).select_from(Promotion).where(
        Promotion.competition_id == competition.id, Promotion.current,
        Promotion.status.in_(statuses))) or 0


