"""A competition's promotion table: seeded from its tier, edited by the organiser, and
versioned, so editing a rule never changes a decision already made under it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.domain import promotion as rules_domain
from app.domain.promotion import Basis, Rule, RuleProblem, RuleSet
from app.domain.vocabulary import SkillLevel
from app.extensions import db
from app.models import Competition, PromotionRule, User
from app.models.base import utcnow
from app.services import audit
from app.services.errors import ServiceError
from app.services.transaction import begin_write


def current(competition: Competition) -> list[PromotionRule]:
    """The table as it stands: the live version of each row, in table order."""
    return list(db.session.scalars(
        select(PromotionRule).where(PromotionRule.competition_id == competition.id,
                                    PromotionRule.retired_at.is_(None))
        .order_by(PromotionRule.position, PromotionRule.rule_key)))


def ensure_seeded(competition: Competition) -> list[PromotionRule]:
    """The table, seeded from the tier's default the first time anyone looks; inside the
    caller's transaction (the caller commits)."""
    rows = current(competition)
    if rows or _ever_had_rules(competition):
        return rows
    return _add(competition, rules_domain.for_tier(competition.tier), None)


def to_rule(row: PromotionRule) -> Rule:
    return Rule(
        target=SkillLevel(row.target_level), basis=Basis(row.basis), division=row.division,
        rank_from=row.rank_from, rank_to=row.rank_to, min_award=row.min_award,
        top_percent=row.top_percent, bump=row.bump,
        cap=SkillLevel(row.cap_level) if row.cap_level is not None else None,
        require_pass=row.require_pass, title=row.title, key=row.rule_key, version=row.version)


@dataclass(frozen=True)
class RuleInput:
    """One row as the organiser edits it; `key` 0 is a new row."""

    key: int
    rule: Rule


class RulesRefused(ServiceError):
    """The table was not saved; `problems` says which rows are wrong and why."""

    def __init__(self, problems: Sequence[RuleProblem]) -> None:
        super().__init__("rules_invalid")
        self.problems = list(problems)


def save(competition: Competition, user: User | None, rows: Sequence[RuleInput]) -> int:
    """Replace the table by `rows`, in that order. A row whose terms changed becomes a new
    version; a row left out is retired; nothing is written when any row is wrong.
    Returns how many versions were written or retired."""
    problems = rules_domain.check_rules([r.rule for r in rows])
    if problems:
        raise RulesRefused(problems)
    begin_write()
    try:
        live = {row.rule_key: row for row in current(competition)}
        unknown = [r.key for r in rows if r.key and r.key not in live]
        if unknown:
            raise ServiceError("rule_unknown", key=unknown[0])
        changed = 0
        now = utcnow()
        next_key = _next_key(competition)
        kept = {r.key for r in rows if r.key}
        for key, row in live.items():
            if key not in kept:
                row.retired_at = now
                changed += 1
        for position, item in enumerate(rows):
            old = live.get(item.key)
            if old is not None and rules_domain.same_terms(to_rule(old), item.rule):
                old.position = position
                continue
            if old is not None:
                old.retired_at = now
            key = item.key or next_key
            next_key += 0 if item.key else 1
            db.session.add(_row(competition, item.rule, key, (old.version + 1) if old else 1,
                                position, user))
            changed += 1
        if changed:
            audit.record("promotion_rules.save", competition, changed=changed,
                         rules=[_summary(r.rule) for r in rows])
        db.session.commit()
        return changed
    except Exception:
        db.session.rollback()
        raise


def load_seeded(competition: Competition, user: User | None, rule_set: RuleSet) -> int:
    """Replace the table by one of the seeded tables (every current row is retired)."""
    return save(competition, user, [RuleInput(0, rule) for rule in rules_domain.seeded(rule_set)])


def _add(competition: Competition, rules: Sequence[Rule], user: User | None
         ) -> list[PromotionRule]:
    key = _next_key(competition)
    rows = [_row(competition, rule, key + i, 1, i, user) for i, rule in enumerate(rules)]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _row(competition: Competition, rule: Rule, key: int, version: int, position: int,
         user: User | None) -> PromotionRule:
    return PromotionRule(
        competition_id=competition.id, rule_key=key, version=version, position=position,
        basis=rule.basis.value, division=rule.division, rank_from=rule.rank_from,
        rank_to=rule.rank_to, min_award=rule.min_award, top_percent=rule.top_percent,
        target_level=int(rule.target), bump=rule.bump,
        cap_level=int(rule.cap) if rule.cap is not None else None,
        require_pass=rule.require_pass, title=rule.title,
        created_by=user.id if user is not None else None)


def _next_key(competition: Competition) -> int:
    return (db.session.scalar(select(func.max(PromotionRule.rule_key)).where(
        PromotionRule.competition_id == competition.id)) or 0) + 1


def _ever_had_rules(competition: Competition) -> bool:
    return db.session.scalar(select(PromotionRule.id).where(
        PromotionRule.competition_id == competition.id).limit(1)) is not None


def _summary(rule: Rule) -> dict[str, Any]:
    return {"basis": rule.basis.value, "division": rule.division.value if rule.division else None,
            "ranks": [rule.rank_from, rule.rank_to], "award": rule.min_award,
            "percent": rule.top_percent, "target": int(rule.target),
            "cap": int(rule.cap) if rule.cap else None, "bump": rule.bump,
            "pass": rule.require_pass, "title": rule.title}


