"""Time the results computation in-process, on the 400-competitor demo.

    python bench/results_compute.py [--repeat 7] [--profile] [--keep]

Seeds the demo competition (`flask seed-demo`: 32 projects, 398 competitors) into a
temporary SQLite database migrated as `flask db upgrade` does, and stores a complete,
realistic set of marks: every panel judge scores every judgement aspect (within the
panel's tolerance), one judge enters each measurement aspect (a second confirms one in
five). The marks go straight into the mark tables, as the marking service writes them
(one version each); the service itself costs about 8 ms a mark (bench/README.md) and
would take minutes here. Then, with timeit (best of --repeat runs, each in a fresh
session as the server's coalescer uses one):

- full recompute: app.services.results.refresh_competitor for all 398 competitors, then
  results.board for every project × division (target ≤ 25 ms);
- incremental update: one refresh_competitor and one results.board of that competitor's
  board, the largest in the demo (target ≤ 1 ms);
- for the reading: each part alone, the public payload of that board (what the live
  coalescer computes per flush), and the pure domain rules over preloaded data (the
  floor, without the database).

Prints figures and the SQL statements each step runs. With --profile, or when a figure
misses its target, cProfile shows where the time goes. It asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import timeit
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, insert, select

from app import create_app
from app.domain.marking import PanelRule, allowed_measurement_values
from app.domain.ranking import Entry
from app.domain.results import compute_board
from app.domain.totals import competitor_totals
from app.domain.vocabulary import AspectType, CompetitorStatus, JudgeRole, UserRole
from app.extensions import db
from app.models import (
    Aspect,
    Competition,
    Competitor,
    Division,
    JudgeAssignment,
    Mark,
    MarkingScheme,
    MarkVersion,
    Module,
    SkillProject,
)
from app.models.base import utcnow
from app.services import accounts, demo, public_view, results

TARGET_MS = {"full": 25.0, "incremental": 1.0}


def make_app(workdir: Path) -> Flask:
    return create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'demo.sqlite'}",
        "SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "DEMO_LOGINS_FILE": str(workdir / "logins.txt"),  # not instance/'s
        "LIVE_UPDATE_INTERVAL": 0,  # no background flushes beside the timing
    })


# ------------------------------------------------------------------ the marks


def store_marks(rng: random.Random) -> int:
    """A complete set of marks for the demo; returns how many. Each competitor has an
    ability, and the panel's scores scatter around it within the tolerance."""
    user = accounts.create_user("bench-results", UserRole.JUDGE)
    panels: dict[int, list[int]] = defaultdict(list)
    for project_id, judge_id in db.session.execute(
            select(JudgeAssignment.project_id, JudgeAssignment.judge_id)
            .where(JudgeAssignment.role == JudgeRole.JUDGE).order_by(JudgeAssignment.id)):
        panels[project_id].append(judge_id)
    marks: list[dict[str, Any]] = []
    for project in db.session.scalars(select(SkillProject).order_by(SkillProject.id)):
        panel = panels[project.id][:project.panel_size]
        aspects = list(db.session.execute(
            select(Aspect.id, Aspect.kind, Aspect.max_mark, Aspect.tolerances)
            .join(Module, Aspect.module_id == Module.id)
            .join(MarkingScheme, Module.scheme_id == MarkingScheme.id)
            .where(MarkingScheme.project_id == project.id)))
        competitors = db.session.scalars(select(Competitor.id).where(
            Competitor.project_id == project.id))
        for competitor_id in competitors:
            ability = rng.uniform(0.35, 0.95)
            for aspect_id, kind, max_mark, tolerances in aspects:
                key = {"competitor_id": competitor_id, "aspect_id": aspect_id}
                if kind is AspectType.JUDGEMENT:
                    base = min(3, max(0, round(3 * ability + rng.gauss(0, 0.5))))
                    low = max(0, base - rng.choice((0, 0, 1)))
                    for judge_id in panel:
                        marks.append({**key, "judge_id": judge_id,
                                      "value": float(rng.choice((low, base)))})
                else:
                    allowed = allowed_measurement_values(
                        max_mark, [float(t["value"]) for t in tolerances or []])
                    value = max_mark if rng.random() < ability else rng.choice(allowed)
                    for judge_id in panel[:2 if rng.random() < 0.2 else 1]:
                        marks.append({**key, "judge_id": judge_id, "value": float(value)})
    now = utcnow()
    ids = db.session.scalars(insert(Mark).returning(Mark.id, sort_by_parameter_order=True),
                             [{**m, "version": 1, "updated_at": now} for m in marks]).all()
    db.session.execute(insert(MarkVersion), [
        {"mark_id": mark_id, "version": 1, "client_id": str(uuid.uuid4()),
         "value": m["value"], "previous_value": None, "user_id": user.id,
         "device_id": "bench", "tablet_time": now, "server_time": now, "reason": "",
         "ack": {"ok": True, "mark_id": mark_id, "version": 1}}
        for mark_id, m in zip(ids, marks, strict=True)])
    return len(marks)


# ------------------------------------------------------------------ what is timed


def full_recompute(competitor_ids: list[int], competition_id: int) -> None:
    for competitor_id in competitor_ids:
        results.refresh_competitor(competitor_id)
    competition = db.session.get(Competition, competition_id)
    assert competition is not None
    for project, division in results.boards_of(competition):
        results.board(project, division)


def refresh_all(competitor_ids: list[int]) -> None:
    for competitor_id in competitor_ids:
        results.refresh_competitor(competitor_id)


def all_boards(competition_id: int) -> None:
    competition = db.session.get(Competition, competition_id)
    assert competition is not None
    for project, division in results.boards_of(competition):
        results.board(project, division)


def every_board(competition_id: int) -> None:
    """Totals are kept per mark, so a full results recompute is every board's ranking,
    awards and scale from the stored totals, in one query."""
    competition = db.session.get(Competition, competition_id)
    assert competition is not None
    results.competition_boards(competition)


def one_board(project_id: int, division_id: int) -> None:
    project = db.session.get(SkillProject, project_id)
    division = db.session.get(Division, division_id)
    assert project is not None and division is not None
    results.board(project, division)


def incremental(competitor_id: int, project_id: int, division_id: int) -> None:
    results.refresh_competitor(competitor_id)
    one_board(project_id, division_id)


def public_payload(project_id: int, division_id: int) -> None:
    project = db.session.get(SkillProject, project_id)
    division = db.session.get(Division, division_id)
    assert project is not None and division is not None
    public_view.board_payload(public_view.public_board(project, division))


class Preloaded:
    """Everything the domain rules need, read once: the floor without the database."""

    def __init__(self, competition_id: int) -> None:
        competition = db.session.get(Competition, competition_id)
        assert competition is not None
        self.boards = []
        self._entries: list[list[Entry]] = []  # prepare(): the totals, for ranking_only
        for project, division in results.boards_of(competition):
            aspects = results.aspects_of(project.id)
            rule = PanelRule(size=project.panel_size, drop_extremes=project.trim_panel)
            settings = results.settings_for(project, competition)
            competitors = list(db.session.scalars(select(Competitor).where(
                Competitor.project_id == project.id, Competitor.division_id == division.id)))
            values: dict[int, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
            for competitor_id, aspect_id, value in db.session.execute(
                    select(Mark.competitor_id, Mark.aspect_id, Mark.value).where(
                        Mark.competitor_id.in_([c.id for c in competitors]))):
                values[competitor_id][aspect_id].append(value)
            people = [(c.id, c.completed_at, c.tie_position, c.status) for c in competitors]
            self.boards.append((aspects, rule, settings, people, values))

    def run(self) -> None:
        for board in self.boards:
            self._rank(board, self._totals(board))

    def totals_only(self) -> None:
        for board in self.boards:
            self._totals(board)

    def ranking_only(self) -> None:
        for board, entries in zip(self.boards, self._entries, strict=True):
            self._rank(board, entries)

    def prepare(self) -> None:
        self._entries = [self._totals(board) for board in self.boards]

    @staticmethod
    def _totals(board: tuple[Any, ...]) -> list[Entry]:
        aspects, rule, _, people, values = board
        entries = []
        for key, completed_at, tie_position, status in people:
            totals = competitor_totals(aspects, values.get(key, {}), rule)
            entries.append(Entry(
                key=key, total=float(totals.total),
                judgement_total=float(totals.judgement_total),
                module_totals=tuple(sorted((k, float(v))
                                           for k, v in totals.module_totals.items())),
                completed_at=completed_at, chief_position=tie_position,
                ranked=status is CompetitorStatus.ACTIVE and totals.counted > 0))
        return entries

    @staticmethod
    def _rank(board: tuple[Any, ...], entries: list[Entry]) -> None:
        settings = board[2]
        compute_board(entries, settings, {entry.key: True for entry in entries})


# ------------------------------------------------------------------ measuring


class Statements:
    """Counts the SQL statements the engine executes."""

    def __init__(self) -> None:
        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        self.count += 1


def measure(fn: Callable[[], None], repeat: int, number: int, statements: Statements
            ) -> dict[str, float]:
    """Best and median ms per call, each timing in a fresh session (as the coalescer's
    flush and each request get one); the writes are rolled back, untimed."""
    def fresh() -> None:
        db.session.rollback()
        db.session.remove()

    fresh()
    fn()  # warm: SQLAlchemy's statement cache, the first lazy imports
    fresh()
    before = statements.count
    fn()
    queries = statements.count - before
    times = timeit.Timer(fn, setup=fresh).repeat(repeat=repeat, number=number)
    fresh()
    per_call = sorted(1000 * t / number for t in times)
    return {"best": per_call[0], "median": statistics.median(per_call),
            "statements": queries}


# Where own time is spent, by what the code is: the summary line under each profile.
AREAS = (("sqlite3 (C)", "sqlite3.Cursor"), ("SQLAlchemy", "/sqlalchemy/"),
         ("fractions (Fraction arithmetic)", "fractions.py"), ("app/domain", "/app/domain/"),
         ("app/services", "/app/services/"))


def profile(fn: Callable[[], None], title: str, lines: int, number: int) -> str:
    db.session.rollback()
    db.session.remove()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(number):
        fn()
    profiler.disable()
    db.session.rollback()
    db.session.remove()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    shares: dict[str, float] = defaultdict(float)
    for (filename, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{filename} {function}"
        area = next((name for name, needle in AREAS if needle in where), "other")
        shares[area] += row[2]  # own time
    total = sum(shares.values()) or 1.0
    summary = ", ".join(f"{area} {100 * t / total:.0f} %"
                        for area, t in sorted(shares.items(), key=lambda kv: -kv[1]))
    stats.sort_stats("tottime").print_stats(lines)
    body = out.getvalue()
    # Keep the table: the header paragraph repeats what the title says.
    table = body[body.index("   ncalls"):] if "   ncalls" in body else body
    return (f"\n--- cProfile: {title}, {number} run(s), sorted by own time; top {lines}\n"
            f"own time by area: {summary}\n{table.rstrip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timings; the best is shown")
    parser.add_argument("--profile", action="store_true", help="profile even on target")
    parser.add_argument("--profile-lines", type=int, default=25)
    parser.add_argument("--seed", type=int, default=2020, help="for the marks")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="saiping-bench-results-"))
    try:
        app = make_app(workdir)
        with app.app_context():
            upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
            print(demo.seed_demo())
            count = store_marks(random.Random(args.seed))
            competitor_ids = list(db.session.scalars(select(Competitor.id)
                                                     .order_by(Competitor.id)))
            refresh_all(competitor_ids)
            db.session.commit()
            competition_id = db.session.scalars(select(Competition.id)).one()
            sizes = [(len(results.board(p, d).lines), p.id, d.id) for p, d in
                     results.boards_of(db.session.get_one(Competition, competition_id))]
            size, project_id, division_id = max(sizes)
            one = next(cid for cid in competitor_ids if db.session.get_one(
                Competitor, cid).division_id == division_id)
            print(f"{count} marks for {len(competitor_ids)} competitors on {len(sizes)} "
                  f"boards; the largest board has {size} competitors")
            run(args, competitor_ids, competition_id, one, project_id, division_id)
    finally:
        if args.keep:
            print(f"\nkept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, competitor_ids: list[int], competition_id: int,
        one: int, project_id: int, division_id: int) -> None:
    statements = Statements()
    preloaded = Preloaded(competition_id)
    preloaded.prepare()
    steps: list[tuple[str, str | None, Callable[[], None], int]] = [
        ("full recompute (398 refresh + every board)", "full",
         lambda: full_recompute(competitor_ids, competition_id), 1),
        ("  refresh_competitor × 398", None, lambda: refresh_all(competitor_ids), 1),
        ("  results.board × every board", None, lambda: all_boards(competition_id), 1),
        ("every board from stored totals (competition_boards)", "full",
         lambda: every_board(competition_id), 1),
        ("  domain rules only, data preloaded", None, preloaded.run, 1),
        ("    competitor_totals × 398", None, preloaded.totals_only, 1),
        ("    compute_board × every board", None, preloaded.ranking_only, 1),
        ("incremental (1 refresh + its board)", "incremental",
         lambda: incremental(one, project_id, division_id), 20),
        ("  refresh_competitor × 1", None, lambda: results.refresh_competitor(one), 20),
        ("  results.board × 1", None, lambda: one_board(project_id, division_id), 20),
        ("  public board payload × 1 (live flush)", None,
         lambda: public_payload(project_id, division_id), 20),
    ]
    figures = []
    for name, target, fn, number in steps:
        figures.append((name, target, fn, measure(fn, args.repeat, number, statements)))
    header = ("", "best ms", "median ms", "SQL", "target")
    rows = [header] + [(name, f"{f['best']:.2f}", f"{f['median']:.2f}", str(f["statements"]),
                        f"≤ {TARGET_MS[target]:g}" if target else "")
                       for name, target, _, f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    print()
    for row in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    for name, target, fn, f in figures:
        if target is None:
            continue
        missed = f["best"] > TARGET_MS[target]
        print(f"\n{target}: {f['best']:.2f} ms best, target ≤ {TARGET_MS[target]:g} ms: "
              f"{'MISSES' if missed else 'meets'}")
        if missed or args.profile:
            print(profile(fn, name.strip(), args.profile_lines, 1 if target == "full" else 200))


if __name__ == "__main__":
    main()
