"""The lists the skill-assessment authority receives after 以赛代评, as .xlsx:

- the promotion list: every promotion that stands (proposed, approved or certificate
  issued), one row per person, with the rule and version it was decided under;
- the non-promotions: every competitor whose current decision is "not promoted", with
  the reason.

Revoked and superseded decisions are history, not promotions, so neither list shows
them. ID numbers are masked (the last four characters only). Words come from the caller
(`PromotionSheetText`), as for the result sheets (app.services.exports), so this module
stays free of request state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain.identity import mask_last4
from app.extensions import db
from app.models import Competition, Competitor, Promotion, PromotionRule
from app.models.base import utcnow
from app.services.exports import finished_workbook, heading_row
from app.services.promotion import APPROVED, ISSUED, NOT_PROMOTED, PROPOSED

# Which current decisions each list holds, in the order the header names them.
LISTED_STATUSES = (PROPOSED, APPROVED, ISSUED)

PROMOTION_COLUMNS = ("name", "id_number", "occupation_code", "occupation", "old_level",
                     "new_level", "title", "rule", "competition", "project", "rank",
                     "certificate", "status")
NON_PROMOTION_COLUMNS = ("name", "id_number", "occupation_code", "occupation", "project",
                         "division", "delegation", "rank", "current_level", "reason",
                         "competition")

_WIDTHS = {"name": 12, "id_number": 22, "occupation_code": 14, "occupation": 16,
           "old_level": 16, "new_level": 16, "current_level": 16, "title": 14, "rule": 34,
           "competition": 28, "project": 18, "division": 10, "delegation": 18, "rank": 7,
           "certificate": 26, "status": 10, "reason": 18}


@dataclass(frozen=True)
class PromotionSheetText:
    """Every word the two lists print, translated by the caller."""

    promotions_title: str  # "Promotion list"
    non_promotions_title: str  # "Competitors not promoted"
    included: Callable[[Sequence[str]], str]  # status labels -> "Statuses included: …"
    printed: Callable[[str], str]  # local time -> "Printed: …"
    headings: Mapping[str, str]  # column -> heading
    levels: Mapping[int, str]  # SkillLevel number -> label
    no_level: str  # no certificate yet
    statuses: Mapping[str, str]  # Promotion.status -> label
    reasons: Mapping[str, str]  # Reason code -> label
    divisions: Mapping[str, str]  # DivisionKind value -> label
    rule: Callable[[PromotionRule], str]  # a rule version, described
    no_rows: str
    zone: tzinfo | None = None


def promotions(competition: Competition) -> list[Promotion]:
    """The promotions that stand, by project, division and rank."""
    return _sorted(_current(competition, LISTED_STATUSES))


def non_promotions(competition: Competition) -> list[Promotion]:
    return _sorted(_current(competition, (NOT_PROMOTED,)))


def promotions_xlsx(competition: Competition, text: PromotionSheetText,
                    now: datetime | None = None) -> bytes:
    rows = [_promotion_cells(p, competition, text) for p in promotions(competition)]
    return _book(f"{competition.name} {text.promotions_title}", text.promotions_title,
                 [text.included([text.statuses[s] for s in LISTED_STATUSES]),
                  text.printed(_local(now or utcnow(), text.zone))],
                 PROMOTION_COLUMNS, rows, text)


def non_promotions_xlsx(competition: Competition, text: PromotionSheetText,
                        now: datetime | None = None) -> bytes:
    rows = [_non_promotion_cells(p, competition, text) for p in non_promotions(competition)]
    return _book(f"{competition.name} {text.non_promotions_title}", text.non_promotions_title,
                 [text.printed(_local(now or utcnow(), text.zone))],
                 NON_PROMOTION_COLUMNS, rows, text)


# ------------------------------------------------------------------ rows


def _current(competition: Competition, statuses: Sequence[str]) -> list[Promotion]:
    return list(db.session.scalars(
        select(Promotion).where(Promotion.competition_id == competition.id, Promotion.current,
                                Promotion.status.in_(statuses))
        .options(selectinload(Promotion.competitor).selectinload(Competitor.delegation),
                 selectinload(Promotion.competitor).selectinload(Competitor.division),
                 selectinload(Promotion.project), selectinload(Promotion.rule),
                 selectinload(Promotion.certificate))))


def _sorted(rows: list[Promotion]) -> list[Promotion]:
    return sorted(rows, key=lambda p: (p.project.code, p.project_id, p.competitor.division_id,
                                       p.rank is None, p.rank or 0, p.competitor.name))


def _level(level: int | None, text: PromotionSheetText) -> str:
    return text.no_level if level is None else text.levels.get(level, str(level))


def _person(p: Promotion, competition: Competition) -> dict[str, Any]:
    return {"name": p.competitor.name, "id_number": mask_last4(p.competitor.id_last4),
            "occupation_code": p.project.occupation_code, "occupation": p.project.occupation_name,
            "competition": competition.name, "project": p.project.name, "rank": p.rank}


def _promotion_cells(p: Promotion, competition: Competition, text: PromotionSheetText
                     ) -> dict[str, Any]:
    return {**_person(p, competition), "old_level": _level(p.old_level, text),
            "new_level": _level(p.new_level, text), "title": p.title,
            "rule": text.rule(p.rule) if p.rule is not None else "",
            "certificate": p.certificate.number if p.certificate is not None else "",
            "status": text.statuses.get(p.status, p.status)}


def _non_promotion_cells(p: Promotion, competition: Competition, text: PromotionSheetText
                         ) -> dict[str, Any]:
    who = p.competitor
    return {**_person(p, competition),
            "division": text.divisions.get(who.division.kind.value, who.division.kind.value),
            "delegation": who.delegation.name, "current_level": _level(p.old_level, text),
            "reason": text.reasons.get(p.reason or "", p.reason or "")}


# ------------------------------------------------------------------ the workbook


def _book(title: str, sheet_title: str, notes: list[str], columns: Sequence[str],
          rows: list[dict[str, Any]], text: PromotionSheetText) -> bytes:
    """A title, the notes under it (which statuses, when printed), then the table with
    frozen headings. Ranks stay numbers; everything else is text."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = _sheet_name(sheet_title)
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    for note in notes:
        ws.append([note])
    ws.append([])
    head = heading_row(ws, [text.headings[c] for c in columns])
    for row in rows:
        ws.append([row[c] for c in columns])
    if not rows:
        ws.append([text.no_rows])
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = _WIDTHS[column]
    return finished_workbook(book, ws, head, "landscape")


def _sheet_name(title: str) -> str:
    """Excel refuses these characters in a sheet name, and more than 31 of them."""
    return "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"


def _local(moment: datetime, zone: tzinfo | None) -> str:
    return (moment.astimezone(zone) if zone else moment).strftime("%Y-%m-%d %H:%M")
